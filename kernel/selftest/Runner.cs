namespace Osprey.Kernel.SelfTest
{
    internal static class Runner
    {
        internal static void OnPanic() { }
    }
}
