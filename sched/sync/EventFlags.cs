namespace Osprey.Sched
{
    /// <summary>
    /// A 32-bit set of event flags. Threads wait for any or all of a mask;
    /// Set wakes, in queue order, every waiter the flags now satisfy (one
    /// that clears on exit consumes its flags before the next is examined).
    ///
    /// Invariants (CheckInvariants): no waiter is satisfied by the current
    /// flags (Set wakes them all before it returns); every waiter has a
    /// non-zero mask; deleted =&gt; no waiters.
    /// Shared (Share): threads of every core may use it; its guard is held
    /// around each operation (sched/README.md "Synchronization across cores").
    /// </summary>
    public sealed class EventFlags
    {
        readonly SchedCore core;
        readonly WaitQueue waiters;
        uint flags;
        bool deleted;
        SyncGuard guard;

        public int Id;

        public EventFlags(SchedCore core, WaitDiscipline discipline)
        {
            this.core = core;
            waiters = new WaitQueue(core, discipline);
        }

        public uint Flags { get { return flags; } }
        public bool IsDeleted { get { return deleted; } }
        public WaitQueue Waiters { get { return waiters; } }
        public int WaitingCount { get { return waiters.Count; } }
        /// <summary>The lock of shared flags, or null (one core's).</summary>
        public SyncGuard Guard { get { return guard; } }

        /// <summary>
        /// Make the flags usable by threads of every core: g guards them from
        /// now on. Setup time, before any thread waits: InvalidArgument
        /// otherwise (g null, shared already, waiters).
        /// </summary>
        public SyncStatus Share(SyncGuard g)
        {
            if (guard != null || !waiters.Share(g)) return SyncStatus.InvalidArgument;
            guard = g;
            return SyncStatus.Successful;
        }

        static bool Satisfied(uint flags, uint mask, EventMode mode)
        {
            return mode == EventMode.All ? (flags & mask) == mask : (flags & mask) != 0;
        }

        /// <summary>
        /// Wait for any/all of mask. Successful with got = the satisfying flags
        /// (flags &amp; mask; cleared from the set when clearOnExit); Unsatisfied
        /// (NoWait); Blocked (final: Successful with the flags in
        /// caller.Wait.Events, Timeout, Deleted); InvalidArgument (mask 0, bad
        /// mode, negative timeout); CalledFromInterrupt; InvalidCaller; Deleted.
        /// got is 0 unless Successful.
        /// </summary>
        public SyncStatus Wait(SchedThread caller, uint mask, EventMode mode, bool clearOnExit, long timeout, out uint got)
        {
            SyncGuard g = guard;
            if (g == null) return WaitLocked(caller, mask, mode, clearOnExit, timeout, out got);
            ulong f = g.Enter();
            SyncStatus s = WaitLocked(caller, mask, mode, clearOnExit, timeout, out got);
            g.Exit(f);
            return s;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        SyncStatus WaitLocked(SchedThread caller, uint mask, EventMode mode, bool clearOnExit, long timeout, out uint got)
        {
            got = 0;
            if (deleted) return SyncStatus.Deleted;
            if (mask == 0 || (mode != EventMode.Any && mode != EventMode.All)) return SyncStatus.InvalidArgument;
            SchedCore home;
            SyncStatus st = SyncOps.CheckWait(core, guard, caller, timeout, out home);
            if (st != SyncStatus.Successful) return st;
            if (Satisfied(flags, mask, mode))
            {
                got = flags & mask;
                if (clearOnExit) flags &= ~got;
                return SyncStatus.Successful;
            }
            if (timeout == Timeout.NoWait) return SyncStatus.Unsatisfied;
            st = SyncOps.CheckCaller(home, caller);
            if (st != SyncStatus.Successful) return st;
            WaitNode w = caller.Wait;
            w.Mask = mask;
            w.Mode = mode;
            w.ClearOnExit = clearOnExit;
            w.Events = 0;
            waiters.Insert(caller, timeout);
            return SyncStatus.Blocked;
        }

        /// <summary>Set flags and wake every waiter now satisfied. Allowed in interrupts.</summary>
        public SyncStatus Set(uint mask)
        {
            SyncGuard g = guard;
            if (g == null) return SetLocked(mask);
            ulong f = g.Enter();
            SyncStatus s = SetLocked(mask);
            g.Exit(f);
            return s;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        SyncStatus SetLocked(uint mask)
        {
            if (deleted) return SyncStatus.Deleted;
            flags |= mask;
            SchedThread t = waiters.First;
            while (t != null && flags != 0)
            {
                SchedThread next = waiters.Next(t);
                WaitNode w = t.Wait;
                if (Satisfied(flags, w.Mask, w.Mode))
                {
                    uint got = flags & w.Mask;
                    if (w.ClearOnExit) flags &= ~got;
                    w.Events = got;
                    waiters.Extract(t, SyncStatus.Successful);
                }
                t = next;
            }
            return SyncStatus.Successful;
        }

        /// <summary>Clear flags (wakes nobody). Allowed in interrupts.</summary>
        public SyncStatus Clear(uint mask)
        {
            SyncGuard g = guard;
            ulong f = g == null ? 0 : g.Enter();
            SyncStatus s = SyncStatus.Deleted;
            if (!deleted)
            {
                flags &= ~mask;
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
            if (e != null) return "event flags " + Id + " waiters: " + e;
            if (deleted && waiters.Count != 0) return "event flags " + Id + " deleted with waiters";
            for (SchedThread t = waiters.First; t != null; t = waiters.Next(t))
            {
                if (t.Wait.Mask == 0) return "event flags " + Id + " waiter " + t.Id + " with an empty mask";
                if (Satisfied(flags, t.Wait.Mask, t.Wait.Mode)) return "event flags " + Id + " waiter " + t.Id + " is satisfied but waits";
            }
            return null;
        }
    }
}
