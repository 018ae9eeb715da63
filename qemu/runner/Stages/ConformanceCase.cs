// The conformance suite: the checker qemu/conformance runs each workload of a
// directory in the simulator and in the kernel (-icount) and checks both
// tables against the results written from theory beside it (FILE.expect).
// Counts what the checker counts (one test per file and side), read from its
// result file; no result file is one failure.
namespace Osprey.QemuRunner.Stages;

public sealed class ConformanceCase : TestCase
{
    readonly string _dir;
    public ConformanceCase(string dir) { _dir = dir; }
    public override string Name => "conformance";

    public override Tally Run(TestEnv env)
    {
        string result = env.Log("conformance.result");
        File.Delete(result);
        var cmd = new List<string> { "dotnet", env.ConformanceDll, _dir, "--sim", env.SimDll,
            "--out", env.Log("conformance"), "--result", result, "--", "timeout", "300" };
        cmd.AddRange(TestEnv.Qemu(true, "-kernel", env.Kernel));
        var c = Capture.Run(cmd, 3600, env.Log("conformance.log"));
        foreach (var l in c.Lines) env.Output.WriteLine(l);
        foreach (var l in c.StderrLines) env.Output.WriteLine(l);
        var t = ResultFile.Read(result);
        if (t == null) env.Output.WriteLine($"conformance: FAILED (no result file; checker exit {c.Status})");
        return t ?? Tally.Fail;
    }
}

/// <summary>The "passed=N" and "failed=N" lines of a result file.</summary>
public static class ResultFile
{
    /// <summary>The tally, or null when the file or either line is missing.</summary>
    public static Tally? Read(string path)
    {
        if (!File.Exists(path)) return null;
        int? p = null, f = null;
        foreach (var l in File.ReadLines(path))
        {
            if (p == null && l.StartsWith("passed=", StringComparison.Ordinal) && int.TryParse(l[7..], out int a)) p = a;
            if (f == null && l.StartsWith("failed=", StringComparison.Ordinal) && int.TryParse(l[7..], out int b)) f = b;
        }
        return p is int pp && f is int ff ? new Tally(pp, ff) : null;
    }
}
