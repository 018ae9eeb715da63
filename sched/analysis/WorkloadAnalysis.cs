// Runs the right schedulability test for a parsed workload, per physical CPU.
using Osprey.Sched.Workload;

namespace Osprey.Sched.Analysis
{
    /// <summary>
    /// What is analysed: periodic tasks (under cbs a task with a budget counts with its
    /// budget) and aperiodic tasks that have a CBS server (budget, period). Aperiodic
    /// tasks without a server and background tasks carry no guarantee and are left out.
    /// </summary>
    public static class WorkloadAnalysis
    {
        /// <summary>The analysable tasks of one CPU (allocates the array: setup time only).</summary>
        public static AnalysisTask[] TasksFor(WorkloadSpec w, int cpu)
        {
            return TasksFor(w.Tasks, w.Scheduler, cpu);
        }

        /// <summary>Whether the analysis of cpu (-1: every CPU) includes t: periodic tasks, and
        /// aperiodic ones only as CBS servers (server: t has a budget under cbs).</summary>
        public static bool Analysed(TaskSpec t, SchedulerKind sched, int cpu, out bool server)
        {
            server = sched == SchedulerKind.Cbs && t.Budget > 0;
            if (cpu >= 0 && t.Cpu != cpu) return false;
            if (t.Kind == TaskKind.Background) return false;
            return t.Kind != TaskKind.Aperiodic || server;
        }

        /// <summary>The CBS servers of cpu (tasks with a budget), in file order, as (budget, period) tasks.</summary>
        public static AnalysisTask[] ServersOn(WorkloadSpec w, int cpu)
        {
            int servers = 0;
            for (int i = 0; i < w.Tasks.Length; i++)
                if (w.Tasks[i].Budget > 0 && w.Tasks[i].Cpu == cpu) servers++;
            AnalysisTask[] s = new AnalysisTask[servers];
            int k = 0;
            for (int i = 0; i < w.Tasks.Length; i++)
            {
                TaskSpec t = w.Tasks[i];
                if (t.Budget > 0 && t.Cpu == cpu) s[k++] = AnalysisTask.Make(t.Name, t.Budget, t.Period, t.Period, t.Priority);
            }
            return s;
        }

        public static AnalysisTask[] TasksFor(TaskSpec[] tasks, SchedulerKind sched, int cpu)
        {
            int n = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                AnalysisTask[] outArr = pass == 1 ? new AnalysisTask[n] : null;
                int k = 0;
                for (int i = 0; i < tasks.Length; i++)
                {
                    TaskSpec t = tasks[i];
                    bool server;
                    if (!Analysed(t, sched, cpu, out server)) continue;
                    if (pass == 1)
                    {
                        long c = server ? t.Budget : t.Wcet;
                        long d = t.Kind == TaskKind.Periodic ? t.Deadline : t.Period;
                        outArr[k] = AnalysisTask.Make(t.Name, c, t.Period, d, t.Priority);
                    }
                    k++;
                }
                if (pass == 0) n = k; else return outArr;
            }
            return new AnalysisTask[0];
        }

        /// <summary>The exact test for the scheduler: priority -> response-time analysis;
        /// edf -> utilization or demand test; cbs -> EDF test over tasks and servers.</summary>
        public static void Analyze(AnalysisTask[] tasks, SchedulerKind sched, AnalysisResult r)
        {
            if (sched == SchedulerKind.Priority) FpAnalysis.ResponseTimeTest(tasks, tasks.Length, r);
            else EdfAnalysis.Test(tasks, tasks.Length, r);
        }

        /// <summary>Verdict lines for one CPU of a workload (host tool / console use; allocates strings).</summary>
        public static string[] Describe(WorkloadSpec w, int cpu) { return Describe(w, w.Scheduler, cpu); }

        /// <summary>The verdict lines for cpu under scheduler sched (which may differ from the file's).</summary>
        public static string[] Describe(WorkloadSpec w, SchedulerKind sched, int cpu)
        {
            AnalysisTask[] tasks = TasksFor(w.Tasks, sched, cpu);
            string[] lines = new string[3];
            int n = 0;
            AnalysisResult r = new AnalysisResult(tasks.Length);
            if (sched == SchedulerKind.Priority)
            {
                FpAnalysis.LiuLaylandTest(tasks, tasks.Length, r);
                lines[n++] = r.Describe();
            }
            if (sched == SchedulerKind.Cbs)
            {
                AnalysisTask[] s = ServersOn(w, cpu);
                int servers = s.Length;
                CbsAnalysis.BandwidthTest(s, servers, 1, 1, r);
                lines[n++] = r.Describe();
            }
            Analyze(tasks, sched, r);
            lines[n++] = r.Describe();
            string[] outLines = new string[n];
            for (int i = 0; i < n; i++) outLines[i] = lines[i];
            return outLines;
        }
    }
}
