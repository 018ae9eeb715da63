// Run control: a workload that overloads the CPU (periods of 1 us, 1 ns),
// starves everything (priority 0) or holds a tiny CBS budget must still end
// (-icount, clock=exact exit): QEMU status 33, the stop within 100 us of the
// run's end and every thread ended within 20 ms of it (guest time, from the
// kernel's "run control:" line). One test per file.
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner.Stages;

public sealed class RunControlCase : TestCase
{
    public const long MaxStopNs = 100_000, MaxEndedNs = 20_000_000;
    const string Prefix = "run control: stopped at the end + ";
    static readonly Regex Stop = new(@"^run control: stopped at the end \+ ([0-9.]*[a-z]*) ", RegexOptions.CultureInvariant);
    static readonly Regex Ended = new(@" ended at the end \+ ([0-9.]*[a-z]*)$", RegexOptions.CultureInvariant | RegexOptions.RightToLeft);

    readonly string _file;
    public RunControlCase(string workloadFile) { _file = workloadFile; }
    public override string Name => Path.GetFileNameWithoutExtension(_file);

    /// <summary>One case per file of <paramref name="dir"/> matching <paramref name="pattern"/>, in name order
    /// (read when the stage runs, so a new file needs no new line).</summary>
    public static TestCase Each(string dir, string pattern) => new EachFile(dir, pattern);

    public override Tally Run(TestEnv env)
    {
        var k = Capture.Run(env.KernelBoot(true, _file, "clock=exact exit"), 120, env.Log(Name + ".log"));
        var (stop, ended) = Read(k.Lines);
        var o = env.Output;
        if (Check(k.ExitCode, stop, ended))
        {
            o.WriteLine($"run control {Name}: stopped at the end + {stop}, threads ended at the end + {ended}: ok");
            return Tally.Pass;
        }
        o.WriteLine($"run control {Name}: FAILED (QEMU status {k.Status}, expected 33; stop '{stop}' <= 100us, end '{ended}' <= 20ms)");
        foreach (var l in k.Tail(5)) o.WriteLine(l);
        return Tally.Fail;
    }

    /// <summary>The stop and end delays of the first "run control: stopped at the end + ..." line ("" when absent).</summary>
    public static (string Stop, string Ended) Read(IEnumerable<string> lines)
    {
        string? line = lines.FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        if (line == null) return ("", "");
        var s = Stop.Match(line);
        var e = Ended.Match(line);
        return (s.Success ? s.Groups[1].Value : "", e.Success ? e.Groups[1].Value : "");
    }

    public static bool Check(int? exitCode, string stop, string ended) =>
        exitCode == ExitCodes.Pass && stop.Length > 0 && ended.Length > 0
        && Durations.ToNs(stop) is long s && s <= MaxStopNs && Durations.ToNs(ended) is long e && e <= MaxEndedNs;

    sealed class EachFile : TestCase
    {
        readonly string _dir, _pattern;
        public EachFile(string dir, string pattern) { _dir = dir; _pattern = pattern; }
        public override string Name => "runctl";
        public override Tally Run(TestEnv env)
        {
            var files = Directory.Exists(_dir) ? Directory.GetFiles(_dir, _pattern).OrderBy(f => f, StringComparer.Ordinal).ToArray() : Array.Empty<string>();
            if (files.Length == 0)
            {
                env.Output.WriteLine($"run control: FAILED (no file {_dir}/{_pattern})");
                return Tally.Fail;
            }
            var t = new Tally(0, 0);
            foreach (var f in files) t += new RunControlCase(env.Rel(Path.GetFullPath(f))).Run(env);
            return t;
        }
    }
}
