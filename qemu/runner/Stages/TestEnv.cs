// Where the test run finds the built kernel, the tools and the firmware, and
// where it writes its logs; the QEMU command lines every stage shares.
namespace Osprey.QemuRunner.Stages;

public sealed class TestEnv
{
    /// <summary>The repository root (paths in the stage list are relative to it).</summary>
    public string Root { get; }
    public TextWriter Output { get; }
    public TestEnv(string root, TextWriter output) { Root = Path.GetFullPath(root); Output = output; }
    /// <summary>test --long: the property test runs 1,000 sets per policy.</summary>
    public bool Long { get; init; }

    public string OutDir => Path.Combine(Root, "out");
    /// <summary>Logs and result files of the run: out/test/.</summary>
    public string TestDir => Path.Combine(OutDir, "test");
    public string Kernel => Path.Combine(OutDir, "kernel.elf");
    public string Iso => Path.Combine(OutDir, "kernel.iso");
    public string DefaultWorkload => "kernel/default.wl";
    public string Ovmf => "/usr/share/ovmf/OVMF.fd";
    /// <summary>The simulator built by build.sh (dotnet build sched/sim -c Release).</summary>
    public string SimDll => Path.Combine(Root, "sched/sim/bin/Release/net10.0/Osprey.Sched.Sim.dll");
    /// <summary>The conformance checker built by build.sh (dotnet build qemu/conformance -c Release).</summary>
    public string ConformanceDll => Path.Combine(Root, "qemu/conformance/bin/Release/net10.0/Conformance.dll");

    public string Log(string name) => Path.Combine(TestDir, name);
    public string Rel(string path) => Path.GetRelativePath(Root, path);

    /// <summary>The QEMU settings of every boot: 512 MiB, no window, serial on stdio, the exit device.</summary>
    public static readonly string[] QemuBase =
        { "-m", "512", "-no-reboot", "-display", "none", "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04" };
    public static readonly string[] Icount = { "-icount", "shift=0,sleep=off" };

    /// <summary>qemu-system-x86_64 with the base settings, -icount when asked, then <paramref name="args"/>.</summary>
    public static List<string> Qemu(bool icount, params string[] args)
    {
        var q = new List<string> { "qemu-system-x86_64" };
        q.AddRange(QemuBase);
        if (icount) q.AddRange(Icount);
        q.AddRange(args);
        return q;
    }

    /// <summary>A -kernel boot of out/kernel.elf with an optional workload module and command line.</summary>
    public List<string> KernelBoot(bool icount, string? workload, string? words, IEnumerable<string>? extra = null)
    {
        var q = Qemu(icount);
        if (extra != null) q.AddRange(extra);
        q.AddRange(new[] { "-kernel", Kernel });
        if (workload != null) q.AddRange(new[] { "-initrd", workload + " workload" });
        if (!string.IsNullOrEmpty(words)) q.AddRange(new[] { "-append", words });
        return q;
    }
}
