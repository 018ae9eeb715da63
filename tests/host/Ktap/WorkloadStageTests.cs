using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using Osprey.QemuRunner;
using Osprey.QemuRunner.Stages;

namespace Osprey.Tests.Ktap;

/// <summary>The workload checks of the test run without QEMU: durations, the run-control line, the
/// guest report's comparable lines, clocks, admitted cores and misses, the core-limit file, the verdict
/// on `./build.sh run`, the reason it repeats, and result files.</summary>
[TestFixture]
public class WorkloadStageTests
{
    const string GuestsOut =
@"task             kind       cpu prio released     jobs  misses   resp-min  resp-mean   resp-max postponed rm-missed   cpu-time
host-ctl         periodic     0   10      401      400       0      250us      250us      250us       0/0         0      100ms

guest cores on cpu 0: share 1/1 (100%, 1000000 ppm), admitted 9/10 (90%, 900000 ppm), 3 core(s), run 1s
core           kind     dilation   period    slice extra  reserved  received  in-slice extra-time misses  overuse periods   per-min   per-max
hog/0          hog           1/1    100ms     20ms    no       20%       20%     200ms          0      0        0      10      20ms      20ms
rt/0           periodic      2/1    100ms     30ms    no       30%       20%     200ms          0      2        0      20      10ms      10ms

virtual interrupts (delivery error = guest clock at delivery - deadline, guest time):
core            guest-clock delivered   err-min  err-mean   err-max  halts  wakes  wake-clip throttles
hog/0                    1s        38     1.5ms 16.755263ms    74.2ms      0      0          0        10
rt/0                   2.5ms      119         0 764.705us     1.4ms    120    120       60ms         0

guest 'rt' on vcore rt/0: scheduler edf, dilation 2/1, 2 task(s); times in guest time
task             kind       cpu prio released     jobs  misses   resp-min  resp-mean   resp-max postponed rm-missed   cpu-time
sense            periodic     0   10      101      100       0        2ms     2.92ms      3.4ms       0/0         0      200ms
act              periodic     0   11       41       40       1        5ms      6.6ms      8.4ms       0/0         0      200ms
guest 'rt': 140 jobs, 0 deadline misses
task             kind       cpu prio released     jobs  misses
after            periodic     0   1  9 9 9
rejected: line 27: field 'slice': vcore late/0 on cpu 0: asks too much
";

    static string[] Lines(string text) => text.Replace("\r", "").Split('\n');

    [TestCase("0", 0L)]
    [TestCase("12.5us", 12500L)]
    [TestCase("3ms", 3000000L)]
    [TestCase("2s", 2000000000L)]
    [TestCase("700ns", 700L)]
    [TestCase("1.2.3us", 1200L)]
    public void Durations_ToNs(string text, long ns) => Assert.That(Durations.ToNs(text), Is.EqualTo(ns));

    [Test]
    public void Durations_NoNumber() => Assert.That(Durations.ToNs("us"), Is.Null);

    [Test]
    public void RunControl_ReadsTheLineAndChecksBothLimits()
    {
        var lines = new[] { "osprey: run", "run control: stopped at the end + 12.5us (timer), 5 thread(s) ended at the end + 3ms", "run control: stopped at the end + 9s x" };
        var (stop, ended) = RunControlCase.Read(lines);
        Assert.That((stop, ended), Is.EqualTo(("12.5us", "3ms")));
        Assert.That(RunControlCase.Check(ExitCodes.Pass, stop, ended), Is.True);
        Assert.That(RunControlCase.Check(ExitCodes.Fail, stop, ended), Is.False);
        Assert.That(RunControlCase.Check(ExitCodes.Pass, "100.001us", ended), Is.False);
        Assert.That(RunControlCase.Check(ExitCodes.Pass, "100us", "20.000001ms"), Is.False);
        Assert.That(RunControlCase.Check(ExitCodes.Pass, "100us", "20ms"), Is.True);
        Assert.That(RunControlCase.Read(new[] { "no such line" }), Is.EqualTo(("", "")));
        Assert.That(RunControlCase.Check(ExitCodes.Pass, "", ""), Is.False);
    }

    [Test]
    public void GuestReport_ComparableLines()
    {
        var c = GuestReport.Comparable(Lines(GuestsOut + "\r"));
        Assert.That(c, Is.EqualTo(new[]
        {
            "title guest cores on cpu 0: share 1/1 (100%, 1000000 ppm), admitted 9/10 (90%, 900000 ppm), 3 core(s)",
            "core hog/0 0 10",
            "core rt/0 2 20",
            "task 'rt' sense 100 0",
            "task 'rt' act 40 1",
            "rejected: line 27: field 'slice': vcore late/0 on cpu 0: asks too much",
        }));
    }

    [Test]
    public void GuestReport_ClocksWithinOneMillisecondAhead()
    {
        var sim = Lines(GuestsOut);
        Assert.That(GuestReport.Clocks(sim), Is.EqualTo(new (string, long?)[] { ("hog/0", 1000000000L), ("rt/0", 2500000L) }));
        Assert.That(GuestReport.ClockDifferences(sim, sim), Is.Empty);
        var ahead = Lines(GuestsOut.Replace("rt/0                   2.5ms", "rt/0                   3.6ms"));
        Assert.That(GuestReport.ClockDifferences(sim, ahead), Is.EqualTo(new[] { "rt/0 2500000 3600000" }));
        var behind = Lines(GuestsOut.Replace("hog/0                    1s", "hog/0                  999ms"));
        Assert.That(GuestReport.ClockDifferences(sim, behind), Is.EqualTo(new[] { "hog/0 1000000000 999000000" }));
    }

    [Test]
    public void GuestReport_AdmittedCoresAndMisses()
    {
        var l = Lines(GuestsOut);
        Assert.That(GuestReport.AdmittedCores(l), Is.EqualTo("3"));
        Assert.That(GuestReport.Misses(l), Is.EqualTo(new[] { "rt/0 2" }));
        Assert.That(GuestReport.Misses(Lines(GuestsOut.Replace("0      2        0      20", "0      0        0      20"))), Is.Empty);
        // A row too short to have the misses column counts as a miss (nothing to show it is 0).
        Assert.That(GuestReport.Misses(new[] { "core           kind     dilation", "x/0 hog 1/1" }), Is.EqualTo(new[] { "x/0 " }));
    }

    [Test]
    public void GuestLimit_FileHasCoreIOnLineIPlus4()
    {
        var lines = GuestLimitCase.Workload(3).Split('\n');
        Assert.That(lines[0], Is.EqualTo("scheduler edf"));
        Assert.That(lines[2], Is.EqualTo("guest name=g workload=idle"));
        Assert.That(lines[2 + 4 - 1], Is.EqualTo("  vcore id=2 period=100ms slice=10us"));
        Assert.That(lines.Count(l => l.StartsWith("  vcore ")), Is.EqualTo(3));
        var parsed = Osprey.Sched.Workload.WorkloadParser.ParseText(GuestLimitCase.Workload(Osprey.Sched.Workload.WorkloadLimits.MaxGuestCores + 1));
        Assert.That(parsed.Ok, Is.False);
        Assert.That(parsed.Line, Is.EqualTo(Osprey.Sched.Workload.WorkloadLimits.MaxGuestCores + 4), parsed.Error);
        Assert.That(parsed.Field, Is.EqualTo("vcore"), parsed.Error);
    }

    [Test]
    public void RunStatus_NonZeroWithTheRefusalAndTheStatus()
    {
        const string err = "build.sh:   rejected: line 12: field 'slice': too much\nbuild.sh: error: run: the kernel ended with QEMU status 35 (reason above)";
        var good = Capture.FromText(err, 1);
        Assert.That(RunStatusCase.Check(good, "rejected: line 12: field 'slice'", ExitCodes.Fail), Is.True);
        Assert.That(RunStatusCase.Check(Capture.FromText(err, 0), "rejected: line 12: field 'slice'", ExitCodes.Fail), Is.False);
        Assert.That(RunStatusCase.Check(Capture.FromText(err, 124), "rejected: line 12: field 'slice'", ExitCodes.Fail), Is.False);
        Assert.That(RunStatusCase.Check(good, "rejected: line 13", ExitCodes.Fail), Is.False);
        Assert.That(RunStatusCase.Check(good, "rejected: line 12", ExitCodes.Panic), Is.False);
    }

    [Test]
    public void Run_FailureReasonKeepsTheKernelsReasonLines()
    {
        var log = new[] { "osprey: boot\r", "rejected: line 12: field 'slice': x\r", "note: y", "osprey: error: z", "    not ok 3 t", "  not ok 1 s", "osprey: workload refused" }
            .Concat(Enumerable.Repeat("note: more", 20));
        var why = RunCommand.FailureReason(log);
        Assert.That(why.Count, Is.EqualTo(12));
        Assert.That(why.Take(5), Is.EqualTo(new[] { "rejected: line 12: field 'slice': x", "note: y", "osprey: error: z", "    not ok 3 t", "osprey: workload refused" }));
    }

    [Test]
    public void ResultFile_BothLinesNeeded()
    {
        string p = System.IO.Path.GetTempFileName();
        try
        {
            System.IO.File.WriteAllText(p, "passed=12\nfailed=2\n");
            Assert.That(ResultFile.Read(p), Is.EqualTo(new Tally(12, 2)));
            System.IO.File.WriteAllText(p, "passed=12\n");
            Assert.That(ResultFile.Read(p), Is.Null);
            System.IO.File.Delete(p);
            Assert.That(ResultFile.Read(p), Is.Null);
        }
        finally { System.IO.File.Delete(p); }
    }
}
