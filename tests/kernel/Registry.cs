namespace Osprey.Kernel.SelfTest
{
    // Every in-kernel suite, in run order. Add a suite here to have it run.
    // Suites that work under any policy run under priority; threads,
    // periods and primitives run again on an EDF core as variants
    // (UnderPolicy: threads@edf). The policies suites and tests need are
    // declared in them (Suite.Policy, Suite.TestPolicy); the runner puts
    // every started CPU on that policy (cpupolicy checks it).
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
                new GedfSuite(),
                new VcoreSuite(),
                new SchedSwitchSuite(),
                new ThreadSuite(),
                new UnderPolicy(new ThreadSuite(), "edf"),
                new PeriodSuite(),
                new UnderPolicy(new PeriodSuite(), "edf"),
                new AcpiSuite(),
                new ArchSuite(),
                new IrqSuite(),
                new SyncSuite(),
                new PrimitivesSuite(),
                new UnderPolicy(new PrimitivesSuite(), "edf"),
                new BenchSuite(),
                new BenchSmpSuite(),
                new TraceSuite(),
                new GuestSuite(),
                new SvmSuite(),
                new PvGuestSuite(),
                new PropsSuite(),
                new SmpSuite(),
                new UnderPolicy(new CpuPolicySuite(), "edf"),
                new CpuPolicySuite(),
                new PanicSuite(),
            };
        }
    }
}
