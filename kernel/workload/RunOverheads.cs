using Osprey.Kernel.Threading;
using Osprey.Sched;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.Workload
{
    // The overheads a workload run charges in admission and analysis: the
    // figures measured for the running policy (OverheadProbe at boot on
    // CPU 0; OverheadProbeCpus on each other CPU hosting tasks or guest
    // cores, so every CPU is charged its own), with the probe's margin; a
    // workload file's `overheads` line can raise any of them (never lower:
    // the kernel's own costs are what they are).
    internal static class RunOverheads
    {
        private const int MaxCpus = Acpi.AcpiInfo.MaxCpus;
        // CPU 0's (the single-CPU figures).
        internal static Overheads Current;
        private static readonly Overheads[] perCpu = new Overheads[MaxCpus];
        private static readonly bool[] chosen = new bool[MaxCpus];

        internal static Overheads Choose(WorkloadSpec w, string policy) { return Raise(OverheadProbe.For(policy, true), w.Overheads); }

        // Before a run: the figures of every CPU in `cpus` (true: it hosts
        // tasks or guest cores), measured there when not yet; a CPU whose
        // probe failed is charged CPU 0's and the note says so (null else).
        internal static string ChooseAll(WorkloadSpec w, string policy, bool[] cpus)
        {
            string note = null;
            for (int c = 0; c < MaxCpus; c++) chosen[c] = false;
            for (int c = 1; c < MaxCpus; c++)
            {
                if (!cpus[c]) continue;
                string why = OverheadProbeCpus.Measure(c);
                if (why != null)
                {
                    if (note == null) note = "cpu " + c + ": overheads not measured there (" + why + "): charged CPU 0's";
                    continue;
                }
                perCpu[c] = Raise(OverheadProbeCpus.For(c, policy, true), w.Overheads);
                chosen[c] = true;
            }
            return note;
        }

        // The figures charged on CPU `cpu` (CPU 0's when not chosen for it).
        internal static Overheads Of(int cpu) { return cpu > 0 && cpu < MaxCpus && chosen[cpu] ? perCpu[cpu] : Current; }

        private static Overheads Raise(Overheads m, Overheads f)
        {
            if (f.IsZero) return m;
            bool raised = f.ReleaseNs > m.ReleaseNs || f.DecisionNs > m.DecisionNs || f.SwitchNs > m.SwitchNs
                || f.TimerEntryNs > m.TimerEntryNs || f.TimerExitNs > m.TimerExitNs;
            if (!raised) return m;
            return Overheads.Make(Max(m.ReleaseNs, f.ReleaseNs), Max(m.DecisionNs, f.DecisionNs), Max(m.SwitchNs, f.SwitchNs),
                Max(m.TimerEntryNs, f.TimerEntryNs), Max(m.TimerExitNs, f.TimerExitNs),
                (m.IsZero ? "" : m.Source + ", ") + "raised to the workload file's figures (" + f.Source + ")");
        }

        private static long Max(long a, long b) { return a > b ? a : b; }

        // Charges the per-period reservation overhead in the CBS and
        // guest-core admission of the running scheduler (CPU 0's).
        internal static void Apply(Scheduler s, Overheads o)
        {
            Current = o;
            ApplyHere(s, o);
        }

        // The same on any CPU's scheduler, without changing Current.
        internal static void ApplyHere(Scheduler s, Overheads o)
        {
            CbsScheduler cbs = s as CbsScheduler;
            if (cbs != null) cbs.ReservationOverheadNs = o.PerReservationNs;
            VcoreScheduler vs = s as VcoreScheduler;
            if (vs != null) vs.ReservationOverheadNs = o.PerReservationNs;
        }
    }
}
