using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // Main as the most urgent thread of its core (value 0 under every
    // policy: priority 0, or deadline 0) while a guest-core test runs its
    // cores, so that the test's own steps (start, sleeps, stop) are never
    // held up by the cores it measures. Raise and Lower pair up; main is one
    // thread, so one node serves every suite.
    internal static class UrgentMain
    {
        private static readonly PriorityNode node = new PriorityNode();

        internal static void Raise()
        {
            ulong f = Machine.DisableInterrupts();
            Scheduling.Core.SetPriorityNode(Threads.Current, node, 0);
            Machine.RestoreInterrupts(f);
        }

        internal static void Lower()
        {
            ulong f = Machine.DisableInterrupts();
            Scheduling.Core.RemovePriority(Threads.Current, node);
            Machine.RestoreInterrupts(f);
        }
    }
}
