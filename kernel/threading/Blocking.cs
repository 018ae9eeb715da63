using System.Runtime.CompilerServices;
using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // The synchronization objects of sched/sync for real threads. Each call
    // disables interrupts, runs the portable operation for the current
    // thread, and finishes the blocking protocol: when the operation
    // returned Blocked the thread switches away at once and, once running
    // again, returns the final status (SyncOps.Final). From an interrupt
    // handler the caller is "no thread" and the portable objects refuse every
    // call that could block (CalledFromInterrupt; the table is in
    // sched/README.md "Synchronization"): semaphore release, NoWait
    // obtain/send/receive/allocate, pool free and event set are allowed.
    //
    // Semaphores, message queues, event flags and block pools made here are,
    // on a machine with more than one CPU, shared (kernel/README.md, "Semaphores, queues and events across
    // CPUs"): any CPU's threads may obtain/receive/wait on them and any CPU
    // or interrupt handler may release/send/set; each has its own lock
    // (Smp.ObjectLock) taken inside the portable operation, after this
    // CPU's core lock. Mutexes stay with the core that made them: a thread
    // of another CPU gets InvalidCaller (Smp.GlobalMutex is the mutex
    // across CPUs).
    internal static class Blocking
    {
        private static SchedThread Caller
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                PerCpu cpu = PerCpu.Current;                 // one GS load for both fields
                return cpu.InterruptNesting > 0 ? null : cpu.CurrentThread;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static SyncStatus Finish(SyncStatus s, ulong flags)
        {
            if (s == SyncStatus.Blocked)
            {
                Scheduling.Reschedule();
                s = SyncOps.Final(s, Scheduling.Current);
            }
            else Scheduling.Preempt();
            Scheduling.Unlock(flags);
            return s;
        }

        // --- creation (setup time: these allocate) ---------------------------

        // Objects are shared (each with its lock) when the machine has more
        // than one CPU (PerCpu.Count: the MADT's, known before any object is
        // made); on one CPU they stay the core's alone and take no lock.
        private static void Share(Semaphore s) { if (PerCpu.Count > 1) s.Share(new Smp.ObjectLock()); }
        private static void Share(MessageQueue q) { if (PerCpu.Count > 1) q.Share(new Smp.ObjectLock()); }
        private static void Share(EventFlags e) { if (PerCpu.Count > 1) e.Share(new Smp.ObjectLock()); }
        private static void Share(BlockPool p) { if (PerCpu.Count > 1) p.Share(new Smp.ObjectLock()); }

        internal static Semaphore NewSemaphore(int initial, int max, WaitDiscipline discipline)
        {
            SyncStatus s;
            Semaphore sem = Semaphore.Create(Scheduling.Core, initial, max, discipline, out s);
            if (sem == null) Panic.Fail("semaphore: invalid parameters (initial " + initial + ", max " + max + ")");
            Share(sem);
            return sem;
        }

        internal static Mutex NewMutex(bool recursive) { return new Mutex(Scheduling.Core, recursive); }

        internal static MessageQueue NewMessageQueue(int messageSize, int capacity, WaitDiscipline discipline)
        {
            SyncStatus s;
            MessageQueue q = MessageQueue.Create(Scheduling.Core, messageSize, capacity, discipline, out s);
            if (q == null) Panic.Fail("message queue: invalid parameters (size " + messageSize + ", capacity " + capacity + ")");
            Share(q);
            return q;
        }

        internal static EventFlags NewEventFlags(WaitDiscipline discipline)
        {
            EventFlags e = new EventFlags(Scheduling.Core, discipline);
            Share(e);
            return e;
        }

        // A shared pool of blockCount blocks of blockSize bytes at baseAddress
        // (the memory is the caller's; the pool hands out addresses).
        internal static BlockPool NewBlockPool(ulong baseAddress, int blockSize, int blockCount, WaitDiscipline discipline)
        {
            SyncStatus s;
            BlockPool p = BlockPool.Create(Scheduling.Core, baseAddress, blockSize, blockCount, discipline, out s);
            if (p == null) Panic.Fail("block pool: invalid parameters (block size " + blockSize + ", count " + blockCount + ")");
            Share(p);
            return p;
        }

        // --- operations ---------------------------------------------------------

        internal static SyncStatus Obtain(Semaphore s, long timeout)
        {
            ulong f = Scheduling.Lock();
            return Finish(s.Obtain(Caller, timeout), f);
        }

        // A release never waits, so it needs no caller (it is allowed in
        // interrupt handlers too). A shared semaphore is released here, under
        // its lock (a waiter of another CPU is woken there). An unshared one
        // (made with Semaphore.Create) of another CPU's core is released
        // there (Smp.Remote: a request and a reschedule IPI).
        internal static SyncStatus Release(Semaphore s)
        {
            if (s != null && s.Guard == null && !Scheduling.Local(s.Core))
            {
                int cpu = Smp.Remote.CpuOf(s.Core);
                if (cpu >= 0) return Smp.Remote.Release(s, cpu);
            }
            ulong f = Scheduling.Lock();
            return Finish(s.Release(null), f);
        }

        // A mutex serves the threads of the core that made it: the portable
        // mutex refuses a thread of another CPU before reading anything of
        // the mutex's core (lock: InvalidCaller, unlock: NotOwner).
        internal static SyncStatus Lock(Mutex m, long timeout)
        {
            ulong f = Scheduling.Lock();
            return Finish(m.Obtain(Caller, timeout), f);
        }

        internal static SyncStatus Unlock(Mutex m)
        {
            ulong f = Scheduling.Lock();
            return Finish(m.Release(Caller), f);
        }

        internal static SyncStatus Send(MessageQueue q, byte[] message, int length, long timeout)
        {
            ulong f = Scheduling.Lock();
            return Finish(q.Send(Caller, message, length, timeout), f);
        }

        internal static SyncStatus SendUrgent(MessageQueue q, byte[] message, int length, long timeout)
        {
            ulong f = Scheduling.Lock();
            return Finish(q.SendUrgent(Caller, message, length, timeout), f);
        }

        // The received length comes back in the caller's wait record when
        // the message arrived while it waited.
        internal static SyncStatus Receive(MessageQueue q, byte[] buffer, long timeout, out int length)
        {
            ulong f = Scheduling.Lock();
            SchedThread me = Caller;
            SyncStatus s = q.Receive(me, buffer, timeout, out length);
            bool blocked = s == SyncStatus.Blocked;
            s = Finish(s, f);
            if (blocked) length = s == SyncStatus.Successful ? Scheduling.Current.Wait.Length : 0;
            return s;
        }

        internal static SyncStatus Allocate(BlockPool p, long timeout, out ulong address)
        {
            ulong f = Scheduling.Lock();
            SyncStatus s = p.Allocate(Caller, timeout, out address);
            bool blocked = s == SyncStatus.Blocked;
            s = Finish(s, f);
            if (blocked) address = s == SyncStatus.Successful ? Scheduling.Current.Wait.Address : 0;
            return s;
        }

        internal static SyncStatus Free(BlockPool p, ulong address)
        {
            ulong f = Scheduling.Lock();
            return Finish(p.Free(Caller, address), f);
        }

        internal static SyncStatus WaitEvents(EventFlags e, uint mask, EventMode mode, bool clearOnExit, long timeout, out uint got)
        {
            ulong f = Scheduling.Lock();
            SyncStatus s = e.Wait(Caller, mask, mode, clearOnExit, timeout, out got);
            bool blocked = s == SyncStatus.Blocked;
            s = Finish(s, f);
            if (blocked) got = s == SyncStatus.Successful ? Scheduling.Current.Wait.Events : 0;
            return s;
        }

        internal static SyncStatus SetEvents(EventFlags e, uint mask)
        {
            ulong f = Scheduling.Lock();
            return Finish(e.Set(mask), f);
        }
    }
}
