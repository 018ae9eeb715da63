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

        /// <summary>Worst-case response time of task i under synchronous release: the least fixed point of
        /// R = C_i + sum over more urgent (and equal-priority) j of ceil(R/T_j) C_j. Returns true when it
        /// converges with R <= limit; otherwise false with R the first iterate above limit.</summary>
        public static bool ResponseTime(AnalysisTask[] tasks, int n, int i, long limit, out long R, ref int steps)
        {
            long c = tasks[i].Wcet;
            long r = c;
            for (int j = 0; j < n; j++)
                if (Interferes(tasks, i, j)) { r += tasks[j].Wcet; if (r > limit) { R = r; return false; } }
            if (r > limit) { R = r; return false; }
            while (true)
            {
                steps++;
                long next = c;
                for (int j = 0; j < n; j++)
                {
                    if (!Interferes(tasks, i, j)) continue;
                    long jobs = WideMath.CeilDiv(r, tasks[j].Period);
                    long cj = tasks[j].Wcet;
                    if (cj != 0 && jobs > (limit - next) / cj + 1) { R = limit + 1; return false; }
                    next += jobs * cj;
                    if (next > limit) { R = next; return false; }
                }
                if (next == r) { R = r; return true; }
                r = next;
            }
        }

        /// <summary>Exact response-time analysis (constrained deadlines, distinct priorities).
        /// Rejects with the most urgent task whose response time exceeds its deadline.</summary>
        public static void ResponseTimeTest(AnalysisTask[] tasks, int n, AnalysisResult r)
        {
            r.Reset();
            r.Test = AnalysisTest.FpResponseTime;
            Utilization u = Utilization.Zero();
            for (int i = 0; i < n; i++)
            {
                if (tasks[i].Period <= 0 || tasks[i].Wcet < 0 || tasks[i].Deadline <= 0 || tasks[i].Deadline > EdfAnalysis.MaxInterval)
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
            int failing = -1;
            long failR = 0;
            for (int i = 0; i < n; i++)
            {
                long R;
                bool ok = ResponseTime(tasks, n, i, tasks[i].Deadline, out R, ref steps);
                if (r.ResponseTimes != null && i < r.ResponseTimes.Length) r.ResponseTimes[i] = ok ? R : -1;
                if (ok) { if (R > worst) worst = R; continue; }
                if (failing < 0 || tasks[i].Priority < tasks[failing].Priority) { failing = i; failR = R; }
            }
            r.Steps = steps;
            if (failing < 0)
            {
                r.Verdict = AnalysisVerdict.Schedulable;
                r.ResponseTime = worst;
                return;
            }
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
