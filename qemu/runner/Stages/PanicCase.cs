// The panic paths: a test that makes the kernel panic must end the run with
// the panic status (37) and a report naming what happened; a boot that must
// stop before any suite runs likewise.
namespace Osprey.QemuRunner.Stages;

/// <summary>Boots selftest=panic.TEST: QEMU status 37, "not ok 1 TEST", both texts in the report,
/// "# selftest: panic", and never "the run continued". One test.</summary>
public sealed class PanicCase : TestCase
{
    readonly string _test, _text1, _text2;
    public PanicCase(string test, string text1, string text2) { _test = test; _text1 = text1; _text2 = text2; }
    public override string Name => "panic-" + _test;

    public override Tally Run(TestEnv env)
    {
        string log = env.Log(Name + ".log");
        var c = Capture.Run(env.KernelBoot(false, null, "selftest=panic." + _test), 60, log);
        bool ok = Check(c, _test, _text1, _text2);
        if (ok) env.Output.WriteLine($"panic.{_test}: reported, test marked not ok, QEMU status 37: ok");
        else
        {
            env.Output.WriteLine($"panic.{_test}: FAILED (QEMU status {c.Status}, expected 37, report must contain '{_text1}'); last lines of {env.Rel(log)}:");
            foreach (var l in c.Tail(15)) env.Output.WriteLine(l);
        }
        return Tally.Of(ok);
    }

    /// <summary>The verdict on a captured run (public for the host tests).</summary>
    public static bool Check(Capture c, string test, string text1, string text2) =>
        c.ExitCode == ExitCodes.Panic && c.HasStart("    not ok 1 " + test) && c.Has(text1) && c.Has(text2)
        && c.HasStart(KtapParser.PanicMarker) && !c.Has("the run continued");
}

/// <summary>A boot with <c>words</c> and <c>qemuArgs</c> that must stop with "PANIC: TEXT" before any suite
/// runs: QEMU status 37, "# selftest: panic", no KTAP header. One test.</summary>
public sealed class BootPanicCase : TestCase
{
    readonly string _name, _words, _text;
    readonly string[] _qemuArgs;
    public BootPanicCase(string name, string words, string text, params string[] qemuArgs) { _name = name; _words = words; _text = text; _qemuArgs = qemuArgs; }
    public override string Name => "boot-panic-" + _name;

    public override Tally Run(TestEnv env)
    {
        string log = env.Log(Name + ".log");
        var c = Capture.Run(env.KernelBoot(false, null, _words, _qemuArgs), 60, log);
        bool ok = Check(c, _text);
        if (ok) env.Output.WriteLine($"boot panic {_name}: 'PANIC: {_text}', QEMU status 37: ok");
        else
        {
            env.Output.WriteLine($"boot panic {_name}: FAILED (QEMU status {c.Status}, expected 37 and 'PANIC: {_text}'); last lines of {env.Rel(log)}:");
            foreach (var l in c.Tail(15)) env.Output.WriteLine(l);
        }
        return Tally.Of(ok);
    }

    public static bool Check(Capture c, string text) =>
        c.ExitCode == ExitCodes.Panic && c.Has("PANIC: " + text) && c.HasStart(KtapParser.PanicMarker) && !c.HasStart("KTAP version");
}
