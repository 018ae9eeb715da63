using Osprey.Kernel.Arch;
using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // The synchronization objects with real threads on the real timer: each
    // primitive with and without timeouts, the classic three-thread priority
    // inversion (unbounded with a plain semaphore, bounded by the mutex's
    // inheritance), deadline inheritance under EDF, the interrupt-context
    // rules from a real interrupt, and the figures of a semaphore hand-off
    // and an uncontended mutex.
    internal sealed unsafe class PrimitivesSuite : Suite
    {
        internal override string Name { get { return "primitives"; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] {
                    "semaphore_timeout_and_handoff", "priority_inversion_unbounded_without_inheritance",
                    "priority_inversion_bounded_with_inheritance", "deadline_inheritance_under_edf", "mutex_misuse",
                    "message_queue_producer_consumer", "block_pool_exhaustion_and_handoff", "event_flags_set_from_interrupt",
                    "interrupt_context_rules", "join_timeout", "semaphore_and_mutex_figures", "cbs_server_enforces_budget",
                };
            }
        }

        // Deadline inheritance is an EDF mechanism, budget enforcement a CBS
        // one; the other tests run under any policy.
        internal override string TestPolicy(int index)
        {
            if (index == 3) return "edf";
            if (index == 11) return "cbs";
            return null;
        }

        private const int Main = KernelMain.MainPriority;
        private const long Ms = 1000000;
        private static Semaphore sem;
        private static Mutex mutex;
        private static long[] log = new long[64];
        private static int logCount;
        private static long t0, tA, tB, tC;
        private static SyncStatus statusA, statusB;

        private static void Spin(long ns)
        {
            Thread self = Threads.Current;
            long target = Threads.CpuTime(self) + ns;
            while (Threads.CpuTime(self) < target) { }
        }

        internal override void Run(int index, Check t)
        {
            logCount = 0; t0 = tA = tB = tC = 0;
            switch (index)
            {
                case 0: SemaphoreBasics(t); break;
                case 1: Inversion(t, false); break;
                case 2: Inversion(t, true); break;
                case 3: DeadlineInheritance(t); break;
                case 4: MutexMisuse(t); break;
                case 5: Messages(t); break;
                case 6: Pool(t); break;
                case 7: Events(t); break;
                case 8: InterruptRules(t); break;
                case 9: JoinTimeout(t); break;
                case 10: Figures(t); break;
                case 11: CbsBudget(t); break;
            }
        }

        private static void TakeForever(object o) { statusA = Blocking.Obtain(sem, Timeout.Forever); tA = Machine.Now(); }

        private static void SemaphoreBasics(Check t)
        {
            sem = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
            t.Equal((long)SyncStatus.Unsatisfied, (long)Blocking.Obtain(sem, Timeout.NoWait), "NoWait on an empty semaphore");
            long start = Machine.Now();
            t.Equal((long)SyncStatus.Timeout, (long)Blocking.Obtain(sem, 2 * Ms), "2 ms timeout expires");
            long waited = Machine.Now() - start;
            t.True(waited >= 2 * Ms, "not before the timeout (" + waited + " ns)");
            Thread w = Threads.Spawn("taker", &TakeForever, null, Main - 10);   // blocks at once
            t.Equal(1, sem.WaitingCount, "one waiter");
            long rel = Machine.Now();
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Release(sem), "release");
            t.Equal((long)SyncStatus.Successful, (long)statusA, "the waiter got the unit");
            t.True(tA >= rel && tA != 0, "and ran before Release returned (it is more urgent)");
            t.Equal(0, sem.Count, "handed over, not counted");
            Blocking.Release(sem);
            t.Equal((long)SyncStatus.TooMany, (long)Blocking.Release(sem), "a binary semaphore refuses a second unit");
            Threads.Join(w);
        }

        // Classic inversion: low takes the lock, high blocks on it, medium
        // becomes ready and spins 5 ms. Without inheritance high waits for
        // medium; with it, low finishes its 1 ms section at high's priority.
        // The order is set by priorities and a handshake only: low tells
        // main it holds the lock, and main (more urgent than all three)
        // preempts it there, so low is ready, not sleeping, when high and
        // medium arrive. (Timed sleeps for "low takes the lock" and "let
        // high and medium arrive" raced host stalls under plain emulation.)
        private static bool useMutex;
        private static Semaphore lowHolds;
        private static void Low(object o)
        {
            if (useMutex) Blocking.Lock(mutex, Timeout.Forever); else Blocking.Obtain(sem, Timeout.Forever);
            log[logCount++] = 1;
            Blocking.Release(lowHolds);     // main preempts here and lets high and medium arrive
            Spin(1 * Ms);                   // the critical section
            log[logCount++] = 2;
            if (useMutex) Blocking.Unlock(mutex); else Blocking.Release(sem);
        }
        private static void High(object o)
        {
            tA = Machine.Now();
            if (useMutex) Blocking.Lock(mutex, Timeout.Forever); else Blocking.Obtain(sem, Timeout.Forever);
            tB = Machine.Now();
            log[logCount++] = 3;
            if (useMutex) Blocking.Unlock(mutex); else Blocking.Release(sem);
        }
        private static void Medium(object o)
        {
            Spin(5 * Ms);
            tC = Machine.Now();
            log[logCount++] = 4;
        }

        private static void Inversion(Check t, bool inherit)
        {
            useMutex = inherit;
            if (inherit) mutex = Blocking.NewMutex(false); else sem = Blocking.NewSemaphore(1, 1, WaitDiscipline.Priority);
            lowHolds = Blocking.NewSemaphore(0, 1, WaitDiscipline.Fifo);
            Thread me = Threads.Current;
            Threads.SetPriority(me, 5);                 // start everything, then let them go
            Thread low = Threads.Spawn("low", &Low, null, 60);
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Obtain(lowHolds, Timeout.Forever), "low took the lock");
            t.Equal(1, logCount, "and stopped before its section");
            Thread high = Threads.Spawn("high", &High, null, 20);
            Thread medium = Threads.Spawn("medium", &Medium, null, 40);
            Threads.SetPriority(me, Main);
            Threads.Join(high); Threads.Join(medium); Threads.Join(low);
            long blocked = tB - tA;
            t.Note((inherit ? "mutex (inheritance)" : "binary semaphore (no inheritance)") + ": high blocked " + blocked + " ns");
            if (inherit)
            {
                t.True(tB < tC, "high got the lock before medium finished");
                if (KernelMain.Options.ExactClock) t.True(blocked < 3 * Ms, "high blocked only for low's section (bounded), not medium's 5 ms");
                t.Equal(4, logCount, "all ran");
                t.Equal(2, log[1], "low finished its section second");
                t.Equal(3, log[2], "then high");
                t.Equal(4, log[3], "medium last");
            }
            else
            {
                t.True(tC < tB, "medium finished before high got the lock: unbounded inversion");
                t.True(blocked >= 5 * Ms, "high waited for medium's 5 ms");
            }
        }

        // Under EDF: a background thread holding a mutex inherits the
        // deadline of a periodic thread waiting for it. The owner holds the
        // mutex until main opens a gate, after the waiter is seen blocked on
        // it; a timed hold could end before the waiter arrived when the host
        // stalls the guest under plain emulation. (Background 100 is more
        // urgent than main at 128, and a job's deadline more urgent still,
        // so each Spawn runs its thread up to where it blocks.)
        private static long inheritedSeen;
        private static Thread bgOwner;
        private static Semaphore ownerGate;
        private static void BgOwner(object o)
        {
            Blocking.Lock(mutex, Timeout.Forever);
            Blocking.Obtain(ownerGate, Timeout.Forever);
            inheritedSeen = bgOwner.EffectivePriority;
            Blocking.Unlock(mutex);
        }
        private static void DeadlineWaiter(object o)
        {
            RatePeriod p = Periods.Create(Threads.Current);
            Periods.Run(p, 10 * Ms);                  // a job with a 10 ms deadline
            tA = p.JobDeadline;
            Blocking.Lock(mutex, Timeout.Forever);
            Blocking.Unlock(mutex);
            Periods.Delete(p);
        }
        private static void DeadlineInheritance(Check t)
        {
            mutex = Blocking.NewMutex(false);
            ownerGate = Blocking.NewSemaphore(0, 1, WaitDiscipline.Fifo);
            inheritedSeen = 0;
            bgOwner = Threads.Spawn("bg-owner", &BgOwner, null, 100);     // locks, waits at the gate
            t.True(mutex.Owner == bgOwner, "the background thread holds the mutex");
            Thread w = Threads.Spawn("deadline", &DeadlineWaiter, null, 100);   // starts a job, blocks on the mutex
            t.Equal(1, mutex.WaitingCount, "the periodic thread waits for it");
            Blocking.Release(ownerGate);
            Threads.Join(w);
            Threads.Join(bgOwner);
            t.True(EdfScheduler.IsDeadline(inheritedSeen), "the background owner ran with a deadline while the waiter waited");
            t.Equal(tA, inheritedSeen, "exactly the waiter's job deadline");
            t.False(EdfScheduler.IsDeadline(bgOwner.EffectivePriority), "back to background after unlocking");
        }

        // The holder keeps the mutex until main opens the gate, not for a
        // fixed time: a host stall longer than a timed hold let it exit (and
        // abandon the mutex) before main's checks under plain emulation.
        private static Semaphore holdGate;
        private static void LockAndKeep(object o) { statusA = Blocking.Lock(mutex, Timeout.Forever); Blocking.Obtain(holdGate, Timeout.Forever); }

        private static void MutexMisuse(Check t)
        {
            mutex = Blocking.NewMutex(false);
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Lock(mutex, Timeout.NoWait), "lock");
            t.Equal((long)SyncStatus.AlreadyOwner, (long)Blocking.Lock(mutex, Timeout.Forever), "relock of a non-recursive mutex (no self-deadlock)");
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Unlock(mutex), "unlock");
            t.Equal((long)SyncStatus.NotOwner, (long)Blocking.Unlock(mutex), "unlock when not the owner");
            Mutex r = Blocking.NewMutex(true);
            Blocking.Lock(r, Timeout.NoWait);
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Lock(r, Timeout.NoWait), "recursive relock");
            t.Equal(2, r.NestCount, "nesting 2");
            Blocking.Unlock(r);
            t.True(r.Owner == Threads.Current, "still owned after one unlock");
            Blocking.Unlock(r);
            t.True(r.Owner == null, "free after the second");
            // An owner that exits hands the mutex on (Abandoned).
            holdGate = Blocking.NewSemaphore(0, 1, WaitDiscipline.Fifo);
            Thread holder = Threads.Spawn("holder", &LockAndKeep, null, Main - 10);
            t.True(mutex.Owner == holder, "held by the other thread");
            t.Equal((long)SyncStatus.NotOwner, (long)Blocking.Unlock(mutex), "unlock of another thread's mutex");
            long start = Machine.Now();
            t.Equal((long)SyncStatus.Timeout, (long)Blocking.Lock(mutex, 300000), "timeout while it holds it");
            t.True(Machine.Now() - start >= 300000, "not before the timeout");
            t.True(mutex.Owner == holder, "still held after the timeout");
            Blocking.Release(holdGate);                 // the holder is more urgent: it exits here
            t.True(holder.Exited, "the holder exited holding it");
            Threads.Join(holder);
            t.True(mutex.Owner == null, "released when its owner exited");
        }

        private static MessageQueue queue;
        private static void Producer(object o)
        {
            byte[] m = new byte[8];
            for (int i = 0; i < 40; i++)
            {
                m[0] = (byte)i; m[1] = (byte)(255 - i);
                Blocking.Send(queue, m, 2, Timeout.Forever);
            }
        }
        private static void Messages(Check t)
        {
            queue = Blocking.NewMessageQueue(8, 4, WaitDiscipline.Fifo);
            byte[] buf = new byte[8];
            int len;
            t.Equal((long)SyncStatus.Timeout, (long)Blocking.Receive(queue, buf, 1 * Ms, out len), "receive on an empty queue times out");
            Thread p = Threads.Spawn("producer", &Producer, null, Main - 10);   // fills 4 and blocks
            t.Equal(4, queue.Count, "the producer filled the queue and blocked");
            bool inOrder = true;
            for (int i = 0; i < 40; i++)
            {
                SyncStatus s = Blocking.Receive(queue, buf, 10 * Ms, out len);
                if (s != SyncStatus.Successful || len != 2 || buf[0] != (byte)i || buf[1] != (byte)(255 - i)) inOrder = false;
            }
            t.True(inOrder, "40 messages through a 4-slot queue, in order and intact");
            byte[] big = new byte[16];
            t.Equal((long)SyncStatus.InvalidSize, (long)Blocking.Send(queue, big, 16, Timeout.NoWait), "oversized message refused");
            Threads.Join(p);
        }

        private static BlockPool pool;
        private static ulong poolBase;
        private static void PoolTaker(object o)
        {
            ulong a;
            statusA = Blocking.Allocate(pool, Timeout.Forever, out a);
            tA = (long)a;
        }
        private static void Pool(Check t)
        {
            if (poolBase == 0) poolBase = (ulong)Memory.Heap.Allocate(4 * 64);
            SyncStatus cs;
            pool = BlockPool.Create(Scheduling.Core, poolBase, 64, 4, WaitDiscipline.Priority, out cs);
            ulong[] got = new ulong[4];
            for (int i = 0; i < 4; i++) t.Equal((long)SyncStatus.Successful, (long)Blocking.Allocate(pool, Timeout.NoWait, out got[i]), "block " + i);
            ulong x;
            t.Equal((long)SyncStatus.Timeout, (long)Blocking.Allocate(pool, 1 * Ms, out x), "empty pool: timeout");
            Thread w = Threads.Spawn("pool-taker", &PoolTaker, null, Main - 10);
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Free(pool, got[2]), "free");
            t.Equal((long)SyncStatus.Successful, (long)statusA, "the waiter got a block");
            t.EqualHex(got[2], (ulong)tA, "the freed one, handed over");
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Free(pool, got[1]), "free of a block in use");
            t.Equal((long)SyncStatus.AlreadyFree, (long)Blocking.Free(pool, got[1]), "double free refused");
            t.Equal((long)SyncStatus.NotAligned, (long)Blocking.Free(pool, got[0] + 3), "misaligned address refused");
            t.Equal((long)SyncStatus.InvalidAddress, (long)Blocking.Free(pool, poolBase + 4096), "foreign address refused");
            Threads.Join(w);
        }

        private const int EventVector = 0x62;
        private static EventFlags events;
        private static uint nextBits;
        private sealed class EventIrq : InterruptHandler
        {
            internal override void Handle(InterruptFrame* frame)
            {
                statusB = Blocking.SetEvents(events, nextBits);
                Machine.EndOfInterrupt();
            }
        }
        private static uint gotBits;
        private static void EventWaiter(object o)
        {
            statusA = Blocking.WaitEvents(events, 0x5, EventMode.All, true, 50 * Ms, out gotBits);
            tA = Machine.Now();
        }
        private static void Events(Check t)
        {
            events = Blocking.NewEventFlags(WaitDiscipline.Fifo);
            InterruptDispatch.Register(EventVector, new EventIrq());
            Thread w = Threads.Spawn("event-waiter", &EventWaiter, null, Main - 10);
            nextBits = 0x1;
            Machine.RaiseInterrupt(EventVector);
            t.True(tA == 0, "bit 0 alone does not satisfy All(0x5)");
            nextBits = 0x4;
            Machine.RaiseInterrupt(EventVector);
            InterruptDispatch.Unregister(EventVector);
            t.Equal((long)SyncStatus.Successful, (long)statusB, "Set from an interrupt handler is allowed");
            t.Equal((long)SyncStatus.Successful, (long)statusA, "the waiter woke");
            t.EqualHex(0x5, gotBits, "with both bits");
            t.EqualHex(0, events.Flags, "cleared on exit");
            Threads.Join(w);
        }

        private const int RuleVector = 0x63;
        private static SyncStatus[] fromIrq = new SyncStatus[8];
        private sealed class RuleIrq : InterruptHandler
        {
            internal override void Handle(InterruptFrame* frame)
            {
                ulong a; int len; uint got;
                byte[] b = new byte[1];
                fromIrq[0] = Blocking.Release(sem);
                fromIrq[1] = Blocking.Obtain(sem, 1 * Ms);
                fromIrq[2] = Blocking.Obtain(sem, Timeout.NoWait);
                fromIrq[3] = Blocking.Lock(mutex, Timeout.NoWait);
                fromIrq[4] = Blocking.Receive(queue, b, 1 * Ms, out len);
                fromIrq[5] = Blocking.Allocate(pool, 1 * Ms, out a);
                fromIrq[6] = Blocking.WaitEvents(events, 1, EventMode.Any, false, 1 * Ms, out got);
                fromIrq[7] = Threads.SleepFor(1000) == ThreadStatus.CalledFromInterrupt ? SyncStatus.CalledFromInterrupt : SyncStatus.Successful;
                Machine.EndOfInterrupt();
            }
        }
        private static void InterruptRules(Check t)
        {
            sem = Blocking.NewSemaphore(0, 5, WaitDiscipline.Fifo);
            mutex = Blocking.NewMutex(false);
            queue = Blocking.NewMessageQueue(1, 1, WaitDiscipline.Fifo);
            events = Blocking.NewEventFlags(WaitDiscipline.Fifo);
            SyncStatus cs;
            if (poolBase == 0) poolBase = (ulong)Memory.Heap.Allocate(4 * 64);
            pool = BlockPool.Create(Scheduling.Core, poolBase, 64, 1, WaitDiscipline.Fifo, out cs);
            InterruptDispatch.Register(RuleVector, new RuleIrq());
            Machine.RaiseInterrupt(RuleVector);
            InterruptDispatch.Unregister(RuleVector);
            t.Equal((long)SyncStatus.Successful, (long)fromIrq[0], "semaphore release: allowed");
            t.Equal((long)SyncStatus.CalledFromInterrupt, (long)fromIrq[1], "semaphore obtain with a timeout: refused");
            t.Equal((long)SyncStatus.Successful, (long)fromIrq[2], "semaphore obtain NoWait: allowed");
            t.Equal((long)SyncStatus.CalledFromInterrupt, (long)fromIrq[3], "mutex: refused");
            t.Equal((long)SyncStatus.CalledFromInterrupt, (long)fromIrq[4], "receive with a timeout: refused");
            t.Equal((long)SyncStatus.CalledFromInterrupt, (long)fromIrq[5], "pool allocate with a timeout: refused");
            t.Equal((long)SyncStatus.CalledFromInterrupt, (long)fromIrq[6], "event wait with a timeout: refused");
            t.Equal((long)SyncStatus.CalledFromInterrupt, (long)fromIrq[7], "sleep: refused");
            t.Equal(0, sem.Count, "the unit released in the handler was taken in it");
            t.True(mutex.Owner == null, "the mutex untouched");
        }

        // The worker cannot end before the gate opens, so the first join
        // must time out whatever the host does to the guest's wall clock
        // (a sleeping worker raced the join's timer and lost under a
        // stalled TCG vCPU).
        private static Semaphore joinGate;
        private static void GatedWorker(object o) { Blocking.Obtain(joinGate, Timeout.Forever); }

        private static void JoinTimeout(Check t)
        {
            joinGate = Blocking.NewSemaphore(0, 1, WaitDiscipline.Fifo);
            Thread w = Threads.Spawn("gated", &GatedWorker, null, Main - 10);   // blocks at once
            long start = Machine.Now();
            t.Equal((long)ThreadStatus.Timeout, (long)Threads.Join(w, 1 * Ms), "join times out while the worker waits");
            long waited = Machine.Now() - start;
            t.True(waited >= 1 * Ms, "not before the timeout (" + waited + " ns)");
            Blocking.Release(joinGate);                 // the worker is more urgent: it ends here
            t.Equal((long)ThreadStatus.Successful, (long)Threads.Join(w, Timeout.NoWait), "then joins without waiting");
            t.Equal((long)ThreadStatus.AlreadyJoined, (long)Threads.Join(w, 1 * Ms), "and only once");
        }

        // A periodic thread whose jobs want 3 ms every 5 ms, served by a hard
        // CBS of 1 ms every 5 ms: the budget timer stops it after 1 ms of
        // each period, whatever the job wants.
        private static CbsServer greedyServer;
        private static void Greedy(object o)
        {
            Thread self = Threads.Current;
            RatePeriod p = Periods.Create(self);
            Periods.Run(p, 5 * Ms);
            long end = Machine.Now() + 40 * Ms;
            while (Machine.Now() < end)
            {
                long target = Threads.CpuTime(self) + 3 * Ms;
                while (Threads.CpuTime(self) < target && Machine.Now() < end) { }
                Periods.Run(p, 5 * Ms);
            }
            Periods.Delete(p);
        }

        // Plain clock: the 40 ms run is re-run (at most CbsAttempts times)
        // while a host stall was logged during it (StallLog): a stall can
        // eat periods of the run (fewer overruns, less CPU). Every attempt
        // holds the thread to its budgets plus the timer latency per period.
        private const int CbsAttempts = 20;

        private static void CbsBudget(Check t)
        {
            bool exact = KernelMain.Options.ExactClock;
            for (int attempt = 1; ; attempt++)
            {
                Thread g;
                Threads.Create("greedy", &Greedy, null, 50, 0, out g);
                CbsAdmission a;
                t.Equal((long)CbsStatus.Ok, (long)Threads.AttachServer(g, 1 * Ms, 5 * Ms, CbsMode.Hard, out a), "attach 1 ms / 5 ms");
                Thread h;
                Threads.Create("too-big", &Greedy, null, 50, 0, out h);
                t.Equal((long)CbsStatus.AdmissionRejected, (long)Threads.AttachServer(h, 5 * Ms, 5 * Ms, CbsMode.Hard, out a), "a second server asking 100% is rejected");
                if (attempt == 1) t.Note(a.Message);
                Threads.Discard(h);                        // never started: its stack goes back
                CbsServer srv = g.Server;                  // the join detaches it
                if (!exact) StallLog.Start();
                Threads.Start(g);
                Threads.Join(g);
                if (!exact) StallLog.Stop();
                long cpu = g.CpuTimeNs;
                t.Note("40 ms at 1 ms / 5 ms: " + cpu + " ns of CPU, " + srv.OverrunCount + " overruns, " + srv.ThrottleCount + " throttles");
                if (exact)
                {
                    t.InRange(7 * Ms, 9 * Ms + 500000, cpu, "CPU time held to about 8 budgets, ns");
                    t.True(srv.OverrunCount >= 7, "every job overran its budget");
                    return;
                }
                // Each of the at most 9 periods the 40 ms touch gives 1 ms and
                // is cut within the timer latency (StallLog's step and worst
                // lateness, and one reservation's measured overheads).
                long bound = StallLog.StepNs + StallLog.WorstLateNs + OverheadProbe.For("cbs", true).PerReservationNs;
                t.Note("timer: " + StallLog.Count + " host stalls over " + StallLog.ThresholdNs + " ns logged, worst lateness " + StallLog.WorstLateNs + " ns; cut bound " + bound + " ns");
                t.InRange(1, 9 * (1 * Ms + bound), cpu, "CPU time held to 9 budgets, each plus the cut bound, ns");
                if (StallLog.Count > 0 && attempt < CbsAttempts) { t.Note("attempt " + attempt + ": host stalls during the run: run again"); continue; }
                if (StallLog.Count > 0) { t.Note("host stalls in all " + CbsAttempts + " attempts: the lower bounds not checked"); return; }
                t.True(cpu >= 7 * Ms, "at least 7 budgets of CPU time (" + cpu + " ns)");
                t.True(srv.OverrunCount >= 7, "every job overran its budget");
                t.True(srv.ThrottleCount >= 7, "and was throttled (" + srv.ThrottleCount + ")");
                return;
            }
        }

        private const int Rounds = 500;

        private static void Figures(Check t)
        {
            long switches;
            long roundTrip = Measure.SemaphorePingPong(Rounds, Main - 10, out switches);
            Mutex m = Blocking.NewMutex(false);
            long start = Machine.Now();
            for (int i = 0; i < Rounds; i++) { Blocking.Lock(m, Timeout.NoWait); Blocking.Unlock(m); }
            long lockPair = (Machine.Now() - start) / Rounds;
            t.True(roundTrip > 0 && lockPair > 0, "measured");
            t.Bench("semaphore_pingpong_round_trip", roundTrip, "ns");
            t.Bench("mutex_lock_unlock_uncontended", lockPair, "ns");
        }
    }
}
