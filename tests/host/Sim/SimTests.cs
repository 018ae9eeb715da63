using System;
using System.Collections.Generic;
using System.IO;
using NUnit.Framework;
using Osprey.Sched.Analysis;
using Osprey.Sched.Sim;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Sim
{
    [TestFixture]
    public class SimTests
    {
        const long Ms = 1000000;

        static string Examples { get { return Osprey.Tests.Workload.ParserTests.FindExamples(); } }

        static WorkloadSpec Load(string name)
        {
            var r = WorkloadParser.Parse(File.ReadAllBytes(Path.Combine(Examples, name)));
            Assert.That(r.Ok, Is.True, r.Error);
            return r.Workload;
        }

        static SimResult Run(WorkloadSpec w, string sched = null, long duration = 0, TraceLog trace = null)
        {
            var r = Simulator.Run(w, new SimOptions { SchedulerOverride = sched, Duration = duration, CheckInvariants = true, Trace = trace });
            Assert.That(r.Error, Is.Null);
            return r;
        }

        static WorkloadSpec Text(string text)
        {
            var r = WorkloadParser.ParseText(text);
            Assert.That(r.Ok, Is.True, r.Error);
            return r.Workload;
        }

        // ------------------------------------------------------------ classic sets

        [Test]
        public void NonHarmonicAtUtilizationOneEdfMeetsFpMisses()
        {
            var w = Load("nonharmonic-u1.wl");
            var edf = Run(w, "edf");
            Assert.That(edf.TotalMisses, Is.EqualTo(0));
            Assert.That(edf.Analysis[0], Is.EqualTo(AnalysisVerdict.Schedulable));
            Assert.That(edf.IdleTimeNs, Is.EqualTo(0), "U = 1: the CPU never idles");
            Assert.That(edf.Task("t1").Jobs, Is.EqualTo(70));
            var fp = Run(w, "priority");
            Assert.That(fp.Analysis[0], Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(fp.Task("t2").Misses, Is.GreaterThan(0));
            Assert.That(fp.Task("t1").Misses, Is.EqualTo(0));
            // First miss of t2 at its first deadline, 7 ms, as response-time analysis says (R = 8 ms).
            Assert.That(fp.Task("t2").FirstMissAt, Is.EqualTo(7 * Ms));
            Assert.That(fp.Task("t2").RespMax, Is.EqualTo(8 * Ms));
        }

        // ----------------------------------------------- job boundaries --
        // sched/README.md "Job boundaries": completing at the deadline is on
        // time, and the period ending then releases the next job (no
        // postponed job, nothing rm-missed), under both policies.

        static void AllOnTime(SimResult r, string why)
        {
            foreach (var t in r.Tasks)
            {
                if (t.Kind != TaskKind.Periodic) continue;
                Assert.That(t.Misses, Is.EqualTo(0), t.Name + ": misses; " + why);
                Assert.That(t.PeriodMissed, Is.EqualTo(0), t.Name + ": rm-missed; " + why);
                Assert.That(t.MaxPostponed, Is.EqualTo(0), t.Name + ": postponed; " + why);
            }
        }

        [TestCase("priority")]
        [TestCase("edf")]
        public void HarmonicSetAtUtilizationOneHasNoMissAtTheBoundaries(string sched)
        {
            // U = 1/2 + 1/4 + 2/8 = 1: every job of t3 completes exactly at its period end.
            var r = Run(Text("scheduler " + sched + "\nduration 80ms\nperiodic name=t1 wcet=1ms period=2ms\nperiodic name=t2 wcet=1ms period=4ms\nperiodic name=t3 wcet=2ms period=8ms\n"));
            AllOnTime(r, "U = 1 harmonic");
            Assert.That(r.Task("t3").Jobs, Is.EqualTo(10));
            // The CPU never idles: the job that runs last in each 8 ms
            // hyperperiod completes exactly at its period end (t3 under fixed
            // priority; t1, behind t2's equal deadline, under EDF).
            bool atEnd = r.Task("t1").RespMax == 2 * Ms || r.Task("t2").RespMax == 4 * Ms || r.Task("t3").RespMax == 8 * Ms;
            Assert.That(atEnd, Is.True, "some job completes at its period end");
            Assert.That(r.Task("t3").PeriodCount, Is.EqualTo(10));
            Assert.That(r.IdleTimeNs, Is.EqualTo(0));
        }

        [TestCase("priority")]
        [TestCase("edf")]
        public void OneNanosecondPeriodAtUtilizationOneHasNoMiss(string sched)
        {
            var r = Run(Text("scheduler " + sched + "\nduration 20us\nperiodic name=t wcet=1ns period=1ns\n"));
            AllOnTime(r, "each job ends at its period end");
            Assert.That(r.Task("t").Jobs, Is.EqualTo(20000));
        }

        [TestCase("priority")]
        [TestCase("edf")]
        public void ConstrainedDeadlineMetExactlyIsOnTime(string sched)
        {
            // Two jobs of 1 ms released together with D = 2 ms: the second completes at 2 ms, its deadline.
            var r = Run(Text("scheduler " + sched + "\nduration 40ms\nperiodic name=a wcet=1ms period=4ms deadline=2ms\nperiodic name=b wcet=1ms period=4ms deadline=2ms\n"));
            AllOnTime(r, "constrained, completion at D");
            Assert.That(Math.Max(r.Task("a").RespMax, r.Task("b").RespMax), Is.EqualTo(2 * Ms));
        }

        [Test]
        public void WallJobEndingAsItsPeriodTimerFiresIsOnTime()
        {
            // lo's wall-clock job ends at 4 ms while hi runs; hi completes at
            // 4 ms, then lo's period timer fires (lo still in its job), then lo
            // runs and completes at the same instant: the timer-first order.
            // (Fixed priority only: under EDF hi would need a deadline before
            // lo's 4 ms to preempt it, and could not then complete at 4 ms on
            // time; the period tests cover this order under EDF.)
            var r = Run(Text("scheduler priority\nduration 40ms\nperiodic name=hi wcet=1ms period=4ms phase=3ms deadline=1ms\nperiodic name=lo wcet=4ms period=4ms work=wall\n"));
            AllOnTime(r, "wall job done at its period end, timer handled first");
            Assert.That(r.Task("lo").Jobs, Is.EqualTo(10));
            Assert.That(r.Task("lo").RespMax, Is.EqualTo(4 * Ms));
        }

        [Test]
        public void HarmonicSetMeetsUnderBoth()
        {
            var w = Load("harmonic.wl");
            foreach (string s in new[] { "priority", "edf" })
            {
                var r = Run(w, s);
                Assert.That(r.TotalMisses, Is.EqualTo(0), s);
                Assert.That(r.Analysis[0], Is.EqualTo(AnalysisVerdict.Schedulable), s);
            }
            var fp = Run(w, "priority");
            // Rate-monotonic response times of the harmonic set: 1, 3, 7(+1)... check against analysis.
            AnalysisTask[] at = WorkloadAnalysis.TasksFor(w, 0);
            var ar = new AnalysisResult(at.Length);
            FpAnalysis.ResponseTimeTest(at, at.Length, ar);
            for (int i = 0; i < at.Length; i++)
                Assert.That(fp.Task(at[i].Name).RespMax, Is.EqualTo(ar.ResponseTimes[i]), at[i].Name);
        }

        [Test]
        public void OverloadShowsGrowingPostponedJobs()
        {
            var w = Load("overload.wl");
            var shortRun = Run(w, "edf", 250 * Ms);
            var longRun = Run(w, "edf", 500 * Ms);
            Assert.That(longRun.Analysis[0], Is.EqualTo(AnalysisVerdict.NotSchedulable));
            long sp = 0, lp = 0;
            foreach (var t in shortRun.Tasks) sp += t.EndPostponed;
            foreach (var t in longRun.Tasks) lp += t.EndPostponed;
            Assert.That(lp, Is.GreaterThan(sp));
            Assert.That(lp, Is.GreaterThanOrEqualTo(10));
            Assert.That(longRun.TotalMisses, Is.GreaterThan(shortRun.TotalMisses));
            // Under fixed priority the lowest priority task starves: its postponed jobs grow.
            var fp = Run(w, "priority", 500 * Ms);
            var fpShort = Run(w, "priority", 250 * Ms);
            // slow gets 3ms of every 10ms and needs 5ms: 2 of every 5 jobs pile up.
            Assert.That(fp.Task("slow").EndPostponed, Is.EqualTo(20));
            Assert.That(fpShort.Task("slow").EndPostponed, Is.EqualTo(10));
            Assert.That(fp.Task("a").Misses, Is.EqualTo(0));
            Assert.That(fp.Task("slow").PeriodMissed, Is.GreaterThan(0));
        }

        [Test]
        public void ConstrainedDeadlines()
        {
            var ok = Run(Load("constrained.wl"));
            Assert.That(ok.TotalMisses, Is.EqualTo(0));
            Assert.That(ok.Analysis[0], Is.EqualTo(AnalysisVerdict.Schedulable));
            var bad = Run(Load("constrained-miss.wl"));
            Assert.That(bad.Analysis[0], Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(bad.Task("b").Misses, Is.GreaterThan(0));
            Assert.That(bad.Task("b").FirstMissAt, Is.EqualTo(3 * Ms));
        }

        [TestCase("edf")]
        [TestCase("cbs")]
        [TestCase("priority")]
        public void ConstrainedDeadlinesComeFromThePeriodUnderEveryPolicy(string sched)
        {
            var trace = new TraceLog();
            var r = Run(Load("constrained.wl"), sched, 0, trace);
            if (sched != "priority") Assert.That(r.TotalMisses, Is.EqualTo(0), "EDF and CBS (no budgets: plain EDF) meet every deadline");
            foreach (var t in r.Tasks) Assert.That(t.PeriodMissed, Is.EqualTo(t.Misses), t.Name + ": the period judges jobs against D as the simulator does");
            // a: period 4ms, D 2ms: job 1 is released at 4ms with deadline 6ms.
            Assert.That(trace.Events.Exists(e => e.Kind == "release" && e.Thread == "a" && e.Time == 4 * Ms && e.Extra == "job=1 deadline=6000000"));
            var bad = Run(Load("constrained-miss.wl"), sched);
            Assert.That(bad.Task("b").Misses, Is.GreaterThan(0));
            Assert.That(bad.Task("b").PeriodMissed, Is.EqualTo(bad.Task("b").Misses));
        }

        [TestCase("edf")]
        [TestCase("priority")]
        public void TraceRecordsEveryPeriodExpiryAndPostponement(string sched)
        {
            var trace = new TraceLog();
            var r = Run(Load("overload.wl"), sched, 0, trace);
            foreach (var t in r.Tasks)
            {
                if (t.Kind != TaskKind.Periodic) continue;
                // Every release after the first comes from an expiry (released at once or postponed).
                Assert.That(trace.Count("period_expiry", t.Name), Is.EqualTo(t.Released - 1), t.Name);
            }
            // The overloaded task's postponed count in the trace grows to the period's maximum.
            long maxSeen = 0;
            long last = -1;
            foreach (var e in trace.Events)
            {
                if (e.Kind != "period_expiry") continue;
                Assert.That(e.Extra, Does.Match(@"^at=\d+ postponed=\d+$"));
                long at = long.Parse(e.Extra.Substring(3, e.Extra.IndexOf(' ') - 3));
                Assert.That(at, Is.LessThanOrEqualTo(e.Time));
                Assert.That(at % (10 * Ms), Is.EqualTo(0), "periods end on the 10 ms grid");
                long p = long.Parse(e.Extra.Substring(e.Extra.LastIndexOf('=') + 1));
                if (p > maxSeen) maxSeen = p;
                Assert.That(e.Time, Is.GreaterThanOrEqualTo(last));
                last = e.Time;
            }
            long maxPostponed = 0;
            foreach (var t in r.Tasks) maxPostponed = Math.Max(maxPostponed, t.MaxPostponed);
            Assert.That(maxPostponed, Is.GreaterThan(0));
            Assert.That(maxSeen, Is.EqualTo(maxPostponed));
        }

        [Test]
        public void CbsIsolatesAnOverrunningTask()
        {
            var r = Run(Load("cbs.wl"));
            Assert.That(r.Task("ctl").Misses, Is.EqualTo(0));
            Assert.That(r.Task("video").Misses, Is.EqualTo(0));
            Assert.That(r.Task("noisy").Overruns, Is.GreaterThan(0));
            Assert.That(r.Task("ctl").Overruns, Is.EqualTo(0));
            // noisy never gets more than its 2ms/10ms bandwidth
            Assert.That(r.Task("noisy").CpuTimeNs, Is.LessThanOrEqualTo(r.Duration / 5 + 2 * Ms));
            Assert.That(r.Task("req").Jobs, Is.EqualTo(7));
        }

        [Test]
        public void WallWorkIsShortenedByPreemption()
        {
            var w = Text("scheduler priority\nduration 20ms\nperiodic name=hi wcet=1ms period=4ms priority=1\nperiodic name=spin wcet=6ms period=20ms priority=2 work=wall\n");
            var r = Run(w);
            // spin starts at 1ms and ends at 7ms wall: it is preempted at 4ms for 1ms, so it uses 5ms of CPU.
            Assert.That(r.Task("spin").RespMax, Is.EqualTo(7 * Ms));
            Assert.That(r.Task("spin").CpuTimeNs, Is.EqualTo(5 * Ms));
            var c = Run(Text("scheduler priority\nduration 20ms\nperiodic name=hi wcet=1ms period=4ms priority=1\nperiodic name=cpu wcet=6ms period=20ms priority=2\n"));
            Assert.That(c.Task("cpu").RespMax, Is.EqualTo(8 * Ms));
            Assert.That(c.Task("cpu").CpuTimeNs, Is.EqualTo(6 * Ms));
        }

        [Test]
        public void AperiodicAndBackground()
        {
            var w = Text("scheduler priority\nduration 30ms\nperiodic name=p wcet=1ms period=5ms priority=1\naperiodic name=a wcet=2ms arrivals=2ms,2ms,20ms priority=3 deadline=10ms\nbackground name=bg priority=250\n");
            var r = Run(w);
            var a = r.Task("a");
            Assert.That(a.Jobs, Is.EqualTo(3));
            Assert.That(a.Misses, Is.EqualTo(0));
            // second request queued behind the first: 2ms arrival, runs 2..4 (p at 5) ... ends 6+1=7? compute: 2-4 first, 4-5 second, 5-6 p, 6-7 second.
            Assert.That(a.RespMax, Is.EqualTo(5 * Ms));
            Assert.That(r.Task("bg").CpuTimeNs + r.IdleTimeNs + r.Task("p").CpuTimeNs + a.CpuTimeNs, Is.EqualTo(30 * Ms));
            Assert.That(r.IdleTimeNs, Is.EqualTo(0));
        }

        [Test]
        public void JitterIsSeededAndDeterministic()
        {
            var w = Load("mixed-wall.wl");
            var t1 = new TraceLog();
            var t2 = new TraceLog();
            Run(w, null, 0, t1);
            Run(w, null, 0, t2);
            var a = new StringWriter(); t1.Write(a, null);
            var b = new StringWriter(); t2.Write(b, null);
            Assert.That(a.ToString(), Is.EqualTo(b.ToString()));
            w.Seed = 99;
            var t3 = new TraceLog();
            Run(w, null, 0, t3);
            var c = new StringWriter(); t3.Write(c, null);
            Assert.That(c.ToString(), Is.Not.EqualTo(a.ToString()));
        }

        [Test]
        public void TraceFormat()
        {
            var trace = new TraceLog();
            var r = Run(Load("cbs.wl"), null, 100 * Ms, trace);
            var sw = new StringWriter();
            trace.Write(sw, "x");
            string[] lines = sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines[0], Is.EqualTo("# osprey-trace 2"));
            var kinds = new HashSet<string> { "release", "switch_in", "switch_out", "block", "unblock", "deadline_miss", "budget_exhausted", "period_expiry", "complete" };
            long last = 0;
            var seen = new HashSet<string>();
            foreach (string l in lines)
            {
                if (l.StartsWith("#") || l.StartsWith("thread ") || l.StartsWith("dropped ")) continue;
                string[] f = l.Split(' ');
                Assert.That(f.Length, Is.GreaterThanOrEqualTo(4), l);
                long t = long.Parse(f[0]);
                Assert.That(t, Is.GreaterThanOrEqualTo(last), l);
                last = t;
                Assert.That(f[1], Is.EqualTo("0"));
                Assert.That(kinds.Contains(f[2]), Is.True, l);
                seen.Add(f[2]);
                for (int i = 4; i < f.Length; i++) Assert.That(f[i], Does.Contain("="), l);
            }
            Assert.That(seen, Is.SupersetOf(new[] { "release", "switch_in", "switch_out", "block", "unblock", "deadline_miss", "budget_exhausted", "period_expiry", "complete" }));
            Assert.That(trace.Count("complete", "ctl"), Is.EqualTo(r.Task("ctl").Jobs));
            Assert.That(trace.Count("deadline_miss", null), Is.EqualTo(r.TotalMisses));
        }

        [Test]
        public void AllExamplesRunWithInvariantsChecked()
        {
            foreach (string f in Directory.GetFiles(Examples, "*.wl"))
            {
                var w = WorkloadParser.Parse(File.ReadAllBytes(f)).Workload;
                var r = Simulator.Run(w, new SimOptions { CheckInvariants = true, Duration = 100 * Ms });
                Assert.That(r.Error, Is.Null, f);
                Assert.That(r.Verdicts.Count, Is.GreaterThan(0), f);
            }
        }

        [Test]
        public void MultipleCpusAreIndependent()
        {
            var w = Text("scheduler edf\nduration 20ms\nperiodic name=a wcet=3ms period=4ms cpu=0\nperiodic name=b wcet=3ms period=4ms cpu=1\n");
            var trace = new TraceLog();
            var r = Run(w, null, 0, trace);
            Assert.That(r.TotalMisses, Is.EqualTo(0));
            Assert.That(r.Verdicts.Count, Is.EqualTo(2));
            Assert.That(r.Task("b").Cpu, Is.EqualTo(1));
        }

        [Test]
        public void CommandLine()
        {
            string dir = Path.Combine(Path.GetTempPath(), "osprey-sim-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string bad = Path.Combine(dir, "bad.wl");
                File.WriteAllText(bad, "scheduler edf\nperiodic name=t1 wcet=1ms period=10 parsecs\n");
                var err = new StringWriter();
                var outw = new StringWriter();
                TextWriter oldErr = System.Console.Error, oldOut = System.Console.Out;
                int rc;
                try
                {
                    System.Console.SetError(err);
                    System.Console.SetOut(outw);
                    rc = Program.Main(new[] { bad });
                }
                finally { System.Console.SetError(oldErr); System.Console.SetOut(oldOut); }
                Assert.That(rc, Is.Not.EqualTo(0));
                Assert.That(err.ToString(), Does.Contain("line 2: field 'period': expected a time like 10ms, got '10 parsecs'"));
                Assert.That(outw.ToString(), Is.Empty, "a bad file runs nothing");

                string tr = Path.Combine(dir, "t.trace");
                outw = new StringWriter();
                try
                {
                    System.Console.SetOut(outw);
                    rc = Program.Main(new[] { Path.Combine(Examples, "nonharmonic-u1.wl"), "--trace", tr, "--sched", "priority" });
                }
                finally { System.Console.SetOut(oldOut); }
                Assert.That(rc, Is.EqualTo(0));
                Assert.That(outw.ToString(), Does.Contain("FP response-time analysis: NOT schedulable: task 't2' response time 8ms > deadline 7ms"));
                Assert.That(File.ReadAllText(tr), Does.Contain("thread 0 2 t2\n").And.Contain(" deadline_miss 2 job=0 deadline=7000000"));
            }
            finally { Directory.Delete(dir, true); }
        }

        // ------------------------------------------------------------ property tests

        static readonly long[] Periods = { 2, 3, 4, 6, 8, 12 };   // hyperperiod <= 24 units
        const long Unit = 1000000;                                   // 1 ms
        const long Grain = 100000;                                   // wcet/deadline granularity 100 us

        static TaskSpec[] RandomSet(Random rnd, bool constrained, out long hyper)
        {
            int n = rnd.Next(2, 6);
            var tasks = new TaskSpec[n];
            // Target utilization around 1 so both verdicts are common.
            double target = 0.7 + rnd.NextDouble() * 0.5;
            double[] share = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) { share[i] = 0.2 + rnd.NextDouble(); sum += share[i]; }
            hyper = 1;
            for (int i = 0; i < n; i++)
            {
                long T = Periods[rnd.Next(Periods.Length)] * Unit;
                long C = (long)(target * share[i] / sum * T) / Grain * Grain;
                if (C < Grain) C = Grain;
                if (C > T) C = T;
                long D = T;
                if (constrained && rnd.Next(2) == 0)
                {
                    long lo = C / Grain, hi = T / Grain;
                    D = (lo + rnd.Next((int)(hi - lo + 1))) * Grain;
                }
                tasks[i] = new TaskSpec { Name = "t" + i, Kind = TaskKind.Periodic, Wcet = C, Period = T, Deadline = D, Work = WorkKind.Cpu };
                hyper = Lcm(hyper, T);
            }
            // Distinct deadline-monotonic priorities (ties by index).
            for (int i = 0; i < n; i++)
            {
                int rank = 0;
                for (int j = 0; j < n; j++)
                    if (tasks[j].Deadline < tasks[i].Deadline || (tasks[j].Deadline == tasks[i].Deadline && j < i)) rank++;
                tasks[i].Priority = 10 + rank;
                tasks[i].PriorityGiven = true;
            }
            return tasks;
        }

        static long Lcm(long a, long b)
        {
            long x = a, y = b;
            while (y != 0) { long t = x % y; x = y; y = t; }
            return a / x * b;
        }

        static WorkloadSpec Spec(TaskSpec[] tasks, SchedulerKind s)
        {
            return new WorkloadSpec { Scheduler = s, SchedulerGiven = true, Seed = 1, ShareNum = 1, ShareDen = 1, Tasks = tasks, Guests = new GuestSpec[0] };
        }

        static void Property(SchedulerKind kind, bool constrained, int count, int seed)
        {
            var rnd = new Random(seed);
            int accepted = 0, rejected = 0;
            var ar = new AnalysisResult(8);
            for (int k = 0; k < count; k++)
            {
                long hyper;
                TaskSpec[] tasks = RandomSet(rnd, constrained, out hyper);
                AnalysisTask[] at = WorkloadAnalysis.TasksFor(tasks, kind, 0);
                if (kind == SchedulerKind.Priority) FpAnalysis.ResponseTimeTest(at, at.Length, ar);
                else EdfAnalysis.Test(at, at.Length, ar);
                Assert.That(ar.Verdict, Is.Not.EqualTo(AnalysisVerdict.Inconclusive), ar.Describe());
                var r = Simulator.Run(Spec(tasks, kind), new SimOptions { Duration = hyper, CheckInvariants = k % 50 == 0 });
                Assert.That(r.Error, Is.Null);
                string desc = "";
                foreach (var t in tasks) desc += " (" + t.Wcet + "," + t.Period + "," + t.Deadline + ",p" + t.Priority + ")";
                if (ar.Accepted)
                {
                    accepted++;
                    Assert.That(r.TotalMisses, Is.EqualTo(0), "accepted but missed: " + desc + " " + ar.Describe());
                }
                else
                {
                    rejected++;
                    Assert.That(r.TotalMisses, Is.GreaterThan(0), "rejected but met every deadline over the hyperperiod: " + desc + " " + ar.Describe());
                    if (kind == SchedulerKind.Priority)
                    {
                        // The failing task's first job misses, at its first deadline (critical instant).
                        var f = r.Task(ar.FailingName);
                        Assert.That(f.Misses, Is.GreaterThan(0), desc);
                        Assert.That(f.FirstMissAt, Is.EqualTo(at[ar.FailingTask].Deadline), desc);
                    }
                    else if (ar.TimePoint > 0)
                    {
                        // Some job misses no later than the first failing demand point.
                        long first = long.MaxValue;
                        foreach (var t in r.Tasks) if (t.FirstMissAt >= 0 && t.FirstMissAt < first) first = t.FirstMissAt;
                        Assert.That(first, Is.LessThanOrEqualTo(ar.TimePoint), desc + " " + ar.Describe());
                    }
                }
            }
            TestContext.Out.WriteLine(kind + (constrained ? " constrained" : " implicit") + ": " + accepted + " accepted, " + rejected + " rejected");
            Assert.That(accepted, Is.GreaterThan(count / 10));
            Assert.That(rejected, Is.GreaterThan(count / 10));
        }

        [Test] public void EdfExactTestAgreesWithSimulationImplicit() { Property(SchedulerKind.Edf, false, 1500, 1); }
        [Test] public void EdfExactTestAgreesWithSimulationConstrained() { Property(SchedulerKind.Edf, true, 1500, 2); }
        [Test] public void FpResponseTimeAgreesWithSimulationImplicit() { Property(SchedulerKind.Priority, false, 1500, 3); }
        [Test] public void FpResponseTimeAgreesWithSimulationConstrained() { Property(SchedulerKind.Priority, true, 1500, 4); }
    }
}
