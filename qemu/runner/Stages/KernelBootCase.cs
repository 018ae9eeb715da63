// An in-kernel KTAP run: -kernel out/kernel.elf with the default workload as
// its module, through the KTAP runner; counts every test the kernel declared.
// A self-test skipped for its scheduler policy is an error: one boot runs
// every policy (tests/kernel declare theirs; kernel/README.md, "Policies").
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner.Stages;

public enum Clock { Plain, Icount }

public static class Skips
{
    /// <summary>The skip reasons no self-test boot may give (--forbid-skip): a scheduler policy
    /// (one boot runs every policy) or the exact clock (every timing test runs on any clock).</summary>
    public static readonly Regex Policy = new("sched=|scheduler|clock=exact", RegexOptions.CultureInvariant);
}

public sealed class KernelBootCase : TestCase
{
    readonly string _label, _words;
    readonly double _timeout;
    readonly Clock _clock;
    readonly string[] _qemuArgs;

    /// <param name="label">log and result names: out/test/LABEL.log, .result</param>
    /// <param name="words">the kernel command line (e.g. "selftest clock=exact")</param>
    /// <param name="qemuArgs">further QEMU arguments (e.g. "-machine", "pc,hpet=off")</param>
    public KernelBootCase(string label, double timeoutSeconds, Clock clock, string words, params string[] qemuArgs)
    {
        _label = label; _timeout = timeoutSeconds; _clock = clock; _words = words; _qemuArgs = qemuArgs;
    }

    public override string Name => _label;

    /// <summary>The workload module (null: none); the default workload unless set.</summary>
    public string? Workload { get; init; } = "kernel/default.wl";

    public override Tally Run(TestEnv env)
    {
        var o = new RunnerOptions
        {
            Label = _label, TimeoutSeconds = _timeout, StallSeconds = 60,
            LogPath = env.Log(_label + ".log"), ResultPath = env.Log(_label + ".result"), ForbidSkip = Skips.Policy,
            Command = env.KernelBoot(_clock == Clock.Icount, Workload, _words, _qemuArgs),
        };
        BootRun.RunKtap(o, env.Output, out KtapReport rep);
        return new Tally(rep.Passed, rep.Failed);
    }
}

public enum Firmware { Bios, Uefi }

/// <summary>A boot of out/kernel.iso: success when a line matches <c>expectLine</c> (1 test), or, with
/// <c>expectLine</c> null, a KTAP run (counts every test; for a menu entry that runs the self-tests,
/// chosen with <see cref="SendOn"/>; policy skips are then errors).</summary>
public sealed class IsoBootCase : TestCase
{
    readonly string _label;
    readonly string? _expect;
    readonly double _timeout, _stall;
    readonly Firmware _firmware;
    readonly string[] _qemuArgs;

    public IsoBootCase(string label, double timeoutSeconds, double stallSeconds, Firmware firmware, string? expectLine, params string[] qemuArgs)
    {
        _label = label; _timeout = timeoutSeconds; _stall = stallSeconds; _firmware = firmware; _expect = expectLine; _qemuArgs = qemuArgs;
    }

    public override string Name => _label;

    /// <summary>Keys typed on the serial port when a line first matches <c>On</c> (e.g. GRUB's menu:
    /// "\u001b[B\r" is the down arrow and Enter).</summary>
    public (string On, string Keys)? SendOn { get; init; }

    public override Tally Run(TestEnv env)
    {
        var q = TestEnv.Qemu(false);
        q.AddRange(_qemuArgs);
        if (_firmware == Firmware.Uefi) q.AddRange(new[] { "-bios", env.Ovmf });
        q.AddRange(new[] { "-cdrom", env.Iso });
        var o = new RunnerOptions
        {
            Label = _label, TimeoutSeconds = _timeout, StallSeconds = _stall,
            LogPath = env.Log(_label + ".log"), ResultPath = env.Log(_label + ".result"),
            ExpectLine = _expect == null ? null : new Regex(_expect, RegexOptions.CultureInvariant),
            Command = q,
            SendOnText = SendOn?.On,
            SendKeys = SendOn?.Keys,
            ForbidSkip = _expect == null ? Skips.Policy : null,
        };
        KtapReport rep;
        if (_expect != null) BootRun.RunSmoke(o, env.Output, out rep);
        else BootRun.RunKtap(o, env.Output, out rep);
        return new Tally(rep.Passed, rep.Failed);
    }
}
