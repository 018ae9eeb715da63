using Osprey.Kernel.Threading;
using Osprey.Sched;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.Workload
{
    // The workload report of a global-EDF run, in the simulator's format
    // (sched/sim Program.PrintCluster): the cluster's task table and total
    // with its migrations, a line per CPU (switches, migrations in,
    // reschedule IPIs received, idle time), the migrations per task, the GFB
    // verdict. The compare stage reads the task rows of both.
    internal static class ClusterReport
    {
        internal const int MaxCpus = 64;

        internal static void Print(string file, WorkloadSpec w, long duration, WorkloadTask[] tasks, long[] start, long[] stop, string[] notes, int noteCount)
        {
            KernelCluster cl = GlobalCluster.Current;
            int m = cl.Cpus;
            TaskStats[] stats = new TaskStats[tasks.Length];
            for (int i = 0; i < tasks.Length; i++) stats[i] = tasks[i].Stats;
            long switches = 0, idle = 0, migrations = 0;
            for (int c = 0; c < m && c < MaxCpus; c++)
            {
                switches += stop[4 * c] - start[4 * c];
                idle += stop[4 * c + 1] - start[4 * c + 1];
                migrations += stop[4 * c + 2] - start[4 * c + 2];
            }
            Log.WriteLine("");
            Log.WriteLine(RunReport.Title(file, w, SchedulerKind.Gedf, duration) + ", cluster of " + m + " CPU(s), reschedule IPIs between CPUs");
            Log.WriteLine("");
            ReportTables.RunHeader();
            for (int i = 0; i < stats.Length; i++) ReportTables.RunLine(stats[i]);
            Log.WriteLine("");
            Log.WriteLine(RunReport.Total(stats, switches, idle) + ", " + migrations + " migrations");
            for (int c = 0; c < m && c < MaxCpus; c++)
                Log.WriteLine("cpu " + c + ": " + (stop[4 * c] - start[4 * c]) + " switches, " + (stop[4 * c + 2] - start[4 * c + 2]) + " migrations in, "
                    + (stop[4 * c + 3] - start[4 * c + 3]) + " reschedule IPIs, idle " + Format.Time(stop[4 * c + 1] - start[4 * c + 1]));
            for (int c = 0; c < m; c++)
            {
                PerCpu p = PerCpu.Of(c);
                Log.WriteLine("cpu " + c + " core: switch requests " + p.Core.SwitchRequests + ", timer re-arms asked by other CPUs " + p.RemoteArms
                    + ", IPIs sent to it " + p.Platform.KicksSent + " (" + p.Platform.KicksFailed + " refused), timer interrupts " + p.TimerInterrupts + ", armed for " + p.Platform.ArmedFor + ", executing '" + p.Core.Executing.Name + "', heir '" + p.Core.Heir.Name + "'");
            }
            string s = "migrations per task:";
            for (int i = 0; i < stats.Length; i++) s = s + " " + stats[i].Name + "=" + stats[i].Migrations;
            Log.WriteLine(s);
            Log.WriteLine("cluster: " + cl.SwitchWaits + " dispatch(es) waited for another CPU to leave the picked thread's stack; ready-set lock taken "
                + cl.ReadySetLock.Acquisitions + " times, " + cl.ReadySetLock.Contended + " contended");
            AnalysisTask[] at = WorkloadAnalysis.TasksFor(w.Tasks, SchedulerKind.Edf, -1);
            GfbResult g = new GfbResult();
            GlobalEdfAnalysis.GfbTest(at, at.Length, m, g);
            string label = "cpus 0-" + (m - 1);
            Log.WriteLine("analysis " + label + ": " + g.Describe());
            bool placed = false;
            for (int i = 0; i < w.Tasks.Length; i++) placed |= w.Tasks[i].CpuGiven;
            if (placed) Log.WriteLine("note: " + label + ": the tasks' cpu fields are not used under gedf (every task runs on the whole cluster; they place the tasks under a partitioned scheduler, e.g. --sched edf)");
            for (int i = 0; i < noteCount; i++) Log.WriteLine("note: " + notes[i]);
        }
    }
}
