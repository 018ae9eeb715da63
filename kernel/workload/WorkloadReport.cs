using Osprey.Sched;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.Workload
{
    // The workload runner's report: the task tables (one per CPU hosting
    // tasks), each CPU's analysis and release latency, in the simulator's
    // format. The run itself is WorkloadRunner.cs.
    internal static unsafe partial class WorkloadRunner
    {
        // The delay from a periodic job's release to its first instruction,
        // per CPU hosting tasks (each its own timer and switches). Under
        // fixed priority the most urgent periodic task (the first by
        // priority, then by deadline) starts each job as soon as the release
        // timer's interrupt and the switch are done, so its figures are the
        // timer's latency; under EDF a job may wait for earlier deadlines, so
        // only the smallest delay over all jobs is the latency.
        private static void PrintLatency(SchedulerKind sched)
        {
            bool several = HostCpus() > 1;
            for (int c = 0; c < MaxCpus; c++)
                if (cpus[c].Tasks > 0) PrintLatency(sched, cpus[c], several ? "cpu " + c + ": " : "");
        }

        private static void PrintLatency(SchedulerKind sched, RunCpu rc, string prefix)
        {
            WorkloadTask top = null;
            long min = long.MaxValue, starts = 0;
            for (int i = 0; i < tasks.Length; i++)
            {
                WorkloadTask k = tasks[i];
                if (k.Home != rc || k.Period == null || k.Starts == 0) continue;
                starts += k.Starts;
                if (k.StartLagMin < min) min = k.StartLagMin;
                if (top == null || k.Spec.Priority < top.Spec.Priority
                    || (k.Spec.Priority == top.Spec.Priority && k.Spec.Deadline < top.Spec.Deadline)) top = k;
            }
            if (top == null) return;
            if (sched == SchedulerKind.Priority)
                Log.WriteLine(prefix + "release latency (release to the job's first instruction), task '" + top.Spec.Name + "': min "
                    + Osprey.Sched.Analysis.Format.Time(top.StartLagMin) + ", mean " + Osprey.Sched.Analysis.Format.Time(top.StartLagSum / top.Starts)
                    + ", max " + Osprey.Sched.Analysis.Format.Time(top.StartLagMax) + " over " + top.Starts + " jobs");
            else
                Log.WriteLine(prefix + "release latency (release to the job's first instruction): min " + Osprey.Sched.Analysis.Format.Time(min)
                    + " over " + starts + " periodic jobs (later starts wait for earlier deadlines)");
        }

        // The simulator's table (sched/sim Program.Print, GuestSim.Print):
        // one table for tasks on one CPU; for tasks on several CPUs one
        // table per CPU, in CPU order (each with its own total: that CPU's
        // switches and idle time), then the total over them. Then each
        // CPU's analysis, its task set alone.
        private static void Print(WorkloadSpec w, SchedulerKind sched, long duration, string[] notes, int noteCount, bool guests)
        {
            // Refused tasks (a CPU not started) are not in the tables.
            int running = 0;
            for (int i = 0; i < tasks.Length; i++) if (tasks[i].Refusal == null) running++;
            TaskStats[] stats = new TaskStats[running];
            for (int i = 0, m = 0; i < tasks.Length; i++) if (tasks[i].Refusal == null) stats[m++] = tasks[i].Stats;
            // The CPUs in the report: those hosting tasks (CPU 0 when none does).
            int[] shown = new int[MaxCpus];
            int nshown = 0;
            for (int c = 0; c < MaxCpus; c++) if (cpus[c].Tasks > 0) shown[nshown++] = c;
            if (nshown == 0) shown[nshown++] = 0;
            long switches = 0, idle = 0;
            for (int n = 0; n < nshown; n++)
            {
                RunCpu rc = cpus[shown[n]];
                switches += rc.SwitchesAtStop - rc.SwitchesAtStart;
                idle += rc.IdleAtStop - rc.IdleAtStart;
            }
            Log.WriteLine("");
            if (guests)
            {
                int ncores = 0;
                for (int g = 0; g < w.Guests.Length; g++) ncores += w.Guests[g].Vcores.Length;
                Log.WriteLine("workload " + FileName + ": scheduler vcore (host threads under EDF, guest cores as reservations), duration "
                    + Osprey.Sched.Analysis.Format.Time(duration) + ", seed " + w.Seed + ", " + w.Tasks.Length + " task(s), "
                    + w.Guests.Length + " guest(s) with " + ncores + " core(s)");
            }
            else Log.WriteLine(RunReport.Title(FileName, w, sched, duration));
            Log.WriteLine("");
            if (nshown > 1)
            {
                for (int n = 0; n < nshown; n++)
                {
                    RunCpu rc = cpus[shown[n]];
                    TaskStats[] mine = new TaskStats[rc.Tasks];
                    int m = 0;
                    for (int i = 0; i < tasks.Length; i++) if (tasks[i].Home == rc) mine[m++] = tasks[i].Stats;
                    Log.WriteLine("cpu " + rc.Cpu + ":");
                    Table(mine);
                    Log.WriteLine("cpu " + rc.Cpu + " " + RunReport.Total(mine, rc.SwitchesAtStop - rc.SwitchesAtStart, rc.IdleAtStop - rc.IdleAtStart));
                    Log.WriteLine("");
                }
            }
            else
            {
                Table(stats);
                Log.WriteLine("");
            }
            Log.WriteLine(RunReport.Total(stats, switches, idle));
            for (int n = 0; n < nshown; n++)
            {
                string[] verdicts = OverheadAnalysis.Describe(w, sched, shown[n], RunOverheads.Of(shown[n]));
                for (int i = 0; i < verdicts.Length; i++) Log.WriteLine("analysis cpu " + shown[n] + ": " + verdicts[i]);
            }
            for (int i = 0; i < tasks.Length; i++) if (tasks[i].Refusal != null) Log.WriteLine("rejected: " + tasks[i].Refusal);
            if (!guests)
                for (int i = 0; w.GuestErrors != null && i < w.GuestErrors.Length; i++) Log.WriteLine("rejected: " + w.GuestErrors[i]);
            for (int i = 0; i < noteCount; i++) Log.WriteLine("note: " + notes[i]);
        }

        private static void Table(TaskStats[] stats)
        {
            ReportTables.RunHeader();
            for (int i = 0; i < stats.Length; i++)
            {
                ReportTables.RunLine(stats[i]);
                string over = RunReport.OverrunLine(stats[i]);
                if (over != null) Log.WriteLine(over);
            }
        }
    }
}
