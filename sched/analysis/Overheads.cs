// The kernel's own costs as the analysis charges them (portable). Times in ns.
namespace Osprey.Sched.Analysis
{
    /// <summary>
    /// Worst-case kernel overheads of one scheduling policy, as measured by the
    /// kernel at boot (sched/measure/OverheadBench.cs for the core's work, the
    /// kernel's probe for the hardware paths) or given by a workload file's
    /// `overheads` line. All zero: the analysis is exactly the textbook one.
    ///
    /// How they are charged (see sched/README.md, "Overheads"):
    ///  - every job (and every CBS server or guest-core period) is released by a
    ///    timer interrupt: TimerEntry + Release + TimerExit (InterruptNs), which
    ///    preempts whatever runs; the analysis charges it to every task it can
    ///    preempt (an interfering top-priority "interrupt task" per task under
    ///    fixed priority, a demand term under EDF);
    ///  - every job causes two context switches, each after a scheduling decision:
    ///    2 x (Decision + Switch) (SwitchPairNs), added to its cost;
    ///  - a budgeted reservation (CBS server, guest-core slice) also ends by a
    ///    timer interrupt when its budget runs out: one more InterruptNs.
    /// </summary>
    public struct Overheads
    {
        /// <summary>The core's work to end one job and release the next: the period's
        /// expiry in the timer interrupt (job release, wake-up) and the job-end period call.</summary>
        public long ReleaseNs;
        /// <summary>One scheduling decision (the core's dispatch).</summary>
        public long DecisionNs;
        /// <summary>One context switch (the register and stack switch).</summary>
        public long SwitchNs;
        /// <summary>Timer interrupt entry: from the interrupt to its handler.</summary>
        public long TimerEntryNs;
        /// <summary>Timer interrupt exit: re-arming the one-shot, EOI, return to the thread.</summary>
        public long TimerExitNs;
        /// <summary>Where the figures come from ("measured at boot", "workload file line 3"), or null.</summary>
        public string Source;

        public static Overheads Make(long release, long decision, long sw, long timerEntry, long timerExit, string source)
        {
            Overheads o;
            o.ReleaseNs = release; o.DecisionNs = decision; o.SwitchNs = sw;
            o.TimerEntryNs = timerEntry; o.TimerExitNs = timerExit; o.Source = source;
            return o;
        }

        public static Overheads None { get { return Make(0, 0, 0, 0, 0, null); } }

        public bool IsZero
        {
            get { return ReleaseNs == 0 && DecisionNs == 0 && SwitchNs == 0 && TimerEntryNs == 0 && TimerExitNs == 0; }
        }

        /// <summary>Largest figure the analysis accepts (10 ms): keeps every inflated cost far inside 63 bits.</summary>
        public const long MaxFigureNs = 10000000L;

        /// <summary>Null when every figure is in 0..MaxFigureNs, else which one is not.</summary>
        public string Check()
        {
            if (ReleaseNs < 0 || ReleaseNs > MaxFigureNs) return "release";
            if (DecisionNs < 0 || DecisionNs > MaxFigureNs) return "decision";
            if (SwitchNs < 0 || SwitchNs > MaxFigureNs) return "switch";
            if (TimerEntryNs < 0 || TimerEntryNs > MaxFigureNs) return "timer-entry";
            if (TimerExitNs < 0 || TimerExitNs > MaxFigureNs) return "timer-exit";
            return null;
        }

        /// <summary>One timer interrupt that releases a job: entry + release + exit.</summary>
        public long InterruptNs { get { return TimerEntryNs + ReleaseNs + TimerExitNs; } }

        /// <summary>The two switches a job causes (in and out), each after a decision.</summary>
        public long SwitchPairNs { get { return 2 * (DecisionNs + SwitchNs); } }

        /// <summary>Cost added to each job: its release interrupt and its two switches.</summary>
        public long PerJobNs { get { return InterruptNs + SwitchPairNs; } }

        /// <summary>Cost added to each period of a budgeted reservation (CBS server, guest-core
        /// slice): the replenishing interrupt, the budget-exhaustion interrupt, two switches.</summary>
        public long PerReservationNs { get { return 2 * InterruptNs + SwitchPairNs; } }

        /// <summary>The figures with a safety margin: each x (100 + percent) / 100 + addNs, rounded up.</summary>
        public Overheads WithMargin(int percent, long addNs)
        {
            return Make(Pad(ReleaseNs, percent, addNs), Pad(DecisionNs, percent, addNs), Pad(SwitchNs, percent, addNs),
                Pad(TimerEntryNs, percent, addNs), Pad(TimerExitNs, percent, addNs), Source);
        }

        static long Pad(long v, int percent, long addNs)
        {
            if (v <= 0) return 0;
            return (v * (100 + percent) + 99) / 100 + addNs;
        }

        /// <summary>The figures as a workload file's overheads line takes them, in ns
        /// ("release=1840ns decision=325ns switch=245ns timer-entry=373ns timer-exit=377ns"):
        /// what `sim --overheads` needs to charge exactly what the kernel charged.</summary>
        public string FileFields()
        {
            return "release=" + ReleaseNs + "ns decision=" + DecisionNs + "ns switch=" + SwitchNs + "ns timer-entry=" + TimerEntryNs
                + "ns timer-exit=" + TimerExitNs + "ns";
        }

        /// <summary>"overheads: release 0.5us, decision 0.3us, switch 0.1us, timer entry 0.4us, exit 0.6us, measured at boot",
        /// or "overheads: none" when all are zero.</summary>
        public string Describe()
        {
            string src = Source != null ? ", " + Source : "";
            if (IsZero) return "overheads: none" + src;
            return "overheads: release " + Format.Time(ReleaseNs) + ", decision " + Format.Time(DecisionNs) + ", switch " + Format.Time(SwitchNs)
                + ", timer entry " + Format.Time(TimerEntryNs) + ", exit " + Format.Time(TimerExitNs) + src;
        }
    }
}
