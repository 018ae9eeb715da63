// Exact EDF schedulability tests for independent sporadic tasks on one CPU
// (synchronous release is the worst case): the utilization test for implicit
// deadlines and the processor-demand test with Quick Processor-demand Analysis
// (Zhang & Burns, 2009) for constrained or arbitrary deadlines.
namespace Osprey.Sched.Analysis
{
    public static class EdfAnalysis
    {
        /// <summary>Largest time value the demand test works with (keeps every sum in 63 bits).</summary>
        public const long MaxInterval = 1L << 60;
        /// <summary>Default limit on demand evaluations / busy-period iterations per test.</summary>
        public const int DefaultMaxSteps = 2000000;

        /// <summary>The step limit for n tasks: maxSteps, but at most AnalysisLimits.MaxWork task terms in all
        /// (a QPA step evaluates the demand and looks for the next deadline, 2n terms; a busy-period
        /// iteration n), and at least 1.</summary>
        public static int StepsFor(int n, int maxSteps)
        {
            long byWork = AnalysisLimits.MaxWork / (2 * (long)(n < 1 ? 1 : n));
            if (byWork < 1) byWork = 1;
            return byWork < maxSteps ? (int)byWork : maxSteps;
        }

        static bool Valid(AnalysisTask[] tasks, int n, AnalysisResult r)
        {
            for (int i = 0; i < n; i++)
            {
                if (tasks[i].Period <= 0 || tasks[i].Wcet < 0 || tasks[i].Deadline <= 0
                    || tasks[i].Period > MaxInterval || tasks[i].Deadline > MaxInterval || tasks[i].Wcet > MaxInterval)
                {
                    r.Verdict = AnalysisVerdict.Inconclusive;
                    r.FailingTask = i;
                    r.FailingName = tasks[i].Name;
                    r.Reason = "task parameters out of range (need wcet >= 0, period > 0, deadline > 0, all below 2^60 ns)";
                    return false;
                }
            }
            return true;
        }

        /// <summary>Total utilization sum C/T; 'exceeds' is the first index whose addition takes it above 1 (or -1).</summary>
        public static Utilization TotalUtilization(AnalysisTask[] tasks, int n, out int exceeds)
        {
            Utilization u = Utilization.Zero();
            exceeds = -1;
            for (int i = 0; i < n; i++)
            {
                u.Add((ulong)tasks[i].Wcet, (ulong)tasks[i].Period);
                if (exceeds < 0 && u.CompareTo(1, 1) == 1) exceeds = i;
            }
            return u;
        }

        /// <summary>Processor demand h(t) = sum over tasks with D <= t of (floor((t - D)/T) + 1) * C, saturating at long.MaxValue.</summary>
        public static long Demand(AnalysisTask[] tasks, int n, long t)
        {
            long h = 0;
            for (int i = 0; i < n; i++)
            {
                long d = tasks[i].Deadline;
                if (d > t) continue;
                long jobs = (t - d) / tasks[i].Period + 1;
                long c = tasks[i].Wcet;
                if (c != 0 && jobs > (long.MaxValue - h) / c) return long.MaxValue;
                h += jobs * c;
            }
            return h;
        }

        /// <summary>The largest absolute deadline k*T + D (k >= 0) strictly below t, or -1.</summary>
        public static long DeadlineBefore(AnalysisTask[] tasks, int n, long t)
        {
            long best = -1;
            for (int i = 0; i < n; i++)
            {
                long d = tasks[i].Deadline;
                if (d >= t) continue;
                long k = (t - 1 - d) / tasks[i].Period;
                long abs = k * tasks[i].Period + d;
                if (abs > best) best = abs;
            }
            return best;
        }

        /// <summary>The smallest absolute deadline strictly after t (t >= 0), or -1 on overflow.</summary>
        public static long DeadlineAfter(AnalysisTask[] tasks, int n, long t)
        {
            long best = long.MaxValue;
            for (int i = 0; i < n; i++)
            {
                long d = tasks[i].Deadline;
                long abs;
                if (d > t) abs = d;
                else
                {
                    long k = (t - d) / tasks[i].Period + 1;
                    abs = k * tasks[i].Period + d;
                }
                if (abs < best) best = abs;
            }
            return best == long.MaxValue ? -1 : best;
        }

        /// <summary>Index of a task with an absolute deadline exactly at t, or -1.</summary>
        public static int TaskWithDeadlineAt(AnalysisTask[] tasks, int n, long t)
        {
            for (int i = 0; i < n; i++)
            {
                long d = tasks[i].Deadline;
                if (d <= t && (t - d) % tasks[i].Period == 0) return i;
            }
            return -1;
        }

        /// <summary>Hyperperiod (lcm of periods), or -1 when above limit.</summary>
        public static long Hyperperiod(AnalysisTask[] tasks, int n, long limit)
        {
            ulong l = 1;
            for (int i = 0; i < n; i++)
            {
                ulong nl;
                if (!WideMath.Lcm(l, (ulong)tasks[i].Period, (ulong)limit, out nl)) return -1;
                l = nl;
            }
            return (long)l;
        }

        /// <summary>Synchronous busy period: w = sum ceil(w/T)*C from w = sum C. -1 when it does not
        /// converge within maxSteps or below MaxInterval (always diverges when U > 1).</summary>
        public static long BusyPeriod(AnalysisTask[] tasks, int n, int maxSteps, out int steps)
        {
            steps = 0;
            long w = 0;
            for (int i = 0; i < n; i++)
            {
                w += tasks[i].Wcet;
                if (w > MaxInterval) return -1;
            }
            if (w == 0) return 0;
            while (steps < maxSteps)
            {
                steps++;
                long next = 0;
                for (int i = 0; i < n; i++)
                {
                    long jobs = WideMath.CeilDiv(w, tasks[i].Period);
                    long c = tasks[i].Wcet;
                    if (c != 0 && jobs > (MaxInterval - next) / c) return -1;
                    next += jobs * c;
                }
                if (next == w) return w;
                w = next;
            }
            return -1;
        }

        /// <summary>Searches deadlines in increasing order from the first for the earliest t with h(t) > t.
        /// Returns that t or -1 if none is found below limit within maxSteps.</summary>
        public static long FirstFailingDeadline(AnalysisTask[] tasks, int n, long limit, int maxSteps, ref int steps)
        {
            long t = DeadlineAfter(tasks, n, 0);
            int used = 0;
            while (t > 0 && t <= limit && used < maxSteps)
            {
                used++;
                long h = Demand(tasks, n, t);
                if (h > t) { steps += used; return t; }
                t = DeadlineAfter(tasks, n, t);
            }
            steps += used;
            return -1;
        }

        static void ReportFailure(AnalysisTask[] tasks, int n, long t, AnalysisResult r)
        {
            r.Verdict = AnalysisVerdict.NotSchedulable;
            r.TimePoint = t;
            r.Demand = Demand(tasks, n, t);
            int who = TaskWithDeadlineAt(tasks, n, t);
            r.FailingTask = who;
            r.FailingName = who >= 0 ? tasks[who].Name : null;
            r.Deadline = who >= 0 ? tasks[who].Deadline : 0;
        }

        /// <summary>Exact test for implicit deadlines (D = T): U <= 1. On rejection it also looks for the
        /// first deadline with demand above it (bounded search) to name the failing task and time.</summary>
        public static void UtilizationTest(AnalysisTask[] tasks, int n, AnalysisResult r)
        {
            r.Reset();
            r.Test = AnalysisTest.EdfUtilization;
            r.BoundPpb = 1000000000L;
            if (!Valid(tasks, n, r)) return;
            int exceeds;
            Utilization u = TotalUtilization(tasks, n, out exceeds);
            r.SetUtil(u);
            int cmp = u.CompareTo(1, 1);
            if (cmp <= 0) { r.Verdict = AnalysisVerdict.Schedulable; return; }
            if (cmp == 2)
            {
                r.Verdict = AnalysisVerdict.Inconclusive;
                r.Reason = "utilization within 2^-60 of 1 and periods too large for exact arithmetic";
                return;
            }
            r.Verdict = AnalysisVerdict.NotSchedulable;
            r.FailingTask = exceeds;
            r.FailingName = exceeds >= 0 ? tasks[exceeds].Name : null;
            int steps = 0;
            long t = FirstFailingDeadline(tasks, n, MaxInterval, StepsFor(n, DefaultMaxSteps), ref steps);
            r.Steps = steps;
            if (t > 0) ReportFailure(tasks, n, t, r);
        }

        /// <summary>Exact processor-demand test with QPA. Test interval L = min(La, Lb) when U < 1
        /// (La = max(Dmax, sum (T-D)U_i / (1-U)), Lb = synchronous busy period); when U = 1 the
        /// fallback L = min(hyperperiod + Dmax, busy period).</summary>
        public static void DemandTest(AnalysisTask[] tasks, int n, AnalysisResult r)
        {
            DemandTest(tasks, n, r, DefaultMaxSteps);
        }

        public static void DemandTest(AnalysisTask[] tasks, int n, AnalysisResult r, int maxSteps)
        {
            r.Reset();
            r.Test = AnalysisTest.EdfDemand;
            r.BoundPpb = 1000000000L;
            if (!Valid(tasks, n, r)) return;
            maxSteps = StepsFor(n, maxSteps);
            int exceeds;
            Utilization u = TotalUtilization(tasks, n, out exceeds);
            r.SetUtil(u);
            int cmp = u.CompareTo(1, 1);
            int steps = 0;
            if (cmp == 1)
            {
                r.Verdict = AnalysisVerdict.NotSchedulable;
                r.FailingTask = exceeds;
                r.FailingName = exceeds >= 0 ? tasks[exceeds].Name : null;
                long ft = FirstFailingDeadline(tasks, n, MaxInterval, maxSteps, ref steps);
                r.Steps = steps;
                if (ft > 0) ReportFailure(tasks, n, ft, r);
                return;
            }
            if (cmp == 2)
            {
                r.Verdict = AnalysisVerdict.Inconclusive;
                r.Reason = "utilization within 2^-60 of 1 and periods too large for exact arithmetic";
                return;
            }
            if (n == 0) { r.Verdict = AnalysisVerdict.Schedulable; return; }

            long dmax = 0, dmin = long.MaxValue;
            for (int i = 0; i < n; i++)
            {
                if (tasks[i].Deadline > dmax) dmax = tasks[i].Deadline;
                if (tasks[i].Deadline < dmin) dmin = tasks[i].Deadline;
            }

            // Bound on the test interval.
            int busySteps;
            long lb = BusyPeriod(tasks, n, maxSteps, out busySteps);
            steps += busySteps;
            long L = -1;
            if (cmp < 0)
            {
                // La with doubles: only a valid upper bound is needed, so pad it.
                double slack = 0;
                for (int i = 0; i < n; i++)
                {
                    double ui = (double)tasks[i].Wcet / (double)tasks[i].Period;
                    double td = (double)(tasks[i].Period - tasks[i].Deadline);
                    if (td > 0) slack += td * ui;
                }
                double oneMinusU = 1.0 - u.ToDouble();
                if (oneMinusU >= 1e-6)
                {
                    double la = slack / oneMinusU;
                    la = la * 1.0001 + 1.0;
                    if (la < (double)MaxInterval)
                    {
                        long lal = (long)la;
                        if (lal < dmax) lal = dmax;
                        L = lal;
                    }
                }
            }
            else
            {
                long hp = Hyperperiod(tasks, n, MaxInterval - dmax);
                if (hp > 0) L = hp + dmax;
            }
            if (lb >= 0 && (L < 0 || lb < L)) L = lb;
            if (L < 0)
            {
                r.Verdict = AnalysisVerdict.Inconclusive;
                r.Reason = "because no test interval below 2^60 ns was found within the step limit (U too close to 1 or periods too far apart for the busy period to converge)";
                r.Steps = steps;
                return;
            }
            if (L < dmin) L = dmin; // check at least the first deadline
            r.TestInterval = L;

            // QPA: walk backwards from the last deadline <= L.
            long t = DeadlineBefore(tasks, n, L + 1);
            while (t > 0)
            {
                if (steps >= maxSteps)
                {
                    r.Verdict = AnalysisVerdict.Inconclusive;
                    r.Reason = "because QPA reached its step limit before covering the test interval";
                    r.Steps = steps;
                    return;
                }
                steps++;
                long h = Demand(tasks, n, t);
                if (h > t)
                {
                    // Infeasible. Name the earliest failing deadline when a short forward scan finds it;
                    // otherwise the last deadline <= t (h is constant between deadlines, so it fails too).
                    long first = FirstFailingDeadline(tasks, n, t, maxSteps, ref steps);
                    if (first <= 0) first = DeadlineBefore(tasks, n, t + 1);
                    r.Steps = steps;
                    ReportFailure(tasks, n, first, r);
                    return;
                }
                if (h <= dmin) break;
                if (h < t) t = h;
                else t = DeadlineBefore(tasks, n, t);
            }
            r.Steps = steps;
            r.Verdict = AnalysisVerdict.Schedulable;
        }

        /// <summary>Picks the exact test: utilization when every deadline equals its period, demand otherwise.</summary>
        public static void Test(AnalysisTask[] tasks, int n, AnalysisResult r)
        {
            bool implicitDeadlines = true;
            for (int i = 0; i < n; i++)
                if (tasks[i].Deadline != tasks[i].Period) implicitDeadlines = false;
            if (implicitDeadlines) UtilizationTest(tasks, n, r);
            else DemandTest(tasks, n, r);
        }
    }
}
