using System.Runtime.CompilerServices;
using Osprey.Sched;

namespace Osprey.Kernel.Smp
{
    // The lock of one shared sync object (a semaphore, message queue, event
    // flags or block pool made by Blocking.New*): a ticket spin lock held
    // with interrupts off around each operation on the object's state and
    // wait queues, on whichever CPU makes it. Order (kernel/README.md,
    // "Semaphores, queues and events across CPUs"): the CPU's core lock
    // (Scheduling.Lock) first, then this, then a CPU's wake hand-off list;
    // never two object locks at once.
    internal sealed class ObjectLock : SyncGuard
    {
        private SpinLock objectState;       // guards the object's counts, ring, flags and wait queues

        internal long Acquisitions { get { return objectState.Acquisitions; } }
        internal long Contended { get { return objectState.Contended; } }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public override ulong Enter() { return objectState.Acquire(); }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public override void Exit(ulong state) { objectState.Release(state); }
    }
}
