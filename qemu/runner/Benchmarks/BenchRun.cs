// `KtapRunner bench`: the kernel's bench suite under -icount and plain
// emulation (and Linux-RT's, booted with the same QEMU settings), the
// comparison table, the ready-set scaling table and the raw BENCH lines.
// `KtapRunner bench --ready-only`: bench-host's kernel part (the ready-set
// workload under -icount) and its scaling table.
using Osprey.QemuRunner.Stages;

namespace Osprey.QemuRunner.Benchmarks;

public static class BenchRun
{
    /// <summary>Progress lines go to stderr like build.sh's own.</summary>
    static void Say(string s) => Console.Error.WriteLine("build.sh: " + s);

    public static int Run(TestEnv env, bool linux, bool readyOnly)
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
            foreach (var clock in new[] { Clock.Icount, Clock.Plain })
            {
                var f = Osprey(env, clock, dir, "bench");
                Append(results, f);
                figures.AddRange(f);
            }
            // The SVM figures (exit round trip, guest-core switch, virtual interrupt latency, runaway cut):
            // the svm suite on an AMD model under -icount.
            {
                var f = Osprey(env, Clock.Icount, dir, "svm", "svm", "-cpu", "EPYC");
                Append(results, f);
                figures.AddRange(f);
            }
            if (linux)
                foreach (var clock in new[] { Clock.Icount, Clock.Plain })
                {
                    var f = Linux(env, clock, dir);
                    Append(results, f);
                    figures.AddRange(f);
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

    static int Die(string message)
    {
        Console.Error.WriteLine("build.sh: error: " + message);
        return 1;
    }

    static void Append(string results, IEnumerable<BenchFigure> f) => File.AppendAllLines(results, f.Select(b => b.ToString()));

    static string ModeName(Clock c) => c == Clock.Icount ? "icount" : "plain";

    /// <summary>The kernel's suite (or the tests <paramref name="tests"/> of it) through the KTAP runner; every test must pass.</summary>
    static List<BenchFigure> Osprey(TestEnv env, Clock clock, string dir, string tests, string? tag = null, params string[] qemuArgs)
    {
        string mode = ModeName(clock), log = Path.Combine(dir, $"osprey-{mode}{(tag == null ? "" : "-" + tag)}.log");
        Say($"bench: Osprey, {mode} ({tests})");
        var opt = new RunnerOptions
        {
            Label = "osprey-" + mode + (tag == null ? "" : "-" + tag), TimeoutSeconds = 300, StallSeconds = 120, LogPath = log,
            ResultPath = Path.ChangeExtension(log, ".result"),
            Command = env.KernelBoot(clock == Clock.Icount, env.DefaultWorkload, $"selftest={tests}" + (clock == Clock.Icount ? " clock=exact" : ""), qemuArgs),
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
}
