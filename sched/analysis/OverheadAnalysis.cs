// Overhead-aware schedulability analysis: the exact tests of FpAnalysis and
// EdfAnalysis run on task sets inflated by the kernel's overheads
// (Overheads.cs) in the standard way. With zero overheads every entry point
// gives exactly the plain analysis (the same calls on the same tasks).
using Osprey.Sched.Workload;

namespace Osprey.Sched.Analysis
{
    public static class OverheadAnalysis
    {
        /// <summary>
        /// Fixed priority: each task's cost becomes C + 2 x (decision + switch)
        /// (+ one interrupt for a budgeted server: its budget-exhaustion timer),
        /// and each task's release interrupt (entry + release + exit) becomes
        /// an extra task of the same period at a priority above every task
        /// (int.MinValue), so response-time analysis charges every release in
        /// the window, of more and of less urgent tasks alike, to the task it
        /// preempts: R_i = C'_i + sum_hp ceil(R/T_j) C'_j + sum_all ceil(R/T_k) I.
        /// Entries 0..n-1 are the tasks (same order), n..2n-1 the interrupts.
        /// </summary>
        public static AnalysisTask[] FpTasks(AnalysisTask[] tasks, bool[] budgeted, Overheads o)
        {
            return FpTasks(tasks, budgeted, o, 0);
        }

        /// <summary>As above; oneShot &gt; 0 adds entry 2n: the single release interrupts of that many
        /// threads released once (background tasks), at the top priority, counted once.</summary>
        public static AnalysisTask[] FpTasks(AnalysisTask[] tasks, bool[] budgeted, Overheads o, int oneShot)
        {
            int n = tasks.Length;
            AnalysisTask[] r = new AnalysisTask[2 * n + (oneShot > 0 ? 1 : 0)];
            if (oneShot > 0)
                r[2 * n] = AnalysisTask.Make("release interrupts of background tasks", Sat(0, oneShot * o.InterruptNs), EdfAnalysis.MaxInterval, EdfAnalysis.MaxInterval, int.MinValue);
            for (int i = 0; i < n; i++)
            {
                AnalysisTask t = tasks[i];
                t.Wcet = Sat(t.Wcet, o.SwitchPairNs + (budgeted != null && budgeted[i] ? o.InterruptNs : 0));
                r[i] = t;
                r[n + i] = AnalysisTask.Make("release interrupt of " + tasks[i].Name, o.InterruptNs, tasks[i].Period, tasks[i].Period, int.MinValue);
            }
            return r;
        }

        /// <summary>
        /// EDF: each job's cost becomes C + its release interrupt + 2 x (decision
        /// + switch) (+ one interrupt for a budgeted server). A release interrupt
        /// runs at once, whatever the deadlines: in any window of length t the
        /// releases number at most ceil(t/T_k), one more than the jobs of task k
        /// whose release and deadline both lie in the window (D_k &lt;= T_k; for
        /// D_k &gt; T_k at most ceil(D_k/T_k) more). The last entry, named
        /// "release interrupts", adds that constant B = sum_k ceil(D_k/T_k) x I to
        /// the demand from the earliest deadline on (deadline Dmin, period 2^60 so
        /// it counts once): h'(t) + B &lt;= t for all t &gt;= Dmin is then sufficient.
        /// </summary>
        public static AnalysisTask[] EdfTasks(AnalysisTask[] tasks, bool[] budgeted, Overheads o)
        {
            return EdfTasks(tasks, budgeted, o, 0);
        }

        /// <summary>As above; the single release interrupts of oneShot threads released once
        /// (background tasks) are added to B.</summary>
        public static AnalysisTask[] EdfTasks(AnalysisTask[] tasks, bool[] budgeted, Overheads o, int oneShot)
        {
            int n = tasks.Length;
            AnalysisTask[] r = new AnalysisTask[n + 1];
            long extra = oneShot > 0 ? (long)oneShot * o.InterruptNs : 0, dmin = EdfAnalysis.MaxInterval;
            for (int i = 0; i < n; i++)
            {
                AnalysisTask t = tasks[i];
                t.Wcet = Sat(t.Wcet, o.PerJobNs + (budgeted != null && budgeted[i] ? o.InterruptNs : 0));
                r[i] = t;
                long p = tasks[i].Period > 0 ? tasks[i].Period : 1;
                long d = tasks[i].Deadline > 0 ? tasks[i].Deadline : 1;
                long k = (d + p - 1) / p;
                extra = Sat(extra, k > EdfAnalysis.MaxInterval / (o.InterruptNs + 1) ? EdfAnalysis.MaxInterval : k * o.InterruptNs);
                if (d < dmin) dmin = d;
            }
            if (extra > EdfAnalysis.MaxInterval) extra = EdfAnalysis.MaxInterval;
            r[n] = AnalysisTask.Make("release interrupts", extra, EdfAnalysis.MaxInterval, dmin, int.MinValue);
            return r;
        }

        static long Sat(long a, long b)
        {
            long s = a + b;
            return s < a ? long.MaxValue : s;
        }

        /// <summary>Budgeted entries of WorkloadAnalysis.TasksFor (CBS servers under cbs), same order.</summary>
        public static bool[] Budgeted(TaskSpec[] tasks, SchedulerKind sched, int cpu)
        {
            int n = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                bool[] b = pass == 1 ? new bool[n] : null;
                int k = 0;
                for (int i = 0; i < tasks.Length; i++)
                {
                    bool server;
                    if (!WorkloadAnalysis.Analysed(tasks[i], sched, cpu, out server)) continue;
                    if (pass == 1) b[k] = server;
                    k++;
                }
                n = k;
                if (pass == 1) return b;
            }
            return new bool[0];
        }

        /// <summary>
        /// The exact test for the scheduler with overheads charged. Zero overheads:
        /// WorkloadAnalysis.Analyze on the tasks as given. Otherwise the test runs on
        /// the inflated set (FpTasks or EdfTasks); r's indices 0..n-1 are the tasks.
        /// </summary>
        public static void Analyze(AnalysisTask[] tasks, bool[] budgeted, SchedulerKind sched, Overheads o, AnalysisResult r)
        {
            Analyze(tasks, budgeted, 0, sched, o, r);
        }

        /// <summary>As above, charging also the single release interrupt of oneShot threads
        /// released once (the background tasks: OneShotReleases).</summary>
        public static void Analyze(AnalysisTask[] tasks, bool[] budgeted, int oneShot, SchedulerKind sched, Overheads o, AnalysisResult r)
        {
            if (o.IsZero) { WorkloadAnalysis.Analyze(tasks, sched, r); return; }
            if (sched == SchedulerKind.Priority)
            {
                AnalysisTask[] x = FpTasks(tasks, budgeted, o, oneShot);
                FpAnalysis.ResponseTimeTest(x, x.Length, r);
            }
            else
            {
                AnalysisTask[] x = EdfTasks(tasks, budgeted, o, oneShot);
                EdfAnalysis.Test(x, x.Length, r);
            }
        }

        /// <summary>Threads of cpu released once whose wake-up interrupt the analysis charges:
        /// the background tasks. (Aperiodic tasks without a server carry no guarantee and their
        /// arrivals are not charged.)</summary>
        public static int OneShotReleases(TaskSpec[] tasks, int cpu)
        {
            int n = 0;
            for (int i = 0; i < tasks.Length; i++)
                if (tasks[i].Kind == TaskKind.Background && (cpu < 0 || tasks[i].Cpu == cpu)) n++;
            return n;
        }

        /// <summary>The overhead-aware test of w's analysable tasks on cpu under sched; r must hold
        /// 2n + 1 response times.</summary>
        public static void AnalyzeCpu(WorkloadSpec w, SchedulerKind sched, int cpu, Overheads o, AnalysisResult r)
        {
            AnalysisTask[] at = WorkloadAnalysis.TasksFor(w.Tasks, sched, cpu);
            Analyze(at, Budgeted(w.Tasks, sched, cpu), OneShotReleases(w.Tasks, cpu), sched, o, r);
        }

        /// <summary>
        /// How much a set the plain analysis accepts lacks under the overheads
        /// (call after Analyze rejected it): FP, the failing task's response time
        /// with overheads less its deadline (-1 when that response does not
        /// converge); EDF, the demand above the interval at the failing point.
        /// </summary>
        public static long Lacking(AnalysisTask[] tasks, bool[] budgeted, int oneShot, SchedulerKind sched, Overheads o, AnalysisResult r)
        {
            if (sched == SchedulerKind.Priority)
            {
                if (r.FailingTask < 0 || r.FailingTask >= tasks.Length) return -1;
                AnalysisTask[] x = FpTasks(tasks, budgeted, o, oneShot);
                long R;
                int steps = 0;
                if (!FpAnalysis.ResponseTime(x, x.Length, r.FailingTask, EdfAnalysis.MaxInterval, out R, ref steps)) return -1;
                return R - tasks[r.FailingTask].Deadline;
            }
            if (r.TimePoint > 0 && r.Demand > r.TimePoint) return r.Demand - r.TimePoint;
            return -1;
        }

        /// <summary>The budgets of CBS servers inflated for the bandwidth check (per period: two
        /// interrupts and two switches); the same array when the overheads are zero.</summary>
        public static AnalysisTask[] Servers(AnalysisTask[] servers, Overheads o)
        {
            if (o.IsZero) return servers;
            AnalysisTask[] r = new AnalysisTask[servers.Length];
            for (int i = 0; i < servers.Length; i++)
            {
                r[i] = servers[i];
                r[i].Wcet = Sat(servers[i].Wcet, o.PerReservationNs);
            }
            return r;
        }

        /// <summary>
        /// Verdict lines for one CPU with overheads charged. Zero overheads: exactly
        /// WorkloadAnalysis.Describe. Otherwise the lines of the overhead-aware tests,
        /// each ending "(overheads: ...)"; a set the plain test accepts but the
        /// overhead-aware one does not is said to be schedulable only with zero
        /// overhead, with the slack it lacks.
        /// </summary>
        public static string[] Describe(WorkloadSpec w, SchedulerKind sched, int cpu, Overheads o)
        {
            if (o.IsZero) return WorkloadAnalysis.Describe(w, sched, cpu);
            AnalysisTask[] tasks = WorkloadAnalysis.TasksFor(w.Tasks, sched, cpu);
            bool[] budgeted = Budgeted(w.Tasks, sched, cpu);
            int oneShot = OneShotReleases(w.Tasks, cpu);
            string[] lines = new string[3];
            int n = 0;
            string tag = " (" + o.Describe() + ")";
            AnalysisResult r = new AnalysisResult(2 * tasks.Length + 2);
            AnalysisResult plain = new AnalysisResult(tasks.Length + 1);
            if (sched == SchedulerKind.Priority)
            {
                // The Liu-Layland bound is a utilization test of the plain set, shown as a hint.
                FpAnalysis.LiuLaylandTest(tasks, tasks.Length, r);
                lines[n++] = r.Describe() + " (overheads not charged)";
            }
            if (sched == SchedulerKind.Cbs)
            {
                AnalysisTask[] s = WorkloadAnalysis.ServersOn(w, cpu);
                int servers = s.Length;
                CbsAnalysis.BandwidthTest(Servers(s, o), servers, 1, 1, r);
                string line = r.Describe() + tag;
                if (!r.Accepted)
                {
                    CbsAnalysis.BandwidthTest(s, servers, 1, 1, plain);
                    if (plain.Accepted) line = line + "; schedulable only with zero overhead: the overheads take the bandwidth from "
                        + Format.Ppb(plain.UtilPpb) + " to " + Format.Ppb(r.UtilPpb);
                }
                lines[n++] = line;
            }
            Analyze(tasks, budgeted, oneShot, sched, o, r);
            string verdict = r.Describe() + tag;
            if (!r.Accepted)
            {
                WorkloadAnalysis.Analyze(tasks, sched, plain);
                if (plain.Accepted)
                {
                    long lack = Lacking(tasks, budgeted, oneShot, sched, o, r);
                    verdict = verdict + "; schedulable only with zero overhead" + (lack > 0 ? ", lacks " + Format.Time(lack) + " of slack"
                        + (sched == SchedulerKind.Priority ? " (task '" + tasks[r.FailingTask].Name + "': response " + Format.Time(lack + tasks[r.FailingTask].Deadline) + " with overheads)"
                            : " at t = " + Format.Time(r.TimePoint))
                        : ": with overheads the load reaches 100%");
                }
            }
            lines[n++] = verdict;
            string[] outLines = new string[n];
            for (int i = 0; i < n; i++) outLines[i] = lines[i];
            return outLines;
        }
    }
}
