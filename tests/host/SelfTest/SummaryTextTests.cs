using System;
using System.Linq;
using NUnit.Framework;
using Osprey.Kernel.Console;
using Osprey.Kernel.SelfTest;
using Osprey.QemuRunner;
using Osprey.Tests.Console;

namespace Osprey.Tests.SelfTest
{
    // The end-of-run summary block (kernel/selftest/SummaryText.cs): what it
    // says, that it fits the 1024x768 screen console, and that the KTAP
    // parser accepts it after the end marker.
    [TestFixture]
    public class SummaryTextTests
    {
        const int Columns = 128;   // the 1024x768 console
        const int Rows = 48;

        static SummaryFacts Facts(int failed, int kept, string diag = "expected 3, got 4")
        {
            var f = new SummaryFacts
            {
                Pass = 230, Fail = failed, Skip = 2, FailedTotal = failed, FailedKept = kept,
                FailedNames = Enumerable.Range(1, kept).Select(i => "suite" + i + ".test_" + i).ToArray(),
                FailedLines = Enumerable.Range(1, kept).Select(i => diag).ToArray(),
                Build = "commit 1a2b3c4d5e6f of 2026-12-04 14:20:35 UTC",
                CpuVendor = "GenuineIntel", CpuModel = "Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz",
                MemoryMiB = 7871, Cpus = 8, TimerReference = "HPET", ApicMode = "x2APIC", Firmware = "UEFI",
            };
            return f;
        }

        [Test]
        public void SaysTotalsFailuresBuildAndMachine()
        {
            var lines = SummaryText.Render(Facts(2, 2), Columns, Rows - 2);
            Assert.That(lines.Length, Is.EqualTo(SummaryText.FixedLines + 2));
            Assert.That(lines, Has.Some.EqualTo("# result:  FAILED: 2 failed, 230 passed, 2 skipped, 234 tests"));
            Assert.That(lines, Has.Some.EqualTo("# FAILED suite1.test_1: expected 3, got 4"));
            Assert.That(lines, Has.Some.EqualTo("# FAILED suite2.test_2: expected 3, got 4"));
            Assert.That(lines, Has.Some.EqualTo("# build:   commit 1a2b3c4d5e6f of 2026-12-04 14:20:35 UTC"));
            Assert.That(lines, Has.Some.EqualTo("# machine: GenuineIntel, Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz"));
            Assert.That(lines, Has.Some.EqualTo("#          7871 MiB usable RAM, 8 CPUs (ACPI), timer reference HPET, x2APIC, firmware UEFI"));
            Assert.That(lines.All(l => l.StartsWith("# ", StringComparison.Ordinal)), "every line is a KTAP diagnostic line");
        }

        [Test]
        public void PassingRunSaysPassed()
        {
            var f = Facts(0, 0);
            var lines = SummaryText.Render(f, Columns, Rows - 2);
            Assert.That(lines.Length, Is.EqualTo(SummaryText.FixedLines));
            Assert.That(lines[1], Is.EqualTo("# result:  PASSED: 0 failed, 230 passed, 2 skipped, 232 tests"));
        }

        [Test]
        public void ManyFailuresListTheFirstAndCountTheRest()
        {
            // 200 failed, the kernel kept 64 names: the block still fits 46 lines.
            var lines = SummaryText.Render(Facts(200, 64), Columns, Rows - 2);
            Assert.That(lines.Length, Is.EqualTo(Rows - 2));
            int listed = lines.Count(l => l.StartsWith("# FAILED ", StringComparison.Ordinal));
            Assert.That(listed, Is.EqualTo(Rows - 2 - SummaryText.FixedLines - 1));
            Assert.That(lines, Has.Some.EqualTo("# ... and " + (200 - listed) + " more failed tests (all of them above, on the serial port)"));
        }

        [Test]
        public void NamesKeptButNotAllRecordedStillCountsTheRest()
        {
            // The runner counted 5 failures, the log kept 3: "... and 2 more".
            var f = Facts(5, 3);
            var lines = SummaryText.Render(f, Columns, Rows - 2);
            Assert.That(lines.Count(l => l.StartsWith("# FAILED ", StringComparison.Ordinal)), Is.EqualTo(3));
            Assert.That(lines, Has.Some.EqualTo("# ... and 2 more failed tests (all of them above, on the serial port)"));
        }

        [Test]
        public void LongLinesAreCutToTheWidth()
        {
            var f = Facts(3, 3, new string('x', 300));
            f.CpuModel = new string('M', 200);
            foreach (int cols in new[] { 128, 100, 80 })
            {
                var lines = SummaryText.Render(f, cols, 40);
                Assert.That(lines.Max(l => l.Length), Is.LessThanOrEqualTo(cols), "width " + cols);
                Assert.That(lines.Where(l => l.StartsWith("# FAILED", StringComparison.Ordinal)).All(l => l.Length == cols && l.EndsWith("...", StringComparison.Ordinal)));
            }
        }

        [Test]
        public unsafe void FitsTheScreenConsoleWithoutWrapping()
        {
            // The 1024x768 framebuffer console: 128 x 48 characters. Written
            // from the top, every line of the block takes exactly one row.
            var fb = new TestFramebuffer(1024, 768, 32);
            FramebufferText t = fb.NewConsole();
            Assert.That((t.Columns, t.Rows), Is.EqualTo((Columns, Rows)));
            var f = Facts(200, 64, new string('d', 200));
            f.CpuModel = new string('M', 200);
            var lines = SummaryText.Render(f, t.Columns, t.Rows - 2);
            t.Clear();
            foreach (var l in lines) { t.Write(l); t.Write("\n"); }
            Assert.That(t.CursorRow, Is.EqualTo(lines.Length), "a line wrapped onto a second row");
            Assert.That(t.CursorRow, Is.LessThan(t.Rows));
        }

        const string Doc =
@"KTAP version 1
1..1
    KTAP version 1
    # Subtest: boot
    1..2
    # FAIL module 'workload' located
    not ok 1 workload_module_found
    ok 2 multiboot_magic
not ok 1 boot
# selftest: pass=1 fail=1 skip=0 total=2
# selftest: end
";

        [Test]
        public void KtapParserAcceptsTheBlockAfterTheEndMarker()
        {
            var f = Facts(1, 1, "module 'workload' located");
            f.Pass = 1; f.Skip = 0;
            f.FailedNames = new[] { "boot.workload_module_found" };
            string text = Doc + string.Join("\n", SummaryText.Render(f, Columns, Rows - 2)) + "\nosprey: self-test finished; halting (no QEMU exit device)\n";
            var r = KtapParser.Parse(text, RunOutcome.Exited(ExitCodes.Fail), "t");
            Assert.That(r.Errors, Is.Empty, string.Join("\n", r.Errors.Select(e => e.Message)));
            Assert.That((r.Passed, r.FailedTests, r.Skipped, r.Declared), Is.EqualTo((1, 1, 0, 2)));
            Assert.That(r.Failures.Select(x => x.Path), Is.EqualTo(new[] { "boot.workload_module_found" }));
        }
    }
}
