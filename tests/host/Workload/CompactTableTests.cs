using System.Linq;
using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Workload
{
    // The compact table rows the kernel shows on its screen console
    // (sched/workload/CompactTable.cs, sched/vcore/VcoreCompactReport.cs):
    // never wider than the console, whatever the figures, while the full rows
    // (serial, simulator) stay as they are.
    [TestFixture]
    public class CompactTableTests
    {
        const int Screen1024 = 128;   // 1024x768, 8-pixel cells
        const int Screen800 = 100;    // 800x600

        static TaskStats Wide()
        {
            return new TaskStats
            {
                Name = "a-task-name-far-longer-than-its-column-of-sixteen", Kind = TaskKind.Periodic, Cpu = 3, Priority = 255,
                Released = 123456789012, Jobs = 123456789011, Misses = 1234567, RespMin = 123456789, RespSum = 987654321987L * 3,
                RespMax = 987654321987, MaxPostponed = 1234567, EndPostponed = 7654321, PeriodMissed = 12345678, CpuTimeNs = 9876543210123,
            };
        }

        static TaskStats Typical()
        {
            return new TaskStats
            {
                Name = "host-tick", Kind = TaskKind.Periodic, Cpu = 0, Priority = 10, Released = 101, Jobs = 95, Misses = 6,
                RespMin = 555207, RespSum = 2344853L * 95, RespMax = 11158372, MaxPostponed = 1, EndPostponed = 0, PeriodMissed = 1,
                CpuTimeNs = 62954750,
            };
        }

        [Test]
        public void WideRunRowsFitTheScreen()
        {
            TaskStats t = Wide();
            Assert.That(RunReport.Line(t).Length, Is.GreaterThan(Screen1024), "the case must be wider than the screen in the full layout");
            foreach (int cols in new[] { Screen1024, Screen800, 80 })
            {
                Assert.That(CompactTable.RunLine(t, cols).Length, Is.LessThanOrEqualTo(cols), "row at " + cols);
                Assert.That(CompactTable.RunHeader(cols).Length, Is.LessThanOrEqualTo(cols), "header at " + cols);
            }
        }

        [Test]
        public void TypicalRunRowKeepsItsColumnsAligned()
        {
            string header = CompactTable.RunHeader(Screen1024), line = CompactTable.RunLine(Typical(), Screen1024);
            Assert.That(line.Length, Is.EqualTo(header.Length));
            Assert.That(line.Length, Is.LessThanOrEqualTo(Screen1024));
            Assert.That(line.Split(' ', System.StringSplitOptions.RemoveEmptyEntries),
                Is.EqualTo(new[] { "host-tick", "periodic", "0", "10", "101", "95", "6", "555.2us", "2.345ms", "11.16ms", "1/0", "1", "62.95ms" }));
            // Right-aligned columns end where their headings end.
            Assert.That(header.IndexOf("cpu-time") + "cpu-time".Length, Is.EqualTo(line.Length));
        }

        [Test]
        public void FullRowsAreUnchanged()
        {
            // The serial layout scripts compare with the simulator's.
            Assert.That(RunReport.Line(Typical()), Is.EqualTo(
                "host-tick        periodic     0   10      101       95       6  555.207us 2.344853ms 11.158372ms       1/0         1 62.95475ms"));
        }

        [TestCase(0L, "0")]
        [TestCase(7L, "7ns")]
        [TestCase(999L, "999ns")]
        [TestCase(1500L, "1.5us")]
        [TestCase(555207L, "555.2us")]
        [TestCase(999999L, "1000us")]
        [TestCase(2344853L, "2.345ms")]
        [TestCase(123456789L, "123.5ms")]
        [TestCase(1000000000L, "1s")]
        [TestCase(12345678901L, "12.35s")]
        [TestCase(9876543210123L, "9877s")]
        [TestCase(-1500L, "-1.5us")]
        [TestCase(long.MaxValue, "-")]
        public void TimeHasFourSignificantDigits(long ns, string text)
        {
            Assert.That(CompactTable.Time(ns), Is.EqualTo(text));
        }

        [Test]
        public void TimeUpToElevenDaysTakesAtMostSevenCharacters()
        {
            // Whole seconds from 10^6 s on take more; CompactTable.Row copes with those.
            for (long ns = 1; ns < 1000000000000000L; ns = ns * 3 + 7)
            {
                Assert.That(CompactTable.Time(ns).Length, Is.LessThanOrEqualTo(7), ns.ToString());
                Assert.That(CompactTable.Time(-ns).Length, Is.LessThanOrEqualTo(8), (-ns).ToString());
            }
        }

        static Vcore WideCore()
        {
            var v = new Vcore("a-guest-with-a-long-name/17", 0, 123456789, 12345678, true, 100, 3, new HogProgram());
            v.ShareNum = 333333; v.ShareDen = 1000000;
            v.TotalNs = 9876543210123; v.SliceUsedNs = 987654321098; v.ExtraNs = 876543210987; v.Misses = 1234567;
            v.OveruseNs = 7654321098; v.Periods = 12345678; v.PeriodCpuMin = 123456789; v.PeriodCpuMax = 987654321;
            v.IrqDelivered = 1234567; v.IrqErrorMin = -12345678; v.IrqErrorMax = 987654321; v.IrqErrorSum = 1234567L * 4567891;
            v.Halts = 1234567; v.Wakes = 1234566; v.WakeClipNs = 98765432109; v.Throttles = 1234567;
            return v;
        }

        [Test]
        public void WideGuestCoreRowsFitTheScreen()
        {
            Vcore v = WideCore();
            long elapsed = 10000000000000;
            Assert.That(VcoreReport.Line(v, elapsed).Length, Is.GreaterThan(Screen1024), "the full core row is wider than the screen");
            foreach (int cols in new[] { Screen1024, Screen800, 80 })
            {
                Assert.That(VcoreCompactReport.Header(cols).Length, Is.LessThanOrEqualTo(cols));
                Assert.That(VcoreCompactReport.Line(v, elapsed, cols).Length, Is.LessThanOrEqualTo(cols));
                Assert.That(VcoreCompactReport.IrqHeader(cols).Length, Is.LessThanOrEqualTo(cols));
                Assert.That(VcoreCompactReport.IrqLine(v, cols).Length, Is.LessThanOrEqualTo(cols));
            }
        }

        [Test]
        public void TypicalGuestCoreRowKeepsItsColumns()
        {
            var v = new Vcore("rt", 0, 100000000, 30000000, false, 2, 1, new HogProgram());
            v.ShareNum = 3; v.ShareDen = 10;
            v.TotalNs = 292537194; v.SliceUsedNs = 292537194; v.Periods = 20; v.PeriodCpuMin = 13907438; v.PeriodCpuMax = 24441611;
            v.OveruseNs = 48856610;
            string header = VcoreCompactReport.Header(Screen1024), line = VcoreCompactReport.Line(v, 1004398466, Screen1024);
            Assert.That(line.Length, Is.EqualTo(header.Length));
            Assert.That(line.Split(' ', System.StringSplitOptions.RemoveEmptyEntries),
                Is.EqualTo(new[] { "rt/0", "hog", "2/1", "100ms", "30ms", "no", "30%", "29.13%", "292.5ms", "0", "0", "48.86ms", "20", "13.91ms", "24.44ms" }));
        }

        [TestCase(0L, "0%")]
        [TestCase(333333L, "33.33%")]
        [TestCase(300000L, "30%")]
        [TestCase(291250L, "29.13%")]
        [TestCase(100000L, "10%")]
        [TestCase(105000L, "10.5%")]
        [TestCase(1000000L, "100%")]
        [TestCase(99999L, "10%")]
        [TestCase(500L, "0.05%")]
        public void PercentHasTwoDecimals(long ppm, string text)
        {
            Assert.That(VcoreCompactReport.Percent2(ppm), Is.EqualTo(text));
        }

        [Test]
        public void RowCutsTheNameThenTheEnd()
        {
            int[] widths = { -6, 4, 4 };
            Assert.That(CompactTable.Row(new[] { "ab", "1", "2" }, widths, 20), Is.EqualTo("ab        1    2"));
            // 2 too wide: the name column shrinks from 12 to 10 characters, '~' marks the cut.
            Assert.That(CompactTable.Row(new[] { "abcdefghijkl", "1", "2" }, widths, 20), Is.EqualTo("abcdefghi~    1    2"));
            // Not enough even with a 4-character name: the end is cut, '>' marks it.
            string cut = CompactTable.Row(new[] { "abcdefghijkl", "123456789", "2" }, widths, 12);
            Assert.That(cut, Is.EqualTo("abc~ 123456>"));
        }
    }
}
