using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Analysis;
using Osprey.Sched.Sim;
using Osprey.Sched.Workload;
using System.Text;

namespace Osprey.Tests.Workload
{
    /// <summary>jobs=N, start=TIME and guest cores removed and added again: parser and simulator.</summary>
    [TestFixture]
    public class FormatSimTests
    {
        const long Ms = 1000000;

        static WorkloadSpec Ok(string text)
        {
            ParseResult r = WorkloadParser.ParseText(text);
            Assert.That(r.Ok, Is.True, r.Error);
            Assert.That(r.Workload.GuestErrors, Is.Empty, string.Join(" | ", r.Workload.GuestErrors));
            return r.Workload;
        }

        static SimResult Run(WorkloadSpec w)
        {
            var r = Simulator.Run(w, new SimOptions { CheckInvariants = true });
            Assert.That(r.Error, Is.Null);
            return r;
        }

        [Test]
        public void JobsAndStartAreParsed()
        {
            var w = Ok("periodic name=a wcet=1ms period=10ms jobs=3 start=25ms phase=1ms\nbackground name=b start=2s\nperiodic name=c wcet=1ms period=10ms\n");
            Assert.That(w.Tasks[0].Jobs, Is.EqualTo(3));
            Assert.That(w.Tasks[0].Start, Is.EqualTo(25 * Ms));
            Assert.That(w.Tasks[0].ReleaseOf(2), Is.EqualTo(25 * Ms + 1 * Ms + 20 * Ms));
            Assert.That(w.Tasks[1].Start, Is.EqualTo(2000 * Ms));
            Assert.That(w.Tasks[2].Jobs, Is.EqualTo(0));
            Assert.That(w.Tasks[2].Start, Is.EqualTo(0));
        }

        [TestCase("periodic name=a wcet=1ms period=10ms jobs=0", "jobs", "expected an integer from 1 to 1000000000, got '0'")]
        [TestCase("periodic name=a wcet=1ms period=10ms jobs=many", "jobs", "expected an integer")]
        [TestCase("periodic name=a wcet=1ms period=10ms start=-1ms", "start", "expected a time")]
        [TestCase("aperiodic name=a wcet=1ms arrivals=1ms start=1ms", "start", "unknown field for 'aperiodic'")]
        [TestCase("background name=a jobs=2", "jobs", "unknown field for 'background'")]
        public void JobsAndStartErrors(string line, string field, string contains)
        {
            ParseResult r = WorkloadParser.ParseText(line);
            Assert.That(r.Ok, Is.False);
            Assert.That(r.Line, Is.EqualTo(1));
            Assert.That(r.Field, Is.EqualTo(field));
            Assert.That(r.Error, Does.Contain(contains));
        }

        [Test]
        public void GuestTasksRefuseJobsAndStartNamingTheField()
        {
            ParseResult r = WorkloadParser.ParseText("guest name=g workload=periodic\n vcore period=10ms slice=5ms\n periodic name=t wcet=1ms period=10ms jobs=2\nend\n");
            Assert.That(r.Ok, Is.True);
            Assert.That(r.Workload.GuestErrors[0], Does.StartWith("line 3: field 'jobs': not supported for a guest's own tasks"));
        }

        [Test]
        public void ALateTaskBesideGuestCoresIsReleasedAtItsStart()
        {
            // Beside guest cores (the vcore scheduler) the period starts at start + phase as under
            // the other schedulers: each job responds in its own 1ms of work, none before its release.
            var w = Ok("duration 100ms\nperiodic name=p wcet=1ms period=10ms start=35ms jobs=3\n"
                + "guest name=a workload=hog\n vcore period=10ms slice=5ms\nend\n");
            var p = Run(w).Task("p");
            Assert.That(p.Released, Is.EqualTo(3));
            Assert.That(p.Jobs, Is.EqualTo(3));
            Assert.That(p.RespMin, Is.EqualTo(1 * Ms));
            Assert.That(p.RespMax, Is.EqualTo(1 * Ms));
        }

        [Test]
        public void ATaskStopsAfterItsJobs()
        {
            foreach (string sched in new[] { "priority", "edf", "cbs" })
            {
                var w = Ok("scheduler " + sched + "\nduration 1s\nperiodic name=a wcet=2ms period=10ms jobs=7 budget=3ms\nperiodic name=b wcet=1ms period=5ms\n");
                var r = Run(w);
                var a = r.Task("a");
                Assert.That(a.Released, Is.EqualTo(7), sched);
                Assert.That(a.Jobs, Is.EqualTo(7), sched);
                Assert.That(a.Misses, Is.EqualTo(0), sched);
                Assert.That(a.CpuTimeNs, Is.EqualTo(14 * Ms), sched);
                Assert.That(r.Task("b").Jobs, Is.EqualTo(200), sched);
            }
        }

        [Test]
        public void AnOverloadedTaskStopsAfterItsJobsWithoutRunningAPostponedOne()
        {
            // U = 1.2: job k of 'a' ends late; after the 4th the period is cancelled, no 5th runs.
            var w = Ok("scheduler priority\nduration 200ms\nperiodic name=a wcet=6ms period=5ms jobs=4 priority=1\n");
            var r = Run(w);
            var a = r.Task("a");
            Assert.That(a.Jobs, Is.EqualTo(4));
            Assert.That(a.Released, Is.EqualTo(4));
            Assert.That(a.CpuTimeNs, Is.EqualTo(24 * Ms));
        }

        [Test]
        public void StartDelaysTheFirstRelease()
        {
            var w = Ok("scheduler edf\nduration 100ms\nperiodic name=a wcet=1ms period=10ms start=35ms phase=2ms\nbackground name=bg wcet=3ms start=50ms\n");
            var r = Run(w);
            // releases at 37, 47, ..., 97 ms: 7 jobs, each responding in 1 ms.
            Assert.That(r.Task("a").Released, Is.EqualTo(7));
            Assert.That(r.Task("a").RespMax, Is.EqualTo(1 * Ms));
            // The background task starts at 50 ms and needs 3 ms beside a's job at 57 ms: it ends at 53 ms.
            Assert.That(r.Task("bg").RespMax, Is.EqualTo(3 * Ms));
            Assert.That(RunReport.DefaultDuration(Ok("periodic name=a wcet=1ms period=10ms start=35ms phase=2ms")), Is.EqualTo(47 * Ms));
        }

        [Test]
        public void ARemovedCoreKeepsItsGuestClockAtTheRemoval()
        {
            // Started at 30ms, removed at 120ms: its guest clock stops at 90ms, so its guest task
            // counts the 10 releases 0, 10, ..., 90ms (the last one at the removal itself, not run).
            var w = Ok("duration 300ms\nguest name=rt workload=periodic\n vcore period=20ms slice=6ms start=30ms remove=120ms\n"
                + " periodic name=s wcet=1ms period=10ms\nend\n");
            var r = Run(w);
            Vcore v = r.Guests.Core("rt/0");
            Assert.That(v.Removed, Is.True);
            Assert.That(v.VirtualNow(), Is.EqualTo(90 * Ms));
            var s = ((PeriodicGuestProgram)v.Program).Stats[0];
            Assert.That(s.Released, Is.EqualTo(10));
            Assert.That(s.Jobs, Is.EqualTo(9));
        }

        [Test]
        public void CoreEventsAreParsedAndChecked()
        {
            var w = Ok("guest name=g workload=hog\n vcore period=10ms slice=5ms start=5ms remove=20ms, 40ms add=30ms\nend\n");
            var c = w.Guests[0].Vcores[0];
            Assert.That(c.Start, Is.EqualTo(5 * Ms));
            Assert.That(c.Remove, Is.EqualTo(new[] { 20 * Ms, 40 * Ms }));
            Assert.That(c.Add, Is.EqualTo(new[] { 30 * Ms }));
            string[] bad =
            {
                "vcore period=10ms slice=5ms add=30ms", "add", "needs 'remove'",
                "vcore period=10ms slice=5ms remove=20ms add=30ms, 40ms", "add", "as many times as 'remove' (1) or one fewer, got 2",
                "vcore period=10ms slice=5ms remove=20ms, 40ms add=50ms", "remove", "item 2: 40ms must be after the add before it 50ms",
                "vcore period=10ms slice=5ms remove=20ms add=20ms", "add", "item 1: 20ms must be after remove item 1 20ms",
                "vcore period=10ms slice=5ms start=20ms remove=20ms", "remove", "item 1: 20ms must be after the core's start 20ms",
                "vcore period=10ms slice=5ms remove=20ms, 10ms", "remove", "times must not decrease",
                "vcore period=10ms slice=5ms remove=1ms, 3ms add=2ms,  2ms", "add", "",
                "vcore period=10ms slice=5ms remove=1 parsec", "remove", "item 1: expected a time",
            };
            for (int i = 0; i < bad.Length; i += 3)
            {
                var r = WorkloadParser.ParseText("guest name=g workload=hog\n " + bad[i] + "\nend\n");
                Assert.That(r.Ok, Is.True, r.Error);
                Assert.That(r.Workload.GuestErrors.Length, Is.EqualTo(1), bad[i]);
                Assert.That(r.Workload.GuestErrors[0], Does.StartWith("line 2: field '" + bad[i + 1] + "': "), bad[i]);
                Assert.That(r.Workload.GuestErrors[0], Does.Contain(bad[i + 2]), bad[i]);
            }
            var sb = new StringBuilder("remove=");
            for (int k = 1; k <= 1001; k++) sb.Append(k == 1 ? "" : ",").Append(k * 2).Append("ms");
            sb.Append(" add=");
            for (int k = 1; k <= 1000; k++) sb.Append(k == 1 ? "" : ",").Append(k * 2 + 1).Append("ms");
            var big = WorkloadParser.ParseText("guest name=g workload=hog\n vcore period=1ms slice=100us " + sb + "\nend\n");
            Assert.That(big.Workload.GuestErrors[0], Does.Contain("more than 2000 remove and add times together"));
        }

        /// <summary>Admission capacity after many removals: a 50% core leaves and comes back 500 times beside a
        /// 50% core; every return is admitted (the share freed at each removal is exactly the share asked
        /// again), the CPU ends with exactly 100% admitted, and nothing is missed.</summary>
        [Test]
        public void AdmissionCapacitySurvivesManyRemovals()
        {
            var rm = new StringBuilder();
            var add = new StringBuilder();
            for (int k = 0; k < 500; k++)
            {
                rm.Append(k == 0 ? "" : ", ").Append(10 + 4 * k).Append("ms");
                add.Append(k == 0 ? "" : ", ").Append(12 + 4 * k).Append("ms");
            }
            var w = Ok("duration 2100ms\nguest name=a workload=hog\n vcore period=1ms slice=500us remove=" + rm + " add=" + add + "\nend\n"
                + "guest name=b workload=hog\n vcore period=1ms slice=500us\nend\n");
            var r = Run(w);
            var g = r.Guests;
            Assert.That(g.Removals, Is.EqualTo(500));
            Assert.That(g.Additions, Is.EqualTo(500));
            Assert.That(g.RefusedAdditions, Is.EqualTo(0));
            Assert.That(g.Rejected, Is.Empty);
            VcoreScheduler vs = g.Cpus[0];
            Assert.That(vs.VcoreCount, Is.EqualTo(2));
            Utilization u;
            vs.AdmittedShare(null, out u);
            Assert.That(u.Exact && u.Num == 1 && u.Den == 1, Is.True, u.Num + "/" + u.Den);
            foreach (Vcore v in g.Cores) Assert.That(v.Misses, Is.EqualTo(0), v.Name);
            Assert.That(g.Cores.Count, Is.EqualTo(502));   // b, a's first core and its 500 returns
            // b keeps its reservation the whole time: 50% of 2.1 s.
            Assert.That(g.Core("b/0").TotalNs, Is.EqualTo(1050 * Ms));
        }

        [Test]
        public void ACoreComingBackWhileItsShareIsTakenIsRefusedWithTheTime()
        {
            var w = Ok("duration 300ms\nguest name=a workload=hog\n vcore period=10ms slice=6ms remove=50ms add=150ms\nend\n"
                + "guest name=b workload=hog\n vcore period=10ms slice=5ms start=100ms\nend\n");
            var r = Run(w);
            Assert.That(r.Guests.RefusedAdditions, Is.EqualTo(1));
            Assert.That(r.Guests.Rejected.Count, Is.EqualTo(1));
            Assert.That(r.Guests.Rejected[0], Does.StartWith("at 150ms: line 3: field 'slice': vcore a/0 on cpu 0: asks 3/5"));
            Assert.That(r.Guests.Core("b/0").TotalNs, Is.EqualTo(100 * Ms));
            var text = new System.IO.StringWriter();
            Program.Print(text, "x.wl", w, r);
            Assert.That(text.ToString(), Does.Contain("at 150ms: cpu 0: a/0 added again: refused; admitted 1/2 (50%), 1 core(s)"));
        }
    }
}

namespace Osprey.Tests.Workload
{
    /// <summary>Random files with jobs, start and guest-core timelines, run in the simulator with the core's
    /// invariants checked after every step: no error, no exception, jobs never above jobs=N, nothing released
    /// for a task that starts after the run, admitted share never above the CPU's share. (Host loads go above
    /// 100% here, so reservations may be missed: misses are not checked.)</summary>
    [TestFixture]
    public class TimedFormatSimFuzzTests
    {
        [Test]
        public void RandomTimedWorkloadsRunCleanly()
        {
            var rng = new System.Random(77);
            int runs = 150, withGuests = 0, events = 0;
            for (int i = 0; i < runs; i++)
            {
                var sb = new System.Text.StringBuilder("duration 60ms\nscheduler " + (i % 3 == 0 ? "priority" : i % 3 == 1 ? "edf" : "cbs") + "\n");
                int nt = 1 + rng.Next(4);
                for (int k = 0; k < nt; k++)
                {
                    int period = 1 + rng.Next(10);
                    sb.Append("periodic name=t" + k + " wcet=" + (100 + rng.Next(900 * period)) + "us period=" + period + "ms");
                    if (rng.Next(2) == 0) sb.Append(" jobs=" + (1 + rng.Next(8)));
                    if (rng.Next(2) == 0) sb.Append(" start=" + rng.Next(40) + "ms");
                    if (rng.Next(3) == 0) sb.Append(" budget=" + (50 + rng.Next(500)) + "us");
                    sb.Append('\n');
                }
                if (rng.Next(2) == 0) sb.Append("background name=bg wcet=" + (1 + rng.Next(5)) + "ms start=" + rng.Next(50) + "ms\n");
                if (rng.Next(2) == 0)
                {
                    withGuests++;
                    int ng = 1 + rng.Next(3);
                    for (int g = 0; g < ng; g++)
                    {
                        sb.Append("guest name=g" + g + " workload=" + (rng.Next(2) == 0 ? "hog" : "idle") + "\n vcore period=" + (1 + rng.Next(5)) + "ms slice=" + (100 + rng.Next(400)) + "us");
                        if (rng.Next(2) == 0) sb.Append(" start=" + (1 + rng.Next(10)) + "ms");
                        if (rng.Next(2) == 0)
                        {
                            int n = 1 + rng.Next(6);
                            var rm = new System.Text.StringBuilder();
                            var ad = new System.Text.StringBuilder();
                            int t = 12;
                            for (int e = 0; e < n; e++)
                            {
                                t += 1 + rng.Next(4); rm.Append(e == 0 ? "" : ",").Append(t).Append("ms");
                                t += 1 + rng.Next(4); if (e < n - 1 || rng.Next(2) == 0) ad.Append(ad.Length == 0 ? "" : ",").Append(t).Append("ms");
                            }
                            sb.Append(" remove=" + rm);
                            if (ad.Length > 0) sb.Append(" add=" + ad);
                        }
                        sb.Append("\nend\n");
                    }
                }
                string text = sb.ToString();
                ParseResult pr = WorkloadParser.ParseText(text);
                Assert.That(pr.Ok, Is.True, pr.Error + "\n" + text);
                Assert.That(pr.Workload.GuestErrors, Is.Empty, text);
                var r = Simulator.Run(pr.Workload, new SimOptions { CheckInvariants = true });
                Assert.That(r.Error, Is.Null, text);
                foreach (TaskSpec s in pr.Workload.Tasks)
                {
                    var st = r.Task(s.Name);
                    if (s.Jobs > 0) Assert.That(st.Jobs, Is.LessThanOrEqualTo(s.Jobs), s.Name + "\n" + text);
                    if (s.Jobs > 0) Assert.That(st.Released, Is.LessThanOrEqualTo(s.Jobs), s.Name + "\n" + text);
                    if (s.Kind == TaskKind.Periodic && s.Start + s.Phase > r.Duration) Assert.That(st.Released, Is.EqualTo(0), text);
                }
                if (r.Guests != null)
                {
                    events += r.Guests.Events.Count;
                    foreach (var kv in r.Guests.Cpus)
                    {
                        Osprey.Sched.Analysis.Utilization u;
                        kv.Value.AdmittedShare(null, out u);
                        Assert.That(u.CompareTo(1, 1), Is.LessThanOrEqualTo(0), text);
                    }
                }
            }
            TestContext.Out.WriteLine(runs + " random timed workloads, " + withGuests + " with guests, " + events + " guest-core events");
            Assert.That(events, Is.GreaterThan(50));
        }
    }
}
