using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;
using Osprey.QemuRunner;
using Osprey.QemuRunner.Benchmarks;
using Osprey.QemuRunner.Stages;

namespace Osprey.Tests.Ktap;

/// <summary>The test run's own logic without QEMU: the task tables of the comparisons, the TRX
/// reading, the panic verdicts, the stage list and the tally.</summary>
[TestFixture]
public class StageTests
{
    const string SimOut =
@"workload sched/examples/rm-threads.wl: scheduler priority, duration 1s, seed 1, 4 task(s)

task             kind       cpu prio released     jobs  misses   resp-min  resp-mean   resp-max postponed rm-missed   cpu-time
control          periodic     0   10      201      200       0      700us      700us      700us       0/0         0      140ms
sensor           periodic     0   11       84       84       0      2.3ms 2.716666ms        3ms       0/0         0    193.2ms
housekeeping     background   0  250        1        0       0          -          -          -         -         -    486.8ms

total: 304 jobs, 0 deadline misses, 571 switches, idle 0
";

    // The kernel's serial output: carriage returns, boot lines before, other figures differing.
    const string KernelOut =
"osprey: boot\r\nworkload: 3 tasks\r\n\r\n" +
"task             kind       cpu prio released     jobs  misses   resp-min  resp-mean   resp-max postponed rm-missed   cpu-time\r\n" +
"control          periodic     0   10      201      200       0  701.278us  701.931us  800.437us       0/0         0 140.228098ms\r\n" +
"  overrun: 0 jobs over their budget\r\n" +
"sensor           periodic     0   11       84       84       0 2.301367ms 2.719851ms  3.10047ms       0/0         0 193.292244ms\r\n" +
"housekeeping     background   0  250        1        0       0          -          -          -         -         - 486.364125ms\r\n" +
"\r\ntotal: 304 jobs, 0 deadline misses, 584 switches, idle 1.078802ms\r\n" +
"task             kind       cpu prio released     jobs  misses\r\nlater            periodic     0   1  9 9 9\r\n";

    [Test]
    public void TaskTable_ReadsTheCountedColumnsByName()
    {
        var rows = TaskTable.Read(SimOut, out string err);
        Assert.That(err, Is.Null);
        Assert.That(rows.Select(r => r.ToString()), Is.EqualTo(new[]
        {
            "control periodic 201 200 0 0/0 0",
            "sensor periodic 84 84 0 0/0 0",
            "housekeeping background 1 0 0 - -",
        }));
    }

    [Test]
    public void TaskTable_SimulatorAndKernelAgree_DespiteTimesAndCarriageReturns()
    {
        var s = TaskTable.Read(SimOut, out _);
        var k = TaskTable.Read(KernelOut, out _);
        Assert.That(k, Has.Count.EqualTo(3), "only the first table, task rows only");
        Assert.That(TaskTable.Difference(s, k), Is.Null);
    }

    [Test]
    public void TaskTable_ADifferentCountIsNamed()
    {
        var s = TaskTable.Read(SimOut, out _);
        var k = TaskTable.Read(KernelOut.Replace("84       84       0", "84       83       1"), out _);
        Assert.That(TaskTable.Difference(s, k), Is.EqualTo("simulator 'sensor periodic 84 84 0 0/0 0' vs kernel 'sensor periodic 84 83 1 0/0 0'"));
        var missing = TaskTable.Read(KernelOut.Replace("housekeeping     background", "housekeeping     ignored"), out _);
        Assert.That(TaskTable.Difference(s, missing), Is.EqualTo("task 'housekeeping' only in the simulator's table"));
    }

    // A partitioned run on two CPUs as the simulator prints it (sched/sim Program.Print):
    // one table per CPU under its "cpu N:" line, then the guest report's own task table
    // of a periodic guest, which is not part of the host's tables.
    const string PerCpuOut =
@"workload sched/examples/smp-partitioned-2cpu.wl: scheduler edf, duration 120ms, seed 1, 6 task(s)

cpu 0:
task             kind       cpu prio released     jobs  misses   resp-min  resp-mean   resp-max postponed rm-missed   cpu-time
a                periodic     0   10       31       30       0        1ms 1.333333ms        2ms       0/0         0       30ms
cpu 0 total: 30 jobs, 0 deadline misses, 81 switches, idle 20ms

cpu 1:
task             kind       cpu prio released     jobs  misses   resp-min  resp-mean   resp-max postponed rm-missed   cpu-time
d                periodic     1   11       25       24       0        3ms     3.25ms        4ms       0/0         0       72ms
cpu 1 total: 24 jobs, 0 deadline misses, 61 switches, idle 6ms

total: 54 jobs, 0 deadline misses, 142 switches, idle 26ms
analysis cpu 0: EDF utilization test: schedulable: U = 0.25 (1/4) <= 1

guest rt/0 on cpu 3:
task             kind       cpu prio released     jobs  misses   resp-min  resp-mean   resp-max postponed rm-missed   cpu-time
sense            periodic     0    1        9        9       0        2ms        2ms        2ms       0/0         0       18ms
";

    [Test]
    public void TaskTable_ReadsEveryCpusTableOfAPartitionedRun()
    {
        var rows = TaskTable.Read(PerCpuOut, out string err);
        Assert.That(err, Is.Null);
        Assert.That(rows.Select(r => r.ToString()), Is.EqualTo(new[]
        {
            "a periodic 31 30 0 0/0 0",
            "d periodic 25 24 0 0/0 0",
        }), "both CPUs' tables in order; the table after the total is not one of them");
        // A kernel that put task d on no CPU's table (or dropped CPU 1's table) differs.
        var k = TaskTable.Read(PerCpuOut.Replace("\ncpu 1:\n", "\nnot a cpu title\n"), out _);
        Assert.That(TaskTable.Difference(rows, k), Is.EqualTo("task 'd' only in the simulator's table"));
    }

    [Test]
    public void TaskTable_OneTableWithoutACpuTitleEndsAtItsEmptyLine()
    {
        // The guest report's host table is not under a "cpu N:" line: a later "cpu N:" table is not read.
        var rows = TaskTable.Read(SimOut + "\ncpu 1:\n" + PerCpuOut.Split("cpu 1:\n")[1], out _);
        Assert.That(rows, Has.Count.EqualTo(3));
    }

    [Test]
    public void TaskTable_NoTableOrAMissingColumn()
    {
        Assert.That(TaskTable.Read("PANIC: out of memory\n", out string err), Is.Null);
        Assert.That(err, Is.Null);
        Assert.That(TaskTable.Read("task kind cpu prio released jobs misses\n", out err), Is.Null);
        Assert.That(err, Does.Contain("no 'postponed' column"));
    }

    static string Trx(string counters, string results = "") =>
        "\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" +
        "<TestRun id=\"1\" xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\">\n<Results>\n" + results +
        "</Results>\n<ResultSummary outcome=\"Failed\">\n<Counters " + counters + " />\n</ResultSummary>\n</TestRun>\n";

    [Test]
    public void Trx_CountsAndFailures()
    {
        string results =
            "<UnitTestResult testName=\"Heap_Works\" outcome=\"Passed\" />\n" +
            "<UnitTestResult testName=\"Edf_Misses\" outcome=\"Failed\"><Output><ErrorInfo><Message>\n  Expected: 3\n  But was: 4\n</Message></ErrorInfo></Output></UnitTestResult>\n" +
            "<UnitTestResult testName=\"Hangs\" outcome=\"Timeout\" />\n";
        var r = TrxResults.Parse(Trx("total=\"5\" executed=\"5\" passed=\"3\" failed=\"1\" error=\"0\" timeout=\"1\" aborted=\"0\" notExecuted=\"0\"", results), out string err);
        Assert.That(err, Is.Null);
        Assert.That((r.Total, r.Passed, r.Failed), Is.EqualTo((5, 3, 2)));
        Assert.That(r.Failures.Select(f => f.Name + ": " + f.Message), Is.EqualTo(new[] { "Edf_Misses: Expected: 3", "Hangs: " }));
    }

    [Test]
    public void Trx_NotATestResultsFile()
    {
        Assert.That(TrxResults.Parse("<TestRun><Results /></TestRun>", out string err), Is.Null);
        Assert.That(err, Does.Contain("ResultSummary"));
        Assert.That(TrxResults.Parse("Build FAILED.", out err), Is.Null);
        Assert.That(err, Does.StartWith("not XML"));
    }

    const string PanicRun =
"KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: panic\n    1..1\n" +
"# PANIC: page fault (#PF) vector 14 at 0x0\n# RIP 0xffffffff80001234\n    not ok 1 unexpected_page_fault_ends_run\n# selftest: panic\n";

    [Test]
    public void PanicCase_Verdict()
    {
        Assert.That(PanicCase.Check(Capture.FromText(PanicRun, 37), "unexpected_page_fault_ends_run", "page fault (#PF) vector 14", "# RIP "), Is.True);
        Assert.That(PanicCase.Check(Capture.FromText(PanicRun, 33), "unexpected_page_fault_ends_run", "page fault (#PF) vector 14", "# RIP "), Is.False, "status");
        Assert.That(PanicCase.Check(Capture.FromText(PanicRun, 37), "unexpected_page_fault_ends_run", "double fault", "# RIP "), Is.False, "text");
        Assert.That(PanicCase.Check(Capture.FromText(PanicRun + "the run continued\n", 37), "unexpected_page_fault_ends_run", "page fault", "# RIP "), Is.False);
        Assert.That(PanicCase.Check(Capture.FromText(PanicRun.Replace("    not ok 1", "    ok 1"), 37), "unexpected_page_fault_ends_run", "page fault", "# RIP "), Is.False);
    }

    [Test]
    public void BootPanicCase_Verdict()
    {
        const string text = "osprey: boot\nPANIC: timer calibration: calib=hpet: no HPET table\n# selftest: panic\n";
        Assert.That(BootPanicCase.Check(Capture.FromText(text, 37), "timer calibration: calib=hpet: no HPET table"), Is.True);
        Assert.That(BootPanicCase.Check(Capture.FromText("KTAP version 1\n" + text, 37), "timer calibration: calib=hpet: no HPET table"), Is.False, "no suite may run");
        Assert.That(BootPanicCase.Check(Capture.FromText(text, null), "timer calibration: calib=hpet: no HPET table"), Is.False, "killed at the limit");
    }

    [Test]
    public void TraceCase_ReportMustNameEveryThreadAndNoDrop()
    {
        const string ok = "tracetool: a.svg, a.json: 573 events, 6 threads, 98 execution slices, 0 deadline misses, 0 dropped, 100.99 ms";
        Assert.That(TraceCase.Drawn(ok, 6), Is.True);
        Assert.That(TraceCase.Drawn(ok, 5), Is.False);
        Assert.That(TraceCase.Drawn(ok.Replace("0 dropped", "12 dropped"), 6), Is.False);
    }

    [Test]
    public void StageList_NamesAreUniqueAndSelectable()
    {
        var stages = StageList.All();
        var names = stages.SelectMany(s => s.Cases).Select(c => c.Name).ToList();
        Assert.That(names, Is.Unique, "case names name the log files");
        Assert.That(stages.Count(s => s.Matches("panic")), Is.EqualTo(1));
        Assert.That(stages.Count(s => s.Matches("compare-edf-u095")), Is.EqualTo(1));
        Assert.That(stages.First().Cases.Single(), Is.InstanceOf<HostTestsCase>());
    }

    [Test]
    public void Tally_AddsAndPrintsTheClosingLine()
    {
        var t = new Tally(1322, 0) + new Tally(128, 2) + Tally.Pass + Tally.Fail;
        Assert.That(t.ToString(), Is.EqualTo("1451 passed, 3 failed"));
    }

    [Test]
    public void SerialView_ADumpBecomesOneLine()
    {
        var f = new SerialView.DumpFilter();
        var shown = new[] { "boot\r", "# trace begin\r", "osprey-trace 1", "1 0 run", "# trace end\r", "after" }
            .Select(f.Feed).Where(l => l != null).ToList();
        Assert.That(shown, Is.EqualTo(new[] { "boot\r", "# trace: 2 lines dumped (kept in the log)", "after" }));
    }
}

/// <summary>The QEMU command lines of ./build.sh run.</summary>
[TestFixture]
public class RunCommandTests
{
    static string Line(RunRequest r)
    {
        var a = RunCommand.Arguments(r, "/r", out string err);
        Assert.That(err, Is.Null);
        return string.Join(" ", a);
    }

    [Test]
    public void TheDemoExitsAndWordsAreKept()
    {
        Assert.That(Line(new RunRequest()), Does.EndWith("-kernel /r/out/kernel.elf -initrd kernel/default.wl workload -append exit"));
        Assert.That(Line(new RunRequest { Words = { "sched=edf" } }), Does.EndWith("-append sched=edf"));
        Assert.That(Line(new RunRequest { Icount = true }), Does.Contain("-icount shift=0,sleep=off"));
        Assert.That(Line(new RunRequest()), Does.Contain("-display none"));
        Assert.That(Line(new RunRequest { Screen = true }), Does.Not.Contain("-display"));
    }

    [Test]
    public void TraceAddsTraceAndExitOnce()
    {
        Assert.That(Line(new RunRequest { Trace = "out/t.svg", Words = { "sched=edf" } }), Does.EndWith("-append sched=edf trace exit"));
        Assert.That(Line(new RunRequest { Trace = "out/t.svg", Words = { "trace=4096", "exit" } }), Does.EndWith("-append trace=4096 exit"));
    }

    [Test]
    public void IsoAndUefi()
    {
        Assert.That(Line(new RunRequest { Iso = true }), Does.EndWith("-cdrom /r/out/kernel.iso"));
        Assert.That(Line(new RunRequest { Uefi = true }), Does.EndWith("-cdrom /r/out/kernel.iso -bios /usr/share/ovmf/OVMF.fd"));
        Assert.That(RunCommand.Arguments(new RunRequest { Uefi = true, Trace = "x.svg" }, "/r", out string err), Is.Null);
        Assert.That(err, Does.Contain("--trace boots with -kernel"));
        Assert.That(RunCommand.Arguments(new RunRequest { Workload = "/nonexistent.wl" }, "/r", out err), Is.Null);
        Assert.That(err, Is.EqualTo("run: workload file '/nonexistent.wl' not found"));
    }
}

/// <summary>The benchmark figures and the two tables' verdicts.</summary>
[TestFixture]
public class BenchTableTests
{
    [Test]
    public void Extract_TakesOnlyWellFormedBenchLines()
    {
        var f = BenchFigures.Extract("osprey", "icount", "# BENCH cyclictest_max 1200 ns\r\n# BENCH broken\nBENCH x 1 ns\n  # BENCH pingpong_round_trip 900 ns\n");
        Assert.That(f.Select(b => b.ToString()), Is.EqualTo(new[]
        {
            "BENCH osprey icount cyclictest_max 1200 ns",
            "BENCH osprey icount pingpong_round_trip 900 ns",
        }));
        Assert.That(BenchFigures.ReadResults(string.Join("\n", f) + "\nnoise\n"), Is.EqualTo(f));
    }

    static List<BenchFigure> Figures(params string[] lines) => BenchFigures.ReadResults(string.Join("\n", lines));

    [Test]
    public void Compare_RatiosAndTargets()
    {
        var f = Figures(
            "BENCH osprey icount cyclictest_max 1000 ns", "BENCH linux icount cyclictest_max 4000 ns",
            "BENCH osprey icount pingpong_round_trip 100 ns", "BENCH linux icount pingpong_round_trip 1500 ns",
            "BENCH osprey plain cyclictest_max 2000 ns",
            "BENCH osprey icount ready_edf_random_release_10 50 ns");
        string t = BenchTables.Compare(f);
        string[] lines = t.Split('\n');
        Assert.That(lines[0], Does.StartWith("figure                         unit          osprey-ic     linux-ic    ratio"));
        Assert.That(lines[1], Is.EqualTo("cyclictest_max                 ns                 1000         4000     4.0x         2000            -        -"));
        Assert.That(t, Does.Not.Contain("ready_"));
        Assert.That(t, Does.Contain("target: wake-up latency max under icount at least 5x below Linux-RT: 4.0x (MISSED)"));
        Assert.That(t, Does.Contain("target: semaphore ping-pong at least 10x cheaper than Linux pipe ping-pong under icount: 15.0x (met)"));
    }

    [Test]
    public void Compare_WithoutLinuxHasNoTargets()
    {
        string t = BenchTables.Compare(Figures("BENCH osprey icount cyclictest_max 1000 ns"));
        Assert.That(t, Does.Not.Contain("target"));
    }

    [Test]
    public void Compare_SmpRowsListedWithNotMeasuredOspreyCells()
    {
        var f = Figures(
            "BENCH osprey icount cyclictest_max 1000 ns",
            "BENCH linux plain smp_wakeup_max 90000 ns",
            "BENCH linux plain smp_cyclictest_cpu3_max 123456 ns");
        string t = BenchTables.Compare(f);
        string[] lines = t.Split('\n');
        int head = System.Array.IndexOf(lines, "multi-CPU (-smp 4)");
        Assert.That(head, Is.GreaterThan(1), t);
        // Every row in BenchTables.SmpRows order, right after the heading, even those nobody printed.
        Assert.That(lines.Skip(head + 1).Take(BenchTables.SmpRows.Count).Select(l => l.Split(' ')[0]), Is.EqualTo(BenchTables.SmpRows));
        Assert.That(BenchTables.SmpRows, Has.Count.EqualTo(17));
        Assert.That(lines, Does.Contain("smp_wakeup_max                 ns                    \u2014            -        -            \u2014        90000        -"));
        Assert.That(lines, Does.Contain("smp_cyclictest_cpu3_max        ns                    \u2014            -        -            \u2014       123456        -"));
        Assert.That(lines[head + 1 + BenchTables.SmpRows.Count], Is.EqualTo("\u2014 Osprey: not measured in this run (no multi-CPU boot of the kernel: --linux-only, or its boot printed no figures)"));
        // Without a Linux -icount run there is nothing to explain about its column.
        Assert.That(t, Does.Not.Contain("linux-ic: not run"));
        // The single-CPU rows do not take the multi-CPU ones in.
        Assert.That(lines.Take(head).Count(l => l.StartsWith("smp_", System.StringComparison.Ordinal)), Is.Zero);
    }

    [Test]
    public void Compare_OspreySmpFiguresFillTheColumnAndRatio()
    {
        var all = new List<string>();
        foreach (var row in BenchTables.SmpRows)
        {
            all.Add($"BENCH osprey icount {row} 1000 ns");
            all.Add($"BENCH linux icount {row} 7500 ns");
        }
        string t = BenchTables.Compare(Figures(all.ToArray()));
        Assert.That(t.Split('\n'), Does.Contain("smp_pingpong_round_trip        ns                 1000         7500     7.5x            \u2014            -        -"));
        // The plain column is still missing: the note stays, for those cells.
        Assert.That(t, Does.Contain(BenchTables.PartlyMeasuredNote));
        foreach (var row in BenchTables.SmpRows)
        {
            all.Add($"BENCH osprey plain {row} 2000 ns");
            all.Add($"BENCH linux plain {row} 3000 ns");
        }
        t = BenchTables.Compare(Figures(all.ToArray()));
        Assert.That(t.Split('\n'), Does.Contain("smp_wakeup_min                 ns                 1000         7500     7.5x         2000         3000     1.5x"));
        Assert.That(t, Does.Not.Contain("\u2014"));
        Assert.That(t, Does.Not.Contain("linux-ic: not run"));
    }

    [Test]
    public void Compare_LinuxIcountWithoutSmpFiguresIsExplained()
    {
        string t = BenchTables.Compare(Figures("BENCH linux icount cyclictest_max 4000 ns", "BENCH linux plain smp_wakeup_max 90000 ns"));
        Assert.That(t.Split('\n'), Does.Contain(BenchTables.LinuxIcountNote));
    }

    const string CyclictestOut =
        "# linux: 6.1.0-57-rt-amd64, 4 cpu, clocksource tsc\n" +
        "# cyclictest-smp: # /dev/cpu_dma_latency set to 0us\n" +
        "# cyclictest-smp: T: 0 (  123) P:99 I:1000 C:  10000 Min:   3562 Act:    4012 Avg:    3916 Max:    6006\r\n" +
        "# cyclictest-smp: T: 1 (  124) P:99 I:1000 C:  10000 Min:   3600 Act:    4100 Avg:    4000 Max:   16006\n" +
        "# cyclictest-smp: T: 2 (  125) P:99 I:1000 C:  10000 Min:   3700 Act:    4200 Avg:    4100 Max:    7000\n" +
        "# cyclictest-smp: T: 3 (  126) P:99 I:1000 C:  10000 Min:   3800 Act:10141680 Avg: 6633869 Max:348542890\n" +
        "T: 9 ( 1) P:99 I:1000 C: 1 Min: 1 Act: 1 Avg: 1 Max: 1\n";

    [Test]
    public void CyclictestSmp_PerCpuFigures()
    {
        var f = CyclictestSmp.Figures("icount", CyclictestOut, 4, 10000, out var error);
        Assert.That(error, Is.Null);
        Assert.That(f!.Select(b => b.ToString()).Take(4), Is.EqualTo(new[]
        {
            "BENCH linux icount smp_cyclictest_cpu0_min 3562 ns",
            "BENCH linux icount smp_cyclictest_cpu0_mean 3916 ns",
            "BENCH linux icount smp_cyclictest_cpu0_max 6006 ns",
            "BENCH linux icount smp_cyclictest_cpu1_min 3600 ns",
        }));
        Assert.That(f, Has.Count.EqualTo(12));
        Assert.That(f.Single(b => b.Name == "smp_cyclictest_cpu1_max").Value, Is.EqualTo("16006"));
        // Wide figures leave no space after the colon.
        Assert.That(f.Single(b => b.Name == "smp_cyclictest_cpu3_max").Value, Is.EqualTo("348542890"));
        // Every per-CPU name is a multi-CPU row of the table.
        Assert.That(f.Select(b => b.Name), Is.SubsetOf(BenchTables.SmpRows));
    }

    [Test]
    public void CyclictestSmp_MissingCpuShortRunOrGarbleIsAnError()
    {
        string three = string.Join("\n", CyclictestOut.Split('\n').Where(l => !l.Contains("T: 2 ")));
        Assert.That(CyclictestSmp.Figures("plain", three, 4, 10000, out var error), Is.Null);
        Assert.That(error, Is.EqualTo("no cyclictest summary for CPU 2 (of 4)"));

        // cyclictest stops the others when one thread is done: fewer loops elsewhere are fine...
        string lagging = CyclictestOut.Replace("C:  10000 Min:   3700", "C:   9000 Min:   3700");
        Assert.That(CyclictestSmp.Figures("plain", lagging, 4, 10000, out error), Has.Count.EqualTo(12));
        // ...but one thread must have completed them, and every thread made one.
        string shortRun = CyclictestOut.Replace("C:  10000", "C:   9000");
        Assert.That(CyclictestSmp.Figures("plain", shortRun, 4, 10000, out error), Is.Null);
        Assert.That(error, Is.EqualTo("no cyclictest thread completed its 10000 loops (the most: 9000)"));
        string idle = CyclictestOut.Replace("C:  10000 Min:   3700", "C:      0 Min:   3700");
        Assert.That(CyclictestSmp.Figures("plain", idle, 4, 10000, out error), Is.Null);
        Assert.That(error, Is.EqualTo("log line 5: thread 2 made no loop"));

        string garbled = CyclictestOut.Replace("Avg:    4100", "Avg: n/a");
        Assert.That(CyclictestSmp.Figures("plain", garbled, 4, 10000, out error), Is.Null);
        Assert.That(error, Does.StartWith("log line 5: not a cyclictest summary line: 'T: 2 (  125)"));

        string twice = CyclictestOut + "# cyclictest-smp: T: 1 (  124) P:99 I:1000 C:  10000 Min: 1 Act: 1 Avg: 1 Max: 1\n";
        Assert.That(CyclictestSmp.Figures("plain", twice, 4, 10000, out error), Is.Null);
        Assert.That(error, Is.EqualTo("log line 8: a second summary for thread 1"));
    }

    [Test]
    public void ReadyScaling_RowsRatiosAndTargets()
    {
        var f = Figures(
            "BENCH osprey icount ready_priority_periodic_release_10 100 ns",
            "BENCH osprey icount ready_priority_periodic_release_100 100 ns",
            "BENCH osprey icount ready_priority_periodic_release_1000 105 ns",
            "BENCH osprey icount ready_priority_periodic_release_10000 108 ns",
            "BENCH osprey icount ready_edf_random_pick-next_10 40 ns",
            "BENCH osprey icount ready_edf_random_pick-next_10000 81 ns",
            "BENCH osprey plain ready_edf_random_pick-next_10000 9999 ns");
        string t = BenchTables.ReadyScaling(f, out var missed);
        string[] lines = t.Split('\n');
        Assert.That(lines[0], Is.EqualTo("policy    pattern   op             N=10    N=100   N=1000  N=10000   ratio"));
        Assert.That(lines[1], Is.EqualTo("priority  periodic  release         100      100      105      108   1.08x"));
        Assert.That(lines[2], Is.EqualTo("edf       random    pick-next        40                         81   2.02x"));
        Assert.That(missed, Is.EqualTo(new[] { "edf random pick-next (2.02x)" }));
        Assert.That(t, Does.Contain("within 2x of N=10: MISSED for edf random pick-next (2.02x)"));
    }

    [Test]
    public void ReadyScaling_PriorityMustStayFlat()
    {
        var f = Figures("BENCH osprey icount ready_priority_random_block_10 100 ns", "BENCH osprey icount ready_priority_random_block_10000 111 ns");
        BenchTables.ReadyScaling(f, out var missed);
        Assert.That(missed, Is.EqualTo(new[] { "priority random block (1.11x)" }));
        Assert.That(BenchTables.ReadyScaling(Figures("BENCH osprey icount cyclictest_max 1 ns"), out _), Is.Null);
    }
}
