// `KtapRunner bench`: the kernel's bench suite under -icount and plain
// emulation (and Linux-RT's, booted with the same QEMU settings), then the
// multi-CPU boots (-smp 4: the kernel's bench_smp suite and Linux-RT's
// smp figures), the comparison table, the ready-set scaling table and the
// raw BENCH lines.
// `KtapRunner bench --ready-only`: bench-host's kernel part (the ready-set
// workload under -icount) and its scaling table.
using Osprey.QemuRunner.Stages;

namespace Osprey.QemuRunner.Benchmarks;

public static class BenchRun
{
    /// <summary>Progress lines go to stderr like build.sh's own.</summary>
    static void Say(string s) => Console.Error.WriteLine("build.sh: " + s);

    public static int Run(TestEnv env, bool linux, bool readyOnly, bool osprey = true, bool smpOnly = false)
    {
        var o = env.Output;
        string dir = Path.Combine(env.OutDir, readyOnly ? "bench-host" : "bench");
        string results = Path.Combine(dir, "results.txt");
        Directory.CreateDirectory(dir);
        File.Delete(results);
        var figures = new List<BenchFigure>();
        try
        {
            if (readyOnly)
            {
                o.WriteLine();
                Say("bench-host: the same workload in the kernel under -icount (guest ns = instructions; about a minute)");
                figures.AddRange(Osprey(env, Clock.Icount, dir, "bench.ready"));
                Append(results, figures);
                string? t = BenchTables.ReadyScaling(figures, out _);
                if (t == null) return Die($"bench-host: no ready-set figures in {env.Rel(Path.Combine(dir, "osprey-icount.log"))}");
                o.Write(t);
                return 0;
            }
            if (osprey)
            {
                foreach (var qemuArgs in smpOnly ? new[] { Smp } : new[] { null, Smp })
                    foreach (var clock in new[] { Clock.Icount, Clock.Plain })
                    {
                        var f = qemuArgs == null ? Osprey(env, clock, dir, "bench") : Osprey(env, clock, dir, SmpSuite, "smp", qemuArgs);
                        Append(results, f);
                        figures.AddRange(f);
                    }
                // The SVM figures (exit round trip, guest-core switch, virtual interrupt latency, runaway cut):
                // the svm suite on an AMD model under -icount.
                if (!smpOnly)
                {
                    var f = Osprey(env, Clock.Icount, dir, "svm", "svm", "-cpu", "EPYC");
                    Append(results, f);
                    figures.AddRange(f);
                }
            }
            if (linux)
            {
                foreach (var clock in smpOnly ? Array.Empty<Clock>() : new[] { Clock.Icount, Clock.Plain })
                {
                    var f = Linux(env, clock, dir);
                    Append(results, f);
                    figures.AddRange(f);
                }
                // Plain only: under -icount with -smp Linux-RT does not finish
                // booting in this QEMU (BENCHMARKS.md, "Multi-CPU").
                var s = LinuxSmp(env, Clock.Plain, dir);
                Append(results, s);
                figures.AddRange(s);
            }
        }
        catch (BenchFailed e) { return Die(e.Message); }
        o.WriteLine();
        o.Write(BenchTables.Compare(figures));
        o.WriteLine();
        Say("ready-set scaling (the kernel's build of sched/, -icount: instructions)");
        string? ready = BenchTables.ReadyScaling(figures, out _);
        if (ready != null) o.Write(ready);
        o.WriteLine();
        foreach (var f in figures) o.WriteLine(f);
        return 0;
    }

    /// <summary>The tables of a saved results.txt, as after a run.</summary>
    public static int Tables(string results, TextWriter o)
    {
        string text;
        try { text = File.ReadAllText(results); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Die($"bench: cannot read {results}: {e.Message}"); }
        var figures = BenchFigures.ReadResults(text);
        if (figures.Count == 0) return Die($"bench: no BENCH lines in {results}");
        o.Write(BenchTables.Compare(figures));
        string? ready = BenchTables.ReadyScaling(figures, out _);
        if (ready != null) { o.WriteLine(); o.Write(ready); }
        return 0;
    }

    sealed class BenchFailed : Exception { public BenchFailed(string m) : base(m) { } }

    /// <summary>A usage error of the bench command (status 2).</summary>
    public static int Usage(string message)
    {
        Console.Error.WriteLine("build.sh: error: " + message);
        return 2;
    }

    static int Die(string message)
    {
        Console.Error.WriteLine("build.sh: error: " + message);
        return 1;
    }

    static void Append(string results, IEnumerable<BenchFigure> f) => File.AppendAllLines(results, f.Select(b => b.ToString()));

    static string ModeName(Clock c) => c == Clock.Icount ? "icount" : "plain";

    /// <summary>The kernel's suite that prints the multi-CPU figures (BenchTables.SmpRows), booted with -smp 4; run only by name.</summary>
    public const string SmpSuite = "bench_smp";
    static readonly string[] Smp = { "-smp", BenchTables.SmpCpus.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    /// <summary>cyclictest -l of qemu/linux-rt/init.sh's multi-CPU run: every thread must complete them.</summary>
    public const long SmpLoops = 10000;

    /// <summary>
    /// The kernel's suite (or the tests <paramref name="tests"/> of it) through the KTAP runner; every test must pass.
    /// A filter that selects no test (a kernel without the bench_smp suite) passes and gives no figures.
    /// <paramref name="tag"/> names the boot's log (osprey-MODE-TAG) when it is not the plain bench boot.
    /// </summary>
    static List<BenchFigure> Osprey(TestEnv env, Clock clock, string dir, string tests, string? tag = null, params string[] qemuArgs)
    {
        string mode = ModeName(clock), name = "osprey-" + mode + (tag == null ? "" : "-" + tag), log = Path.Combine(dir, name + ".log");
        Say($"bench: Osprey, {mode} ({tests}{(qemuArgs.Length == 0 ? "" : ", " + string.Join(" ", qemuArgs))})");
        var opt = new RunnerOptions
        {
            Label = name, TimeoutSeconds = 300, StallSeconds = 120, LogPath = log,
            ResultPath = Path.Combine(dir, name + ".result"),
            Command = env.KernelBoot(clock == Clock.Icount, env.DefaultWorkload, $"selftest={tests}" + (clock == Clock.Icount ? " clock=exact" : ""), qemuArgs.Length == 0 ? null : qemuArgs),
        };
        if (BootRun.RunKtap(opt, TextWriter.Null, out _) != 0)
            throw new BenchFailed($"bench: the Osprey benchmark suite failed ({mode}, {tests}); see {env.Rel(log)}");
        return BenchFigures.Extract("osprey", mode, File.ReadAllText(log));
    }

    /// <summary>Debian's Linux PREEMPT_RT kernel with the bench initramfs (qemu/linux-rt/prepare.sh, run by build.sh).</summary>
    static List<BenchFigure> Linux(TestEnv env, Clock clock, string dir)
    {
        string mode = ModeName(clock), log = Path.Combine(dir, $"linux-{mode}.log"), rt = Path.Combine(env.OutDir, "linux-rt");
        Say($"bench: Linux PREEMPT_RT, {mode} (boot, cyclictest 10,000 x 1 ms, ping-pong)");
        var q = new List<string> { "qemu-system-x86_64", "-m", "512", "-no-reboot", "-display", "none", "-serial", "stdio" };
        if (clock == Clock.Icount) q.AddRange(TestEnv.Icount);
        q.AddRange(new[] { "-kernel", Path.Combine(rt, "vmlinuz"), "-initrd", Path.Combine(rt, "initramfs.cpio.gz"),
            "-append", "console=ttyS0 quiet panic=-1" });
        var c = Capture.Run(q, 900, log);
        if (!c.HasStart("# BENCH cyclictest_max"))
            throw new BenchFailed($"bench: Linux-RT gave no cyclictest figures ({mode}, QEMU status {c.Status}); see {env.Rel(log)}");
        return BenchFigures.Extract("linux", mode, File.ReadAllText(log));
    }

    /// <summary>
    /// The same Linux-RT boot with -smp 4 and "osprey_bench=smp": the per-CPU
    /// cyclictest under load, the cross-CPU pipe ping-pong and futex wake-up.
    /// Every BenchTables.SmpRows figure must be there.
    /// </summary>
    static List<BenchFigure> LinuxSmp(TestEnv env, Clock clock, string dir)
    {
        string mode = ModeName(clock), log = Path.Combine(dir, $"linux-smp-{mode}.log"), rt = Path.Combine(env.OutDir, "linux-rt");
        Say($"bench: Linux PREEMPT_RT, {mode}, -smp {BenchTables.SmpCpus} (boot, cyclictest -S 10,000 x 1 ms under load, cross-CPU ping-pong and wake-up)");
        var q = new List<string> { "qemu-system-x86_64", "-m", "512", "-no-reboot", "-display", "none", "-serial", "stdio" };
        q.AddRange(Smp);
        if (clock == Clock.Icount) q.AddRange(TestEnv.Icount);
        q.AddRange(new[] { "-kernel", Path.Combine(rt, "vmlinuz"), "-initrd", Path.Combine(rt, "initramfs.cpio.gz"),
            "-append", "console=ttyS0 quiet panic=-1 osprey_bench=smp" });
        var c = Capture.Run(q, 900, log);
        string text = File.ReadAllText(log);
        var figures = BenchFigures.Extract("linux", mode, text);
        var perCpu = CyclictestSmp.Figures(mode, text, BenchTables.SmpCpus, SmpLoops, out string? error);
        if (perCpu == null)
            throw new BenchFailed($"bench: Linux-RT -smp {BenchTables.SmpCpus} ({mode}, QEMU status {c.Status}): {error}; see {env.Rel(log)}");
        figures.AddRange(perCpu);
        var missing = BenchTables.SmpRows.Where(r => !figures.Any(f => f.Name == r)).ToList();
        if (missing.Count > 0)
            throw new BenchFailed($"bench: Linux-RT -smp {BenchTables.SmpCpus} ({mode}, QEMU status {c.Status}) gave no {string.Join(", ", missing)}; see {env.Rel(log)}");
        return figures;
    }
}
