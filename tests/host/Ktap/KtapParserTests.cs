using System.Linq;
using NUnit.Framework;
using Osprey.QemuRunner;

namespace Osprey.Tests.Ktap;

[TestFixture]
public class KtapParserTests
{
    // Two suites, all passing: the shape the kernel prints.
    const string AllPass =
@"KTAP version 1
1..2
    KTAP version 1
    # Subtest: heap
    1..2
    ok 1 alloc_zeroed
    ok 2 free_list
ok 1 heap
    KTAP version 1
    # Subtest: runtime
    1..3
    ok 1 virtual_calls
    ok 2 interfaces
    ok 3 generics
ok 2 runtime
# selftest: pass=5 fail=0 skip=0 total=5
# selftest: end
";

    static KtapReport Parse(string text, int? exit = null) =>
        KtapParser.Parse(text, exit is int c ? RunOutcome.Exited(c) : RunOutcome.Offline(), "t");

    static string Errors(KtapReport r) => string.Join("\n", r.Errors.Select(e => e.Message));

    [Test]
    public void AllPass_CountsAndSuccess()
    {
        var r = Parse(AllPass, ExitCodes.Pass);
        Assert.That(r.Errors, Is.Empty, Errors(r));
        Assert.That((r.Passed, r.Failed, r.Skipped, r.Declared), Is.EqualTo((5, 0, 0, 5)));
        Assert.That(r.Success, Is.True);
        Assert.That(r.SummaryLine, Is.EqualTo("ktap[t]: 5 passed, 0 failed, 0 skipped (5 declared)"));
        Assert.That(r.ResultFileText, Is.EqualTo("passed=5\nfailed=0\nskipped=0\n"));
    }

    const string TwoSkips =
@"KTAP version 1
1..1
    KTAP version 1
    # Subtest: guests
    1..2
    ok 1 hog # SKIP needs the vcore scheduler; sched=edf on the command line keeps edf for the whole run
    ok 2 screen # SKIP no framebuffer from the boot loader
ok 1 guests
# selftest: pass=0 fail=0 skip=2 total=2
# selftest: end
";

    [Test]
    public void ForbiddenSkip_CountsAsAnErrorNamingTheTest()
    {
        var r = KtapParser.Parse(TwoSkips, RunOutcome.Exited(ExitCodes.Pass), "t", new System.Text.RegularExpressions.Regex("sched=|scheduler"));
        Assert.That((r.Passed, r.Skipped, r.Failed), Is.EqualTo((0, 2, 1)));
        Assert.That(Errors(r), Does.Contain("guests.hog skipped for a reason this run forbids: needs the vcore scheduler"));
        Assert.That(r.Success, Is.False);
        var allowed = Parse(TwoSkips, ExitCodes.Pass);
        Assert.That(allowed.Success, Is.True, Errors(allowed));
    }

    [Test]
    public void GarbageBootLinesBeforeKtap_AreIgnored()
    {
        string boot =
@"SeaBIOS (version 1.16)
Booting from ROM..
ok 7 this is not a test result
not ok 3 neither is this
1..99
# not a diagnostic either
osprey: heap 120 MiB
";
        var r = Parse(boot + AllPass, ExitCodes.Pass);
        Assert.That(r.Errors, Is.Empty, Errors(r));
        Assert.That((r.Passed, r.Failed, r.Declared), Is.EqualTo((5, 0, 5)));
    }

    [Test]
    public void Failures_CarryTheirDiagnostics()
    {
        string text =
@"KTAP version 1
1..1
    KTAP version 1
    # Subtest: heap
    1..3
    ok 1 alloc_zeroed
    # expected 4, got 5
    # at heap_tests.cs:42
    not ok 2 exhaustion_panics
    ok 3 big_alloc
not ok 1 heap
# selftest: pass=2 fail=1 skip=0 total=3
# selftest: end
";
        var r = Parse(text, ExitCodes.Fail);
        Assert.That(r.Errors, Is.Empty, Errors(r));
        Assert.That((r.Passed, r.Failed, r.Skipped, r.Declared), Is.EqualTo((2, 1, 0, 3)));
        Assert.That(r.Success, Is.False);
        Assert.That(r.Failures.Single().Path, Is.EqualTo("heap.exhaustion_panics"));
        Assert.That(r.Failures.Single().Diagnostics, Is.EqualTo(new[] { "# expected 4, got 5", "# at heap_tests.cs:42" }));
        string f = r.Format();
        Assert.That(f, Does.Contain("FAIL heap.exhaustion_panics\n    # expected 4, got 5\n    # at heap_tests.cs:42\n"));
        Assert.That(f, Does.EndWith("ktap[t]: 2 passed, 1 failed, 0 skipped (3 declared)\n"));
    }

    [Test]
    public void Skips_AreCountedSeparately()
    {
        string text =
@"KTAP version 1
1..1
    KTAP version 1
    # Subtest: smp
    1..3
    ok 1 one_cpu
    ok 2 ipi # SKIP only one CPU
    not ok 3 tlb_shootdown # skip no second CPU
ok 1 smp
# selftest: pass=1 fail=0 skip=2 total=3
# selftest: end
";
        var r = Parse(text, ExitCodes.Pass);
        Assert.That(r.Errors, Is.Empty, Errors(r));
        Assert.That((r.Passed, r.Failed, r.Skipped, r.Declared), Is.EqualTo((1, 0, 2, 3)));
        Assert.That(r.Success, Is.True);
    }

    [Test]
    public void WholeSuiteSkipped_CountsAsOneSkip()
    {
        string text =
@"KTAP version 1
1..2
    KTAP version 1
    # Subtest: a
    1..1
    ok 1 x
ok 1 a
ok 2 acpi # SKIP no ACPI tables
# selftest: pass=1 fail=0 skip=1 total=2
# selftest: end
";
        var r = Parse(text, ExitCodes.Pass);
        Assert.That(r.Errors, Is.Empty, Errors(r));
        Assert.That((r.Passed, r.Skipped, r.Declared), Is.EqualTo((1, 1, 2)));
    }

    [Test]
    public void NestedPlans_ThreeLevels_AndTabs()
    {
        // A suite with sub-suites; the inner level is indented with tabs.
        string text =
"KTAP version 1\n" +
"1..2\n" +
"    KTAP version 1\n" +
"    # Subtest: runtime\n" +
"    1..2\n" +
"\t\tKTAP version 1\n" +
"\t\t# Subtest: strings\n" +
"\t\t1..2\n" +
"\t\tok 1 concat\n" +
"\t\tnot ok 2 hex_format\n" +
"    not ok 1 strings\n" +
"    ok 2 statics\n" +
"not ok 1 runtime\n" +
"    KTAP version 1\n" +
"    # Subtest: heap\n" +
"    1..1\n" +
"    ok 1 alloc\n" +
"ok 2 heap\n" +
"# selftest: pass=3 fail=1 skip=0 total=4\n" +
"# selftest: end\n";
        var r = Parse(text, ExitCodes.Fail);
        Assert.That(r.Errors, Is.Empty, Errors(r));
        Assert.That((r.Passed, r.Failed, r.Skipped, r.Declared), Is.EqualTo((3, 1, 0, 4)));
        Assert.That(r.Failures.Single().Path, Is.EqualTo("runtime.strings.hex_format"));
    }

    [Test]
    public void CrashMidRun_MissingTestsCountAsFailed_DeclaredTotalKept()
    {
        // Output stops in the middle of the first suite; suite 2 never starts.
        string text =
@"KTAP version 1
1..2
    KTAP version 1
    # Subtest: heap
    1..4
    ok 1 a
    ok 2 b
";
        var r = Parse(text, 0);
        Assert.That(r.Passed, Is.EqualTo(2));
        Assert.That(r.FailedTests, Is.EqualTo(3), "tests 3, 4 of heap and the suite that never ran");
        Assert.That(r.Declared, Is.EqualTo(5));
        Assert.That(r.Failures.Select(f => f.Path), Is.EqualTo(new[] { "heap.#3", "heap.#4", "suite#2" }));
        Assert.That(Errors(r), Does.Contain("plan 1..4 but 2 result(s); missing 3,4"));
        Assert.That(Errors(r), Does.Contain("suite heap: no result line"));
        Assert.That(Errors(r), Does.Contain("triple fault"));
        Assert.That(r.Success, Is.False);
    }

    [Test]
    public void TopLevelPlanMismatch_WithSummary()
    {
        string text =
@"KTAP version 1
1..3
    KTAP version 1
    # Subtest: a
    1..1
    ok 1 x
ok 1 a
# selftest: pass=1 fail=0 skip=0 total=1
# selftest: end
";
        var r = Parse(text, ExitCodes.Pass);
        Assert.That(Errors(r), Does.Contain("top level: plan 1..3 but 1 result(s); missing 2,3"));
        Assert.That(Errors(r), Does.Contain("kernel summary pass=1 fail=0 skip=0 total=1 disagrees"));
        Assert.That(Errors(r), Does.Contain("exit status 33 (kernel says all passed) but 2 test(s) failed"));
        Assert.That(r.Declared, Is.EqualTo(3));
        Assert.That(r.Success, Is.False);
    }

    [Test]
    public void SuiteWithMoreResultsThanPlanned_IsAnError()
    {
        string text =
@"KTAP version 1
1..1
    KTAP version 1
    # Subtest: a
    1..2
    ok 1 x
    ok 2 y
    ok 3 z
ok 1 a
# selftest: pass=3 fail=0 skip=0 total=3
# selftest: end
";
        var r = Parse(text, ExitCodes.Pass);
        Assert.That(Errors(r), Does.Contain("suite a: test number 3 (z) beyond the plan 1..2"));
        Assert.That(Errors(r), Does.Contain("disagrees"));
        Assert.That(r.Declared, Is.EqualTo(2));
        Assert.That(r.Passed, Is.EqualTo(2));
        Assert.That(r.Failed, Is.GreaterThanOrEqualTo(1));
        Assert.That(r.Success, Is.False);
    }

    [Test]
    public void DuplicateAndOutOfOrderNumbers_AreErrors()
    {
        string text =
@"KTAP version 1
1..1
    KTAP version 1
    # Subtest: a
    1..3
    ok 1 x
    ok 1 x_again
    ok 3 z
    ok 2 y
ok 1 a
# selftest: pass=3 fail=0 skip=0 total=3
# selftest: end
";
        var r = Parse(text, ExitCodes.Pass);
        Assert.That(Errors(r), Does.Contain("suite a: duplicate test number 1 (x_again)"));
        Assert.That(Errors(r), Does.Contain("suite a: test number 3 (z) out of order, expected 2"));
        Assert.That(r.Declared, Is.EqualTo(3));
        Assert.That(r.Passed, Is.EqualTo(3));
        Assert.That(r.Failed, Is.GreaterThanOrEqualTo(2));
        Assert.That(r.Success, Is.False);
    }

    [Test]
    public void Panic_IsReportedWithRegisters()
    {
        string text =
@"KTAP version 1
1..2
    KTAP version 1
    # Subtest: exceptions
    1..3
    ok 1 divide_error_caught
# PANIC: page fault (vector 14) error=0x2
# PANIC: RIP=ffffffff80012345 CR2=dead0000
# PANIC: RAX=0000000000000000 RBX=0000000000000001
    not ok 2 unexpected_fault
# selftest: panic
";
        var r = Parse(text, ExitCodes.Panic);
        Assert.That(r.Panicked, Is.True);
        Assert.That(Errors(r), Does.Contain("kernel panic"));
        Assert.That(Errors(r), Does.Not.Contain("exit status"));
        var f = r.Failures.First();
        Assert.That(f.Path, Is.EqualTo("exceptions.unexpected_fault"));
        Assert.That(f.Diagnostics, Has.Some.Contains("CR2=dead0000"));
        // 1 passed; unexpected_fault, exceptions.#3, suite#2 failed; + 1 for the panic.
        Assert.That((r.Passed, r.FailedTests, r.Declared), Is.EqualTo((1, 3, 4)));
        Assert.That(r.Failed, Is.EqualTo(4));
        Assert.That(r.Success, Is.False);
    }

    [Test]
    public void ExpectedFaultDump_InsideATest_IsJustDiagnostics()
    {
        // A test that faults on purpose: the kernel prints the dump and carries on.
        string text = AllPass.Replace("    ok 2 free_list\n",
            "    # PANIC-style dump of an expected fault:\n# PANIC: page fault (vector 14) CR2=0000000000000000\n    ok 2 free_list\n");
        var r = Parse(text, ExitCodes.Pass);
        Assert.That(r.Errors, Is.Empty, Errors(r));
        Assert.That(r.Panicked, Is.False);
        Assert.That(r.Success, Is.True);
    }

    [Test]
    public void PanicMarkerWithoutExit37_IsStillAFailure()
    {
        string text = "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: a\n    1..1\n    not ok 1 x\n# selftest: panic\n";
        var r = Parse(text, ExitCodes.TripleFault);
        Assert.That(Errors(r), Does.Contain("kernel panic"));
        Assert.That(Errors(r), Does.Contain("triple fault"));
        Assert.That(r.Success, Is.False);
    }

    [Test]
    public void PanicBeforeKtap_IsReported()
    {
        var r = Parse("osprey: booting\n# PANIC: double fault\n# PANIC: RIP=0\n", ExitCodes.Panic);
        Assert.That(Errors(r), Does.Contain("no KTAP output"));
        Assert.That(Errors(r), Does.Contain("panicked before the tests started"));
        Assert.That(r.Success, Is.False);
        Assert.That(r.Failed, Is.GreaterThan(0));
    }

    [Test]
    public void SummaryDisagreement_IsAnError()
    {
        var r = Parse(AllPass.Replace("pass=5 fail=0 skip=0 total=5", "pass=4 fail=1 skip=0 total=5"), ExitCodes.Pass);
        Assert.That(Errors(r), Does.Contain("kernel summary pass=4 fail=1 skip=0 total=5 disagrees with the parsed results pass=5 fail=0 skip=0 total=5"));
        Assert.That(r.Failed, Is.EqualTo(1), "a harness-level error adds 1 to failed");
        Assert.That(r.Passed, Is.EqualTo(5));
        Assert.That(r.Success, Is.False);
    }

    [Test]
    public void MissingSummaryOrEndMarker_IsAnError()
    {
        var r = Parse(AllPass.Replace("# selftest: pass=5 fail=0 skip=0 total=5\n", ""), ExitCodes.Pass);
        Assert.That(Errors(r), Does.Contain("summary line"));
        var r2 = Parse(AllPass.Replace("# selftest: end\n", ""), ExitCodes.Pass);
        Assert.That(Errors(r2), Does.Contain("output ended before '# selftest: end'"));
        Assert.That(r.Success || r2.Success, Is.False);
    }

    [Test]
    public void MissingPlan_IsAnError()
    {
        string text =
@"KTAP version 1
1..1
    KTAP version 1
    # Subtest: a
    ok 1 x
ok 1 a
# selftest: pass=1 fail=0 skip=0 total=1
# selftest: end
";
        var r = Parse(text, ExitCodes.Pass);
        Assert.That(Errors(r), Does.Contain("suite a: missing plan"));
        Assert.That(r.Success, Is.False);
        Assert.That(r.Failed, Is.EqualTo(1));

        var top = Parse("KTAP version 1\n# selftest: end\n", ExitCodes.Pass);
        Assert.That(Errors(top), Does.Contain("top level: missing plan"));
        Assert.That(top.Success, Is.False);
    }

    [Test]
    public void NoKtapAtAll_IsAFailure()
    {
        var r = Parse("SeaBIOS\nBooting...\n", ExitCodes.Pass);
        Assert.That(Errors(r), Does.Contain("no KTAP output"));
        Assert.That(r.Failed, Is.GreaterThan(0));
        Assert.That(r.Success, Is.False);
    }

    [Test]
    public void SuiteResultDisagreesWithItsTests()
    {
        string text =
@"KTAP version 1
1..1
    KTAP version 1
    # Subtest: a
    1..1
    not ok 1 x
ok 1 a
# selftest: pass=0 fail=1 skip=0 total=1
# selftest: end
";
        var r = Parse(text, ExitCodes.Fail);
        Assert.That(Errors(r), Does.Contain("suite a: reported ok but some of its tests failed"));
    }

    [TestCase(ExitCodes.Pass, true, "")]
    [TestCase(ExitCodes.Fail, false, "exit status 35 (kernel says some failed) but no failed test")]
    [TestCase(ExitCodes.Panic, false, "exit status 37: kernel panic")]
    [TestCase(ExitCodes.TripleFault, false, "triple fault")]
    [TestCase(139, false, "exit status 139: QEMU crashed")]
    [TestCase(1, false, "exit status 1: QEMU crashed")]
    public void ExitStatus_MustAgree(int code, bool ok, string message)
    {
        var r = Parse(AllPass, code);
        Assert.That(r.Success, Is.EqualTo(ok), Errors(r));
        if (!ok)
        {
            Assert.That(Errors(r), Does.Contain(message));
            Assert.That(r.Failed, Is.EqualTo(1));
            Assert.That(r.Passed, Is.EqualTo(5));
        }
    }

    [Test]
    public void Exit33WithAFailedTest_IsAMismatch()
    {
        string text = AllPass.Replace("    ok 2 free_list", "    not ok 2 free_list").Replace("ok 1 heap", "not ok 1 heap")
                             .Replace("pass=5 fail=0", "pass=4 fail=1");
        var r = Parse(text, ExitCodes.Pass);
        Assert.That(Errors(r), Does.Contain("exit status 33 (kernel says all passed) but 1 test(s) failed"));
        Assert.That(r.Failed, Is.EqualTo(2));
    }

    [Test]
    public void TimeoutAndStall_AreFailures()
    {
        var t = KtapParser.Parse(AllPass, new RunOutcome(StopReason.Timeout, null, 30, 5), "t");
        Assert.That(Errors(t), Does.Contain("timeout"));
        Assert.That(t.Success, Is.False);
        var s = KtapParser.Parse("KTAP version 1\n1..1\n", new RunOutcome(StopReason.Stall, null, 30, 5), "t");
        Assert.That(Errors(s), Does.Contain("stall: no output for 5 s"));
        Assert.That(s.Declared, Is.EqualTo(1));
        Assert.That(s.Success, Is.False);
    }

    [Test]
    public void KilledAfterEndMarker_SkipsExitCheck()
    {
        var r = KtapParser.Parse(AllPass, new RunOutcome(StopReason.KilledAfterEndMarker, null), "t");
        Assert.That(r.Success, Is.True, Errors(r));
        Assert.That(r.Notes, Has.Some.Contains("exit status not checked"));
    }

    [Test]
    public void CrLfAndKernelLogNoiseInsideTheDocument()
    {
        string text = AllPass.Replace("    ok 2 free_list\n", "[sched] tick calibrated\n    ok 2 free_list\n").Replace("\n", "\r\n");
        var r = Parse(text, ExitCodes.Pass);
        Assert.That(r.Errors, Is.Empty, Errors(r));
        Assert.That(r.Passed, Is.EqualTo(5));
    }

    [Test]
    public void BenchLines_AreCollected()
    {
        string text = AllPass.Replace("ok 2 runtime\n",
            "ok 2 runtime\n# BENCH ctx_switch_ns 412.5 ns\n    # BENCH irq_latency 3 us\n# BENCH broken abc def\n");
        var r = Parse(text, ExitCodes.Pass);
        Assert.That(r.Errors, Is.Empty, Errors(r));
        Assert.That(r.Benches.Select(b => (b.Name, b.Value, b.Unit)),
            Is.EqualTo(new[] { ("ctx_switch_ns", 412.5, "ns"), ("irq_latency", 3.0, "us") }));
        Assert.That(r.Notes, Has.Some.Contains("unparsable BENCH line"));
        Assert.That(r.Format(), Does.Contain("ctx_switch_ns").And.Contain("412.5 ns"));
    }

    [Test]
    public void IncrementalFeed_TracksEndAndPanicMarkers()
    {
        var p = new KtapParser("t");
        foreach (var line in AllPass.TrimEnd('\n').Split('\n'))
        {
            Assert.That(p.SawEndMarker, Is.False);
            p.Feed(line);
        }
        Assert.That(p.SawEndMarker, Is.True);
        Assert.That(p.SawPanic, Is.False);
        Assert.That(p.Complete(RunOutcome.Exited(33)).Success, Is.True);
    }
}
