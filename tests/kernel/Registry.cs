namespace Osprey.Kernel.SelfTest
{
    // Every in-kernel suite, in run order. Add a suite here to have it run.
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
                new ThreadSuite(),
                new PeriodSuite(),
                new AcpiSuite(),
                new IrqSuite(),
                new SyncSuite(),
                new PrimitivesSuite(),
                new BenchSuite(),
                new TraceSuite(),
                new GuestSuite(),
                new PropsSuite(),
                new PanicSuite(),
            };
        }
    }
}
