using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // Result of a thread call. Every misuse has its own code; none crashes.
    internal enum ThreadStatus
    {
        Successful = 0,
        InvalidPriority,
        InvalidStackSize,
        NoMemory,
        AlreadyStarted,
        NotStarted,
        NullThread,
        JoinSelf,
        AlreadyJoined,
        CalledFromInterrupt,
        IdleThread,
        NotSuspended,
        AlreadySuspended,
        Timeout,
        InvalidCpu,
        OtherCpu,
    }

    // The thread API. Every call disables interrupts around its work on the
    // scheduling core and ends at the switch point (Scheduling.Preempt).
    // Blocking calls (Join, Sleep*, Exit, suspending oneself, Yield) are
    // refused from interrupt handlers.
    internal static unsafe class Threads
    {
        internal const ulong DefaultStackBytes = 32768;
        internal const ulong MaxStackBytes = 16UL << 20;

        internal static Thread Current { get { return Scheduling.Current; } }

        // A dormant thread that will run entry(argument) once started.
        internal static ThreadStatus Create(string name, delegate*<object, void> entry, object argument, int priority, ulong stackBytes, out Thread thread)
        {
            thread = null;
            if (entry == null) return ThreadStatus.NullThread;
            if (priority < SchedThread.MinPriority || priority > Scheduling.Core.Scheduler.MaxPriority) return ThreadStatus.InvalidPriority;
            if (stackBytes == 0) stackBytes = DefaultStackBytes;
            if (stackBytes > MaxStackBytes) return ThreadStatus.InvalidStackSize;
            Thread t;
            // Before the core's lock: a new stack's guard page is unmapped
            // with a TLB shootdown, which must not run under a lock another
            // CPU may spin on (Machine.Unmap; in a global cluster
            // Scheduling.Lock is the cluster's ReadySetLock).
            Stack stack = Stack.Allocate(stackBytes);
            if (stack == null) return ThreadStatus.NoMemory;
            ulong f = Scheduling.Lock();
            t = new Thread(Scheduling.NextId(), name, priority, Scheduling.Core);
            t.Stack = stack;
            t.Entry = entry;
            t.Argument = argument;
            t.CreatedAt = Machine.Now();
            t.SavedSp = Machine.InitialContext(stack.Top, (ulong)(delegate*<Thread, void>)&Scheduling.ThreadMain, RawPointer(t));
            Scheduling.Core.AddThread(t);
            Scheduling.Unlock(f);
            thread = t;
            return ThreadStatus.Successful;
        }

        // Drops a thread that was created but never started (its stack goes
        // back to the free list).
        internal static ThreadStatus Discard(Thread t)
        {
            if (t == null) return ThreadStatus.NullThread;
            ulong f = Scheduling.Lock();
            if (t.Started) { Scheduling.Unlock(f); return ThreadStatus.AlreadyStarted; }
            Scheduling.Core.RemoveThread(t);
            if (t.Stack != null) { Stack.Release(t.Stack); t.Stack = null; }
            t.Joined = true;
            Scheduling.Unlock(f);
            return ThreadStatus.Successful;
        }

        // Create and start in one call.
        internal static Thread Spawn(string name, delegate*<object, void> entry, object argument, int priority)
        {
            Thread t;
            ThreadStatus s = Create(name, entry, argument, priority, 0, out t);
            if (s != ThreadStatus.Successful) Panic.Fail("thread '" + name + "' could not be created");
            Start(t);
            return t;
        }

        // A dormant thread as Create makes it, on CPU `cpu`'s core (the
        // calling CPU's, or another running CPU's: SetCpu).
        internal static ThreadStatus Create(string name, delegate*<object, void> entry, object argument, int priority, ulong stackBytes, int cpu, out Thread thread)
        {
            ThreadStatus s = Create(name, entry, argument, priority, stackBytes, out thread);
            if (s != ThreadStatus.Successful || cpu == Machine.CpuIndex) return s;
            s = SetCpu(thread, cpu);
            if (s != ThreadStatus.Successful) { Discard(thread); thread = null; }
            return s;
        }

        // Moves a created, not started thread of the calling CPU's core to
        // CPU `cpu`'s core: it leaves this core here, and that CPU adds it
        // to its own (Smp.Remote: a request and an IPI; the caller waits for
        // it). From then on that CPU runs it; Start, Join and wake-ups of it
        // go through that CPU. InvalidCpu: no such running CPU; OtherCpu:
        // the thread is not on the calling CPU's core.
        internal static ThreadStatus SetCpu(Thread t, int cpu)
        {
            if (t == null) return ThreadStatus.NullThread;
            if (!Smp.Smp.Online(cpu)) return ThreadStatus.InvalidCpu;
            if (Scheduling.InterruptNesting > 0) return ThreadStatus.CalledFromInterrupt;
            ulong f = Scheduling.Lock();
            if (t.Started) { Scheduling.Unlock(f); return ThreadStatus.AlreadyStarted; }
            if (t.Core != Scheduling.Core) { Scheduling.Unlock(f); return ThreadStatus.OtherCpu; }
            if (cpu == Machine.CpuIndex) { Scheduling.Unlock(f); return ThreadStatus.Successful; }
            Scheduling.Core.RemoveThread(t);
            Scheduling.Unlock(f);
            if (Smp.Remote.Adopt(t, cpu)) return ThreadStatus.Successful;
            // The CPU did not answer: the thread stays here.
            f = Scheduling.Lock();
            Scheduling.Core.AddThread(t);
            Scheduling.Unlock(f);
            return ThreadStatus.InvalidCpu;
        }

        internal static ThreadStatus Start(Thread t)
        {
            if (t == null) return ThreadStatus.NullThread;
            // A thread of another CPU's core starts there.
            if (t.Core != null && !Scheduling.Local(t.Core) && Smp.Remote.CpuOf(t.Core) >= 0)
            {
                if (t.Started) return ThreadStatus.AlreadyStarted;
                return Smp.Remote.StartThread(t) ? ThreadStatus.Successful : ThreadStatus.InvalidCpu;
            }
            ulong f = Scheduling.Lock();
            if (t.Started) { Scheduling.Unlock(f); return ThreadStatus.AlreadyStarted; }
            t.Started = true;
            Scheduling.Started(t);
            Scheduling.Core.Start(t);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return ThreadStatus.Successful;
        }

        // Ends the calling thread: it becomes dormant, its joiner wakes.
        internal static void Exit()
        {
            Scheduling.Lock();
            Thread self = Scheduling.Current;
            if (self == Scheduling.Idle || Scheduling.InterruptNesting > 0) Panic.Fail("Threads.Exit from the idle thread or an interrupt handler");
            // Every other CPU's waiter would spin forever behind it.
            if (self.HeldGlobal != null) Panic.Fail("thread '" + self.Name + "' exits holding (or spinning on) a global mutex");
            self.Exited = true;
            self.ExitedAt = Machine.Now();
            Scheduling.Exited(self);
            SyncOps.ThreadExit(self);                 // mutexes it holds pass to their waiters
            self.Joiners.WakeAll(SyncStatus.Successful);
            Scheduling.Core.Stop(self);
            Scheduling.Reschedule();
            Panic.Fail("an exited thread was scheduled again");
        }

        // Waits until t has exited, then recycles its stack.
        internal static ThreadStatus Join(Thread t) { return Join(t, Timeout.Forever); }

        // Join with a timeout (relative ns; Timeout.NoWait polls).
        internal static ThreadStatus Join(Thread t, long timeout)
        {
            if (t == null) return ThreadStatus.NullThread;
            if (Scheduling.InterruptNesting > 0) return ThreadStatus.CalledFromInterrupt;
            Thread self = Scheduling.Current;
            if (t == self) return ThreadStatus.JoinSelf;
            // Its joiners block on its core: only a thread of the same CPU joins it.
            if (t.Core != null && !Scheduling.Local(t.Core) && Smp.Remote.CpuOf(t.Core) >= 0) return ThreadStatus.OtherCpu;
            ulong f = Scheduling.Lock();
            if (!t.Started) { Scheduling.Unlock(f); return ThreadStatus.NotStarted; }
            if (!t.Exited && !t.Joined)
            {
                SyncStatus s = t.Joiners.Enqueue(self, timeout);
                if (s == SyncStatus.Blocked) { Scheduling.Reschedule(); s = SyncOps.Final(s, self); }
                if (s == SyncStatus.Timeout || s == SyncStatus.Unsatisfied) { Scheduling.Unlock(f); return ThreadStatus.Timeout; }
                // Only t's exit ends the wait otherwise; reaping a thread that
                // still runs would free its stack under it.
                if (!t.Exited && !t.Joined)
                    Panic.Fail("Join: '" + self.Name + "' waiting for '" + t.Name + "' went on with status " + (int)s + " before it exited (its wait did not block, or the switch away did not happen)");
            }
            if (t.Joined) { Scheduling.Unlock(f); return ThreadStatus.AlreadyJoined; }
            t.Joined = true;
            // Global scheduling: the CPU t exited on may still be on its stack.
            while (t.SwitchingOut) Machine.SpinWaitHint();
            if (t.Stack != null) { Stack.Release(t.Stack); t.Stack = null; }
            Scheduling.Core.RemoveThread(t);
            Scheduling.Unlock(f);
            return ThreadStatus.Successful;
        }

        // Join's end for an exited thread of the calling CPU's core, without
        // waiting: a thread of another CPU polled t.Exited and asks this
        // CPU (Smp.Remote.RunOn) to recycle the stack. Interrupts off, in
        // that CPU's handler: t switched out when it exited, so its stack is
        // no longer in use. NotStarted: t has not exited yet.
        internal static ThreadStatus Reap(Thread t)
        {
            if (t == null) return ThreadStatus.NullThread;
            if (!t.Exited) return ThreadStatus.NotStarted;
            if (t.Joined) return ThreadStatus.AlreadyJoined;
            t.Joined = true;
            if (t.Stack != null) { Stack.Release(t.Stack); t.Stack = null; }
            Scheduling.Core.RemoveThread(t);
            return ThreadStatus.Successful;
        }

        internal static ThreadStatus SleepFor(long ns)
        {
            return SleepUntil(Machine.Now() + (ns < 0 ? 0 : ns));
        }

        // Sleeps until the clock reads at least `deadline` (never earlier).
        internal static ThreadStatus SleepUntil(long deadline)
        {
            if (Scheduling.InterruptNesting > 0) return ThreadStatus.CalledFromInterrupt;
            ulong f = Scheduling.Lock();
            SyncStatus s = SyncOps.SleepUntil(Scheduling.Core, Scheduling.Current, deadline);
            if (s == SyncStatus.Blocked) Scheduling.Reschedule();
            Scheduling.Unlock(f);
            return ThreadStatus.Successful;
        }

        // Ends t's sleep now (a no-op when t is not sleeping).
        internal static ThreadStatus Wake(Thread t)
        {
            if (t == null) return ThreadStatus.NullThread;
            ulong f = Scheduling.Lock();
            if (t.Wait.Sleeping) SyncOps.CancelWait(t, SyncStatus.Successful);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return ThreadStatus.Successful;
        }

        internal static ThreadStatus Yield()
        {
            if (Scheduling.InterruptNesting > 0) return ThreadStatus.CalledFromInterrupt;
            ulong f = Scheduling.Lock();
            Scheduling.Core.Yield();
            Scheduling.Reschedule();
            Scheduling.Unlock(f);
            return ThreadStatus.Successful;
        }

        internal static ThreadStatus Suspend(Thread t)
        {
            if (t == null) return ThreadStatus.NullThread;
            if (t == Scheduling.Idle) return ThreadStatus.IdleThread;
            if (t == Scheduling.Current && Scheduling.InterruptNesting > 0) return ThreadStatus.CalledFromInterrupt;
            ulong f = Scheduling.Lock();
            bool changed = Scheduling.Core.Suspend(t);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return changed ? ThreadStatus.Successful : ThreadStatus.AlreadySuspended;
        }

        internal static ThreadStatus Resume(Thread t)
        {
            if (t == null) return ThreadStatus.NullThread;
            ulong f = Scheduling.Lock();
            bool changed = Scheduling.Core.Resume(t);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return changed ? ThreadStatus.Successful : ThreadStatus.NotSuspended;
        }

        internal static ThreadStatus SetPriority(Thread t, int priority)
        {
            if (t == null) return ThreadStatus.NullThread;
            if (t == Scheduling.Idle) return ThreadStatus.IdleThread;
            ulong f = Scheduling.Lock();
            bool ok = Scheduling.Core.SetPriority(t, priority);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return ok ? ThreadStatus.Successful : ThreadStatus.InvalidPriority;
        }

        // Scheduling parameters under sched=cbs: a constant bandwidth server
        // of `budget` ns every `period` ns for t, after bandwidth admission
        // (a.Message says what was asked and what is left on rejection).
        // Hard servers throttle until the next period when the budget is
        // used up; soft ones drop to background.
        internal static CbsStatus AttachServer(Thread t, long budget, long period, CbsMode mode, out CbsAdmission a)
        {
            a = new CbsAdmission();
            CbsScheduler cbs = Scheduling.Core.Scheduler as CbsScheduler;
            if (cbs == null)
            {
                a.Status = CbsStatus.NotCbsScheduler;
                a.Message = "the running scheduler is '" + Scheduling.Core.Scheduler.Name + "', not cbs";
                return a.Status;
            }
            if (t == null) { a.Status = CbsStatus.NullArgument; return a.Status; }
            CbsServer server = new CbsServer(t.Id, budget, period, mode);
            ulong f = Scheduling.Lock();
            CbsStatus st = cbs.Attach(t, server, out a);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return st;
        }

        // CPU time consumed by t so far, in nanoseconds (including the
        // running slice when t is the current thread).
        internal static long CpuTime(Thread t)
        {
            ulong f = Scheduling.Lock();
            long c = Scheduling.Core.CpuTimeOf(t);
            Scheduling.Unlock(f);
            return c;
        }

        private static ulong RawPointer(object o)
        {
            return (ulong)Internal.Runtime.RawCasts.ObjectToPointer(o);
        }
    }
}
