using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Smp
{
    /// <summary>The workload file's cpus / ipi-latency / gedf lines, and the GFB test.</summary>
    [TestFixture]
    public class SmpParseAndAnalysisTests
    {
        const long Ms = 1000000;

        static string Error(string text)
        {
            var r = WorkloadParser.ParseText(text);
            Assert.That(r.Ok, Is.False, text);
            return r.Error;
        }

        [Test]
        public void CpusAndIpiLatencyAndGedfParse()
        {
            var r = WorkloadParser.ParseText("scheduler gedf\ncpus 4\nipi-latency 20us\nperiodic name=a wcet=1ms period=4ms\n");
            Assert.That(r.Ok, Is.True, r.Error);
            Assert.That(r.Workload.Scheduler, Is.EqualTo(SchedulerKind.Gedf));
            Assert.That(r.Workload.Cpus, Is.EqualTo(4));
            Assert.That(r.Workload.CpusLine, Is.EqualTo(2));
            Assert.That(r.Workload.IpiLatency, Is.EqualTo(20000));
            Assert.That(r.Workload.CpuCount(), Is.EqualTo(4));
            Assert.That(WorkloadSpec.SchedulerName(SchedulerKind.Gedf), Is.EqualTo("gedf"));
        }

        [Test]
        public void FileWithoutCpusUsesTheTasksCpus()
        {
            var r = WorkloadParser.ParseText("periodic name=a wcet=1ms period=4ms\nperiodic name=b wcet=1ms period=4ms cpu=2\n");
            Assert.That(r.Ok, Is.True, r.Error);
            Assert.That(r.Workload.Cpus, Is.EqualTo(0));
            Assert.That(r.Workload.CpuCount(), Is.EqualTo(3));
            Assert.That(r.Workload.Tasks[0].CpuGiven, Is.False);
            Assert.That(r.Workload.Tasks[1].CpuGiven, Is.True);
        }

        [Test]
        public void TaskCpuAtOrAboveCpusIsAnErrorNamingLineAndField()
        {
            Assert.That(Error("cpus 2\nperiodic name=a wcet=1ms period=4ms cpu=1\nperiodic name=b wcet=1ms period=4ms cpu=2\n"),
                Is.EqualTo("line 3: field 'cpu': cpu 2 is not below 'cpus 2' (line 1)"));
            // The cpus line may come after the tasks: the check runs over the whole file.
            Assert.That(Error("periodic name=a wcet=1ms period=4ms cpu=3\ncpus 3\n"),
                Is.EqualTo("line 1: field 'cpu': cpu 3 is not below 'cpus 3' (line 2)"));
            Assert.That(Error("cpus 1\nguest name=g workload=hog\n  vcore period=10ms slice=1ms cpu=1\nend\n"),
                Does.StartWith("line 3: field 'cpu': cpu 1 is not below 'cpus 1'"));
        }

        [Test]
        public void BadCpusAndIpiLinesAreErrors()
        {
            Assert.That(Error("cpus 0\n"), Is.EqualTo("line 1: field 'cpus': expected a CPU count 1..256, got '0'"));
            Assert.That(Error("cpus 257\n"), Does.StartWith("line 1: field 'cpus': expected a CPU count"));
            Assert.That(Error("cpus two\n"), Does.StartWith("line 1: field 'cpus': expected a CPU count"));
            Assert.That(Error("cpus 2\ncpus 2\n"), Is.EqualTo("line 2: field 'cpus': given twice (first on line 1)"));
            Assert.That(Error("ipi-latency soon\n"), Does.StartWith("line 1: field 'ipi-latency': "));
            Assert.That(Error("ipi-latency 2s\n"), Does.StartWith("line 1: field 'ipi-latency': must be 0..1s"));
            Assert.That(Error("scheduler global\n"), Is.EqualTo("line 1: field 'scheduler': expected priority, edf, cbs or gedf, got 'global'"));
            var g = WorkloadParser.ParseText("guest name=g workload=periodic scheduler=gedf\n  periodic name=t wcet=1ms period=10ms\n  vcore period=10ms slice=2ms\nend\n");
            Assert.That(g.Ok, Is.True, g.Error);
            Assert.That(g.Workload.GuestErrors[0], Does.StartWith("line 1: field 'scheduler': expected priority or edf, got 'gedf'"));
        }

        // ---------------------------------------------------------------- GFB --

        static GfbResult Gfb(int m, params AnalysisTask[] t)
        {
            var r = new GfbResult();
            GlobalEdfAnalysis.GfbTest(t, t.Length, m, r);
            return r;
        }

        static AnalysisTask T(string name, long c, long p, long d = 0) { return AnalysisTask.Make(name, c, p, d == 0 ? p : d, 0); }

        [Test]
        public void GfbBoundAcceptsAtTheBoundExactly()
        {
            // U_max = 1/2, M = 3: bound 3 - 2/2 = 2; U_sum = 1/2 + 1/2 + 1/2 + 1/2 = 2: accepted, margin 0.
            var r = Gfb(3, T("a", 2 * Ms, 4 * Ms), T("b", 3 * Ms, 6 * Ms), T("c", 1 * Ms, 2 * Ms), T("d", 5 * Ms, 10 * Ms));
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable), r.Describe());
            Assert.That(r.MarginPpb, Is.EqualTo(0));
            Assert.That(r.Density, Is.False);
            Assert.That(r.Describe(), Is.EqualTo("global EDF, GFB bound (implicit deadlines, M = 3): schedulable: U_sum = 2 <= M - (M-1)*U_max = 3 - 2*0.5 = 2 (U_max: task 'a'); margin 0"));
            // One microsecond more work: above the bound, inconclusive (sufficient test only).
            var r2 = Gfb(3, T("a", 2 * Ms, 4 * Ms), T("b", 3 * Ms, 6 * Ms), T("c", 1 * Ms, 2 * Ms), T("d", 5 * Ms + 1000, 10 * Ms));
            Assert.That(r2.Verdict, Is.EqualTo(AnalysisVerdict.Inconclusive));
            Assert.That(r2.Describe(), Does.Contain("(sufficient test only)"));
            Assert.That(r2.MarginPpb, Is.LessThan(0));
        }

        [Test]
        public void GfbOnOneCpuIsTheEdfUtilizationTest()
        {
            Assert.That(Gfb(1, T("a", 1 * Ms, 2 * Ms), T("b", 3 * Ms, 6 * Ms)).Verdict, Is.EqualTo(AnalysisVerdict.Schedulable));
            Assert.That(Gfb(1, T("a", 1 * Ms, 2 * Ms), T("b", 3 * Ms + 1, 6 * Ms)).Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
        }

        [Test]
        public void GfbDensityVersionForConstrainedDeadlines()
        {
            // Densities 1/2 (C=1, D=2, T=4) and 1/4: sum 3/4 + ... on M = 2: 0.5+0.25+0.5 = 1.25 <= 2 - 0.5 = 1.5.
            var r = Gfb(2, T("a", 1 * Ms, 4 * Ms, 2 * Ms), T("b", 1 * Ms, 4 * Ms), T("c", 2 * Ms, 8 * Ms, 4 * Ms));
            Assert.That(r.Density, Is.True);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable), r.Describe());
            Assert.That(r.SumPpb, Is.EqualTo(1250000000));
            Assert.That(r.MarginPpb, Is.EqualTo(250000000));
            Assert.That(r.Describe(), Does.StartWith("global EDF, GFB bound (density version, constrained deadlines, M = 2): schedulable: density_sum = 1.25"));
        }

        [Test]
        public void GfbRejectsImpossibleSets()
        {
            var over = Gfb(2, T("a", 3 * Ms, 4 * Ms), T("b", 3 * Ms, 4 * Ms), T("c", 3 * Ms, 4 * Ms));
            Assert.That(over.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(over.Describe(), Does.Contain("U > M"));
            var fat = Gfb(4, T("a", 3 * Ms, 4 * Ms, 2 * Ms));
            Assert.That(fat.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(fat.Describe(), Does.Contain("task 'a' needs more than its deadline"));
        }

        [Test]
        public void GedfTableEntryAloneIsACoreOfOneCpu()
        {
            string err;
            var core = SchedCore.Create(new Osprey.Tests.Sched.FakePlatform(), "gedf", null, out err);
            Assert.That(core, Is.Not.Null, err);
            var g = (GlobalEdfScheduler)core.Scheduler;
            Assert.That(g.Cluster.CpuCount, Is.EqualTo(1));
            Assert.That(GedfCluster.Join(new[] { core, core }, out err), Is.Null);
            Assert.That(err, Does.Contain("the same core twice"));
            var edf = SchedCore.Create(new Osprey.Tests.Sched.FakePlatform(), "edf", null, out err);
            Assert.That(GedfCluster.Join(new[] { edf }, out err), Is.Null);
            Assert.That(err, Does.Contain("not a core with the 'gedf' scheduler"));
        }
    }
}
