using System.Runtime.CompilerServices;

namespace Osprey.Sched
{
    /// <summary>
    /// Helpers of the blocking protocol (see sched/README.md "Synchronization"):
    /// finishing a blocked call, sleeping on the thread's timer, pulling a
    /// thread out of whatever it waits on, and the checks every object shares.
    /// </summary>
    public static class SyncOps
    {
        /// <summary>
        /// The final status of an operation that returned s on behalf of t:
        /// s itself, or, when s is Blocked, t.WaitResult (read it once t runs
        /// again; it stays Blocked while t still waits).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static SyncStatus Final(SyncStatus s, SchedThread t)
        {
            if (s != SyncStatus.Blocked || t == null) return s;
            return t.WaitResult;
        }

        /// <summary>
        /// Sleep for ns from now (Sleeping bit, the thread's timer): Blocked,
        /// final status Successful once at least ns have passed. 0 returns
        /// Successful at once; Forever sleeps until CancelWait.
        /// </summary>
        public static SyncStatus SleepFor(SchedCore core, SchedThread caller, long ns)
        {
            if (core == null || ns < 0) return SyncStatus.InvalidArgument;
            if (core.CallerInInterrupt) return SyncStatus.CalledFromInterrupt;
            if (ns == 0) return SyncStatus.Successful;
            SyncStatus st = CheckCaller(core, caller);
            if (st != SyncStatus.Successful) return st;
            return SleepTo(core, caller, ExpiryOf(core.Now(), ns));
        }

        /// <summary>
        /// Sleep until the absolute time absoluteNs: Blocked (final status
        /// Successful, never before absoluteNs), or Successful at once when
        /// absoluteNs is not in the future.
        /// </summary>
        public static SyncStatus SleepUntil(SchedCore core, SchedThread caller, long absoluteNs)
        {
            if (core == null) return SyncStatus.InvalidArgument;
            if (core.CallerInInterrupt) return SyncStatus.CalledFromInterrupt;
            if (absoluteNs <= core.Now()) return SyncStatus.Successful;
            SyncStatus st = CheckCaller(core, caller);
            if (st != SyncStatus.Successful) return st;
            return SleepTo(core, caller, absoluteNs);
        }

        static SyncStatus SleepTo(SchedCore core, SchedThread caller, long expiry)
        {
            WaitNode w = caller.Wait;
            w.Sleeping = true;
            caller.WaitResult = SyncStatus.Blocked;
            core.BlockWith(caller, ThreadState.Sleeping);
            if (expiry != long.MaxValue) core.Timers.Insert(w.Timer, expiry);
            return SyncStatus.Blocked;
        }

        /// <summary>
        /// End whatever t waits on (a queue or a sleep) with status: it leaves
        /// the queue (a mutex recomputes its owner's inheritance), its timer
        /// is cancelled, WaitResult = status, the Blocked/Sleeping bit is
        /// cleared (Suspended, Dormant... stay). False when t does not wait.
        /// For thread deletion/stop, restart, or waking a sleeper early.
        /// </summary>
        public static bool CancelWait(SchedThread t, SyncStatus status)
        {
            if (t == null) return false;
            WaitQueue q = t.Wait.Queue;
            if (q != null) return q.ExtractGuarded(t, status);
            if (!t.Wait.Sleeping) return false;
            t.Wait.Sleeping = false;
            t.WaitResult = status;
            if (t.Core != null)
            {
                t.Core.Timers.Cancel(t.Wait.Timer);
                t.Core.UnblockFrom(t, ThreadState.Sleeping);
            }
            return true;
        }

        /// <summary>
        /// The second half of a wake handed to t's core (Platform.HandOffWake):
        /// t has left a shared object's queue with its final status in
        /// t.WaitResult; cancel its timer and clear Blocked. Run on t's core
        /// (its CPU, with that core's lock held). False when t was not
        /// blocked (nothing changes).
        /// </summary>
        public static bool EndWait(SchedThread t)
        {
            if (t == null || t.Core == null || t.Wait.Queue != null) return false;
            SchedCore c = t.Core;
            c.Timers.Cancel(t.Wait.Timer);
            return c.UnblockFrom(t, ThreadState.Blocked);
        }

        /// <summary>
        /// CheckTimeout for a call on an object that may wait, and the core
        /// the caller would wait on (home): the object's core, or for a
        /// shared object (guard set) the caller's own core. A shared
        /// object's null caller is an interrupt handler (or no thread): a
        /// timeout other than NoWait is CalledFromInterrupt there, since the
        /// object's core says nothing of the calling CPU's nesting.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static SyncStatus CheckWait(SchedCore core, SyncGuard guard, SchedThread caller, long timeout, out SchedCore home)
        {
            home = core;
            if (guard != null)
            {
                if (caller != null && caller.Core != null) home = caller.Core;
                else if (timeout < 0) return SyncStatus.InvalidArgument;
                else if (timeout != Timeout.NoWait) return SyncStatus.CalledFromInterrupt;
            }
            return CheckTimeout(home, timeout);
        }

        /// <summary>
        /// t exits while owning mutexes: each passes to its most urgent waiter,
        /// whose final status is Abandoned (it owns the mutex; the protected
        /// data may be inconsistent), or becomes free. Returns how many.
        /// </summary>
        public static int AbandonMutexes(SchedThread t)
        {
            if (t == null) return 0;
            int n = 0;
            Chain held = t.Wait.Held;
            while (held.First != null) // each round unlinks one node
            {
                ChainNode c = held.First;
                MutexLink l = c as MutexLink;
                if (l == null || l.Mutex.Owner != t)
                {
                    held.Remove(c); // not a live ownership: drop the stale link
                    continue;
                }
                l.Mutex.Abandon();
                n++;
            }
            return n;
        }

        /// <summary>
        /// Everything sync must undo when t is deleted or stopped: end its wait
        /// (status Deleted) and abandon its mutexes. Call before SchedCore.Stop
        /// or RemoveThread; thread context (not from an interrupt handler).
        /// </summary>
        public static void ThreadExit(SchedThread t)
        {
            CancelWait(t, SyncStatus.Deleted);
            AbandonMutexes(t);
        }

        /// <summary>
        /// Delete of an object with one wait queue: Deleted when it already
        /// is, refused in interrupts, else the object is marked deleted and
        /// its waiters end with Deleted.
        /// </summary>
        public static SyncStatus Retire(SchedCore core, ref bool deleted, WaitQueue waiters)
        {
            if (deleted) return SyncStatus.Deleted;
            if (core == null) return SyncStatus.InvalidArgument;
            if (core.CallerInInterrupt) return SyncStatus.CalledFromInterrupt;
            deleted = true;
            waiters.WakeAll(SyncStatus.Deleted);
            return SyncStatus.Successful;
        }

        /// <summary>
        /// Retire of a shared object: under its guard (SyncGuard), or as
        /// Retire for an object that is not shared (guard null).
        /// </summary>
        public static SyncStatus Retire(SyncGuard guard, SchedCore core, ref bool deleted, WaitQueue waiters)
        {
            if (guard == null) return Retire(core, ref deleted, waiters);
            ulong f = guard.Enter();
            SyncStatus s = Retire(core, ref deleted, waiters);
            guard.Exit(f);
            return s;
        }

        /// <summary>Timeout validity and the interrupt rule: InvalidArgument (negative, or no core), CalledFromInterrupt (could block in an interrupt), else Successful.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static SyncStatus CheckTimeout(SchedCore core, long timeout)
        {
            if (core == null || timeout < 0) return SyncStatus.InvalidArgument;
            if (timeout != Timeout.NoWait && core.CallerInInterrupt) return SyncStatus.CalledFromInterrupt;
            return SyncStatus.Successful;
        }

        /// <summary>
        /// Can caller wait now? It must be this core's executing thread (or,
        /// under global scheduling, the executing thread of another CPU of
        /// the core's cluster), not idle, and ready. Successful or InvalidCaller. That covers the rest
        /// by the core's invariants: the executing thread is never null and
        /// belongs to the core, and a thread that waits in a queue or sleeps
        /// has its Blocked or Sleeping bit set, so it is not ready (a host
        /// test checks each refusal).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static SyncStatus CheckCaller(SchedCore core, SchedThread caller)
        {
            if (caller == core.Executing)
                return caller == core.Idle || caller.State != ThreadState.Ready ? SyncStatus.InvalidCaller : SyncStatus.Successful;
            // Global scheduling: the caller may execute on another CPU of the
            // object's cluster (its LastCore is the CPU it runs on).
            SchedCore on = caller == null ? null : caller.LastCore;
            if (on == null || on == core || on.Executing != caller || caller.State != ThreadState.Ready) return SyncStatus.InvalidCaller;
            GlobalEdfScheduler a = on.Scheduler as GlobalEdfScheduler, b = core.Scheduler as GlobalEdfScheduler;
            if (a == null || b == null || a.Cluster != b.Cluster) return SyncStatus.InvalidCaller;
            return SyncStatus.Successful;
        }

        /// <summary>Absolute expiry of a relative timeout; long.MaxValue (no timer) for Forever or past the end of the clock.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static long ExpiryOf(long now, long timeout)
        {
            if (timeout == Timeout.Forever) return long.MaxValue;
            long e = now + timeout;
            if (e < now) return long.MaxValue;
            return e;
        }
    }
}
