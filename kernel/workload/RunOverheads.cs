using Osprey.Kernel.Threading;
using Osprey.Sched;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.Workload
{
    // The overheads a workload run charges in admission and analysis: the
    // figures measured at boot for the running policy (OverheadProbe, with
    // its margin); a workload file's `overheads` line can raise any of them
    // (never lower: the kernel's own costs are what they are).
    internal static class RunOverheads
    {
        internal static Overheads Current;

        internal static Overheads Choose(WorkloadSpec w, string policy)
        {
            Overheads m = OverheadProbe.For(policy, true);
            Overheads f = w.Overheads;
            if (f.IsZero) return m;
            bool raised = f.ReleaseNs > m.ReleaseNs || f.DecisionNs > m.DecisionNs || f.SwitchNs > m.SwitchNs
                || f.TimerEntryNs > m.TimerEntryNs || f.TimerExitNs > m.TimerExitNs;
            if (!raised) return m;
            return Overheads.Make(Max(m.ReleaseNs, f.ReleaseNs), Max(m.DecisionNs, f.DecisionNs), Max(m.SwitchNs, f.SwitchNs),
                Max(m.TimerEntryNs, f.TimerEntryNs), Max(m.TimerExitNs, f.TimerExitNs),
                (m.IsZero ? "" : "measured at boot, ") + "raised to the workload file's figures (" + f.Source + ")");
        }

        private static long Max(long a, long b) { return a > b ? a : b; }

        // Charges the per-period reservation overhead in the CBS and
        // guest-core admission of the running scheduler.
        internal static void Apply(Scheduler s, Overheads o)
        {
            Current = o;
            CbsScheduler cbs = s as CbsScheduler;
            if (cbs != null) cbs.ReservationOverheadNs = o.PerReservationNs;
            VcoreScheduler vs = s as VcoreScheduler;
            if (vs != null) vs.ReservationOverheadNs = o.PerReservationNs;
        }
    }
}
