using Osprey.Kernel.Arch;

namespace Osprey.Kernel.SelfTest
{
    // The panic path, run only by name (`selftest=panic`) since it ends the
    // run: an unexpected page fault inside a test must report that test as
    // failed with the registers, print `# selftest: panic` and exit with the
    // panic status (37). build.sh test boots it as its own stage.
    internal sealed unsafe class PanicSuite : Suite
    {
        internal override string Name { get { return "panic"; } }
        internal override bool ExplicitOnly { get { return true; } }
        internal override string[] TestNames { get { return new string[] { "unexpected_page_fault_ends_run", "never_reached" }; } }

        internal override void Run(int index, Check t)
        {
            if (index == 0)
            {
                t.True(true, "about to fault");
                Faults.Read64(0x10);   // not under Faults.Catch: a real panic
            }
            t.Fail("the run continued after a panic");
        }
    }
}
