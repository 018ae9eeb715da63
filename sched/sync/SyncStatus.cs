namespace Osprey.Sched
{
    /// <summary>
    /// Result of every synchronization operation. Each misuse has its own
    /// code; no operation throws. Blocked is only ever a return value (never a
    /// final result): the caller has been queued and made not ready, and reads
    /// its final status from SchedThread.WaitResult once it runs again
    /// (SyncOps.Final does that).
    /// </summary>
    public enum SyncStatus
    {
        /// <summary>Done: the unit, mutex, message, block or events were obtained / the operation took effect.</summary>
        Successful = 0,
        /// <summary>The caller now waits (queued, not ready); its final status arrives in WaitResult.</summary>
        Blocked,
        /// <summary>Timeout.NoWait and the resource is not available.</summary>
        Unsatisfied,
        /// <summary>The wait timed out.</summary>
        Timeout,
        /// <summary>The object was deleted (before the call, or while the caller waited).</summary>
        Deleted,
        /// <summary>The object's waiters were flushed (woken without the resource).</summary>
        Flushed,
        /// <summary>Mutex release by a thread that does not own it (or an unowned mutex).</summary>
        NotOwner,
        /// <summary>Waiting would close a cycle of mutex owners and waiters (deadlock).</summary>
        WouldDeadlock,
        /// <summary>A non-recursive mutex obtained again by its owner.</summary>
        AlreadyOwner,
        /// <summary>Mutex delete while another thread owns it.</summary>
        InUse,
        /// <summary>The mutex was obtained, but its previous owner exited while holding it.</summary>
        Abandoned,
        /// <summary>A count would exceed its maximum (semaphore release at max, mutex nesting overflow).</summary>
        TooMany,
        /// <summary>Message longer than the queue's message size, or receive buffer shorter than it.</summary>
        InvalidSize,
        /// <summary>Pool free of an address outside the pool.</summary>
        InvalidAddress,
        /// <summary>Pool free of an address inside the pool but not at the start of a block.</summary>
        NotAligned,
        /// <summary>Pool free of a block that is already free.</summary>
        AlreadyFree,
        /// <summary>A bad parameter: negative timeout, null buffer, zero event mask, bad creation parameters.</summary>
        InvalidArgument,
        /// <summary>The caller cannot wait: null, the idle thread, another core's thread, not the executing ready thread, or already waiting.</summary>
        InvalidCaller,
        /// <summary>Called from interrupt context (the calling CPU's SchedCore.InterruptNesting &gt; 0, Platform.InInterrupt) where that is not allowed; nothing changed.</summary>
        CalledFromInterrupt,
    }
}
