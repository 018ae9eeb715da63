// The guest checks (-icount, clock=exact exit), one test each: the guest
// report of a file agrees between the simulator and the kernel; one guest
// core above the limit is refused with line and field; cores filling the
// admissible share are all admitted and miss no period.
using System.Text;
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner.Stages;

/// <summary>The kernel's end-of-run guest report (taken before the cores are removed) against the
/// simulator's: the same title (share, admitted, cores), per core the same periods and misses, per guest
/// task the same jobs and misses, the same rejected lines, and guest clocks at most 1 ms past the
/// simulator's; QEMU ends with <c>status</c> (35 when something of the file was refused).</summary>
public sealed class GuestReportCase : TestCase
{
    readonly string _file;
    readonly int _status;
    readonly string[] _qemu;
    /// <summary>qemuArgs: more QEMU arguments for the kernel's boot (e.g. -smp 4 for a file with cores on CPUs 1..3).</summary>
    public GuestReportCase(string workloadFile, int status, params string[] qemuArgs) { _file = workloadFile; _status = status; _qemu = qemuArgs; }
    public override string Name => "guests-" + Path.GetFileNameWithoutExtension(_file);

    public override Tally Run(TestEnv env)
    {
        string name = Path.GetFileNameWithoutExtension(_file);
        // The simulator charges the overheads the kernel measured and charged.
        var kernel = Capture.Run(env.KernelBoot(true, _file, "clock=exact exit", _qemu), 300, env.Log(Name + ".kernel"));
        var sim = Capture.Run(SimCommand(env, _file, kernel.Lines), 300, env.Log(Name + ".sim"));
        var s = GuestReport.Comparable(sim.Lines);
        var k = GuestReport.Comparable(kernel.Lines);
        var clocks = GuestReport.ClockDifferences(sim.Lines, kernel.Lines);
        var o = env.Output;
        if (kernel.ExitCode == _status && s.Count > 0 && s.SequenceEqual(k) && clocks.Count == 0 && k.Any(l => l.StartsWith("title ", StringComparison.Ordinal)))
        {
            o.WriteLine($"guest report {name}: kernel and simulator agree (title, cores, guest tasks, refusals), QEMU status {kernel.Status}: ok");
            return Tally.Pass;
        }
        o.WriteLine($"guest report {name}: FAILED (QEMU status {kernel.Status}, expected {_status})");
        foreach (var d in Differences(s, k).Take(20)) o.WriteLine("  " + d);
        if (clocks.Count > 0) o.WriteLine("  guest clocks (core, simulator ns, kernel ns) beyond 1 ms: " + string.Join(" ", clocks));
        foreach (var l in kernel.Tail(3)) o.WriteLine(l);
        return Tally.Fail;
    }

    /// <summary>The simulator's command line for FILE, with --overheads from the kernel's
    /// "overheads charged: ..." line when it printed one.</summary>
    public static string[] SimCommand(TestEnv env, string file, IEnumerable<string> kernelLines)
    {
        const string Charged = "overheads charged: ";
        string? line = kernelLines.FirstOrDefault(l => l.StartsWith(Charged, StringComparison.Ordinal));
        return line == null ? new[] { "dotnet", env.SimDll, file }
            : new[] { "dotnet", env.SimDll, file, "--overheads", line[Charged.Length..].Trim() };
    }

    /// <summary>The report lines only one side has ("&lt; simulator", "&gt; kernel"), position by position.</summary>
    public static IEnumerable<string> Differences(IReadOnlyList<string> sim, IReadOnlyList<string> kernel)
    {
        for (int i = 0; i < Math.Max(sim.Count, kernel.Count); i++)
        {
            string? a = i < sim.Count ? sim[i] : null, b = i < kernel.Count ? kernel[i] : null;
            if (a == b) continue;
            if (a != null) yield return "< " + a;
            if (b != null) yield return "> " + b;
        }
    }
}

/// <summary>One guest core more than WorkloadLimits.MaxGuestCores (read from sched/workload/WorkloadLimits.cs):
/// the kernel refuses it naming line and field and the limit, and ends with the failure status 35.</summary>
public sealed class GuestLimitCase : TestCase
{
    public const string LimitsFile = "sched/workload/WorkloadLimits.cs";
    static readonly Regex MaxLine = new(@"const int MaxGuestCores = ([0-9]*);", RegexOptions.CultureInvariant);
    public override string Name => "guests-limit";

    /// <summary>A file of one idle guest with <paramref name="cores"/> cores; core i's vcore line is line i + 4.</summary>
    public static string Workload(int cores)
    {
        var sb = new StringBuilder("scheduler edf\nduration 10ms\nguest name=g workload=idle\n");
        for (int i = 0; i < cores; i++) sb.Append($"  vcore id={i} period=100ms slice=10us\n");
        return sb.Append("end\n").ToString();
    }

    public override Tally Run(TestEnv env)
    {
        var m = MaxLine.Match(File.ReadAllText(LimitsFile));
        int max = m.Success && int.TryParse(m.Groups[1].Value, out int v) ? v : -1;
        var o = env.Output;
        if (max < 0)
        {
            o.WriteLine($"guest-core limit: FAILED (no 'const int MaxGuestCores = N;' in {LimitsFile})");
            return Tally.Fail;
        }
        string file = env.Log("guests-limit.wl");
        Directory.CreateDirectory(env.TestDir);
        File.WriteAllText(file, Workload(max + 1));
        var k = Capture.Run(env.KernelBoot(true, file, "clock=exact exit"), 300, env.Log("guests-limit.kernel"));
        int line = max + 4;
        var refusal = new Regex($@"line {line}: field 'vcore'.*\b{max}\b", RegexOptions.CultureInvariant);
        if (k.ExitCode == ExitCodes.Fail && k.Lines.Any(refusal.IsMatch))
        {
            o.WriteLine($"guest-core limit: core {max + 1} refused at line {line}, field 'vcore', QEMU status 35: ok");
            return Tally.Pass;
        }
        o.WriteLine($"guest-core limit: FAILED (QEMU status {k.Status}, expected 35 and a refusal of line {line}, field 'vcore', naming {max})");
        foreach (var l in k.Tail(5)) o.WriteLine(l);
        return Tally.Fail;
    }
}

/// <summary>Guest cores filling the admissible share: QEMU status 33, as many cores admitted as the file has
/// vcore lines, no core missed a period, no rejected line.</summary>
public sealed class AdmittedCase : TestCase
{
    static readonly Regex VcoreLine = new(@"^ *vcore ", RegexOptions.CultureInvariant);
    readonly string _file;
    public AdmittedCase(string workloadFile) { _file = workloadFile; }
    public override string Name => "admitted-" + Path.GetFileNameWithoutExtension(_file);

    public override Tally Run(TestEnv env)
    {
        string name = Path.GetFileNameWithoutExtension(_file);
        var k = Capture.Run(env.KernelBoot(true, _file, "clock=exact exit"), 300, env.Log(Name + ".kernel"));
        string want = File.ReadLines(_file).Count(VcoreLine.IsMatch).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string got = GuestReport.AdmittedCores(k.Lines);
        var missed = GuestReport.Misses(k.Lines);
        var o = env.Output;
        if (k.ExitCode == ExitCodes.Pass && got == want && missed.Count == 0 && !k.HasStart("rejected: "))
        {
            o.WriteLine($"admitted guest cores {name}: {got} core(s) at the admissible share, no period missed: ok");
            return Tally.Pass;
        }
        o.WriteLine($"admitted guest cores {name}: FAILED (QEMU status {k.Status}, {got} of {want} cores admitted; misses: {(missed.Count == 0 ? "none" : string.Join(", ", missed))})");
        foreach (var l in k.Tail(3)) o.WriteLine(l);
        return Tally.Fail;
    }
}
