// The same workload file in the simulator and in the kernel (-icount,
// clock=exact, exit): per task, the released, jobs, misses, postponed and
// rm-missed columns must be equal. One test per file. A multi-CPU file
// boots with -smp N (cpus); simArgs go to the simulator (a file with an
// instant without slack compares against the simulator charging a
// measured overhead, sched/README.md "Kernel and simulator"); qemuArgs go
// to the kernel's QEMU (-cpu EPYC for real guests).
namespace Osprey.QemuRunner.Stages;

public sealed class CompareCase : TestCase
{
    readonly string _file;
    readonly int _cpus;
    readonly string[] _simArgs;
    readonly string[] _qemuArgs;
    /// <param name="cpus">the kernel's CPUs (-smp N) for a multi-CPU file</param>
    /// <param name="simArgs">further simulator arguments (e.g. "--overheads", "switch=5us")</param>
    /// <param name="qemuArgs">further QEMU arguments for the kernel's run (e.g. "-cpu", "EPYC" for real guests)</param>
    public CompareCase(string workloadFile, int cpus = 1, string[]? simArgs = null, string[]? qemuArgs = null)
    {
        _file = workloadFile; _cpus = cpus; _simArgs = simArgs ?? Array.Empty<string>(); _qemuArgs = qemuArgs ?? Array.Empty<string>();
    }
    public override string Name => "compare-" + Path.GetFileNameWithoutExtension(_file);

    public override Tally Run(TestEnv env)
    {
        string name = Path.GetFileNameWithoutExtension(_file);
        var sim = Capture.Run(new[] { "dotnet", env.SimDll, _file }.Concat(_simArgs).ToArray(), 300, env.Log(Name + ".sim"));
        var qemu = new List<string>(_qemuArgs);
        if (_cpus > 1) qemu.AddRange(new[] { "-smp", _cpus.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var kernel = Capture.Run(env.KernelBoot(true, _file, "clock=exact exit", qemu), 300, env.Log(Name + ".kernel"));
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
