using System.IO;
using System.Linq;
using NUnit.Framework;
using Osprey.Sched.Sim;
using Osprey.Sched.Workload;
using Osprey.TraceTool;

namespace Osprey.Tests.Trace
{
    /// <summary>Simulator traces of the example files agree with the simulator's own table.</summary>
    [TestFixture]
    public class SimTraceTests
    {
        static string[] ExampleFiles() =>
            Directory.GetFiles(TraceData.Examples, "*.wl").Select(Path.GetFileName).OrderBy(x => x).ToArray();

        [TestCaseSource(nameof(ExampleFiles))]
        public void EventCountsMatchTheTable(string file)
        {
            SimResult r = TraceData.Simulate(file, out string text);
            WorkloadSpec w = WorkloadParser.ParseText(File.ReadAllText(Path.Combine(TraceData.Examples, file))).Workload;
            TraceFile f = TraceFile.Parse(text);
            Assert.That(f.Warnings, Is.Empty);
            Assert.That(f.Complete, Is.True);
            Assert.That(f.TotalDropped, Is.EqualTo(0), "the simulator never drops");
            foreach (TaskStats t in r.Tasks)
            {
                string n = t.Name;
                Assert.That(TraceData.Count(f, "complete", n), Is.EqualTo(t.Jobs), n + ": complete = jobs");
                Assert.That(TraceData.Count(f, "deadline_miss", n), Is.EqualTo(t.Misses), n + ": deadline_miss = misses");
                int releases = TraceData.Count(f, "release", n);
                if (t.Kind == TaskKind.Periodic)
                {
                    // The first job is released by the first period() call; every expiry then
                    // releases a job at once or postpones it, and the core releases each postponed
                    // job when the late one completes, except those still postponed at the end.
                    int expiries = TraceData.Count(f, "period_expiry", n);
                    long jobs = w.FindTask(n).Jobs;
                    if (jobs > 0 && t.Jobs == jobs)
                    {
                        // jobs=N, all done: the task cancelled its period after job N-1, dropping the
                        // jobs the period had postponed meanwhile: exactly N releases, none after.
                        Assert.That(releases, Is.EqualTo(jobs), n + ": jobs=N: release = N");
                        Assert.That(1 + expiries, Is.GreaterThanOrEqualTo(releases), n + ": jobs=N: release <= 1 + period_expiry");
                    }
                    else
                        Assert.That(releases, Is.EqualTo(1 + expiries - t.EndPostponed), n + ": release = 1 + period_expiry - postponed at the end");
                    Assert.That(releases, Is.GreaterThanOrEqualTo(t.Jobs), n + ": every completed job was released");
                    Assert.That(t.Released, Is.LessThanOrEqualTo(1 + expiries), n + ": the table's releases");
                }
                else
                {
                    Assert.That(releases, Is.InRange(t.Jobs, t.Released), n + ": jobs <= release <= released");
                }
                Assert.That(TraceData.Count(f, "budget_exhausted", n), Is.EqualTo(t.Overruns), n + ": budget_exhausted = overruns");
            }
            foreach (int cpu in f.Events.Select(e => e.Cpu).Distinct())
            {
                int ins = f.Events.Count(e => e.Cpu == cpu && e.Kind == "switch_in");
                int outs = f.Events.Count(e => e.Cpu == cpu && e.Kind == "switch_out");
                Assert.That(ins - outs, Is.InRange(0, 1), "cpu " + cpu + ": switches pair up (one thread may run at the end)");
            }
        }

        [Test]
        public void SwitchesAlternateAndNameKnownThreads()
        {
            TraceData.Simulate("cbs.wl", out string text, 200 * 1000000L);
            TraceFile f = TraceFile.Parse(text);
            int running = -1;
            foreach (var e in f.Events)
            {
                Assert.That(f.Names.ContainsKey((e.Cpu, e.Thread)), Is.True, "line " + e.Line + ": thread " + e.Thread + " is named");
                if (e.Kind == "switch_in") { Assert.That(running, Is.EqualTo(-1), "line " + e.Line); running = e.Thread; }
                if (e.Kind == "switch_out") { Assert.That(e.Thread, Is.EqualTo(running), "line " + e.Line); running = -1; }
            }
            Assert.That(TraceData.Count(f, "budget_exhausted"), Is.GreaterThan(0));
        }

        [Test]
        public void EachCpuHasItsOwnRing()
        {
            var pr = WorkloadParser.ParseText("scheduler edf\nduration 20ms\nperiodic name=a wcet=3ms period=4ms cpu=0\nperiodic name=b wcet=1ms period=5ms cpu=1\n");
            var log = new TraceLog();
            var r = Simulator.Run(pr.Workload, new SimOptions { Trace = log });
            var sw = new StringWriter();
            log.Write(sw, null);
            TraceFile f = TraceFile.Parse(sw.ToString());
            Assert.That(f.Dropped.Select(d => d.Cpu), Is.EqualTo(new[] { 0, 1 }));
            Assert.That(f.NameOf(0, 1), Is.EqualTo("a"));
            Assert.That(f.NameOf(1, 1), Is.EqualTo("b"), "ids are per CPU in the simulator");
            Assert.That(f.Events.Where(e => e.Cpu == 1).All(e => e.Thread == 1), Is.True);
            Assert.That(TraceData.Count(f, "release", "b"), Is.EqualTo(r.Task("b").Released));
            for (int i = 1; i < f.Events.Count; i++)
            {
                var a = f.Events[i - 1]; var b = f.Events[i];
                Assert.That(a.Time < b.Time || (a.Time == b.Time && a.Cpu <= b.Cpu), Is.True, "sorted by time, then CPU");
            }
            Assert.That(log.Events.Count, Is.EqualTo(f.Events.Count));
            Assert.That(log.Count("release", "a"), Is.EqualTo(r.Task("a").Released));
        }
    }
}
