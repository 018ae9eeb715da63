namespace Osprey.Kernel.SelfTest
{
    // A group of in-kernel tests. Tests are numbered; Run(index, t) runs one
    // (a switch over the index: the kernel runtime has no delegates).
    internal abstract class Suite
    {
        internal abstract string Name { get; }
        internal abstract string[] TestNames { get; }
        internal abstract void Run(int index, Check t);

        // Suites that end the run on purpose (the panic path) run only when
        // the filter names them.
        internal virtual bool ExplicitOnly { get { return false; } }

        // The scheduler policy (a SchedulerTable name) every test of the
        // suite needs, or null: any policy will do, and the runner uses its
        // base policy (priority, or the one sched= forces). Before each test
        // the runner switches the CPU to a fresh core with the policy the
        // test needs (Scheduling.SwitchPolicy).
        internal virtual string Policy { get { return null; } }

        // The policy test `index` needs when it differs from the suite's
        // (e.g. the one EDF test of a suite that runs under any), or null.
        internal virtual string TestPolicy(int index) { return null; }

        // False for a test this suite leaves out of its list (a policy
        // variant leaves out the tests that need a policy of their own: the
        // plain suite runs those).
        internal virtual bool Lists(int index) { return true; }

        // True for a policy variant of another suite (UnderPolicy): with
        // sched= on the command line it runs only when the filter names it.
        internal virtual bool Variant { get { return false; } }
    }
}
