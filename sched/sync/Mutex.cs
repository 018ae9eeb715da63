namespace Osprey.Sched
{
    /// <summary>
    /// A mutex with priority inheritance (deadline inheritance under EDF).
    ///
    /// While the mutex has waiters, its owner carries the mutex's
    /// PriorityNode with the EffectivePriority of the most urgent waiter (the
    /// first of the priority-ordered queue). The value is in the scheduler's
    /// mapped space, so the same code is priority inheritance under fixed
    /// priority and deadline inheritance under EDF. A thread holding several
    /// mutexes carries one node per mutex; its priority tree takes the most
    /// urgent. Inheritance is transitive: when the owner itself waits on a
    /// mutex, its new priority re-sorts it there and updates that mutex's
    /// owner, and so on (iteratively, see WaitQueue.PriorityChanged).
    ///
    /// Invariants (CheckInvariants):
    ///  - Owner == null  =&gt;  NestCount == 0, no waiters, node inactive, link unlinked;
    ///  - Owner != null  =&gt;  NestCount &gt;= 1, link on Owner.Wait.Held, Owner not
    ///    among the waiters;
    ///  - node active  &lt;=&gt;  Owner != null and waiters exist, and then it is in
    ///    Owner's priority tree with the value First.EffectivePriority;
    ///  - no cycle of owners and waiters (Obtain refuses with WouldDeadlock);
    ///  - deleted  =&gt;  no owner, no waiters.
    ///
    /// Ownership passes directly on release: the most urgent waiter becomes
    /// the owner before it runs (no convoy, no barging), the old owner loses
    /// the node, the new owner gains it if waiters remain.
    ///
    /// Owner exit: the kernel calls SyncOps.ThreadExit (or AbandonMutexes): each
    /// held mutex passes to its most urgent waiter with final status
    /// Abandoned, or becomes free. Every operation refuses interrupt context.
    /// </summary>
    public sealed class Mutex
    {
        readonly SchedCore core;
        readonly MutexQueue waiters;
        readonly PriorityNode node = new PriorityNode();
        readonly MutexLink link;
        readonly bool recursive;
        SchedThread owner;
        int nest;
        bool deleted;

        public int Id;

        /// <summary>The core whose threads may use the mutex (it is never shared across cores).</summary>
        public SchedCore Core { get { return core; } }

        public Mutex(SchedCore core, bool recursive)
        {
            this.core = core;
            this.recursive = recursive;
            waiters = new MutexQueue(core, this);
            link = new MutexLink(this);
        }

        public Mutex(SchedCore core, bool recursive, int id) : this(core, recursive)
        {
            Id = id;
        }

        public SchedThread Owner { get { return owner; } }
        /// <summary>How many times the owner holds it (0 when free).</summary>
        public int NestCount { get { return nest; } }
        public bool IsRecursive { get { return recursive; } }
        public bool IsDeleted { get { return deleted; } }
        public WaitQueue Waiters { get { return waiters; } }
        public int WaitingCount { get { return waiters.Count; } }
        /// <summary>The node the owner carries while the mutex has waiters.</summary>
        public PriorityNode InheritanceNode { get { return node; } }

        /// <summary>
        /// Lock. Successful (free, or recursive relock by the owner: nesting + 1);
        /// Blocked (queued; the owner inherits; final: Successful = owner now,
        /// Timeout, Deleted, Abandoned); Unsatisfied (NoWait and owned);
        /// AlreadyOwner (non-recursive relock); WouldDeadlock (the owner chain
        /// leads back to caller); TooMany (nesting overflow); Deleted;
        /// CalledFromInterrupt; InvalidCaller; InvalidArgument.
        /// </summary>
        public SyncStatus Obtain(SchedThread caller, long timeout)
        {
            if (deleted) return SyncStatus.Deleted;
            if (core == null) return SyncStatus.InvalidArgument;
            // A thread of another core (another CPU) is refused before
            // anything of this core is read: its nesting count is not the
            // caller's.
            if (caller != null && caller.Core != core) return SyncStatus.InvalidCaller;
            if (core.CallerInInterrupt) return SyncStatus.CalledFromInterrupt;
            if (caller == null || caller == core.Idle) return SyncStatus.InvalidCaller;
            if (timeout < 0) return SyncStatus.InvalidArgument;
            if (owner == null)
            {
                Take(caller);
                return SyncStatus.Successful;
            }
            if (owner == caller)
            {
                if (!recursive) return SyncStatus.AlreadyOwner;
                if (nest == int.MaxValue) return SyncStatus.TooMany;
                nest++;
                return SyncStatus.Successful;
            }
            if (timeout == Timeout.NoWait) return SyncStatus.Unsatisfied;
            SyncStatus st = SyncOps.CheckCaller(core, caller);
            if (st != SyncStatus.Successful) return st;
            // Deadlock: follow owner -> the mutex it waits on -> its owner ...
            // The wait-for graph is acyclic (every wait passed this check), so
            // the walk ends; the bound is only a guard.
            SchedThread o = owner;
            for (int i = 0; o != null; i++)
            {
                if (o == caller || i >= WaitQueue.MaxChainWalk) return SyncStatus.WouldDeadlock;
                WaitQueue q = o.Wait.Queue;
                if (q == null) break;
                o = q.Holder;
            }
            waiters.Insert(caller, timeout);
            UpdateInheritance();
            return SyncStatus.Blocked;
        }

        /// <summary>
        /// Unlock. Successful (nesting - 1, or released: ownership passes to the
        /// most urgent waiter, which becomes ready with final status
        /// Successful); NotOwner; Deleted; CalledFromInterrupt.
        /// </summary>
        public SyncStatus Release(SchedThread caller)
        {
            if (deleted) return SyncStatus.Deleted;
            if (core == null) return SyncStatus.InvalidArgument;
            if (caller != null && caller.Core != core) return SyncStatus.NotOwner;   // another core's thread never owns it
            if (core.CallerInInterrupt) return SyncStatus.CalledFromInterrupt;
            if (caller == null || owner != caller) return SyncStatus.NotOwner;
            if (nest > 1)
            {
                nest--;
                return SyncStatus.Successful;
            }
            PassOn(SyncStatus.Successful);
            return SyncStatus.Successful;
        }

        /// <summary>
        /// Retire the mutex: allowed when free or owned by caller (it is
        /// released); waiters end with Deleted; later calls return Deleted.
        /// InUse when another thread owns it; CalledFromInterrupt.
        /// </summary>
        public SyncStatus Delete(SchedThread caller)
        {
            if (deleted) return SyncStatus.Deleted;
            if (core == null) return SyncStatus.InvalidArgument;
            if (core.CallerInInterrupt) return SyncStatus.CalledFromInterrupt;
            if (owner != null && owner != caller) return SyncStatus.InUse;
            deleted = true;
            if (owner != null) Drop();
            waiters.WakeAll(SyncStatus.Deleted);
            return SyncStatus.Successful;
        }

        /// <summary>The owner exits: pass the mutex on with Abandoned (SyncOps.AbandonMutexes).</summary>
        internal void Abandon()
        {
            if (owner != null) PassOn(SyncStatus.Abandoned);
        }

        void Take(SchedThread t)
        {
            owner = t;
            nest = 1;
            t.Wait.Held.Append(link);
        }

        /// <summary>The owner lets go: it loses the inherited node and the mutex is free.</summary>
        void Drop()
        {
            SchedThread old = owner;
            old.Wait.Held.Remove(link);
            owner = null;
            nest = 0;
            core.RemovePriority(old, node);
        }

        /// <summary>Release completely and hand ownership to the most urgent waiter (final status).</summary>
        void PassOn(SyncStatus status)
        {
            Drop();
            SchedThread next = waiters.First;
            if (next == null) return;
            Take(next);
            // Extract runs Removed -> UpdateInheritance, which gives the new
            // owner the node for the remaining waiters before it is unblocked.
            waiters.Extract(next, status);
        }

        /// <summary>
        /// Set the owner's node to the most urgent waiter's priority (remove it
        /// when none waits), then carry a change of the owner's priority on
        /// along the chain.
        /// </summary>
        internal void UpdateInheritance()
        {
            SchedThread o = Reinherit();
            if (o != null) WaitQueue.Propagate(o);
        }

        /// <summary>
        /// One step of the chain walk: recompute the node on the owner. Returns
        /// the owner when its effective priority changed (the walk continues
        /// with the queue it waits on), else null.
        /// </summary>
        internal SchedThread Reinherit()
        {
            SchedThread o = owner;
            if (o == null) return null;
            long before = o.EffectivePriority;
            SchedThread top = waiters.First;
            bool deferred = o.Wait.Deferred;
            o.Wait.Deferred = true;
            if (top == null) core.RemovePriority(o, node);
            else core.SetPriorityNode(o, node, top.EffectivePriority);
            o.Wait.Deferred = deferred;
            return o.EffectivePriority != before ? o : null;
        }

        /// <summary>Invariants listed on the class; null when sound.</summary>
        public string CheckInvariants()
        {
            string e = waiters.Check();
            if (e != null) return "mutex " + Id + " waiters: " + e;
            if (deleted && (owner != null || waiters.Count != 0)) return "mutex " + Id + " deleted but owned or waited on";
            if (owner == null)
            {
                if (nest != 0) return "mutex " + Id + " free with nesting " + nest;
                if (waiters.Count != 0) return "mutex " + Id + " free with waiters";
                if (node.InTree) return "mutex " + Id + " free with an active inheritance node";
                if (link.IsLinked) return "mutex " + Id + " free but on a held list";
                return null;
            }
            if (nest < 1) return "mutex " + Id + " owned with nesting " + nest;
            if (!owner.Wait.Held.Contains(link)) return "mutex " + Id + " not on its owner's held list";
            if (owner.Wait.Queue == waiters) return "mutex " + Id + " owner waits on it";
            if (waiters.Count == 0)
            {
                if (node.InTree) return "mutex " + Id + " without waiters has an active node";
                return null;
            }
            if (!node.InTree) return "mutex " + Id + " has waiters but the owner inherits nothing";
            bool found = false;
            for (RbNode n = owner.Priorities.First; n != null; n = RbTree.Next(n))
            {
                if (n == node) { found = true; break; }
            }
            if (!found) return "mutex " + Id + " node not in the owner's priority tree";
            long want = waiters.First.EffectivePriority;
            if (node.Key != want) return "mutex " + Id + " owner inherits " + node.Key + " but the most urgent waiter has " + want;
            return null;
        }
    }
}
