using System.IO;
using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Sim;
using Osprey.Sched.Workload;

namespace Osprey.Tests.VcoreTests
{
    /// <summary>The simulator on workload files with guests (./build.sh sim).</summary>
    [TestFixture]
    public class GuestSimTests
    {
        const long Us = 1000, Ms = 1000000, S = 1000000000;

        static WorkloadSpec Load(string name)
        {
            var r = WorkloadParser.Parse(File.ReadAllBytes(Path.Combine(Osprey.Tests.Workload.ParserTests.FindExamples(), name)));
            Assert.That(r.Ok, Is.True, r.Error);
            return r.Workload;
        }

        static WorkloadSpec Text(string text)
        {
            var r = WorkloadParser.ParseText(text);
            Assert.That(r.Ok, Is.True, r.Error);
            return r.Workload;
        }

        static SimResult Run(WorkloadSpec w, TraceLog trace = null)
        {
            var r = Simulator.Run(w, new SimOptions { CheckInvariants = true, Trace = trace });
            Assert.That(r.Error, Is.Null);
            Assert.That(r.Guests, Is.Not.Null);
            return r;
        }

        static string Print(WorkloadSpec w, SimResult r)
        {
            var sw = new StringWriter();
            Program.Print(sw, "f.wl", w, r);
            return sw.ToString();
        }

        [Test]
        public void GuestsExampleRunsEveryCoreAndGuestTask()
        {
            var w = Load("guests.wl");
            var r = Run(w);
            var g = r.Guests;
            Assert.That(g.Rejected, Is.Empty);
            Assert.That(g.Cores.Count, Is.EqualTo(3));
            Vcore hog = g.Core("hog/0"), rt = g.Core("rt/0"), quiet = g.Core("quiet/0");
            // Shares against reservations over the 1 s run.
            Assert.That((double)hog.TotalNs / S, Is.EqualTo(0.20).Within(0.01));
            Assert.That(hog.ExtraNs, Is.EqualTo(0));
            Assert.That(rt.TotalNs, Is.LessThanOrEqualTo(300 * Ms));
            Assert.That(hog.Misses + rt.Misses + quiet.Misses, Is.EqualTo(0));
            Assert.That(hog.OveruseNs + rt.OveruseNs + quiet.OveruseNs, Is.EqualTo(0));
            Assert.That(rt.VirtualNow(), Is.EqualTo(2 * S), "dilation 2/1: two guest seconds in one host second");
            var p = (PeriodicGuestProgram)rt.Program;
            foreach (TaskStats t in p.Stats) Assert.That(t.Misses, Is.EqualTo(0), t.Name);
            Assert.That(p.Stats[0].Jobs, Is.EqualTo(100));
            Assert.That(r.Task("host-tick").Misses, Is.EqualTo(0));
            string text = Print(w, r);
            Assert.That(text, Does.Contain("guest cores on cpu 0: share 1/1 (100%, 1000000 ppm), admitted 9/10 (90%, 900000 ppm), 3 core(s), run 1s"));
            Assert.That(text, Does.Contain("EDF with reservations: U = host 1/20 (5%) + cores 9/10 (90%) = 19/20 (95%) <= 1"));
            Assert.That(text, Does.Contain("guest 'rt' on vcore rt/0: scheduler edf, dilation 2/1, 2 task(s); times in guest time"));
            Assert.That(text, Does.Contain("guest 'rt': 140 jobs, 0 deadline misses"));
            TestContext.Out.WriteLine(text);
        }

        [Test]
        public void ExtraTimeRunawayAndARejectedCore()
        {
            var w = Load("guests-extra.wl");
            var r = Run(w);
            var g = r.Guests;
            Assert.That(g.Rejected.Count, Is.EqualTo(1));
            Assert.That(g.Rejected[0], Is.EqualTo("line 27: field 'slice': vcore late/0 on cpu 0: asks 3/10 (30%, 300000 ppm) of the CPU "
                + "(slice 30ms per period 100ms at dilation 1/1) but only 1/4 (25%, 250000 ppm) is left of the share 19/20 (95%, 950000 ppm)"));
            Vcore hog = g.Core("hog/0"), run = g.Core("runaway/0"), ticker = g.Core("ticker/0");
            Assert.That(g.Core("late/0"), Is.Null);
            Assert.That(run.PeriodCpuMin, Is.EqualTo(30 * Ms));
            Assert.That(run.PeriodCpuMax, Is.EqualTo(30 * Ms));
            Assert.That(run.OveruseNs, Is.EqualTo(0));
            Assert.That(hog.SliceUsedNs, Is.EqualTo(400 * Ms));
            Assert.That(hog.ExtraNs, Is.GreaterThan(800 * Ms));
            Assert.That(r.IdleTimeNs, Is.EqualTo(0), "extra time takes all idle time");
            Assert.That(hog.Misses + run.Misses + ticker.Misses, Is.EqualTo(0));
            Assert.That(ticker.VirtualNow(), Is.EqualTo(1 * S), "dilation 1/2: half a guest second per host second");
            Assert.That(r.Task("host-ctl").Misses, Is.EqualTo(0));
            Assert.That(Print(w, r), Does.Contain("rejected: line 27: field 'slice'"));
        }

        [Test]
        public void BadCoreIsRejectedOthersRun()
        {
            var w = Text("duration 500ms\nguest name=tiny workload=hog\n  vcore period=50us slice=10us\nend\nguest name=ok workload=runaway\n  vcore period=10ms slice=3ms\nend\n");
            var r = Run(w);
            Assert.That(r.Guests.Rejected.Count, Is.EqualTo(1));
            Assert.That(r.Guests.Rejected[0], Does.StartWith("line 3: field 'period': vcore tiny/0 on cpu 0: period 50us"));
            Assert.That(r.Guests.Core("ok/0").TotalNs, Is.EqualTo(150 * Ms));
        }

        [Test]
        public void PeriodicGuestMissesWhenUnderReservedInTheSimulator()
        {
            var w = Text("duration 2s\nguest name=g workload=periodic\n  vcore period=20ms slice=4ms\n"
                + "  periodic name=a wcet=2ms period=20ms\n  periodic name=b wcet=5ms period=40ms\nend\n"
                + "guest name=h workload=hog\n  vcore period=100ms slice=70ms extra=yes\nend\n");
            var r = Run(w);
            var p = (PeriodicGuestProgram)r.Guests.Core("g/0").Program;
            Assert.That(p.Stats[0].Misses + p.Stats[1].Misses, Is.GreaterThan(0));
            var w2 = Text("duration 2s\nguest name=g workload=periodic\n  vcore period=20ms slice=6ms\n"
                + "  periodic name=a wcet=2ms period=20ms\n  periodic name=b wcet=5ms period=40ms\nend\n"
                + "guest name=h workload=hog\n  vcore period=100ms slice=70ms extra=yes\nend\n");
            var r2 = Run(w2);
            var p2 = (PeriodicGuestProgram)r2.Guests.Core("g/0").Program;
            Assert.That(p2.Stats[0].Misses + p2.Stats[1].Misses, Is.EqualTo(0));
        }

        [Test]
        public void DeterministicAndTraced()
        {
            var w = Load("guests.wl");
            var t1 = new TraceLog();
            string a = Print(w, Run(w, t1));
            string b = Print(w, Run(w));
            Assert.That(a, Is.EqualTo(b));
            bool switchIn = false, vcoreIn = false, halted = false, completed = false;
            foreach (var e in t1.Events)
            {
                if (e.Kind == TraceKind.SwitchIn && e.Thread == "rt/0") switchIn = true;
                if (e.Kind == "vcore_switch_in" && e.Thread == "rt/0" && e.Extra.StartsWith("vcore=2 ")) vcoreIn = true;
                if (e.Kind == TraceKind.Block && e.Thread == "quiet/0" && e.Extra == "reason=sleeping") halted = true;
                if (e.Kind == TraceKind.Complete && e.Thread == "host-tick") completed = true;
            }
            Assert.That(switchIn, Is.True, "the core records switches");
            Assert.That(vcoreIn, Is.True, "the vcore scheduler records vcore switches");
            Assert.That(halted, Is.True, "a halt is a block (sleeping)");
            Assert.That(completed, Is.True, "the simulator records completions");
        }

        [Test]
        public void FilesWithoutGuestsKeepThePlainSimulator()
        {
            var r = Simulator.Run(Load("harmonic.wl"), new SimOptions());
            Assert.That(r.Guests, Is.Null);
        }

        [Test]
        public void MultipleCpusAdmitSeparately()
        {
            var w = Text("duration 1s\nguest name=a workload=hog\n  vcore id=0 period=10ms slice=8ms cpu=0\n  vcore id=1 period=10ms slice=8ms cpu=1\nend\n"
                + "guest name=b workload=runaway\n  vcore period=10ms slice=3ms cpu=1\nend\n");
            var r = Run(w);
            Assert.That(r.Guests.Cpus.Count, Is.EqualTo(2));
            Assert.That(r.Guests.Rejected.Count, Is.EqualTo(1), "cpu 1: 80% + 30% > 100%");
            Assert.That(r.Guests.Rejected[0], Does.Contain("vcore b/0 on cpu 1"));
            Assert.That(r.Guests.Core("a/1").TotalNs, Is.EqualTo(800 * Ms));
            Assert.That(r.Guests.Core("a/0").Program, Is.InstanceOf<HogProgram>());
        }
    }
}
