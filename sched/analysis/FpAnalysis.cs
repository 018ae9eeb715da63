// Fixed-priority schedulability tests on one CPU: the Liu & Layland bound
// (sufficient only) and exact response-time analysis (Joseph & Pandya; Audsley
// et al.) for independent tasks with constrained deadlines (D <= T).
// Priority: lower number = more urgent. Tasks of equal priority are counted as
// interfering with each other (FIFO within a level), which keeps the test safe
// but only sufficient for ties.
namespace Osprey.Sched.Analysis
{
    public static class FpAnalysis
    {
        const ulong Scale = 1000000000000000000UL; // 1e18 fixed point for 2^(1/n)

        /// <summary>(x/Scale)^n rounded up at every step, saturating at 4*Scale.</summary>
        static ulong PowCeil(ulong x, int n)
        {
            ulong acc = Scale;
            for (int i = 0; i < n; i++)
            {
                ulong q;
                if (!WideMath.MulDiv(acc, x, Scale, true, out q) || q > 4 * Scale) return 4 * Scale;
                acc = q;
            }
            return acc;
        }

        /// <summary>Liu-Layland bound n(2^(1/n) - 1) in parts per billion, rounded down
        /// (so a test against it stays safe). n <= 0 gives 1e9. Integer bisection, no Math.*.</summary>
        public static long LiuLaylandBoundPpb(int n)
        {
            if (n <= 1) return 1000000000L;
            // Largest x in [Scale, 2*Scale] with ceil-power x^n <= 2: x <= true 2^(1/n).
            ulong lo = Scale, hi = 2 * Scale;
            while (hi - lo > 1)
            {
                ulong mid = lo + (hi - lo) / 2;
                if (PowCeil(mid, n) <= 2 * Scale) lo = mid; else hi = mid;
            }
            ulong ppb;
            // n * (x - 1) in ppb = n * (lo - Scale) / 1e9
            if (!WideMath.MulDiv((ulong)n, lo - Scale, 1000000000UL, false, out ppb)) return 0;
            return (long)ppb;
        }

        /// <summary>Sufficient test: U <= n(2^(1/n)-1) for implicit deadlines. Above the bound the
        /// verdict is Inconclusive (use response-time analysis); with D < T it is Inconclusive too.</summary>
        public static void LiuLaylandTest(AnalysisTask[] tasks, int n, AnalysisResult r)
        {
            r.Reset();
            r.Test = AnalysisTest.FpLiuLayland;
            r.BoundPpb = LiuLaylandBoundPpb(n);
            Utilization u = Utilization.Zero();
            for (int i = 0; i < n; i++)
            {
                if (tasks[i].Period <= 0 || tasks[i].Wcet < 0)
                {
                    r.Verdict = AnalysisVerdict.Inconclusive;
                    r.FailingTask = i; r.FailingName = tasks[i].Name;
                    r.Reason = "task parameters out of range";
                    return;
                }
                u.Add((ulong)tasks[i].Wcet, (ulong)tasks[i].Period);
            }
            r.SetUtil(u);
            for (int i = 0; i < n; i++)
            {
                if (tasks[i].Deadline < tasks[i].Period)
                {
                    r.Verdict = AnalysisVerdict.Inconclusive;
                    r.Reason = "the bound assumes deadlines equal to periods";
                    return;
                }
            }
            int cmp = u.CompareTo((ulong)r.BoundPpb, 1000000000UL);
            if (cmp == 1 && u.CompareTo(1, 1) == 1)
            {
                r.Verdict = AnalysisVerdict.NotSchedulable; // U > 1 fails under any policy
                r.Reason = "U > 1";
                return;
            }
            r.Verdict = cmp <= 0 ? AnalysisVerdict.Schedulable : AnalysisVerdict.Inconclusive;
            if (r.Verdict == AnalysisVerdict.Inconclusive) r.Reason = "above the bound: sufficient test only, see response-time analysis";
        }

        static bool Interferes(AnalysisTask[] tasks, int i, int j)
        {
            return j != i && tasks[j].Priority <= tasks[i].Priority;
        }

        /// <summary>How one response-time iteration ended.</summary>
        public enum RtaOutcome
        {
            /// <summary>R is the worst-case response time, R &lt;= limit.</summary>
            Converged = 0,
            /// <summary>R is the first iterate above limit: the task misses.</summary>
            AboveLimit = 1,
            /// <summary>The tasks at least as urgent use 100% or more of the CPU: the task never completes (R = -1).</summary>
            Unbounded = 2,
            /// <summary>The step limit was reached: R is the last iterate, a lower bound of the response time.</summary>
            StepLimit = 3,
        }

        /// <summary>Worst-case response time of task i under synchronous release: the least fixed point of
        /// R = C_i + sum over more urgent (and equal-priority) j of ceil(R/T_j) C_j. Returns true when it
        /// converges with R <= limit; otherwise false with R the first iterate above limit (limit + 1 when
        /// the iteration cannot end: more urgent load of 100% or more, or the default step limit).</summary>
        public static bool ResponseTime(AnalysisTask[] tasks, int n, int i, long limit, out long R, ref int steps)
        {
            long work = AnalysisLimits.MaxWork;
            RtaOutcome o = ResponseTime(tasks, n, i, limit, ref work, out R, ref steps);
            if (o == RtaOutcome.Unbounded || o == RtaOutcome.StepLimit) R = limit + 1;
            return o == RtaOutcome.Converged;
        }

        /// <summary>The iteration with a work budget (task terms, decreased as it goes). Each iterate is a
        /// lower bound of the response time (the iteration rises to the least fixed point).</summary>
        public static RtaOutcome ResponseTime(AnalysisTask[] tasks, int n, int i, long limit, ref long work, out long R, ref int steps)
        {
            long c = tasks[i].Wcet;
            long r = c;
            int h = 0;
            Utilization uh = Utilization.Zero();
            for (int j = 0; j < n; j++)
            {
                if (!Interferes(tasks, i, j)) continue;
                h++;
                uh.Add((ulong)tasks[j].Wcet, (ulong)tasks[j].Period);
                r += tasks[j].Wcet;
                if (r > limit) { R = r; return RtaOutcome.AboveLimit; }
            }
            if (r > limit) { R = r; return RtaOutcome.AboveLimit; }
            // More urgent load U >= 1: sum ceil(R/Tj) Cj >= R for every R, so R = C + ... has no fixed
            // point when C > 0 (compare 2 = undecided within 2^-60: left to the iteration).
            int cmp = uh.CompareTo(1, 1);
            if (c > 0 && (cmp == 0 || cmp == 1)) { R = -1; return RtaOutcome.Unbounded; }
            while (true)
            {
                if (work < h + 1) { R = r; return RtaOutcome.StepLimit; }
                work -= h + 1;
                steps++;
                long next = c;
                for (int j = 0; j < n; j++)
                {
                    if (!Interferes(tasks, i, j)) continue;
                    long jobs = WideMath.CeilDiv(r, tasks[j].Period);
                    long cj = tasks[j].Wcet;
                    if (cj != 0 && jobs > (limit - next) / cj + 1) { R = limit + 1; return RtaOutcome.AboveLimit; }
                    next += jobs * cj;
                    if (next > limit) { R = next; return RtaOutcome.AboveLimit; }
                }
                if (next == r) { R = r; return RtaOutcome.Converged; }
                r = next;
            }
        }

        /// <summary>Closed-form upper bound of task i's response time, (C_i + sum C_j) / (1 - U_h) over the
        /// more urgent tasks (ceil(x) &lt; x + 1), padded up; -1 when U_h is not below 1 or the bound
        /// exceeds 2^60 ns.</summary>
        public static long ResponseTimeUpperBound(AnalysisTask[] tasks, int n, int i)
        {
            double sum = tasks[i].Wcet;
            Utilization uh = Utilization.Zero();
            for (int j = 0; j < n; j++)
            {
                if (!Interferes(tasks, i, j)) continue;
                sum += tasks[j].Wcet;
                uh.Add((ulong)tasks[j].Wcet, (ulong)tasks[j].Period);
            }
            // 1 - U_h from the exact fraction when there is one (a double of U_h near 1 loses the difference).
            double left = uh.Exact ? (double)(uh.Den - uh.Num) / (double)uh.Den : 1.0 - uh.ToDouble();
            if (uh.CompareTo(1, 1) != -1 || left < 1e-15) return -1;
            double ub = sum / left * (1.0 + 1e-9) + 2.0;
            if (ub >= (double)EdfAnalysis.MaxInterval) return -1;
            return (long)ub;
        }

        /// <summary>Exact response-time analysis (constrained deadlines, distinct priorities).
        /// Rejects with the most urgent task whose response time exceeds its deadline. Bounded: at most
        /// AnalysisLimits.MaxWork task terms in all; a task whose iteration reaches that limit is decided by
        /// the closed-form upper bound when it is within the deadline (Bounded), else the test is Inconclusive.</summary>
        public static void ResponseTimeTest(AnalysisTask[] tasks, int n, AnalysisResult r)
        {
            r.Reset();
            r.Test = AnalysisTest.FpResponseTime;
            Utilization u = Utilization.Zero();
            for (int i = 0; i < n; i++)
            {
                if (tasks[i].Period <= 0 || tasks[i].Wcet < 0 || tasks[i].Deadline <= 0 || tasks[i].Deadline > EdfAnalysis.MaxInterval
                    || tasks[i].Period > EdfAnalysis.MaxInterval || tasks[i].Wcet > EdfAnalysis.MaxInterval)
                {
                    r.Verdict = AnalysisVerdict.Inconclusive;
                    r.FailingTask = i; r.FailingName = tasks[i].Name;
                    r.Reason = "task parameters out of range";
                    return;
                }
                u.Add((ulong)tasks[i].Wcet, (ulong)tasks[i].Period);
            }
            r.SetUtil(u);
            long worst = 0;
            int steps = 0;
            int failing = -1, undecided = -1;
            long failR = 0;
            long work = AnalysisLimits.MaxWork;
            for (int i = 0; i < n; i++)
            {
                long R;
                RtaOutcome o = ResponseTime(tasks, n, i, tasks[i].Deadline, ref work, out R, ref steps);
                if (o == RtaOutcome.StepLimit)
                {
                    long ub = ResponseTimeUpperBound(tasks, n, i);
                    if (ub >= 0 && ub <= tasks[i].Deadline) { o = RtaOutcome.Converged; R = ub; r.Bounded = true; }
                }
                if (r.ResponseTimes != null && i < r.ResponseTimes.Length) r.ResponseTimes[i] = o == RtaOutcome.Converged ? R : -1;
                if (o == RtaOutcome.Converged) { if (R > worst) worst = R; continue; }
                if (o == RtaOutcome.StepLimit)
                {
                    if (undecided < 0 || tasks[i].Priority < tasks[undecided].Priority) undecided = i;
                    continue;
                }
                if (failing < 0 || tasks[i].Priority < tasks[failing].Priority) { failing = i; failR = R; }
            }
            r.Steps = steps;
            if (failing < 0 && undecided >= 0)
            {
                r.Verdict = AnalysisVerdict.Inconclusive;
                r.FailingTask = undecided;
                r.FailingName = tasks[undecided].Name;
                r.Deadline = tasks[undecided].Deadline;
                r.Reason = "because the response-time iteration reached its step limit and the closed-form bound (C + sum Cj) / (1 - U) of the more urgent tasks exceeds the deadline";
                return;
            }
            if (failing < 0)
            {
                r.Verdict = AnalysisVerdict.Schedulable;
                r.ResponseTime = worst;
                return;
            }
            r.Bounded = false;
            r.Verdict = AnalysisVerdict.NotSchedulable;
            r.FailingTask = failing;
            r.FailingName = tasks[failing].Name;
            r.ResponseTime = failR;
            r.Deadline = tasks[failing].Deadline;
            for (int i = 0; i < n; i++)
                if (tasks[i].Deadline > tasks[i].Period)
                    r.Reason = "deadlines beyond periods: the single-job analysis is not exact";
        }
    }
}
