using System;
using System.Diagnostics;
using System.IO;
using NUnit.Framework;
using Osprey.QemuRunner;

namespace Osprey.Tests.Ktap;

/// <summary>The runner end to end, with small bash commands standing in for QEMU.</summary>
[TestFixture]
public class KtapRunnerProcessTests
{
    const string AllPass =
@"SeaBIOS (version 1.16)
KTAP version 1
1..1
    KTAP version 1
    # Subtest: heap
    1..2
    ok 1 alloc_zeroed
    ok 2 free_list
ok 1 heap
# selftest: pass=2 fail=0 skip=0 total=2
# selftest: end
";

    string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "ktap-runner-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    string Fixture(string text)
    {
        string p = Path.Combine(_dir, "out-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(p, text);
        return p;
    }

    string LogPath => Path.Combine(_dir, "run.log");
    string ResultPath => Path.Combine(_dir, "run.result");

    /// <summary>Runs the runner with a bash script as the fake QEMU; $1 is the fixture file.</summary>
    (int rc, string output, double seconds) Run(string script, string fixture = "", params string[] extra)
    {
        var args = new System.Collections.Generic.List<string>
        {
            "--label", "fake", "--log", LogPath, "--result", ResultPath,
        };
        args.AddRange(extra);
        if (!args.Contains("--timeout")) { args.Add("--timeout"); args.Add("20"); }
        if (!args.Contains("--stall")) { args.Add("--stall"); args.Add("10"); }
        args.AddRange(new[] { "--", "bash", "-c", script, "fake-qemu", fixture });
        var sw = new StringWriter();
        var t = Stopwatch.StartNew();
        int rc = RunnerApp.Run(args.ToArray(), sw);
        return (rc, sw.ToString(), t.Elapsed.TotalSeconds);
    }

    string Result => File.ReadAllText(ResultPath);

    [Test]
    public void PassingRun_WritesLogAndResult()
    {
        var (rc, output, _) = Run("cat \"$1\"; echo 'qemu: warning: something' >&2; exit 33", Fixture(AllPass));
        Assert.That(rc, Is.EqualTo(0), output);
        Assert.That(Result, Is.EqualTo("passed=2\nfailed=0\nskipped=0\n"));
        Assert.That(output, Does.Contain("ktap[fake]: 2 passed, 0 failed, 0 skipped (2 declared)"));
        Assert.That(output, Does.Contain("QEMU exited with status 33"));
        string log = File.ReadAllText(LogPath);
        Assert.That(log, Does.Contain("SeaBIOS (version 1.16)\nKTAP version 1\n"));
        Assert.That(log, Does.Contain("    ok 2 free_list\n"));
        Assert.That(log, Does.Contain("[stderr] qemu: warning: something"));
    }

    [Test]
    public void ExitStatusMismatch_Fails()
    {
        var (rc, output, _) = Run("cat \"$1\"; exit 35", Fixture(AllPass));
        Assert.That(rc, Is.EqualTo(1));
        Assert.That(output, Does.Contain("exit status 35 (kernel says some failed) but no failed test"));
        Assert.That(Result, Is.EqualTo("passed=2\nfailed=1\nskipped=0\n"));
    }

    [Test]
    public void TripleFault_Exit0_Fails()
    {
        var (rc, output, _) = Run("cat \"$1\"; exit 0", Fixture(AllPass));
        Assert.That(rc, Is.EqualTo(1));
        Assert.That(output, Does.Contain("triple fault"));
    }

    [Test]
    public void FailingTest_IsPrintedWithDiagnostics()
    {
        string text = AllPass.Replace("    ok 2 free_list", "    # free list corrupted at 0x1000\n    not ok 2 free_list")
                             .Replace("ok 1 heap", "not ok 1 heap").Replace("pass=2 fail=0", "pass=1 fail=1");
        var (rc, output, _) = Run("cat \"$1\"; exit 35", Fixture(text));
        Assert.That(rc, Is.EqualTo(1));
        Assert.That(output, Does.Contain("FAIL heap.free_list\n    # free list corrupted at 0x1000\n"));
        Assert.That(Result, Is.EqualTo("passed=1\nfailed=1\nskipped=0\n"));
    }

    [Test]
    public void Stall_KillsTheProcessTree()
    {
        string partial = "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: heap\n    1..2\n    ok 1 alloc_zeroed\n";
        var (rc, output, secs) = Run("cat \"$1\"; sleep 30; exit 33", Fixture(partial), "--stall", "1", "--timeout", "20");
        Assert.That(rc, Is.EqualTo(1));
        Assert.That(secs, Is.LessThan(8), "stall must stop the run long before the sleep ends");
        Assert.That(output, Does.Contain("stall: no output for 1 s"));
        Assert.That(output, Does.Contain("FAIL heap.#2 (declared but never reported)"));
        Assert.That(output, Does.Contain("--- last 6 lines of output"));
        Assert.That(Result, Does.StartWith("passed=1\n"));
    }

    [Test]
    public void Timeout_KillsAChattyProcess()
    {
        // Output keeps coming (no stall) but the run never ends.
        var (rc, output, secs) = Run("echo 'KTAP version 1'; echo '1..1'; while :; do echo '# tick'; sleep 0.2; done",
                                     "", "--stall", "1", "--timeout", "2");
        Assert.That(rc, Is.EqualTo(1));
        Assert.That(secs, Is.InRange(1.8, 8));
        Assert.That(output, Does.Contain("timeout: the run did not finish within 2 s"));
        Assert.That(output, Does.Not.Contain("stall"));
    }

    [Test]
    public void EndMarker_KillsAProcessThatDoesNotExit()
    {
        var (rc, output, secs) = Run("cat \"$1\"; sleep 30; exit 35", Fixture(AllPass));
        Assert.That(rc, Is.EqualTo(0), output);
        Assert.That(secs, Is.InRange(1.9, 8), "2 s grace, then kill");
        Assert.That(output, Does.Contain("killed 2 s after the end marker"));
        Assert.That(output, Does.Contain("exit status not checked"));
        Assert.That(Result, Is.EqualTo("passed=2\nfailed=0\nskipped=0\n"));
    }

    [Test]
    public void EndMarker_ProcessExitingWithinGrace_HasItsStatusChecked()
    {
        var (rc, output, secs) = Run("cat \"$1\"; sleep 0.3; exit 35", Fixture(AllPass));
        Assert.That(rc, Is.EqualTo(1));
        Assert.That(secs, Is.LessThan(1.9));
        Assert.That(output, Does.Contain("exit status 35 (kernel says some failed)"));
    }

    [Test]
    public void Panic_Exit37()
    {
        string text = "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: exc\n    1..2\n" +
                      "# PANIC: general protection fault (vector 13)\n# PANIC: RIP=ffffffff80001000 RSP=ffff800000010000\n" +
                      "    not ok 1 gp_fault\n# selftest: panic\n";
        var (rc, output, _) = Run("cat \"$1\"; exit 37", Fixture(text));
        Assert.That(rc, Is.EqualTo(1));
        Assert.That(output, Does.Contain("FAIL exc.gp_fault\n    # PANIC: general protection fault (vector 13)\n    # PANIC: RIP="));
        Assert.That(output, Does.Contain("kernel panic during the self-tests"));
        Assert.That(output, Does.Contain("--- last "));
    }

    [Test]
    public void SmokeMode_ExpectedLineSeen_KillsAndPasses()
    {
        var (rc, output, secs) = Run("echo 'GRUB loading'; echo 'osprey: idle loop'; sleep 30",
                                     "", "--expect-line", "idle loop$", "--timeout", "20");
        Assert.That(rc, Is.EqualTo(0), output);
        Assert.That(secs, Is.LessThan(5));
        Assert.That(Result, Is.EqualTo("passed=1\nfailed=0\nskipped=0\n"));
        Assert.That(output, Does.Contain("ktap[fake]: 1 passed, 0 failed, 0 skipped (1 declared)"));
    }

    [Test]
    public void SmokeMode_MatchesThroughTerminalEscapes()
    {
        // GRUB leaves escape sequences and a carriage return in front of the kernel's first line.
        var (rc, output, _) = Run("printf '\\033[H\\033[J  Booting\\n\\n\\rosprey: idle loop\\n'; sleep 30",
                                  "", "--expect-line", "^osprey: idle", "--timeout", "20");
        Assert.That(rc, Is.EqualTo(0), output);
        Assert.That(File.ReadAllText(LogPath), Does.Contain("\rosprey: idle loop"), "the log keeps the raw bytes");
    }

    [Test]
    public void SmokeMode_LineNeverSeen_PrintsLast20Lines()
    {
        var (rc, output, _) = Run("for i in $(seq 1 30); do echo line$i; done; exit 0",
                                  "", "--expect-line", "idle loop", "--timeout", "20");
        Assert.That(rc, Is.EqualTo(1));
        Assert.That(Result, Is.EqualTo("passed=0\nfailed=1\nskipped=0\n"));
        Assert.That(output, Does.Contain("no line matching /idle loop/"));
        Assert.That(output, Does.Contain("line11\n").And.Contain("line30\n"));
        Assert.That(output, Does.Not.Contain("line10\n"));
    }

    [Test]
    public void SmokeMode_Timeout_Fails()
    {
        var (rc, output, secs) = Run("while :; do echo waiting; sleep 0.2; done", "",
                                     "--expect-line", "idle loop", "--timeout", "1.5", "--stall", "0");
        Assert.That(rc, Is.EqualTo(1));
        Assert.That(secs, Is.LessThan(6));
        Assert.That(output, Does.Contain("time limit"));
    }

    [Test]
    public void PartialLastLineAndCrLf_AreHandled()
    {
        var (rc, output, _) = Run("cat \"$1\"; printf 'trailing without newline'; exit 33",
                                  Fixture(AllPass.Replace("\n", "\r\n")));
        Assert.That(rc, Is.EqualTo(0), output);
        Assert.That(File.ReadAllText(LogPath), Does.Contain("trailing without newline"));
    }

    [Test]
    public void CommandThatCannotStart_Fails()
    {
        var sw = new StringWriter();
        int rc = RunnerApp.Run(new[] { "--label", "x", "--timeout", "5", "--stall", "5", "--result", ResultPath,
                                       "--", "/nonexistent/qemu-system-x86_64" }, sw);
        Assert.That(rc, Is.EqualTo(1));
        Assert.That(sw.ToString(), Does.Contain("cannot start"));
        Assert.That(Result, Does.Contain("failed=1"));
    }

    [TestCase("--timeout", "abc")]
    [TestCase("--bogus")]
    [TestCase("--label", "x")]
    [TestCase("--expect-line", "(unclosed", "--", "true")]
    [TestCase("--send-on", "menu", "--", "true")]
    [TestCase("--send-on", "menu", "\\q", "--", "true")]
    public void UsageErrors_Exit2(params string[] args)
    {
        var sw = new StringWriter();
        Assert.That(RunnerApp.Run(args, sw), Is.EqualTo(2));
        Assert.That(sw.ToString(), Does.Contain("usage: KtapRunner"));
    }

    [Test]
    public void OfflineParse_OfASavedLog()
    {
        File.WriteAllText(LogPath, AllPass + "[stderr] qemu noise\n[runner] exited with status 33\n");
        var sw = new StringWriter();
        int rc = RunnerApp.Run(new[] { "--label", "x", "--parse", LogPath, "--exit-status", "33", "--result", ResultPath }, sw);
        Assert.That(rc, Is.EqualTo(0), sw.ToString());
        Assert.That(Result, Is.EqualTo("passed=2\nfailed=0\nskipped=0\n"));
    }

    // The fake QEMU prints a menu line, then waits for keys on stdin and
    // prints what it got: the run passes only if the keys arrive (once).
    [Test]
    public void SendOn_WritesTheKeysOnceWhenTheLineAppears()
    {
        string script = "echo 'Press enter to boot'; echo 'Press enter to boot'; IFS= read -r -d $'\\r' keys; " +
                        "printf 'got %s\\n' \"$(printf %s \"$keys\" | od -An -c | tr -s ' ')\"; cat \"$1\"; exit 33";
        var (rc, output, _) = Run(script, Fixture(AllPass), "--send-on", "^Press enter", "\\e[B\\r");
        Assert.That(rc, Is.EqualTo(0), output);
        string log = File.ReadAllText(LogPath);
        Assert.That(log, Does.Contain("got  033 [ B"), log);
    }

    [Test]
    public void Unescape_DecodesTheFourEscapes()
    {
        Assert.That(RunnerOptions.Unescape("a\\e[B\\r\\n\\\\", out var e), Is.EqualTo("a\u001b[B\r\n\\"));
        Assert.That(e, Is.Null);
        Assert.That(RunnerOptions.Unescape("x\\t", out e), Is.Null);
        Assert.That(e, Does.Contain("unknown escape \\t"));
    }
}
