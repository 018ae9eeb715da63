using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Osprey.QemuRunner.Stages;
using Osprey.TraceTool;

namespace Osprey.Tests.Trace
{
    /// <summary>
    /// Serial logs of real kernel runs on two CPUs with `trace exit` under
    /// -icount -smp 2 (data/smp-partitioned-2cpu.log from
    /// sched/examples/smp-partitioned-2cpu.wl, data/gedf-2cpu.log from
    /// sched/examples/gedf-2cpu.wl): one ring per CPU in one dump, each CPU's
    /// events on its own track, counts that agree with the kernel's table.
    /// </summary>
    [TestFixture]
    public class KernelCpusFixtureTests
    {
        static string Log(string name) => File.ReadAllText(TraceData.Fixture(name));
        static string Wl(string name) => File.ReadAllText(Path.Combine(TraceData.Examples, name));

        [Test]
        public void PartitionedDumpHasARingPerCpuAndAgreesWithTheTable()
        {
            string log = Log("smp-partitioned-2cpu.log");
            var problems = TraceCpusCase.Check(log, Wl("smp-partitioned-2cpu.wl"), 2, out int events);
            Assert.That(problems, Is.Empty);
            TraceFile f = TraceFile.Parse(TraceFile.Extract(log, out _));
            Assert.That(events, Is.EqualTo(f.Events.Count));
            Assert.That(f.Dropped.Select(d => d.Cpu), Is.EqualTo(new[] { 0, 1 }));
            Assert.That(f.Dropped.All(d => d.Capacity == "32768"), Is.True, "65,536 events shared by two CPUs");
            Assert.That(f.NameOf(1, 0), Is.EqualTo("idle"));
            // The picture: d, e, f run on CPU 1's rows, a, b, c on CPU 0's.
            Timeline t = Timeline.Build(f);
            foreach (string n in new[] { "a", "b", "c" }) Assert.That(t.Rows.Single(r => r.Name == n && r.Slices.Count > 0).Cpu, Is.EqualTo(0), n);
            foreach (string n in new[] { "d", "e", "f" }) Assert.That(t.Rows.Single(r => r.Name == n && r.Slices.Count > 0).Cpu, Is.EqualTo(1), n);
            Assert.That(t.Irqs.Keys, Is.EqualTo(new[] { 0, 1 }), "each CPU's interrupts");
        }

        [Test]
        public void CheckFailsWhenACpusRingIsMissing()
        {
            // CPU 1's events and its ring's trailer taken out: one ring, as when only CPU 0 recorded.
            string log = Regex.Replace(Log("smp-partitioned-2cpu.log"), @"^(\d+ 1 .*|dropped 1 .*|thread 1 .*)\n", "", RegexOptions.Multiline);
            var problems = TraceCpusCase.Check(log, Wl("smp-partitioned-2cpu.wl"), 2, out _);
            Assert.That(problems, Has.Some.Contains("CPU 1: 0 'dropped' lines"));
            Assert.That(problems, Has.Some.Contains("task 'd': named 0 times on CPU 1"));
        }

        [Test]
        public void CheckFailsWhenATasksEventIsOnAnotherTrack()
        {
            string log = Log("smp-partitioned-2cpu.log");
            // Task a is thread 4 on CPU 0: its first completion moved to CPU 1.
            var m = Regex.Match(log, @"^(\d+) 0 complete 4 ", RegexOptions.Multiline);
            Assert.That(m.Success, Is.True);
            log = log.Substring(0, m.Index) + m.Groups[1].Value + " 1 complete 4 " + log.Substring(m.Index + m.Length);
            var problems = TraceCpusCase.Check(log, Wl("smp-partitioned-2cpu.wl"), 2, out _);
            Assert.That(problems, Has.Some.Contains("task 'a' (CPU 0): 1 event(s) on another CPU's track"));
            Assert.That(problems, Has.Some.Contains("task 'a': 29 'complete' on CPU 0, the table has 30 jobs"));
        }

        [Test]
        public void GlobalEdfSwitchesShowOnTheCpuThatMadeThem()
        {
            string log = Log("gedf-2cpu.log");
            TraceFile f = TraceFile.Parse(TraceFile.Extract(log, out _));
            Assert.That(f.Warnings, Is.Empty);
            Assert.That(f.Dropped.Select(d => (d.Cpu, d.Dropped)), Is.EqualTo(new[] { (0, 0L), (1, 0L) }));
            // Each CPU's track alternates switch_in and switch_out of one thread at a time.
            foreach (int cpu in new[] { 0, 1 })
            {
                int running = -2;
                foreach (var e in f.Events.Where(e => e.Cpu == cpu))
                {
                    if (e.Kind == "switch_in") { Assert.That(running, Is.LessThan(0), "line " + e.Line); running = e.Thread; }
                    else if (e.Kind == "switch_out") { Assert.That(running == -2 || running == e.Thread, Is.True, "line " + e.Line); running = -1; }
                }
            }
            // The tasks migrate: every one runs on both CPUs; its jobs, counted
            // on whichever CPU completed them, are the table's.
            var table = TraceData.Table(log);
            Assert.That(table.Count, Is.EqualTo(5));
            Timeline t = Timeline.Build(f);
            foreach (var row in table)
            {
                Assert.That(t.Rows.Where(r => r.Name == row.Name && r.Slices.Count > 0).Select(r => r.Cpu), Is.EquivalentTo(new[] { 0, 1 }), row.Name);
                Assert.That(TraceData.Count(f, "complete", row.Name), Is.EqualTo(row.Jobs), row.Name + ": complete = jobs");
                Assert.That(TraceData.Count(f, "deadline_miss", row.Name), Is.EqualTo(row.Misses), row.Name);
            }
        }
    }
}
