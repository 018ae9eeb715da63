using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // The self-test run's scheduler switch (Scheduling.SwitchPolicy, driven
    // by TestPolicies): each of the first four tests declares a policy and
    // finds a core with it running, with threads that run in priority order
    // and a timer that wakes a sleeper; then a test that switches through
    // every policy and back twice with threads working on each core; then
    // the refusals (a live thread, an armed watchdog, an unknown name) that
    // leave the running core as it was.
    internal sealed unsafe class SchedSwitchSuite : Suite
    {
        internal override string Name { get { return "sched_switch"; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] {
                    "runs_under_priority", "runs_under_edf", "runs_under_cbs", "runs_under_vcore",
                    "back_and_forth_with_threads", "refused_while_a_thread_lives", "refused_with_an_armed_watchdog",
                    "unknown_policy_refused", "trace_ring_moves_with_main",
                };
            }
        }

        private static readonly string[] Policies = new string[] { "priority", "edf", "cbs", "vcore" };

        internal override string TestPolicy(int index) { return index < Policies.Length ? Policies[index] : null; }

        private const int Main = KernelMain.MainPriority;
        private const long Ms = 1000000;

        internal override void Run(int index, Check t)
        {
            if (index < Policies.Length)
            {
                t.Equal(Policies[index], Scheduling.Core.Scheduler.Name, "the running core's policy");
                ThreadsWork(t, Policies[index]);
                return;
            }
            if (TestPolicies.Forced != null && index != 7)
            {
                t.Skip("switches between schedulers; sched=" + TestPolicies.Forced + " on the command line keeps one for the whole run");
                return;
            }
            switch (index)
            {
                case 4: BackAndForth(t); break;
                case 5: RefusedWhileLive(t); break;
                case 6: RefusedWithWatchdog(t); break;
                case 7: UnknownRefused(t); break;
                case 8: TraceMoves(t); break;
            }
        }

        // --- threads on the running core --------------------------------------

        private static int[] order = new int[4];
        private static int orderCount;
        private static Semaphore lowDone;
        private static void Urgent(object o) { order[orderCount++] = 1; }
        private static void Lazy(object o) { order[orderCount++] = 2; Blocking.Release(lowDone); }

        // A more urgent thread runs at once when started; a less urgent one
        // only once main blocks; a sleep ends on the core's timer; the
        // threads' CPU time is charged. Everything joined afterwards.
        private static void ThreadsWork(Check t, string policy)
        {
            orderCount = 0;
            lowDone = Blocking.NewSemaphore(0, 1, WaitDiscipline.Fifo);
            Thread lazy = Threads.Spawn("lazy", &Lazy, null, Main + 20);
            t.Equal(0, orderCount, policy + ": the less urgent thread waits while main runs");
            Thread urgent = Threads.Spawn("urgent", &Urgent, null, Main - 20);
            t.Equal(1, orderCount, policy + ": the more urgent thread ran before Spawn returned");
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Obtain(lowDone, Timeout.Forever), policy + ": main blocked until the less urgent thread signalled");
            t.Equal(2, orderCount, policy + ": both ran");
            t.Equal(1, order[0], policy + ": the urgent one first");
            long before = Machine.Now();
            Threads.SleepFor(1 * Ms);
            long slept = Machine.Now() - before;
            t.True(slept >= 1 * Ms, policy + ": a 1 ms sleep ends on the core's timer, not early (" + slept + " ns)");
            t.Equal((long)ThreadStatus.Successful, (long)Threads.Join(urgent), policy + ": join the urgent thread");
            t.Equal((long)ThreadStatus.Successful, (long)Threads.Join(lazy), policy + ": join the less urgent thread");
            t.Equal(0, Scheduling.LiveThreads, policy + ": no thread left alive");
        }

        // Every policy twice over, then back to the one the test started
        // under; each switch builds a new core (CoreCount), keeps the switch
        // count and main's CPU time growing, carries the trace ring, and
        // threads work on the new core.
        private static void BackAndForth(Check t)
        {
            string start = Scheduling.Core.Scheduler.Name;
            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < Policies.Length; i++)
                {
                    string p = Policies[(i + round) % Policies.Length];
                    SchedCore before = Scheduling.Core;
                    int cores = Scheduling.CoreCount;
                    long switches = Scheduling.Switches;
                    long cpu = Threads.CpuTime(Threads.Current);
                    Osprey.Sched.Tracing.TraceRing ring = before.Trace;
                    ulong heap = Memory.Heap.AllocatedBytes;
                    string why = Scheduling.SwitchPolicy(p);
                    ulong cost = Memory.Heap.AllocatedBytes - heap;
                    t.True(why == null, "switch to " + p + (why == null ? "" : ": " + why));
                    if (why != null) return;
                    t.Equal(p, Scheduling.Core.Scheduler.Name, "running " + p);
                    t.True(cost < 64 * 1024, p + ": the switch allocated " + cost + " bytes (the old core is not freed)");
                    if (round == 0) t.Note("switch to " + p + ": " + cost + " bytes of heap");
                    t.True(Scheduling.Core != before, p + ": a new core");
                    t.Equal(cores + 1, Scheduling.CoreCount, p + ": core count");
                    t.True(Scheduling.Core.Executing == Scheduling.Main && Threads.Current == Scheduling.Main, p + ": main executes on it");
                    t.True(Scheduling.Core.Trace == ring, p + ": the trace ring moved with main");
                    t.True(Scheduling.Switches >= switches, p + ": the switch count did not go back");
                    t.True(Threads.CpuTime(Threads.Current) >= cpu, p + ": main's CPU time did not go back");
                    string bad = Scheduling.Core.CheckInvariants();
                    t.True(bad == null, p + ": core invariants" + (bad == null ? "" : ": " + bad));
                    long sw = Scheduling.Switches;
                    ThreadsWork(t, p);
                    t.True(Scheduling.Switches >= sw + 4, p + ": the new core switched threads (" + (Scheduling.Switches - sw) + " switches)");
                }
            }
            t.True(Scheduling.SwitchPolicy(start) == null, "back to " + start);
            t.Equal(start, Scheduling.Core.Scheduler.Name, "running " + start + " again");
        }

        private static Semaphore gate;
        private static void Gated(object o) { Blocking.Obtain(gate, Timeout.Forever); }

        private static void RefusedWhileLive(Check t)
        {
            gate = Blocking.NewSemaphore(0, 1, WaitDiscipline.Fifo);
            Thread w = Threads.Spawn("gated", &Gated, null, Main - 10);     // blocks at once
            SchedCore before = Scheduling.Core;
            string other = before.Scheduler.Name == "edf" ? "priority" : "edf";
            string why = Scheduling.SwitchPolicy(other);
            t.True(why != null, "refused while 'gated' waits");
            if (why != null)
            {
                t.Note(why);
                t.True(Contains(why, "'gated'"), "the reason names the live thread");
            }
            t.True(Scheduling.Core == before, "the running core stays");
            Blocking.Release(gate);
            t.Equal((long)ThreadStatus.Successful, (long)Threads.Join(w), "the thread ends");
            why = Scheduling.SwitchPolicy(other);
            t.True(why == null, "then the switch is made" + (why == null ? "" : ": " + why));
            t.Equal(other, Scheduling.Core.Scheduler.Name, "running " + other);
            Scheduling.SwitchPolicy(before.Scheduler.Name);
        }

        private static void RefusedWithWatchdog(Check t)
        {
            RatePeriod p = Periods.Create(Threads.Current);
            t.Equal((long)PeriodStatus.Successful, (long)Periods.Run(p, 50 * Ms), "a period of main's is running");
            SchedCore before = Scheduling.Core;
            string other = before.Scheduler.Name == "edf" ? "priority" : "edf";
            string why = Scheduling.SwitchPolicy(other);
            t.True(why != null, "refused while the period's watchdog is armed");
            if (why != null) t.Note(why);
            t.True(Scheduling.Core == before, "the running core stays");
            Periods.Delete(p);
            why = Scheduling.SwitchPolicy(other);
            t.True(why == null, "after the period is deleted the switch is made" + (why == null ? "" : ": " + why));
            Scheduling.SwitchPolicy(before.Scheduler.Name);
        }

        private static void UnknownRefused(Check t)
        {
            SchedCore before = Scheduling.Core;
            string why = Scheduling.SwitchPolicy("nope");
            t.True(why != null && Contains(why, "'nope'") && Contains(why, "edf"), "an unknown name is refused naming it and the known ones");
            if (why != null) t.Note(why);
            t.True(Scheduling.Core == before, "the running core stays");
        }

        // A ring attached before a switch records on the new core: the
        // threads made there are named and switched in and out, and the
        // switch itself leaves no event (main runs on).
        private static void TraceMoves(Check t)
        {
            Osprey.Sched.Tracing.TraceRing saved = KernelTrace.Ring;
            Osprey.Sched.Tracing.TraceRing r = new Osprey.Sched.Tracing.TraceRing(0, 4096, Osprey.Sched.Tracing.TraceOverflow.DropNewest, Scheduling.Platform);
            string start = Scheduling.Core.Scheduler.Name;
            string other = start == "edf" ? "priority" : "edf";
            KernelTrace.Attach(r);
            int before = r.Count;
            string why = Scheduling.SwitchPolicy(other);
            int afterSwitch = r.Count;
            ThreadsWork(t, other);
            int afterWork = r.Count;
            KernelTrace.Attach(saved);
            t.True(why == null, "switch to " + other + (why == null ? "" : ": " + why));
            t.Equal(before, afterSwitch, "the switch recorded no event");
            t.True(afterWork > afterSwitch, "the new core's threads were recorded (" + (afterWork - afterSwitch) + " events)");
            int switchesIn = 0;
            for (int i = 0; i < r.Count; i++)
            {
                Osprey.Sched.Tracing.TraceEntry e;
                r.Get(i, out e);
                if (e.Kind == Osprey.Sched.Tracing.TraceEventKind.SwitchIn && (r.NameOf(e.Thread) == "urgent" || r.NameOf(e.Thread) == "lazy")) switchesIn++;
            }
            t.True(switchesIn >= 2, "both threads switched in on the new core (" + switchesIn + ")");
            t.True(Scheduling.Core.Trace == saved, "the boot ring is back");
            Scheduling.SwitchPolicy(start);
        }

        private static bool Contains(string s, string part)
        {
            for (int i = 0; i + part.Length <= s.Length; i++)
            {
                int k = 0;
                while (k < part.Length && s[i + k] == part[k]) k++;
                if (k == part.Length) return true;
            }
            return false;
        }
    }
}
