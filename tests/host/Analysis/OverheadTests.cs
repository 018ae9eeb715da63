using System.IO;
using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Analysis;
using Osprey.Sched.Sim;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Analysis
{
    [TestFixture]
    public class OverheadTests
    {
        const long Us = 1000, Ms = 1000000;

        static WorkloadSpec Parse(string text)
        {
            ParseResult r = WorkloadParser.ParseText(text);
            Assert.That(r.Ok, Is.True, r.Error);
            return r.Workload;
        }

        static string ExamplesDir()
        {
            string d = TestContext.CurrentContext.TestDirectory;
            while (d != null && !Directory.Exists(Path.Combine(d, "sched", "examples"))) d = Path.GetDirectoryName(d);
            Assert.That(d, Is.Not.Null, "sched/examples not found above the test directory");
            return Path.Combine(d, "sched", "examples");
        }

        // entry 3us + release 4us + exit 3us = 10us per interrupt; decision 2us + switch 3us.
        static readonly Overheads Ten = Overheads.Make(4 * Us, 2 * Us, 3 * Us, 3 * Us, 3 * Us, "test");

        [Test]
        public void ZeroOverheadsGiveThePlainVerdictsForEveryExample()
        {
            foreach (string f in Directory.GetFiles(ExamplesDir(), "*.wl"))
            {
                ParseResult pr = WorkloadParser.Parse(File.ReadAllBytes(f));
                if (!pr.Ok) continue;
                WorkloadSpec w = pr.Workload;
                foreach (SchedulerKind k in new[] { SchedulerKind.Priority, SchedulerKind.Edf, SchedulerKind.Cbs })
                {
                    Assert.That(OverheadAnalysis.Describe(w, k, 0, Overheads.None), Is.EqualTo(WorkloadAnalysis.Describe(w, k, 0)), f + " " + k);
                    AnalysisTask[] at = WorkloadAnalysis.TasksFor(w.Tasks, k, 0);
                    var a = new AnalysisResult(2 * at.Length + 1);
                    var b = new AnalysisResult(at.Length + 1);
                    OverheadAnalysis.Analyze(at, OverheadAnalysis.Budgeted(w.Tasks, k, 0), k, Overheads.None, a);
                    WorkloadAnalysis.Analyze(at, k, b);
                    Assert.That(a.Describe(), Is.EqualTo(b.Describe()), f + " " + k);
                }
            }
        }

        [Test]
        public void ZeroOverheadsLineLeavesTheSimulationUnchanged()
        {
            string body = "scheduler edf\nduration 200ms\nperiodic name=a wcet=1ms period=4ms\nperiodic name=b wcet=3ms period=7ms deadline=6ms\nbackground name=bg\n";
            var o = new SimOptions { CheckInvariants = true };
            SimResult plain = Simulator.Run(Parse(body), o);
            SimResult zero = Simulator.Run(Parse("overheads release=0ns switch=0ns\n" + body), new SimOptions { CheckInvariants = true });
            var s1 = new StringWriter(); var s2 = new StringWriter();
            Program.Print(s1, "f", Parse(body), plain);
            Program.Print(s2, "f", Parse(body), zero);
            Assert.That(s2.ToString(), Is.EqualTo(s1.ToString()));
        }

        [Test]
        public void FixedPriorityChargesSwitchesAndEveryReleaseInterrupt()
        {
            var tasks = new[] { AnalysisTask.Make("hi", 1 * Ms, 4 * Ms, 4 * Ms, 1), AnalysisTask.Make("lo", 2 * Ms, 10 * Ms, 10 * Ms, 2) };
            var r = new AnalysisResult(8);
            OverheadAnalysis.Analyze(tasks, null, SchedulerKind.Priority, Ten, r);
            Assert.That(r.Accepted, Is.True, r.Describe());
            // hi: 1ms + 10us (two switches) + its own release 10us + lo's release 10us.
            Assert.That(r.ResponseTimes[0], Is.EqualTo(1 * Ms + 30 * Us));
            // lo: 2.01ms + hi's 1.01ms + releases of both: 3.04ms.
            Assert.That(r.ResponseTimes[1], Is.EqualTo(3 * Ms + 40 * Us));
        }

        [Test]
        public void EdfAtFullUtilizationIsSchedulableOnlyWithZeroOverhead()
        {
            WorkloadSpec w = Parse("scheduler edf\nperiodic name=a wcet=2ms period=5ms\nperiodic name=b wcet=4200us period=7ms\n");
            string[] plain = OverheadAnalysis.Describe(w, SchedulerKind.Edf, 0, Overheads.None);
            Assert.That(plain[plain.Length - 1], Does.Contain(": schedulable"));
            string[] v = OverheadAnalysis.Describe(w, SchedulerKind.Edf, 0, Ten);
            string last = v[v.Length - 1];
            Assert.That(last, Does.Contain("NOT schedulable"));
            Assert.That(last, Does.Contain("schedulable only with zero overhead, lacks "));
            Assert.That(last, Does.Contain("(overheads: release 4us, decision 2us, switch 3us, timer entry 3us, exit 3us, test)"));
        }

        [Test]
        public void EdfWithSlackStaysSchedulableAndBoundsTheInterrupts()
        {
            // U = 0.5: the overheads (20us + 10us per job, 20us of interrupts) fit easily.
            var tasks = new[] { AnalysisTask.Make("a", 1 * Ms, 4 * Ms, 4 * Ms, 0), AnalysisTask.Make("b", 2 * Ms, 8 * Ms, 3 * Ms, 0) };
            var r = new AnalysisResult(8);
            OverheadAnalysis.Analyze(tasks, null, SchedulerKind.Edf, Ten, r);
            Assert.That(r.Accepted, Is.True, r.Describe());
            AnalysisTask[] x = OverheadAnalysis.EdfTasks(tasks, null, Ten);
            Assert.That(x.Length, Is.EqualTo(3));
            Assert.That(x[0].Wcet, Is.EqualTo(1 * Ms + 20 * Us));
            Assert.That(x[2].Wcet, Is.EqualTo(20 * Us), "one extra interrupt per task");
            Assert.That(x[2].Deadline, Is.EqualTo(3 * Ms), "from the earliest deadline on");
            // A deadline shorter than the first job with its overheads fails.
            var tight = new[] { AnalysisTask.Make("a", 1 * Ms, 4 * Ms, 1 * Ms + 25 * Us, 0) };
            OverheadAnalysis.Analyze(tight, null, SchedulerKind.Edf, Ten, r);
            Assert.That(r.Accepted, Is.False, r.Describe());
        }

        [Test]
        public void FixedPriorityReportsTheMissingSlack()
        {
            // hi (2,5), lo (3,5) x 10/10: R_lo = 5ms exactly without overheads.
            WorkloadSpec w = Parse("scheduler priority\nperiodic name=hi wcet=2ms period=5ms priority=1\nperiodic name=lo wcet=3ms period=5ms priority=2\n");
            string[] v = OverheadAnalysis.Describe(w, SchedulerKind.Priority, 0, Ten);
            string last = v[v.Length - 1];
            // lo: 3.01 + 2.01 + 2 x 10us of releases = 5.04ms > 5ms, so hi's second job and both
            // second releases come in: 3.01 + 2 x 2.01 + 4 x 10us = 7.07ms, 2.07ms past its deadline.
            Assert.That(last, Does.Contain("task 'lo' response time 5.02ms > deadline 5ms"), last);
            Assert.That(last, Does.Contain("schedulable only with zero overhead, lacks 2.07ms of slack (task 'lo': response 7.07ms with overheads)"), last);
        }

        [Test]
        public void CbsAndGuestCoreAdmissionChargeEachPeriod()
        {
            var cbs = new CbsScheduler(4);
            cbs.ReservationOverheadNs = Ten.PerReservationNs;   // 2 x 10us + 10us = 30us
            CbsAdmission a;
            Assert.That(cbs.Admit(1, 970 * Us, 1 * Ms, null, out a), Is.True, a.Message);
            Assert.That(cbs.Admit(1, 971 * Us, 1 * Ms, null, out a), Is.False);
            cbs.ReservationOverheadNs = 0;
            Assert.That(cbs.Admit(1, 1 * Ms, 1 * Ms, null, out a), Is.True, a.Message);
        }

        [Test]
        public void SimulatorModelsTheOverheadsOfOneJob()
        {
            string body = "scheduler priority\nduration 20ms\nperiodic name=a wcet=1ms period=10ms\n";
            var o = new SimOptions { CheckInvariants = true, Overheads = Ten, OverheadsGiven = true };
            SimResult r = Simulator.Run(Parse(body), o);
            Assert.That(r.Error, Is.Null);
            TaskStats t = r.Task("a");
            // Release interrupt (10us), then the switch in (decision + switch, 5us), then the job.
            Assert.That(t.RespMax, Is.EqualTo(1 * Ms + 15 * Us));
            Assert.That(t.Misses, Is.EqualTo(0));
            SimResult fromFile = Simulator.Run(Parse("overheads release=4us decision=2us switch=3us timer-entry=3us timer-exit=3us\n" + body), new SimOptions());
            Assert.That(fromFile.Task("a").RespMax, Is.EqualTo(1 * Ms + 15 * Us));
        }

        [Test]
        public void OverheadsLineErrorsNameLineAndField()
        {
            Assert.That(WorkloadParser.ParseText("periodic name=a wcet=1ms period=2ms\noverheads release=1us bogus=2us\n").Error,
                Does.StartWith("line 2: field 'bogus': unknown field for 'overheads'"));
            Assert.That(WorkloadParser.ParseText("overheads release=1us\noverheads switch=1us\n").Error,
                Is.EqualTo("line 2: field 'overheads': given twice (first on line 1)"));
            Assert.That(WorkloadParser.ParseText("overheads switch=11ms\n").Error,
                Is.EqualTo("line 1: field 'switch': must be from 0 to 10ms, got '11ms'"));
            Assert.That(WorkloadParser.ParseText("overheads timer-entry=abc\n").Error, Does.StartWith("line 1: field 'timer-entry': "));
            WorkloadSpec w = Parse("overheads release=1500ns timer-exit=2us\n");
            Assert.That(w.Overheads.ReleaseNs, Is.EqualTo(1500));
            Assert.That(w.Overheads.TimerExitNs, Is.EqualTo(2000));
            Assert.That(w.Overheads.SwitchNs, Is.EqualTo(0));
        }

        [Test]
        public void OverheadBenchRunsEveryPolicy()
        {
            foreach (string p in OverheadBench.Policies)
            {
                string err;
                OverheadBench b = OverheadBench.Create(p, 8, out err);
                Assert.That(b, Is.Not.Null, p + ": " + err);
                for (int k = 0; k < 20; k++)
                {
                    b.PrepareRelease(); b.Perform(OverheadBench.OpRelease); b.Perform(OverheadBench.OpDecision);
                    Assert.That(b.Check(true), Is.Null, p);
                    b.PrepareJobEnd(); b.Perform(OverheadBench.OpJobEnd); b.Perform(OverheadBench.OpDecision);
                    Assert.That(b.Check(false), Is.Null, p);
                }
                Assert.That(b.Released, Is.EqualTo(20), p);
            }
        }
    }
}
