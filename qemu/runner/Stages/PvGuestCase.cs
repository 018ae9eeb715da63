// Osprey as its own guest (tests/kernel/PvGuestSuite.cs): the self-test suite
// 'pvguest' on an SVM CPU (-cpu EPYC) with this kernel.elf given again as the
// boot module 'osprey', under -icount. Every test must run: a skip (no SVM,
// no module, too little RAM) is an error here.
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner.Stages;

public sealed class PvGuestCase : TestCase
{
    public override string Name => "pvguest";

    public override Tally Run(TestEnv env)
    {
        var q = env.KernelBoot(true, null, "selftest=pvguest clock=exact", new[] { "-cpu", "EPYC" });
        q.AddRange(new[] { "-initrd", env.DefaultWorkload + " workload," + env.Kernel + " osprey" });
        var o = new RunnerOptions
        {
            Label = Name, TimeoutSeconds = 300, StallSeconds = 120,
            LogPath = env.Log(Name + ".log"), ResultPath = env.Log(Name + ".result"),
            ForbidSkip = new Regex(".", RegexOptions.CultureInvariant), Command = q,
        };
        BootRun.RunKtap(o, env.Output, out KtapReport rep);
        return new Tally(rep.Passed, rep.Failed);
    }
}
