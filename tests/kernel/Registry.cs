namespace Osprey.Kernel.SelfTest
{
    // Every in-kernel suite, in run order. Add a suite here to have it run.
    // Suites that run under any policy run under priority; the ones that
    // also ran under EDF when each policy had a boot of its own run again as
    // a variant (UnderPolicy, e.g. threads@edf). Declared policies: see
    // Suite.Policy and Suite.TestPolicy.
    internal static class Registry
    {
        internal static Suite[] Suites()
        {
            return new Suite[]
            {
                new BootSuite(),
                new MemorySuite(),
                new RuntimeSuite(),
                new ExceptionSuite(),
                new ConsoleSuite(),
                new SchedCoreSuite(),
                new VcoreSuite(),
                new SchedSwitchSuite(),
                new ThreadSuite(),
                new UnderPolicy(new ThreadSuite(), "edf"),
                new PeriodSuite(),
                new UnderPolicy(new PeriodSuite(), "edf"),
                new AcpiSuite(),
                new IrqSuite(),
                new SyncSuite(),
                new PrimitivesSuite(),
                new UnderPolicy(new PrimitivesSuite(), "edf"),
                new BenchSuite(),
                new TraceSuite(),
                new GuestSuite(),
                new PanicSuite(),
            };
        }
    }
}
