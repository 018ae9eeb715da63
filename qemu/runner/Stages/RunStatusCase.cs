// `./build.sh run FILE --icount -- clock=exact exit [WORDS]` of a partly
// refused file must exit non-zero (not the time limit's 124) and repeat the kernel's
// refusal and QEMU status on stderr. One test.
namespace Osprey.QemuRunner.Stages;

public sealed class RunStatusCase : TestCase
{
    readonly string _file, _refusal;
    readonly int _status;

    /// <param name="refusal">the start of the refusal the kernel prints (e.g. "rejected: line 12: field 'slice'")</param>
    /// <param name="status">the QEMU status the kernel ends with</param>
    /// <param name="words">further kernel words (e.g. "cpus=1": run boots four CPUs)</param>
    public RunStatusCase(string workloadFile, string refusal, int status, string name = "run-status", params string[] words) { _file = workloadFile; _refusal = refusal; _status = status; _name = name; _words = words; }
    readonly string _name;
    readonly string[] _words;
    public override string Name => _name;

    public override Tally Run(TestEnv env)
    {
        var c = Capture.Run(new[] { Path.Combine(env.Root, "build.sh"), "run", _file, "--icount", "--", "clock=exact", "exit" }.Concat(_words).ToArray(),
            120, env.Log(Name + ".out"));
        bool ok = Check(c, _refusal, _status);
        if (ok) env.Output.WriteLine($"build.sh run of a partly refused file: exit status {c.Status}, the refusal repeated: ok");
        else
        {
            env.Output.WriteLine($"build.sh run of a partly refused file: FAILED (exit status {c.Status}, expected non-zero with the refusal)");
            foreach (var l in c.Tail(5)) env.Output.WriteLine(l);
        }
        return Tally.Of(ok);
    }

    /// <summary>The verdict on a captured `./build.sh run` (stdout and stderr both searched).</summary>
    public static bool Check(Capture c, string refusal, int status)
    {
        var all = c.Lines.Concat(c.StderrLines).ToList();
        return c.ExitCode is int rc && rc != 0 && rc != 124
            && all.Any(l => l.StartsWith("build.sh:   " + refusal, StringComparison.Ordinal))
            && all.Any(l => l.StartsWith($"build.sh: error: run: the kernel ended with QEMU status {status}", StringComparison.Ordinal));
    }
}
