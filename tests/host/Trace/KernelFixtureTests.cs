using System.IO;
using System.Linq;
using NUnit.Framework;
using Osprey.TraceTool;

namespace Osprey.Tests.Trace
{
    /// <summary>
    /// Serial logs of real kernel runs with `trace exit` under -icount
    /// (data/: edf-u095-100ms.log from data/edf-u095-100ms.wl, fp-rta-miss.log
    /// from sched/examples/fp-rta-miss.wl): the dump agrees with the
    /// statistics table the kernel printed in the same log.
    /// </summary>
    [TestFixture]
    public class KernelFixtureTests
    {
        [TestCase("edf-u095-100ms.log", 5)]
        [TestCase("fp-rta-miss.log", 2)]
        public void DumpAgreesWithTheKernelsTable(string name, int tasks)
        {
            string log = File.ReadAllText(TraceData.Fixture(name));
            string text = TraceFile.Extract(log, out int dumps);
            Assert.That(dumps, Is.EqualTo(1));
            TraceFile f = TraceFile.Parse(text);
            Assert.That(f.Warnings, Is.Empty);
            Assert.That(f.Complete, Is.True);
            Assert.That(f.Dropped.Single().Dropped, Is.EqualTo(0));
            Assert.That(f.Dropped.Single().Capacity, Is.EqualTo("65536"), "the kernel's ring size");
            Assert.That(f.Dropped.Single().Kept, Is.EqualTo(f.Events.Count));
            Assert.That(f.NameOf(0, 0), Is.EqualTo("idle"));
            Assert.That(f.NameOf(0, 1), Is.EqualTo("main"));

            var table = TraceData.Table(log);
            Assert.That(table.Count, Is.EqualTo(tasks));
            foreach (var row in table)
            {
                Assert.That(f.Names.Values, Does.Contain(row.Name));
                Assert.That(TraceData.Count(f, "complete", row.Name), Is.EqualTo(row.Jobs), row.Name + ": complete = jobs");
                Assert.That(TraceData.Count(f, "deadline_miss", row.Name), Is.EqualTo(row.Misses), row.Name + ": deadline_miss = misses");
                // The table counts nominal releases inside the run, one exactly at its end
                // included; the core's timer releases that one only just after the end, when
                // the run is being stopped.
                Assert.That(TraceData.Count(f, "release", row.Name), Is.InRange(row.Released - row.EndPostponed - 1, row.Released), row.Name + ": releases");
            }
            Assert.That(TraceData.Count(f, "irq_entry"), Is.EqualTo(TraceData.Count(f, "irq_exit")));
            Assert.That(TraceData.Count(f, "irq_entry"), Is.GreaterThan(0));
            Assert.That(f.Events.Where(e => e.Kind.StartsWith("irq")).All(e => e.Long("vector", -1) == 240), Is.True, "the APIC timer's vector");
            // Times only go forward.
            for (int i = 1; i < f.Events.Count; i++) Assert.That(f.Events[i].Time, Is.GreaterThanOrEqualTo(f.Events[i - 1].Time));
            // One CPU: switches alternate in and out.
            int running = -2;
            foreach (var e in f.Events)
            {
                if (e.Kind == "switch_in") { Assert.That(running, Is.LessThan(0), "line " + e.Line); running = e.Thread; }
                else if (e.Kind == "switch_out") { Assert.That(running == -2 || running == e.Thread, Is.True, "line " + e.Line); running = -1; }
            }
        }

        [Test]
        public void FpRtaMissFlagsT2sMissesInItsRow()
        {
            TraceFile f = TraceFile.Parse(TraceFile.Extract(File.ReadAllText(TraceData.Fixture("fp-rta-miss.log")), out _));
            Timeline t = Timeline.Build(f);
            Row t2 = t.Rows.Single(r => r.Name == "t2");
            Assert.That(t2.Misses.Count, Is.EqualTo(10));
            Assert.That(t.Rows.Where(r => r != t2).Sum(r => r.Misses.Count), Is.EqualTo(0));
            // Each miss is at a deadline t2 was released with.
            var deadlines = t2.Releases.Select(m => m.Deadline).ToHashSet();
            Assert.That(t2.Misses.All(m => deadlines.Contains(m.Deadline)), Is.True);
        }
    }
}
