// The scheduling trace end to end: a short workload booted with `trace exit`
// under -icount; the trace tool must find the dump (nothing dropped) and draw
// every task's thread. One test.
using System.Text.RegularExpressions;
using Osprey.TraceTool;

namespace Osprey.QemuRunner.Stages;

public sealed class TraceCase : TestCase
{
    readonly string _workload;
    readonly int _threads;
    public TraceCase(string workload, int threads) { _workload = workload; _threads = threads; }
    public override string Name => "trace-e2e";

    public override Tally Run(TestEnv env)
    {
        string log = env.Log(Name + ".log"), svg = env.Log(Name + ".svg"), json = env.Log(Name + ".json");
        File.Delete(json);
        var k = Capture.Run(env.KernelBoot(true, _workload, "trace exit"), 120, log);
        var tout = new StringWriter();
        int trc = TraceToolApp.Run(new[] { log, svg }, tout, tout);
        bool ok = k.ExitCode == ExitCodes.Pass && trc == 0 && Drawn(tout.ToString(), _threads)
            && File.Exists(json) && new FileInfo(json).Length > 0;
        if (ok)
        {
            env.Output.WriteLine($"trace end to end: kernel dump of {Path.GetFileName(_workload)} -> {env.Rel(svg)} and .json: ok");
            return Tally.Pass;
        }
        env.Output.WriteLine($"trace end to end: FAILED (QEMU status {k.Status}, expected 33; trace tool exit {trc}): {tout.ToString().Trim()}");
        foreach (var l in k.Tail(5)) env.Output.WriteLine(l);
        return Tally.Fail;
    }

    /// <summary>Whether the trace tool's report names <paramref name="threads"/> threads and 0 dropped events.</summary>
    public static bool Drawn(string report, int threads) =>
        Regex.IsMatch(report, $@" {threads} threads, .* 0 dropped", RegexOptions.CultureInvariant);
}
