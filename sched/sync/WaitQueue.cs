using System.Runtime.CompilerServices;

namespace Osprey.Sched
{
    /// <summary>
    /// Threads waiting for one object, in FIFO or priority order. Intrusive
    /// and preallocated: the link is the thread's own WaitNode (a thread waits
    /// on at most one queue). Priority discipline: a red-black tree keyed by
    /// effective priority (insert, remove and re-sort O(log n); equal keys
    /// keep arrival order). FIFO: a chain in arrival order (O(1)).
    ///
    /// Invariants (Check):
    ///  - the tree (priority) or the chain (FIFO) holds exactly the threads
    ///    whose Wait.Queue is this queue, and the other one is empty;
    ///  - every such thread has ThreadState.Blocked (and maybe other bits);
    ///  - Priority: every key equals the thread's current EffectivePriority
    ///    (kept by PriorityChanged), so First is the most urgent waiter, the
    ///    earliest arrival among equals.
    ///
    /// The sync objects use the queue; the kernel may also use it directly for
    /// its own waits (join and the like). Waking (Extract/WakeOne/WakeAll)
    /// never switches: it makes threads ready and the core requests a switch.
    ///
    /// Shared (Guard set, sched/README.md "Synchronization across cores"):
    /// the queue may hold threads of several cores. A waiter blocks on its
    /// own core (its timer in that core's timer queue); the object's guard
    /// is held around every change of the queue; Extract decides the wait's
    /// outcome under the guard (unlink, WaitResult) and ends the wait on the
    /// waiter's core: at once when the context may run that core, else
    /// through its platform (Platform.HandOffWake, then SyncOps.EndWait
    /// there). Unshared (Guard null): every waiter belongs to Core.
    /// </summary>
    public class WaitQueue
    {
        /// <summary>Defensive bound on mutex chain walks (waiter -> owner -> ...); chains are acyclic by construction.</summary>
        public const int MaxChainWalk = 1024;

        // Priority discipline: a red-black tree keyed by effective priority
        // (O(log n)); FIFO: a chain in arrival order (O(1) both ways).
        readonly RbTree tree = new RbTree();
        readonly Chain fifo = new Chain();
        readonly SchedCore core;
        readonly WaitDiscipline discipline;
        readonly bool isFifo;
        SyncGuard guard;

        public WaitQueue(SchedCore core, WaitDiscipline discipline)
        {
            this.core = core;
            this.discipline = discipline == WaitDiscipline.Priority ? WaitDiscipline.Priority : WaitDiscipline.Fifo;
            isFifo = this.discipline == WaitDiscipline.Fifo;
        }

        public SchedCore Core { get { return core; } }
        /// <summary>The owning object's lock when the queue is shared across cores, else null.</summary>
        public SyncGuard Guard { get { return guard; } }

        /// <summary>
        /// Make the queue shared, guarded by g (the owning object's lock; the
        /// objects call it from their Share). False, and nothing changes,
        /// when g is null, the queue is shared already or threads wait in it.
        /// </summary>
        public bool Share(SyncGuard g)
        {
            if (g == null || guard != null || Count != 0) return false;
            guard = g;
            return true;
        }
        public WaitDiscipline Discipline { get { return discipline; } }
        public int Count { get { return isFifo ? fifo.Count : tree.Count; } }
        public bool IsEmpty { get { return Count == 0; } }

        /// <summary>The waiter served next (most urgent, or the oldest under FIFO), or null.</summary>
        public SchedThread First
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                if (isFifo) { ChainNode c = fifo.First; return c == null ? null : c.Thread; }
                RbNode f = tree.First;
                return f == null ? null : f.Thread;
            }
        }

        /// <summary>The waiter after t in service order, or null (also when t is not in this queue).</summary>
        public SchedThread Next(SchedThread t)
        {
            if (t == null || t.Wait.Queue != this) return null;
            if (isFifo) { ChainNode c = fifo.NextOf(t.Wait.Link); return c == null ? null : c.Thread; }
            RbNode n = RbTree.Next(t.Wait);
            return n == null ? null : n.Thread;
        }

        public bool Contains(SchedThread t) { return t != null && t.Wait.Queue == this; }

        /// <summary>The thread that holds the resource waited for (a mutex's owner), null for other objects. Used by the deadlock check.</summary>
        public virtual SchedThread Holder { get { return null; } }

        /// <summary>
        /// Make caller wait here: the full protocol for direct kernel use
        /// (join-style waits). Returns Blocked (queued, not ready, timeout
        /// armed), or without changing anything: InvalidArgument (negative
        /// timeout), Unsatisfied (NoWait), CalledFromInterrupt, InvalidCaller.
        /// </summary>
        public SyncStatus Enqueue(SchedThread caller, long timeout)
        {
            SyncStatus st = SyncOps.CheckTimeout(core, timeout);
            if (st != SyncStatus.Successful) return st;
            if (timeout == Timeout.NoWait) return SyncStatus.Unsatisfied;
            st = SyncOps.CheckCaller(core, caller);
            if (st != SyncStatus.Successful) return st;
            Insert(caller, timeout);
            return SyncStatus.Blocked;
        }

        /// <summary>
        /// Queue an already validated caller (SyncOps.CheckCaller passed, timeout
        /// &gt; 0): link it, mark its result pending, set Blocked, arm its timer.
        /// </summary>
        internal void Insert(SchedThread caller, long timeout)
        {
            WaitNode w = caller.Wait;
            // A shared queue's waiter blocks on its own core (the caller runs
            // on it: CheckCaller passed for that core).
            SchedCore c = guard == null ? core : caller.Core;
            // The clock is read only for a finite timeout (before the block,
            // so the timeout counts from the call).
            long expiry = timeout == Timeout.Forever ? long.MaxValue : SyncOps.ExpiryOf(c.Now(), timeout);
            w.Queue = this;
            if (isFifo) fifo.Append(w.Link);
            else tree.Insert(w, caller.EffectivePriority);
            caller.WaitResult = SyncStatus.Blocked;
            c.BlockWith(caller, ThreadState.Blocked);
            if (expiry != long.MaxValue) c.Timers.Insert(w.Timer, expiry);
        }

        /// <summary>
        /// End t's wait with status: unlink it, cancel its timer, store the
        /// status in t.WaitResult, run the object's hook (a mutex recomputes
        /// inheritance), clear Blocked (other bits such as Suspended stay).
        /// False when t is not waiting here. A shared queue: the caller holds
        /// the guard; the outcome is decided here (exactly once: t leaves the
        /// queue under the guard), and a waiter of a core this context may
        /// not run is woken there (Platform.HandOffWake; its timer is
        /// cancelled there, and firing meanwhile does nothing: t is no
        /// longer queued).
        /// </summary>
        public bool Extract(SchedThread t, SyncStatus status)
        {
            if (t == null || t.Wait.Queue != this) return false;
            WaitNode w = t.Wait;
            if (isFifo) fifo.Remove(w.Link);
            else tree.Remove(w);
            w.Queue = null;
            t.WaitResult = status;
            Removed(t, status);
            SchedCore c = core;
            if (guard != null)
            {
                c = t.Core;
                if (c.Platform.HandOffWake(t)) return true;
            }
            c.Timers.Cancel(w.Timer);
            c.UnblockFrom(t, ThreadState.Blocked);
            return true;
        }

        /// <summary>
        /// Extract for a caller that does not hold the guard (a timeout, a
        /// thread's deletion): takes the guard of a shared queue around it.
        /// False when t no longer waits here (a release took it first).
        /// </summary>
        public bool ExtractGuarded(SchedThread t, SyncStatus status)
        {
            SyncGuard g = guard;
            if (g == null) return Extract(t, status);
            ulong f = g.Enter();
            bool done = Extract(t, status);
            g.Exit(f);
            return done;
        }

        /// <summary>Extract the first waiter with status; returns it, or null when none waits.</summary>
        public SchedThread WakeOne(SyncStatus status)
        {
            SchedThread t = First;
            if (t != null) Extract(t, status);
            return t;
        }

        /// <summary>Extract every waiter, in service order, with status; returns how many.</summary>
        public int WakeAll(SyncStatus status)
        {
            int n = 0;
            SchedThread t = First;
            while (t != null)
            {
                Extract(t, status);
                n++;
                t = First;
            }
            return n;
        }

        /// <summary>
        /// The core's hook: waiting thread t changed effective priority. It is
        /// re-sorted, and along a mutex chain the change travels to each
        /// owner in turn, iteratively (the walk marks the owner it updates as
        /// Deferred so the core's nested hook call returns at once).
        /// </summary>
        public void PriorityChanged(SchedThread t)
        {
            if (t == null || t.Wait.Queue != this || t.Wait.Deferred) return;
            Propagate(t);
        }

        /// <summary>
        /// Re-sort t in its queue and follow the chain of owners as far as
        /// priorities change. A shared queue is re-sorted under its guard
        /// (its waiter may be taken out meanwhile by another CPU: then
        /// nothing is left to re-sort).
        /// </summary>
        internal static void Propagate(SchedThread t)
        {
            for (int i = 0; t != null && i < MaxChainWalk; i++)
            {
                WaitQueue q = t.Wait.Queue;
                if (q == null) return;
                SyncGuard g = q.guard;
                if (g == null) { t = q.Reposition(t); continue; }
                ulong f = g.Enter();
                SchedThread next = t.Wait.Queue == q ? q.Reposition(t) : null;
                g.Exit(f);
                t = next;
            }
        }

        /// <summary>
        /// t (waiting here) may have a new effective priority: re-sort it.
        /// Returns the next thread whose priority changed because of it (a
        /// mutex's owner), or null to end the walk.
        /// </summary>
        protected virtual SchedThread Reposition(SchedThread t)
        {
            Resort(t);
            return null;
        }

        /// <summary>Priority discipline: move t to its current effective priority (behind its new equals).</summary>
        protected void Resort(SchedThread t)
        {
            if (discipline != WaitDiscipline.Priority) return;
            WaitNode w = t.Wait;
            long p = t.EffectivePriority;
            if (w.Key == p) return;
            tree.Remove(w);
            tree.Insert(w, p);
        }

        /// <summary>Hook: t has left the queue (status in t.WaitResult), before it is unblocked.</summary>
        protected virtual void Removed(SchedThread t, SyncStatus status) { }

        /// <summary>Invariants listed on the class; null when sound.</summary>
        public virtual string Check()
        {
            string e = isFifo ? fifo.Check() : tree.Check();
            if (e != null) return e;
            if (isFifo && tree.Count != 0) return "FIFO queue with nodes in its tree";
            if (!isFifo && fifo.Count != 0) return "priority queue with nodes in its chain";
            for (SchedThread t = First; t != null; t = Next(t))
            {
                if (t.Wait.Thread != t) return "foreign node in wait queue";
                if (t.Wait.Queue != this) return "thread " + t.Id + " in the queue of another";
                if (!t.Has(ThreadState.Blocked)) return "waiting thread " + t.Id + " not Blocked";
                if (t.Wait.Sleeping) return "waiting thread " + t.Id + " also sleeping";
                if (!isFifo && t.Wait.Key != t.EffectivePriority) return "thread " + t.Id + " keyed " + t.Wait.Key + " but expected " + t.EffectivePriority;
            }
            return null;
        }
    }
}
