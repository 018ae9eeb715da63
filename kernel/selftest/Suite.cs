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
    }
}
