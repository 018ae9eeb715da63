namespace Osprey.Sched
{
    /// <summary>
    /// The lock of one shared sync object (see sched/README.md
    /// "Synchronization across cores"). An object made usable from every
    /// core (Semaphore.Share and the like) takes its guard around every
    /// operation on its state and wait queues; the kernel implements it as a
    /// spin lock held with interrupts off. Lock order: a core's own lock
    /// (interrupts off, or its cluster's ready-set lock) before an object's
    /// guard; never two guards at once. An abstract class, not an interface,
    /// so the paths use ordinary virtual dispatch.
    /// </summary>
    public abstract class SyncGuard
    {
        /// <summary>Take the lock; returns what Exit gives back (the kernel: the interrupt flag).</summary>
        public abstract ulong Enter();

        /// <summary>Release the lock taken by the Enter that returned state.</summary>
        public abstract void Exit(ulong state);
    }
}
