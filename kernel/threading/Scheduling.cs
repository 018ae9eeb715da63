using System.Runtime.CompilerServices;
using Osprey.Kernel.Arch;
using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // The CPU's scheduling state on the real machine: the portable core
    // (every decision), the current thread, and the two switch points.
    //
    // Invariants:
    //  - every SchedCore call runs with interrupts disabled;
    //  - Machine.Switch is only called with interrupts disabled and outside
    //    interrupt handlers' bodies: from Reschedule, at the end of a kernel
    //    call (thread context) or at the tail of an interrupt after its EOI
    //    (InterruptTail), so the interrupted thread resumes in that tail and
    //    returns through iretq;
    //  - `current` is the SchedCore's Executing thread except inside
    //    Reschedule between Dispatch and Switch.
    internal static unsafe class Scheduling
    {
        internal static SchedCore Core;
        internal static KernelPlatform Platform;
        internal static Thread Idle, Main;
        internal static bool SwitchPending;
        internal static int InterruptNesting;
        internal static long TimerInterrupts;
        private static Thread current;
        private static int nextId = 1;
        // Totals of the cores that SwitchPolicy retired, so that Switches and
        // IdleTimeNs count the whole boot whatever core runs now.
        private static long retiredSwitches, retiredIdleNs;
        // Started threads that have not exited (main and idle excepted), an
        // intrusive list through Thread.LiveNext/LivePrev: SwitchPolicy
        // refuses while it is not empty and names the first one.
        private static Thread liveHead;
        private static int liveCount;

        internal static Thread Current { get { return current; } }
        // Context switches so far (the cores count them in Dispatch).
        internal static long Switches { get { return retiredSwitches + Core.SwitchCount; } }
        // Time the idle thread ran so far, ns.
        internal static long IdleTimeNs { get { return retiredIdleNs + Core.IdleTimeNs; } }
        internal static bool Running { get { return Core != null; } }
        // Cores built so far (1 after Start; each SwitchPolicy adds one).
        internal static int CoreCount;
        internal static int LiveThreads { get { return liveCount; } }

        // Builds the core with the named policy and turns the boot context
        // into the "main" thread (priority mainPriority). Interrupts off.
        internal static void Start(string policy, int mainPriority, ulong bootStackBottom, ulong bootStackTop)
        {
            Platform = new KernelPlatform();
            Idle = new Thread(0, "idle", SchedThread.MaxPriority, null);
            Idle.Stack = Stack.Allocate(8192);
            if (Idle.Stack == null) Panic.Fail("no memory for the idle thread's stack");
            Idle.SavedSp = Machine.InitialContext(Idle.Stack.Top, (ulong)(delegate*<Thread, void>)&IdleLoop, 0);
            Idle.Started = true;
            string error;
            SchedCore core = SchedCore.Create(Platform, policy, Idle, out error);
            if (core == null) Panic.Fail("scheduler: " + error);
            InterruptDispatch.Register(Machine.TimerVector, new TimerInterrupt());

            Main = new Thread(NextId(), "main", mainPriority, core);
            Main.Stack = Stack.Adopt(bootStackBottom, bootStackTop);
            Main.Started = true;
            Install(core);
        }

        // Makes `core` (fresh: idle executing, no other thread) the CPU's
        // core with main as its executing thread. Interrupts off.
        private static void Install(SchedCore core)
        {
            core.InterruptNesting = InterruptNesting;
            core.AddThread(Main);
            core.Start(Main);
            core.Dispatch();
            Core = core;
            CoreCount++;
            current = Main;
            SwitchPending = false;
        }

        // Replaces the running core by a fresh one with the named policy
        // (the self-test runner switches policies between tests). Allowed
        // only from main, outside interrupt handlers, while no other thread
        // is alive: then main and idle are the core's only threads, no
        // watchdog is armed and main holds nothing (no mutex, inherited or
        // job priority, server or guest core), so nothing of the old core's
        // policy data outlives it. Main and idle move to the new core (same
        // objects: stacks, saved contexts and CPU time carry over); the trace
        // ring moves with them; the platform stays, disarmed (no watchdog).
        // Objects made on the old core (semaphores, periods, threads that
        // exited without a join) stay bound to it and must not be used
        // again. Returns null on success, else why nothing changed.
        internal static string SwitchPolicy(string policy)
        {
            if (InterruptNesting > 0) return "called from an interrupt handler";
            if (current != Main) return "called from thread '" + current.Name + "', not main";
            if (!SchedulerTable.Contains(policy)) { string e; SchedulerTable.Create(policy, out e); return e; }
            ulong f = Machine.DisableInterrupts();
            string why = NotMovable();
            if (why != null) { Machine.RestoreInterrupts(f); return why; }
            string error;
            Scheduler s = SchedulerTable.Create(policy, out error);
            SchedCore old = Core;
            old.Charge(Platform.Now());                 // main's CPU time up to now
            retiredSwitches += old.SwitchCount;
            retiredIdleNs += old.IdleTimeNs;
            Osprey.Sched.Tracing.TraceRing ring = old.Trace;
            old.Trace = null;
            old.RemoveThread(Main);                     // main leaves the old ready set
            if (Platform.ArmedFor != long.MaxValue) Platform.ArmTimer(long.MaxValue);
            SchedCore core = new SchedCore(Platform, s, Idle);
            Install(core);
            // Attached after main is in place: the trace shows main running
            // on, not a start and a switch that did not happen.
            core.Trace = ring;
            Machine.RestoreInterrupts(f);
            return null;
        }

        // Why the running core cannot be replaced now, or null. Interrupts off.
        private static string NotMovable()
        {
            if (liveHead != null)
                return liveCount + " thread(s) still alive (started, not exited), the first '" + liveHead.Name + "' (id " + liveHead.Id + ")";
            if (Core.Timers.Count != 0) return Core.Timers.Count + " watchdog(s) still armed on the running core";
            if (Main.Priorities.Count != 1) return "main has " + (Main.Priorities.Count - 1) + " inherited or job priorities";
            if (!Main.Wait.Held.IsEmpty) return "main holds a mutex";
            if (Main.Server != null) return "main has a CBS server";
            if (Main.Vcore != null) return "main runs a guest core";
            return null;
        }

        // Thread lifetime hooks for the live list (interrupts off).
        internal static void Started(Thread t)
        {
            t.LivePrev = null;
            t.LiveNext = liveHead;
            if (liveHead != null) liveHead.LivePrev = t;
            liveHead = t;
            liveCount++;
        }

        internal static void Exited(Thread t)
        {
            if (t.LivePrev == null && liveHead != t) return;    // not in the list (main)
            if (t.LivePrev != null) t.LivePrev.LiveNext = t.LiveNext; else liveHead = t.LiveNext;
            if (t.LiveNext != null) t.LiveNext.LivePrev = t.LivePrev;
            t.LiveNext = t.LivePrev = null;
            liveCount--;
        }

        internal static int NextId() { return nextId++; }

        // Switch to the heir if the core decided on one. Interrupts off, not
        // in an interrupt handler's body. Returns when this thread runs again.
        internal static void Reschedule()
        {
            SwitchPending = false;
            if (!Core.DispatchNeeded) return;
            Thread prev = current;
            Thread next = (Thread)Core.Dispatch();
            if (next == prev) return;
            current = next;
            fixed (ulong* save = &prev.SavedSp) Machine.Switch(save, next.SavedSp);
        }

        // End of a kernel call made with interrupts off: switch if needed,
        // unless the caller is an interrupt handler (its tail will).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Preempt()
        {
            if (SwitchPending && InterruptNesting == 0) Reschedule();
        }

        // Called by InterruptDispatch around every device interrupt.
        // The portable objects read the core's copy of the nesting count.
        internal static void InterruptEnter()
        {
            InterruptNesting++;
            if (Core != null) Core.InterruptNesting = InterruptNesting;
        }

        internal static void InterruptExit()
        {
            InterruptNesting--;
            if (Core != null) Core.InterruptNesting = InterruptNesting;
            if (SwitchPending && InterruptNesting == 0 && Core != null) Reschedule();
        }

        // The idle thread: halt until an interrupt; the interrupt's tail
        // switches to whatever it made ready.
        private static void IdleLoop(Thread self)
        {
            while (true) Machine.WaitForInterrupt();
        }

        // First C# frame of every created thread (reached from
        // osprey_thread_start with interrupts enabled).
        internal static void ThreadMain(Thread self)
        {
            self.Entry(self.Argument);
            Threads.Exit();
        }
    }

    // The local APIC timer interrupt: fire every due watchdog; the one-shot
    // ends armed for the earliest remaining one (the hardware shot is spent
    // even when it fired early and nothing was due).
    //
    // Livelock bound: a watchdog that fell due while this handler ran (so
    // the next interrupt would come at once) is fired no sooner than the
    // time this handler took, and at least MinGapNs, after its end. Timer
    // interrupts then take at most about half of the CPU whatever the timer
    // queue holds (periods of 1 ns included), so threads always progress.
    // Watchdogs due later than the handler's end are not moved.
    internal sealed unsafe class TimerInterrupt : InterruptHandler
    {
        internal const long MinGapNs = 1000;
        internal static long Deferred;

        internal override void Handle(InterruptFrame* frame)
        {
            Scheduling.TimerInterrupts++;
            SchedCore core = Scheduling.Core;
            KernelPlatform p = Scheduling.Platform;
            long entry = Machine.Now();
            p.DeferArm = true;
            core.TimerFired(entry);
            p.DeferArm = false;
            // The hardware shot is spent: arm it once, for the earliest
            // watchdog left (or later, see the livelock bound).
            long next = core.Timers.NextExpiry;
            if (next != long.MaxValue)
            {
                long end = Machine.Now();
                if (next <= end)
                {
                    long gap = end - entry;
                    if (gap < MinGapNs) gap = MinGapNs;
                    next = end + gap;
                    Deferred++;
                }
            }
            p.ArmTimer(next);
            Machine.EndOfInterrupt();
        }
    }
}
