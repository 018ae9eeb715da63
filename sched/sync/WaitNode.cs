namespace Osprey.Sched
{
    /// <summary>
    /// Everything a thread needs to wait on a sync object, allocated once with
    /// the thread (SchedThread.Wait), so no wait allocates. The node itself is
    /// the thread's link in a priority wait queue's red-black tree
    /// (RbNode.Thread is the back pointer); Link is its link in a FIFO wait
    /// queue's chain.
    ///
    /// Invariants:
    ///  - Queue != null exactly when the node is linked in Queue (its tree,
    ///    InTree, under the priority discipline; its chain, Link, under FIFO),
    ///    and then the thread has ThreadState.Blocked;
    ///  - Sleeping is true exactly when the thread sleeps through SyncOps.SleepFor/
    ///    SleepUntil, and then it has ThreadState.Sleeping and Queue == null;
    ///  - Timer is armed only while Queue != null or Sleeping (a finite wait);
    ///  - Held lists the mutexes the thread owns (MutexLink nodes), each once.
    /// </summary>
    public sealed class WaitNode : RbNode
    {
        /// <summary>The wait queue the thread is in, or null.</summary>
        public WaitQueue Queue;
        /// <summary>The thread's link in a FIFO wait queue.</summary>
        public readonly ChainNode Link = new ChainNode();
        /// <summary>The thread's one timeout watchdog (waits and sleeps).</summary>
        public readonly ThreadTimer Timer;
        /// <summary>Mutexes the thread owns (for priority bookkeeping and exit handling).</summary>
        public readonly Chain Held = new Chain();
        /// <summary>True while the thread sleeps in SyncOps.SleepFor/SleepUntil.</summary>
        public bool Sleeping;
        /// <summary>
        /// Set while a mutex chain walk changes this thread's priority itself:
        /// the core's priority-change hook then leaves the re-sorting to the
        /// walk (which continues iteratively instead of recursing).
        /// </summary>
        internal bool Deferred;

        // Parameters and results of the current wait, per object kind.
        /// <summary>Message queue: the sender's message, or the receiver's buffer.</summary>
        public byte[] Buffer;
        /// <summary>Message queue: the sender's message length; for a receiver, the received length.</summary>
        public int Length;
        /// <summary>Message queue: the waiting sender asked for the front of the queue.</summary>
        public bool Urgent;
        /// <summary>Event flags: the flags waited for.</summary>
        public uint Mask;
        /// <summary>Event flags: any or all of Mask.</summary>
        public EventMode Mode;
        /// <summary>Event flags: clear the satisfying flags when the wait ends.</summary>
        public bool ClearOnExit;
        /// <summary>Event flags: the satisfying flags (Mask &amp; flags) when the wait ended successfully.</summary>
        public uint Events;
        /// <summary>Block pool: the block handed to the thread when its wait ended successfully.</summary>
        public ulong Address;

        public WaitNode(SchedThread thread)
        {
            Thread = thread;
            Link.Thread = thread;
            Timer = new ThreadTimer(thread);
        }
    }
}
