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

        internal static Thread Current { get { return current; } }
        // Context switches so far (the core counts them in Dispatch).
        internal static long Switches { get { return Core.SwitchCount; } }
        internal static bool Running { get { return Core != null; } }

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
            Core = SchedCore.Create(Platform, policy, Idle, out error);
            if (Core == null) Panic.Fail("scheduler: " + error);
            InterruptDispatch.Register(Machine.TimerVector, new TimerInterrupt());

            Main = new Thread(NextId(), "main", mainPriority, Core);
            Main.Stack = Stack.Adopt(bootStackBottom, bootStackTop);
            Main.Started = true;
            Core.AddThread(Main);
            Core.Start(Main);
            Core.Dispatch();
            current = Main;
            SwitchPending = false;
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
