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
        // The running CPU's state (PerCpu); these accessors read it.
        internal static SchedCore Core { [MethodImpl(MethodImplOptions.AggressiveInlining)] get { return PerCpu.Current.Core; } }
        internal static KernelPlatform Platform { get { return PerCpu.Current.Platform; } }
        internal static Thread Idle { get { return PerCpu.Current.Idle; } }
        internal static Thread Main { get { PerCpu c = PerCpu.Current; return c == null ? null : c.Main; } }
        internal static int InterruptNesting { [MethodImpl(MethodImplOptions.AggressiveInlining)] get { return PerCpu.Current.InterruptNesting; } }
        internal static long TimerInterrupts { get { return PerCpu.Current.TimerInterrupts; } }
        // The running thread; null before the scheduler starts.
        internal static Thread Current { [MethodImpl(MethodImplOptions.AggressiveInlining)] get { PerCpu c = PerCpu.Current; return c == null ? null : c.CurrentThread; } }
        // Context switches so far on this CPU (the cores count them in Dispatch).
        internal static long Switches { get { PerCpu c = PerCpu.Current; return c.RetiredSwitches + c.Core.SwitchCount; } }
        // Time this CPU's idle thread ran so far, ns.
        internal static long IdleTimeNs { get { PerCpu c = PerCpu.Current; return c.RetiredIdleNs + c.Core.IdleTimeNs; } }
        internal static bool Running { get { PerCpu c = PerCpu.Current; return c != null && c.Core != null; } }
        // Cores built so far on this CPU (1 after Start; each SwitchPolicy adds one).
        internal static int CoreCount { get { return PerCpu.Current.CoreCount; } }
        internal static int LiveThreads { get { return PerCpu.Current.LiveCount; } }
        // Thread ids, unique over all CPUs.
        private static int nextId = 1;
        private static SpinLock idLock;           // guards nextId

        // Builds the core with the named policy and turns the boot context
        // into the "main" thread (priority mainPriority). Interrupts off.
        // The boot CPU's PerCpu must exist (PerCpu.BootCpu). Other CPUs
        // will run the same with their own boot stack.
        internal static void Start(string policy, int mainPriority, ulong bootStackBottom, ulong bootStackTop)
        {
            PerCpu cpu = PerCpu.Current;
            cpu.Platform = new KernelPlatform(cpu);
            Thread idle = new Thread(0, "idle", SchedThread.MaxPriority, null);
            idle.Stack = Stack.Allocate(8192);
            if (idle.Stack == null) Panic.Fail("no memory for the idle thread's stack");
            idle.SavedSp = Machine.InitialContext(idle.Stack.Top, (ulong)(delegate*<Thread, void>)&IdleLoop, 0);
            idle.Started = true;
            cpu.Idle = idle;
            string error;
            SchedCore core = SchedCore.Create(cpu.Platform, policy, idle, out error);
            if (core == null) Panic.Fail("scheduler: " + error);
            if (cpu.Index == 0)
            {
                Machine.RegisterHandler(Machine.TimerVector, new TimerInterrupt());
                Machine.SetInterruptUpcalls(&InterruptEntry.Enter, &InterruptEntry.Exit);
            }

            Thread main = new Thread(NextId(), cpu.Index == 0 ? "main" : "main" + cpu.Index, mainPriority, core);
            main.Stack = Stack.Adopt(bootStackBottom, bootStackTop);
            main.Started = true;
            cpu.Main = main;
            Install(cpu, core);
        }

        // Makes `core` (fresh: idle executing, no other thread) the CPU's
        // core with main as its executing thread. Interrupts off.
        // The fresh core's nesting count starts at 0: Start and SwitchPolicy
        // run outside interrupt handlers.
        private static void Install(PerCpu cpu, SchedCore core)
        {
            core.AddThread(cpu.Main);
            core.Start(cpu.Main);
            core.Dispatch();
            cpu.Core = core;
            cpu.CoreCount++;
            cpu.CurrentThread = cpu.Main;
            cpu.SwitchPending = false;
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
            PerCpu cpu = PerCpu.Current;
            if (cpu.Cluster != null) return "CPU " + cpu.Index + " is in a global-EDF cluster of " + cpu.Cluster.Cpus + " CPUs";
            if (cpu.InterruptNesting > 0) return "called from an interrupt handler";
            if (cpu.CurrentThread != cpu.Main) return "called from thread '" + cpu.CurrentThread.Name + "', not main";
            if (!SchedulerTable.Contains(policy)) { string e; SchedulerTable.Create(policy, out e); return e; }
            ulong f = Machine.DisableInterrupts();
            string why = NotMovable(cpu);
            if (why != null) { Machine.RestoreInterrupts(f); return why; }
            string error;
            Scheduler s = SchedulerTable.Create(policy, out error);
            SchedCore old = cpu.Core;
            KernelPlatform platform = cpu.Platform;
            old.Charge(platform.Now());                 // main's CPU time up to now
            cpu.RetiredSwitches += old.SwitchCount;
            cpu.RetiredIdleNs += old.IdleTimeNs;
            Osprey.Sched.Tracing.TraceRing ring = old.Trace;
            old.Trace = null;
            old.RemoveThread(cpu.Main);                 // main leaves the old ready set
            if (platform.ArmedFor != long.MaxValue) platform.ArmTimer(long.MaxValue);
            SchedCore core = new SchedCore(platform, s, cpu.Idle);
            Install(cpu, core);
            // Attached after main is in place: the trace shows main running
            // on, not a start and a switch that did not happen.
            core.Trace = ring;
            Machine.RestoreInterrupts(f);
            return null;
        }

        // Why the running core cannot be replaced now, or null. Interrupts off.
        private static string NotMovable(PerCpu cpu)
        {
            Thread Main = cpu.Main;
            if (cpu.LiveHead != null)
                return cpu.LiveCount + " thread(s) still alive (started, not exited), the first '" + cpu.LiveHead.Name + "' (id " + cpu.LiveHead.Id + ")";
            if (cpu.Core.Timers.Count != 0) return cpu.Core.Timers.Count + " watchdog(s) still armed on the running core";
            if (Main.Priorities.Count != 1) return "main has " + (Main.Priorities.Count - 1) + " inherited or job priorities";
            if (!Main.Wait.Held.IsEmpty) return "main holds a mutex";
            if (Main.Server != null) return "main has a CBS server";
            if (Main.Vcore != null) return "main runs a guest core";
            return null;
        }

        // Thread lifetime hooks for the live list (interrupts off).
        internal static void Started(Thread t)
        {
            PerCpu cpu = PerCpu.Current;
            t.LiveCpu = cpu;
            t.LivePrev = null;
            t.LiveNext = cpu.LiveHead;
            if (cpu.LiveHead != null) cpu.LiveHead.LivePrev = t;
            cpu.LiveHead = t;
            cpu.LiveCount++;
        }

        // Under global scheduling t may exit on another CPU than the one
        // that started it: its list is LiveCpu's (the cluster's lock is held).
        internal static void Exited(Thread t)
        {
            PerCpu cpu = t.LiveCpu != null ? t.LiveCpu : PerCpu.Current;
            if (t.LivePrev == null && cpu.LiveHead != t) return;    // not in the list (main)
            if (t.LivePrev != null) t.LivePrev.LiveNext = t.LiveNext; else cpu.LiveHead = t.LiveNext;
            if (t.LiveNext != null) t.LiveNext.LivePrev = t.LivePrev;
            t.LiveNext = t.LivePrev = null;
            cpu.LiveCount--;
        }

        internal static int NextId()
        {
            ulong f = idLock.Acquire();
            int id = nextId++;
            idLock.Release(f);
            return id;
        }

        // True when `core` is this CPU's core or a core of this CPU's
        // cluster (global scheduling: entry points on any of them are the
        // same decisions, under the same lock).
        internal static bool Local(SchedCore core)
        {
            PerCpu cpu = PerCpu.Current;
            if (core == cpu.Core) return true;
            KernelCluster cl = cpu.Cluster;
            if (cl == null || core == null) return false;
            GlobalEdfScheduler g = core.Scheduler as GlobalEdfScheduler;
            return g != null && g.Cluster == cl.Set;
        }

        // Entry to this CPU's core: interrupts off and, when the CPU is in a
        // global-EDF cluster, the cluster's ReadySetLock (every core of the
        // cluster shares one ready set). Returns the flags Unlock restores.
        //
        // Which lock a section holds is decided once, here, and recorded in
        // PerCpu.Held; Unlock and Reschedule go by that record, never by
        // PerCpu.Cluster again. GlobalCluster.Dissolve clears the Cluster of
        // other CPUs while it holds the cluster's lock: a section of such a
        // CPU that read the old cluster here and waited for its lock must
        // still release that lock, not merely restore flags (which would
        // leave the lock taken). And a section whose CPU was given a cluster
        // between here and its end must not release a lock it never took: a
        // ticket lock released by a CPU that does not hold it advances its
        // `serving` count past the tickets handed out, so the next CPU to
        // take it spins forever with interrupts off (every CPU then stops in
        // turn), or, when another CPU held it, lets a second CPU in.
        // (GlobalCluster.Form hands each CPU its cluster on that CPU, from
        // its reschedule IPI, outside any section.)
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static ulong Lock()
        {
            // Interrupts off first: the thread stays on this CPU from here on.
            ulong f = Machine.DisableInterrupts();
            PerCpu cpu = PerCpu.Current;
            KernelCluster cl = cpu.Cluster;
            if (cl != null)
            {
                cl.ReadySetLock.Acquire();
                cpu.Held = cl;
            }
            return f;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Unlock(ulong flags)
        {
            PerCpu cpu = PerCpu.Current;
            KernelCluster cl = cpu.Held;
            if (cl == null) Machine.RestoreInterrupts(flags);
            else
            {
                cpu.Held = null;
                cl.ReadySetLock.Release(flags);
            }
        }

        // Switch to the heir if the core decided on one. Interrupts off and
        // the core locked (Lock), not in an interrupt handler's body.
        // Returns when this thread runs again (possibly on another CPU of its
        // cluster), the core locked again: the same lock this thread's
        // section held when it switched out (PerCpu.Held), whatever the
        // CPU's cluster is by then.
        //
        // In a cluster the lock is released between Dispatch and the switch:
        // from Dispatch on, another CPU may pick prev, whose stack this CPU
        // still runs on until Machine.Switch has saved its context. So prev
        // is marked SwitchingOut under the lock; the thread that runs next on
        // this CPU clears the mark (FinishSwitch); a CPU that picked a
        // thread still marked waits until it is clear before loading its
        // context. The old CPU needs no lock to finish, so the wait is short.
        internal static void Reschedule()
        {
            PerCpu cpu = PerCpu.Current;
            cpu.SwitchPending = false;
            FinishSwitch(cpu);                   // a new thread interrupted before its FirstRun
            SchedCore core = cpu.Core;
            if (!core.DispatchNeeded) return;
            Thread prev = cpu.CurrentThread;
            Thread next = (Thread)core.Dispatch();
            if (next == prev) return;
            cpu.CurrentThread = next;
            KernelCluster held = cpu.Held;
            if (held != null)
            {
                prev.SwitchingOut = true;
                cpu.SwitchedFrom = prev;
                bool wait = next.SwitchingOut;
                if (wait) held.SwitchWaits++;
                cpu.Held = null;
                // Interrupts stay off: release with the current (IF clear) flags.
                held.ReadySetLock.Release(Machine.DisableInterrupts());
                if (wait) while (next.SwitchingOut) Machine.SpinWaitHint();
            }
            fixed (ulong* save = &prev.SavedSp) Machine.Switch(save, next.SavedSp);
            // Back on this thread's stack, on the CPU that switched to it;
            // `held` is this thread's own record from when it switched out.
            cpu = PerCpu.Current;
            FinishSwitch(cpu);
            if (held != null)
            {
                held.ReadySetLock.Acquire();
                cpu.Held = held;
            }
        }

        // A new thread starts with interrupts on (osprey_thread_start): an
        // interrupt before this may already have switched it, and
        // Reschedule finishes a pending switch first, so this only finishes
        // what is still pending on the CPU it runs on now.
        private static void FirstRun()
        {
            ulong f = Machine.DisableInterrupts();
            FinishSwitch(PerCpu.Current);
            Machine.RestoreInterrupts(f);
        }

        // First thing a thread does once a CPU runs it: the thread that CPU
        // left is off its stack now.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void FinishSwitch(PerCpu cpu)
        {
            Thread from = cpu.SwitchedFrom;
            if (from == null) return;
            cpu.SwitchedFrom = null;
            from.SwitchingOut = false;
        }

        // End of a kernel call made with interrupts off: switch if needed,
        // unless the caller is an interrupt handler (its tail will).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        // Called with the core locked (Lock).
        internal static void Preempt()
        {
            PerCpu cpu = PerCpu.Current;
            if (cpu.SwitchPending && cpu.Core.InterruptNesting == 0) Reschedule();
        }

        // The idle thread: writes out log lines left in the log ring (by
        // interrupt handlers), then halts until an interrupt; the
        // interrupt's tail switches to whatever it made ready.
        private static void IdleLoop(Thread self)
        {
            FirstRun();
            while (true)
            {
                Log.DrainWhenIdle();
                Machine.WaitForInterrupt();
            }
        }

        // First C# frame of every created thread (reached from
        // osprey_thread_start with interrupts enabled).
        internal static void ThreadMain(Thread self)
        {
            FirstRun();
            self.Entry(self.Argument);
            Threads.Exit();
        }
    }
}
