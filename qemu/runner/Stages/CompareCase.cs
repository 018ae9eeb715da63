// The same workload file in the simulator and in the kernel (-icount,
// clock=exact, exit): per task, the released, jobs, misses, postponed and
// rm-missed columns must be equal. One test per file.
namespace Osprey.QemuRunner.Stages;

public sealed class CompareCase : TestCase
{
    readonly string _file;
    readonly string[] _qemuArgs;
    /// <param name="qemuArgs">further QEMU arguments for the kernel's run (e.g. "-cpu", "EPYC" for real guests)</param>
    public CompareCase(string workloadFile, params string[] qemuArgs) { _file = workloadFile; _qemuArgs = qemuArgs; }
    public override string Name => "compare-" + Path.GetFileNameWithoutExtension(_file);

    public override Tally Run(TestEnv env)
    {
        string name = Path.GetFileNameWithoutExtension(_file);
        var sim = Capture.Run(new[] { "dotnet", env.SimDll, _file }, 300, env.Log(Name + ".sim"));
        var kernel = Capture.Run(env.KernelBoot(true, _file, "clock=exact exit", _qemuArgs), 300, env.Log(Name + ".kernel"));
        var s = TaskTable.Read(sim.Text, out string? serr) ?? new List<TaskCounts>();
        var k = TaskTable.Read(kernel.Text, out string? kerr) ?? new List<TaskCounts>();
        string? diff = TaskTable.Difference(s, k);
        bool ok = sim.ExitCode == 0 && kernel.ExitCode == ExitCodes.Pass && s.Count > 0 && diff == null;
        var o = env.Output;
        if (ok)
        {
            o.WriteLine($"compare {name}: simulator and kernel agree on every task's releases, jobs, misses and postponed jobs: ok");
            return Tally.Pass;
        }
        o.WriteLine($"compare {name}: FAILED (sim exit {sim.Status}, kernel QEMU status {kernel.Status}, expected 0 and 33)"
            + (diff != null ? ": " + diff : s.Count == 0 ? ": no task rows from the simulator" : ""));
        foreach (var e in new[] { serr, kerr }) if (e != null) o.WriteLine("  " + e);
        o.WriteLine("  task kind released jobs misses postponed rm-missed, simulator:");
        foreach (var r in s) o.WriteLine("    " + r);
        o.WriteLine("  kernel:");
        foreach (var r in k) o.WriteLine("    " + r);
        foreach (var l in kernel.Tail(5)) o.WriteLine(l);
        return Tally.Fail;
    }
}
