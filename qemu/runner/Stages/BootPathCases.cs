// Boots that check one line of the kernel's output (boot-path refusals, the
// early fault report), and the property test's boots (PropsCase).
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner.Stages;

/// <summary>A -kernel boot (plain) that passes when a line matches <c>expectLine</c> before the
/// time-out: 1 test. <c>modules</c> is QEMU's -initrd value (null: none).</summary>
public sealed class KernelLineCase : TestCase
{
    readonly string _label, _expect, _words;
    readonly string? _modules;
    readonly double _timeout, _stall;

    public KernelLineCase(string label, double timeoutSeconds, double stallSeconds, string expectLine, string words, string? modules = null)
    {
        _label = label; _timeout = timeoutSeconds; _stall = stallSeconds; _expect = expectLine; _words = words; _modules = modules;
    }

    public override string Name => _label;

    public override Tally Run(TestEnv env)
    {
        var q = TestEnv.Qemu(false, "-kernel", env.Kernel);
        if (_modules != null) q.AddRange(new[] { "-initrd", _modules });
        q.AddRange(new[] { "-append", _words });
        var o = new RunnerOptions
        {
            Label = _label, TimeoutSeconds = _timeout, StallSeconds = _stall,
            LogPath = env.Log(_label + ".log"), ResultPath = env.Log(_label + ".result"),
            ExpectLine = new Regex(_expect, RegexOptions.CultureInvariant), Command = q,
        };
        BootRun.RunSmoke(o, env.Output, out KtapReport rep);
        return new Tally(rep.Passed, rep.Failed);
    }
}

/// <summary>The property test (tests/kernel/PropsSuite.cs) under one policy: random sets at the
/// overhead-aware admission limit run in the kernel under -icount, zero misses required. The
/// kernel prints the first failing set between '# props: failing set begin' and '... end'; it is
/// saved as out/test/props-fail-POLICY.wl. With --long each policy runs 1,000 sets.</summary>
public sealed class PropsCase : TestCase
{
    const string Begin = "# props: failing set begin", End = "# props: failing set end";
    readonly string _test, _policy;
    readonly int _sets;

    public PropsCase(string test, string policy, int sets) { _test = test; _policy = policy; _sets = sets; }

    public override string Name => "props-" + _policy;

    public override Tally Run(TestEnv env)
    {
        int n = env.Long ? 1000 : _sets;
        string words = $"selftest=props.{_test} sched={_policy} clock=exact props={n}";
        string log = env.Log(Name + ".log");
        var o = new RunnerOptions
        {
            Label = Name, TimeoutSeconds = env.Long ? 7200 : 300, StallSeconds = 60,
            LogPath = log, ResultPath = env.Log(Name + ".result"), ForbidSkip = Skips.Policy,
            Command = env.KernelBoot(true, env.DefaultWorkload, words),
        };
        BootRun.RunKtap(o, env.Output, out KtapReport rep);
        string fail = env.Log("props-fail-" + _policy + ".wl");
        File.Delete(fail);
        if (File.Exists(log))
        {
            string[] lines = File.ReadAllLines(log).Select(l => l.TrimEnd('\r')).ToArray();
            int b = Array.FindIndex(lines, l => l.StartsWith(Begin, StringComparison.Ordinal));
            int e = b < 0 ? -1 : Array.FindIndex(lines, b + 1, l => l.StartsWith(End, StringComparison.Ordinal));
            if (b >= 0 && e > b)
            {
                File.WriteAllLines(fail, lines[(b + 1)..e].Where(l => !l.StartsWith("# props: ", StringComparison.Ordinal)));
                env.Output.WriteLine($"props: the first failing set under {_policy} is saved as {env.Rel(fail)} "
                    + $"(./build.sh sim {env.Rel(fail)}; ./build.sh run {env.Rel(fail)} --icount -- exit sched={_policy})");
            }
            foreach (string l in lines)
            {
                string t = l.TrimStart();
                if (t.StartsWith("# priority: ") || t.StartsWith("# edf: ") || t.StartsWith("# vcore: "))
                    env.Output.WriteLine("props: " + t[2..]);
            }
        }
        return new Tally(rep.Passed, rep.Failed);
    }
}
