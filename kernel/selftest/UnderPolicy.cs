namespace Osprey.Kernel.SelfTest
{
    // A suite run once more under another scheduler policy: "threads@edf"
    // runs every test of "threads" that works under any policy, on a core
    // with `policy`. Tests that need a policy of their own are listed only
    // in the plain suite, so each runs once.
    internal sealed class UnderPolicy : Suite
    {
        private readonly Suite inner;
        private readonly string policy;
        private readonly string name;

        internal UnderPolicy(Suite inner, string policy)
        {
            this.inner = inner;
            this.policy = policy;
            name = inner.Name + "@" + policy;
        }

        internal override string Name { get { return name; } }
        internal override string[] TestNames { get { return inner.TestNames; } }
        internal override void Run(int index, Check t) { inner.Run(index, t); }
        internal override string Policy { get { return policy; } }
        internal override string TestPolicy(int index) { return null; }
        internal override bool Lists(int index) { return inner.Lists(index) && inner.TestPolicy(index) == null; }
        internal override bool Variant { get { return true; } }
    }
}
