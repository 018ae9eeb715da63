namespace Osprey.Sched
{
    /// <summary>
    /// Counting semaphore with a maximum (binary: Max 1), FIFO or priority
    /// waiters. No inheritance (use Mutex for mutual exclusion).
    ///
    /// Invariants (CheckInvariants):
    ///  - 0 &lt;= Count &lt;= Max;
    ///  - Count &gt; 0  =&gt;  no waiters (a release with waiters hands the unit to
    ///    the first waiter instead of counting it);
    ///  - deleted  =&gt;  no waiters.
    /// Shared (Share): threads of every core may use it; its guard is held
    /// around each operation (sched/README.md "Synchronization across cores").
    /// </summary>
    public sealed class Semaphore
    {
        readonly SchedCore core;
        readonly WaitQueue waiters;
        readonly int max;
        int count;
        bool deleted;
        SyncGuard guard;

        public int Id;

        Semaphore(SchedCore core, int initial, int max, WaitDiscipline discipline)
        {
            this.core = core;
            this.max = max;
            count = initial;
            waiters = new WaitQueue(core, discipline);
        }

        /// <summary>
        /// A semaphore with initial units and at most max units; null and
        /// InvalidArgument when core is null, max &lt; 1 or initial is outside 0..max.
        /// </summary>
        public static Semaphore Create(SchedCore core, int initial, int max, WaitDiscipline discipline, out SyncStatus status)
        {
            if (core == null || max < 1 || initial < 0 || initial > max)
            {
                status = SyncStatus.InvalidArgument;
                return null;
            }
            status = SyncStatus.Successful;
            return new Semaphore(core, initial, max, discipline);
        }

        public int Count { get { return count; } }
        public int Max { get { return max; } }
        /// <summary>The core the semaphore's waiters block on (the CPU that owns it).</summary>
        public SchedCore Core { get { return core; } }
        public bool IsDeleted { get { return deleted; } }
        public WaitQueue Waiters { get { return waiters; } }
        public int WaitingCount { get { return waiters.Count; } }
        /// <summary>The lock of a shared semaphore, or null (one core's).</summary>
        public SyncGuard Guard { get { return guard; } }

        /// <summary>
        /// Make the semaphore usable by threads of every core: g guards its
        /// state from now on, and a waiter blocks on its own core. Setup
        /// time, before any thread waits: InvalidArgument otherwise (g null,
        /// shared already, or waiters).
        /// </summary>
        public SyncStatus Share(SyncGuard g)
        {
            if (guard != null || !waiters.Share(g)) return SyncStatus.InvalidArgument;
            guard = g;
            return SyncStatus.Successful;
        }

        /// <summary>
        /// Take a unit. Successful; Unsatisfied (NoWait, none left); Blocked
        /// (final: Successful, Timeout, Flushed, Deleted); Deleted;
        /// InvalidArgument; CalledFromInterrupt (a timeout other than NoWait
        /// in an interrupt); InvalidCaller. NoWait is allowed in interrupts
        /// (caller may then be null).
        /// </summary>
        public SyncStatus Obtain(SchedThread caller, long timeout)
        {
            SyncGuard g = guard;
            if (g == null) return ObtainLocked(caller, timeout);
            ulong f = g.Enter();
            SyncStatus s = ObtainLocked(caller, timeout);
            g.Exit(f);
            return s;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        SyncStatus ObtainLocked(SchedThread caller, long timeout)
        {
            if (deleted) return SyncStatus.Deleted;
            SchedCore home;
            SyncStatus st = SyncOps.CheckWait(core, guard, caller, timeout, out home);
            if (st != SyncStatus.Successful) return st;
            if (count > 0)
            {
                count--;
                return SyncStatus.Successful;
            }
            if (timeout == Timeout.NoWait) return SyncStatus.Unsatisfied;
            st = SyncOps.CheckCaller(home, caller);
            if (st != SyncStatus.Successful) return st;
            waiters.Insert(caller, timeout);
            return SyncStatus.Blocked;
        }

        /// <summary>
        /// Give a unit back: straight to the first waiter if any (it becomes
        /// ready with Successful), else Count + 1; TooMany at Max (nothing
        /// changes); Deleted. Allowed in interrupts; caller may be null.
        /// </summary>
        public SyncStatus Release(SchedThread caller)
        {
            SyncGuard g = guard;
            if (g == null) return ReleaseLocked();
            ulong f = g.Enter();
            SyncStatus s = ReleaseLocked();
            g.Exit(f);
            return s;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        SyncStatus ReleaseLocked()
        {
            if (deleted) return SyncStatus.Deleted;
            SchedThread t = waiters.First;
            if (t != null)
            {
                waiters.Extract(t, SyncStatus.Successful);
                return SyncStatus.Successful;
            }
            if (count >= max) return SyncStatus.TooMany;
            count++;
            return SyncStatus.Successful;
        }

        /// <summary>Wake every waiter without a unit (final status Flushed); the count is unchanged. Allowed in interrupts.</summary>
        public SyncStatus Flush()
        {
            SyncGuard g = guard;
            ulong f = g == null ? 0 : g.Enter();
            SyncStatus s = SyncStatus.Deleted;
            if (!deleted)
            {
                waiters.WakeAll(SyncStatus.Flushed);
                s = SyncStatus.Successful;
            }
            if (g != null) g.Exit(f);
            return s;
        }

        /// <summary>Retire: waiters end with Deleted, later calls return Deleted. Not in interrupts.</summary>
        public SyncStatus Delete()
        {
            return SyncOps.Retire(guard, core, ref deleted, waiters);
        }

        /// <summary>Invariants listed on the class; null when sound.</summary>
        public string CheckInvariants()
        {
            string e = waiters.Check();
            if (e != null) return "semaphore " + Id + " waiters: " + e;
            if (count < 0 || count > max) return "semaphore " + Id + " count " + count + " outside 0.." + max;
            if (count > 0 && waiters.Count != 0) return "semaphore " + Id + " has units and waiters";
            if (deleted && waiters.Count != 0) return "semaphore " + Id + " deleted with waiters";
            return null;
        }
    }
}
