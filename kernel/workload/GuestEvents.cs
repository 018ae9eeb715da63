using Osprey.Kernel.Threading;
using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.Workload
{
    // The guest cores' timeline (vcore start=, remove=, add=; sched/README.md
    // "Guest cores over time"), as the simulator runs it (GuestCpuSim): a
    // core with start > 0 is admitted then, a removal frees its share, an
    // addition admits a fresh core (booted anew) against the cores present
    // then. Each event happens at t0 + T from the timer: one watchdog
    // (GuestEventTimer), armed for the next event, resumes the runner's main
    // thread (the most urgent thread of the run), which makes the event in
    // thread context (an admission allocates the core and its thread) with
    // the nominal time t0 + T as the core's start. Events at one instant run
    // in the simulator's order: by vcore line, then start, removals, additions.
    internal static class GuestEvents
    {
        private const int Start = 0, Removal = 1, Addition = 2;
        private static WorkloadSpec spec;
        // Per vcore line (file order): its guest, index in the guest, and the
        // index in GuestCores.Cores of its current incarnation (-1: none).
        private static GuestSpec[] planGuest;
        private static int[] planIndex, planGuestIndex, planCurrent;
        // Events sorted by time (stable: the order above at equal times).
        private static long[] evTime;
        private static int[] evPlan, evKind;
        private static int evCount, next;
        private static long t0;
        // Set by the watchdog (interrupt), cleared by the main thread.
        internal static bool Due;
        private static readonly GuestEventTimer timer = new GuestEventTimer();
        internal static string[] Lines;
        internal static int LineCount;
        internal static long Removals, Additions, RefusedAdditions;

        internal static bool Any { get { return evCount > 0; } }

        internal static void Reset()
        {
            spec = null; evCount = 0; next = 0; Due = false; LineCount = 0;
            Removals = 0; Additions = 0; RefusedAdditions = 0;
            if (timer.IsArmed) Scheduling.Core.Timers.Cancel(timer);
        }

        // The plans and the sorted events of w; the cores with start = 0 are
        // admitted by GuestCores.FromWorkload, which calls Admitted.
        internal static void Plan(WorkloadSpec w)
        {
            spec = w;
            int lines = 0, n = 0;
            for (int g = 0; g < w.Guests.Length; g++)
                for (int i = 0; i < w.Guests[g].Vcores.Length; i++)
                {
                    VcoreSpec c = w.Guests[g].Vcores[i];
                    lines++;
                    if (c.Start > 0) n++;
                    if (c.Remove != null) n += c.Remove.Length;
                    if (c.Add != null) n += c.Add.Length;
                }
            planGuest = new GuestSpec[lines];
            planIndex = new int[lines]; planGuestIndex = new int[lines]; planCurrent = new int[lines];
            evTime = new long[n]; evPlan = new int[n]; evKind = new int[n];
            Lines = new string[n];
            int p = 0;
            for (int g = 0; g < w.Guests.Length; g++)
                for (int i = 0; i < w.Guests[g].Vcores.Length; i++, p++)
                {
                    VcoreSpec c = w.Guests[g].Vcores[i];
                    planGuest[p] = w.Guests[g]; planIndex[p] = i; planGuestIndex[p] = g; planCurrent[p] = -1;
                    if (c.Start > 0) Insert(c.Start, p, Start);
                    for (int k = 0; c.Remove != null && k < c.Remove.Length; k++) Insert(c.Remove[k], p, Removal);
                    for (int k = 0; c.Add != null && k < c.Add.Length; k++) Insert(c.Add[k], p, Addition);
                }
        }

        // Set-up only (allocation-free insertion sort, stable for equal times).
        private static void Insert(long time, int plan, int kind)
        {
            int j = evCount++;
            while (j > 0 && evTime[j - 1] > time)
            {
                evTime[j] = evTime[j - 1]; evPlan[j] = evPlan[j - 1]; evKind[j] = evKind[j - 1];
                j--;
            }
            evTime[j] = time; evPlan[j] = plan; evKind[j] = kind;
        }

        // Vcore line `plan` is admitted at t0 as GuestCores.Cores[core].
        internal static void Admitted(int plan, int core) { if (planCurrent != null && plan < planCurrent.Length) planCurrent[plan] = core; }

        // Whether vcore line `plan` starts later (not admitted at t0).
        internal static bool StartsLater(int plan) { return spec != null && planGuest[plan].Vcores[planIndex[plan]].Start > 0; }

        // At t0, interrupts off: arm the first event.
        internal static void Arm(long start)
        {
            t0 = start;
            next = 0;
            if (evCount > 0) Scheduling.Core.Timers.Insert(timer, t0 + evTime[0]);
        }

        // The watchdog, in the timer interrupt.
        internal static void Fired()
        {
            Due = true;
            WorkloadRunner.WakeMain();
        }

        // Main, in thread context: the events due by now, then the watchdog
        // for the next one; none once the run has stopped.
        internal static void RunDue()
        {
            Due = false;
            while (next < evCount && !GuestCores.Stopped && t0 + evTime[next] <= Machine.Now())
            {
                Handle(next);
                next++;
            }
            ulong f = Machine.DisableInterrupts();
            if (next < evCount && !GuestCores.Stopped && !timer.IsArmed) Scheduling.Core.Timers.Insert(timer, t0 + evTime[next]);
            Machine.RestoreInterrupts(f);
        }

        private static void Handle(int e)
        {
            int p = evPlan[e], kind = evKind[e];
            long at = t0 + evTime[e];
            GuestSpec g = planGuest[p];
            string name = g.Name + "/" + g.Vcores[planIndex[p]].VcpuId;
            // The core's CPU (its vcore line's cpu=), as the simulator labels the event.
            int cpu = g.Vcores[planIndex[p]].Cpu;
            string when = "at " + Osprey.Sched.Analysis.Format.Time(evTime[e]) + ": cpu " + cpu + ": ";
            if (kind == Removal)
            {
                int c = planCurrent[p];
                if (c < 0 || !GuestCores.Remove(c)) { Note(when + name + " not running, nothing to remove"); return; }
                Removals++;
                Note(when + "removed " + name + "; " + GuestCores.Left(cpu));
                return;
            }
            if (kind == Addition) Additions++;
            string refusal;
            Vcore v = Osprey.Kernel.Arch.Svm.VmmCores.Create(g, planIndex[p], spec.Seed, planGuestIndex[p], out refusal);
            int core = v == null ? -1 : GuestCores.AddAt(v, name, at, "at " + Osprey.Sched.Analysis.Format.Time(evTime[e]) + ": ");
            if (v == null) Note(when + refusal);
            planCurrent[p] = core;
            if (core < 0)
            {
                if (kind == Addition) RefusedAdditions++;
                Note(when + name + (kind == Addition ? " added again: refused" : " starts: refused") + "; " + GuestCores.Left(cpu));
                return;
            }
            Note(when + name + (kind == Addition ? " added again (a fresh core)" : " starts") + "; " + GuestCores.Left(cpu));
        }

        private static void Note(string s) { Lines[LineCount++] = s; }
    }

    // The guest-core event watchdog (GuestEvents): fires in the timer
    // interrupt and hands the event to the runner's main thread.
    internal sealed class GuestEventTimer : Watchdog
    {
        public override void Fire(long now) { GuestEvents.Fired(); }
    }
}
