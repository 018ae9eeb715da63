using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Tracing;
using Osprey.Tests.Sched;
using Osprey.TraceTool;

namespace Osprey.Tests.Trace
{
    /// <summary>The text format: each kind's fields, and write (portable) then parse (host tool) round trips.</summary>
    [TestFixture]
    public class FormatTests
    {
        sealed class Collect : TraceOutput
        {
            public readonly StringBuilder Text = new StringBuilder();
            public override void Line(char[] buf, int length) { Text.Append(buf, 0, length).Append('\n'); }
        }

        static string Dump(params TraceRing[] rings)
        {
            var c = new Collect();
            TraceDump.Write(rings, rings.Length, "unit test", c, new char[TraceFormat.MaxLine]);
            return c.Text.ToString();
        }

        static string Line(TraceEntry e, int cpu = 0)
        {
            var buf = new char[TraceFormat.MaxLine];
            return new string(buf, 0, TraceFormat.Event(buf, cpu, ref e));
        }

        static TraceEntry E(long time, TraceEventKind k, int thread, int obj, long a, long b)
        {
            return new TraceEntry { Time = time, Kind = k, Thread = thread, Object = obj, A = a, B = b };
        }

        [TestCase(TraceEventKind.Release, 3, 0, 2L, 9000L, "10 0 release 3 job=2 deadline=9000")]
        [TestCase(TraceEventKind.Release, 3, 0, 0L, long.MaxValue, "10 0 release 3 job=0")]
        [TestCase(TraceEventKind.SwitchIn, 3, 0, 0L, 0L, "10 0 switch_in 3")]
        [TestCase(TraceEventKind.SwitchOut, 3, 0, 8L, 0L, "10 0 switch_out 3 state=period")]
        [TestCase(TraceEventKind.SwitchOut, 3, 0, 0L, 0L, "10 0 switch_out 3 state=ready")]
        [TestCase(TraceEventKind.Block, 3, 0, 32L, 0L, "10 0 block 3 reason=sleeping")]
        [TestCase(TraceEventKind.Block, 3, 0, 6L, 0L, "10 0 block 3 reason=suspended")]
        [TestCase(TraceEventKind.Unblock, 3, 0, 16L, 0L, "10 0 unblock 3 reason=throttled")]
        [TestCase(TraceEventKind.Unblock, 3, 0, 1L, 0L, "10 0 unblock 3 reason=dormant")]
        [TestCase(TraceEventKind.DeadlineMiss, 3, 0, 4L, 500L, "10 0 deadline_miss 3 job=4 deadline=500")]
        [TestCase(TraceEventKind.BudgetExhausted, 3, 9, 300L, 1L, "10 0 budget_exhausted 3 budget=300 mode=soft server=9")]
        [TestCase(TraceEventKind.PeriodExpiry, 3, 1, 20L, 2L, "10 0 period_expiry 3 at=20 postponed=2")]
        [TestCase(TraceEventKind.Complete, 3, 0, 4L, 77L, "10 0 complete 3 job=4 response=77")]
        [TestCase(TraceEventKind.IrqEntry, -1, 240, 0L, 0L, "10 0 irq_entry - vector=240")]
        [TestCase(TraceEventKind.IrqExit, 5, 48, 0L, 0L, "10 0 irq_exit 5 vector=48")]
        [TestCase(TraceEventKind.VcoreSwitchIn, 5, 2, 1L, 0L, "10 0 vcore_switch_in 5 vcore=2 a=1 b=0")]
        [TestCase(TraceEventKind.Mark, -1, 7, -42L, 0L, "10 0 mark - id=7 value=-42")]
        [TestCase((TraceEventKind)99, 1, 2, 3L, 4L, "10 0 event_99 1 obj=2 a=3 b=4")]
        public void EventLines(TraceEventKind k, int thread, int obj, long a, long b, string expected)
        {
            Assert.That(Line(E(10, k, thread, obj, a, b)), Is.EqualTo(expected));
        }

        [Test]
        public void KindNamesRoundTrip()
        {
            for (int k = 1; k <= (int)TraceEventKind.Mark; k++)
                Assert.That(TraceFormat.KindOf(TraceFormat.KindName((TraceEventKind)k)), Is.EqualTo((TraceEventKind)k));
            Assert.That(TraceFormat.KindOf("nonsense"), Is.EqualTo(TraceEventKind.None));
        }

        [Test]
        public void LongNamesAndNumbersStayInTheBuffer()
        {
            var buf = new char[TraceFormat.MaxLine];
            int n = TraceFormat.Thread(buf, 0, 1, new string('x', 1000) + "\n");
            Assert.That(n, Is.EqualTo(TraceFormat.MaxLine));
            n = TraceFormat.Thread(buf, 0, 1, "tab\there é");
            Assert.That(new string(buf, 0, n), Is.EqualTo("thread 0 1 tab?here ?"));
            Assert.That(Line(E(long.MinValue, TraceEventKind.Complete, int.MaxValue, 0, long.MaxValue, long.MinValue)),
                Is.EqualTo("-9223372036854775808 0 complete 2147483647 job=9223372036854775807 response=-9223372036854775808"));
        }

        static readonly TraceEventKind[] Kinds =
        {
            TraceEventKind.Release, TraceEventKind.SwitchIn, TraceEventKind.SwitchOut, TraceEventKind.Block, TraceEventKind.Unblock,
            TraceEventKind.DeadlineMiss, TraceEventKind.BudgetExhausted, TraceEventKind.PeriodExpiry, TraceEventKind.Complete,
            TraceEventKind.IrqEntry, TraceEventKind.IrqExit, TraceEventKind.VcoreSwitchIn, TraceEventKind.VcoreSwitchOut, TraceEventKind.Mark,
        };

        /// <summary>The fields a reader must find for entry e (independent of TraceFormat).</summary>
        static Dictionary<string, string> Expected(TraceEntry e)
        {
            var d = new Dictionary<string, string>();
            switch (e.Kind)
            {
                case TraceEventKind.Release: d["job"] = e.A.ToString(); if (e.B != long.MaxValue) d["deadline"] = e.B.ToString(); break;
                case TraceEventKind.SwitchOut: d["state"] = StateWord(e.A); break;
                case TraceEventKind.Block: case TraceEventKind.Unblock: d["reason"] = StateWord(e.A); break;
                case TraceEventKind.DeadlineMiss: d["job"] = e.A.ToString(); d["deadline"] = e.B.ToString(); break;
                case TraceEventKind.BudgetExhausted: d["budget"] = e.A.ToString(); d["mode"] = e.B == 1 ? "soft" : "hard"; d["server"] = e.Object.ToString(); break;
                case TraceEventKind.PeriodExpiry: d["at"] = e.A.ToString(); d["postponed"] = e.B.ToString(); break;
                case TraceEventKind.Complete: d["job"] = e.A.ToString(); d["response"] = e.B.ToString(); break;
                case TraceEventKind.IrqEntry: case TraceEventKind.IrqExit: d["vector"] = e.Object.ToString(); break;
                case TraceEventKind.VcoreSwitchIn: case TraceEventKind.VcoreSwitchOut: d["vcore"] = e.Object.ToString(); d["a"] = e.A.ToString(); d["b"] = e.B.ToString(); break;
                case TraceEventKind.Mark: d["id"] = e.Object.ToString(); d["value"] = e.A.ToString(); break;
            }
            return d;
        }

        static string StateWord(long bits)
        {
            if ((bits & 1) != 0) return "dormant";
            if ((bits & 8) != 0) return "period";
            if ((bits & 16) != 0) return "throttled";
            if ((bits & 4) != 0) return "suspended";
            if ((bits & 32) != 0) return "sleeping";
            if ((bits & 2) != 0) return "blocked";
            return "ready";
        }

        [Test]
        public void WriteThenParseRoundTripsEveryField([Values(1, 2, 3)] int cpus)
        {
            var rnd = new Random(1234 + cpus);
            var rings = new TraceRing[cpus];
            var written = new List<(int Cpu, TraceEntry E, int Order)>();
            int order = 0;
            for (int c = 0; c < cpus; c++)
            {
                rings[c] = new TraceRing(c, 500, TraceOverflow.DropNewest, new FakePlatform());
                for (int id = 1; id <= 4; id++) rings[c].NameThread(id, "cpu" + c + " thread " + id);
                long t = 0;
                for (int i = 0; i < 400; i++)
                {
                    t += rnd.Next(0, 3) * 1000;                 // equal times are common
                    var e = E(t, Kinds[rnd.Next(Kinds.Length)], rnd.Next(0, 5) == 0 ? -1 : rnd.Next(1, 5), rnd.Next(0, 256),
                              rnd.Next(0, 3) == 0 ? long.MaxValue : rnd.NextInt64(-1, 1L << 50), rnd.Next(0, 2) == 0 ? 1 : rnd.NextInt64(0, 1L << 40));
                    if (e.Kind == TraceEventKind.SwitchOut || e.Kind == TraceEventKind.Block || e.Kind == TraceEventKind.Unblock) e.A = rnd.Next(0, 64);
                    rings[c].Add(e.Time, e.Kind, e.Thread, e.Object, e.A, e.B);
                    written.Add((c, e, order++));
                }
            }
            string text = Dump(rings);
            TraceFile f = TraceFile.Parse(text);
            Assert.That(f.Warnings, Is.Empty);
            Assert.That(f.Version, Is.EqualTo(2));
            Assert.That(f.Source, Is.EqualTo("unit test"));
            Assert.That(f.Complete, Is.True);
            Assert.That(f.Names.Count, Is.EqualTo(4 * cpus));
            Assert.That(f.NameOf(cpus - 1, 3), Is.EqualTo("cpu" + (cpus - 1) + " thread 3"), "names with spaces");
            Assert.That(f.Dropped.Select(d => (d.Cpu, d.Dropped, d.Kept, d.Capacity, d.Overflow)),
                Is.EqualTo(Enumerable.Range(0, cpus).Select(c => (c, 0L, 400L, "500", "drop-newest"))));

            // Merged by time, then CPU, then order of recording.
            var expected = written.OrderBy(w => w.E.Time).ThenBy(w => w.Cpu).ThenBy(w => w.Order).ToList();
            Assert.That(f.Events.Count, Is.EqualTo(expected.Count));
            for (int i = 0; i < expected.Count; i++)
            {
                var (cpu, e, _) = expected[i];
                var p = f.Events[i];
                Assert.That((p.Time, p.Cpu, p.Kind, p.Thread), Is.EqualTo((e.Time, cpu, TraceFormat.KindName(e.Kind), e.Thread)), "event " + i);
                var args = p.Args.ToDictionary(kv => kv.Key, kv => kv.Value);
                Assert.That(args, Is.EquivalentTo(Expected(e)), "fields of event " + i + " (" + p.Kind + ")");
            }
        }

        [Test]
        public void DroppedCountsReachTheTrailer()
        {
            var r = new TraceRing(0, 3, TraceOverflow.OverwriteOldest, new FakePlatform());
            for (int i = 0; i < 10; i++) r.Add(i, TraceEventKind.Mark, -1, 1, i, 0);
            TraceFile f = TraceFile.Parse(Dump(r));
            Assert.That(f.Events.Select(e => e.Long("value", -1)), Is.EqualTo(new long[] { 7, 8, 9 }));
            Assert.That(f.TotalDropped, Is.EqualTo(7));
            Assert.That(f.Dropped[0].Overflow, Is.EqualTo("overwrite-oldest"));
        }

        [Test]
        public void ParserReportsDamage()
        {
            TraceFile f = TraceFile.Parse("# osprey-trace 2\n10 0 release 1 job=0\n5 0 switch_in 1\nrubbish here\n20 0 complete x job=0\n");
            Assert.That(f.Events.Count, Is.EqualTo(2));
            Assert.That(f.Warnings, Has.Some.Contains("time goes back"));
            Assert.That(f.Warnings, Has.Some.Contains("not a trace line"));
            Assert.That(f.Warnings, Has.Some.Contains("bad thread"));
            Assert.That(f.Warnings, Has.Some.Contains("cut short"));
            Assert.That(TraceFile.Parse("# osprey-trace 1\n# end\n").Warnings, Has.Some.Contains("version 1"));
        }

        [Test]
        public void ExtractFindsTheLastDumpInALog()
        {
            string log = "osprey: booting\r\n# trace begin\r\n# osprey-trace 2\r\n1 0 switch_in 1\r\n# end\r\n# trace end\r\n" +
                         "noise\r\n# trace begin\r\n# osprey-trace 2\r\nthread 0 1 a\r\n2 0 switch_in 1\r\n3 0 switch_out 1 state=ready\r\n# end\r\n# trace end\r\nosprey: idle\r\n";
            string t = TraceFile.Extract(log, out int dumps);
            Assert.That(dumps, Is.EqualTo(2));
            TraceFile f = TraceFile.Parse(t);
            Assert.That(f.Events.Select(e => e.Time), Is.EqualTo(new long[] { 2, 3 }));
            Assert.That(f.Warnings, Is.Empty);
            Assert.That(TraceFile.Extract("# osprey-trace 2\n1 0 mark - id=1 value=2\n", out dumps), Does.StartWith("# osprey-trace 2"));
            Assert.That(dumps, Is.EqualTo(0));
            Assert.That(TraceFile.Extract("osprey: booting\nosprey: idle\n", out dumps), Is.Null);
        }
    }
}
