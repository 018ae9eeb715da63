// The host's prediction for an Osprey guest's own workload
// (GuestSpec.NestedSpec): its periodic tasks under the guest kernel's EDF on
// the guest's core, a periodic resource of the core's period and slice
// (PeriodicResourceAnalysis), task times turned from guest into host time.
using Osprey.Sched.Workload;

namespace Osprey.Sched.Analysis
{
    public static class GuestSupplyAnalysis
    {
        /// <summary>The test for guest g's own workload on its first core; null when g has none.
        /// `why` says what is not analysed (another scheduler, other kinds of task).</summary>
        public static SupplyResult Of(GuestSpec g, out string why)
        {
            why = null;
            WorkloadSpec w = g.NestedSpec;
            if (w == null || g.Vcores == null || g.Vcores.Length == 0) { why = "no workload of its own"; return null; }
            if (w.Scheduler != SchedulerKind.Edf) { why = "its scheduler is " + WorkloadSpec.SchedulerName(w.Scheduler) + " (the test is for edf)"; return null; }
            int n = 0;
            for (int i = 0; i < w.Tasks.Length; i++)
            {
                if (w.Tasks[i].Kind != TaskKind.Periodic) { why = "task '" + w.Tasks[i].Name + "' is not periodic (the test is for periodic tasks)"; return null; }
                n++;
            }
            if (n == 0) { why = "no periodic tasks"; return null; }
            // guest = host * num / den: host = guest * den / num.
            long num = g.DilationNum, den = g.DilationDen;
            AnalysisTask[] tasks = new AnalysisTask[n];
            for (int i = 0; i < n; i++)
            {
                TaskSpec t = w.Tasks[i];
                long d = t.Deadline > 0 ? t.Deadline : t.Period;
                tasks[i] = AnalysisTask.Make(t.Name, (t.Wcet * den + num - 1) / num, t.Period * den / num, d * den / num, t.Priority);
            }
            VcoreSpec c = g.Vcores[0];
            return PeriodicResourceAnalysis.Edf(tasks, n, c.Period, c.Slice, PeriodicResourceAnalysis.DefaultMaxPoints);
        }

        /// <summary>One line for the host's report.</summary>
        public static string Describe(GuestSpec g)
        {
            string why;
            SupplyResult r = Of(g, out why);
            string core = g.Vcores != null && g.Vcores.Length > 0 ? "slice " + Format.Time(g.Vcores[0].Slice) + " every " + Format.Time(g.Vcores[0].Period) : "no core";
            if (r == null) return "EDF on its core (" + core + "): not analysed: " + why;
            string head = "EDF on a periodic resource (" + core + ", without overheads): ";
            if (!r.Decided) return head + "undecided: " + r.Reason;
            if (r.Schedulable) return head + "guaranteed (demand within the least supply at " + r.Checked.ToString() + " deadlines up to " + Format.Time(r.Bound) + ")";
            // Past the share: misses are certain in the long run. A demand above the least supply
            // only: no guarantee (the core's scheduler may place the slice better).
            if (r.TimePoint == 0) return head + "NOT schedulable: " + r.Reason;
            return head + "NOT guaranteed: demand " + Format.Time(r.Demand) + " > least supply " + Format.Time(r.Supply) + " at t = " + Format.Time(r.TimePoint) + " (host time)";
        }
    }
}
