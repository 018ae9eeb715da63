// EDF inside a guest core: the guest's own periodic tasks scheduled by EDF on
// the share its core receives, modelled as a periodic resource Gamma(P, Q):
// at least Q of CPU time in every period P, placed anywhere in it (Shin and
// Lee, "Periodic resource model for compositional real-time guarantees",
// RTSS 2003). The worst-case supply in any window of length t is
//   sbf(t) = k*Q + max(0, y - k*P - (P - Q)),  y = t - (P - Q), k = floor(y / P)
// (0 when y <= 0): a blackout of up to 2(P - Q) when one period's slice
// came first and the next one's last. The set is schedulable when the
// processor demand dbf(t) = sum over tasks of (floor((t - D)/T) + 1) * C
// (tasks with D <= t) stays within sbf(t) at every absolute deadline t.
// Without overheads; a guest's task times are guest time and are turned into
// host time with its dilation (C rounded up, T and D down).
namespace Osprey.Sched.Analysis
{
    public sealed class SupplyResult
    {
        /// <summary>False when the test gave up (too many deadlines to check); Schedulable is then false.</summary>
        public bool Decided;
        public bool Schedulable;
        /// <summary>The first deadline where demand exceeds supply (host ns), its demand and supply; 0 when none.</summary>
        public long TimePoint, Demand, Supply;
        /// <summary>Deadlines checked, up to Bound (host ns).</summary>
        public int Checked;
        public long Bound;
        public string Reason;
    }

    public static class PeriodicResourceAnalysis
    {
        public const int DefaultMaxPoints = 200000;

        /// <summary>Least CPU time a Gamma(period, slice) resource supplies in any window of length t.</summary>
        public static long Supply(long t, long period, long slice)
        {
            long gap = period - slice;
            long y = t - gap;
            if (y <= 0) return 0;
            long k = y / period;
            long rest = y - k * period - gap;
            return k * slice + (rest > 0 ? rest : 0);
        }

        /// <summary>EDF demand of n tasks (host ns) at t.</summary>
        public static long Demand(AnalysisTask[] tasks, int n, long t)
        {
            long h = 0;
            for (int i = 0; i < n; i++)
            {
                if (tasks[i].Deadline > t) continue;
                long jobs = (t - tasks[i].Deadline) / tasks[i].Period + 1;
                h += jobs * tasks[i].Wcet;
            }
            return h;
        }

        /// <summary>The test for tasks (host ns, deadline at most the period) on Gamma(period, slice).</summary>
        public static SupplyResult Edf(AnalysisTask[] tasks, int n, long period, long slice, int maxPoints)
        {
            SupplyResult r = new SupplyResult();
            if (period <= 0 || slice <= 0 || slice > period) { r.Reason = "the core's period and slice must have 0 < slice <= period"; return r; }
            double u = 0, a = 0;
            long maxD = 0;
            for (int i = 0; i < n; i++)
            {
                AnalysisTask k = tasks[i];
                if (k.Period <= 0 || k.Wcet < 0 || k.Deadline <= 0 || k.Deadline > k.Period)
                { r.Reason = "task '" + k.Name + "': needs period > 0 and 0 < deadline <= period"; return r; }
                double ui = (double)k.Wcet / k.Period;
                u += ui;
                a += (k.Period - k.Deadline) * ui;
                if (k.Deadline > maxD) maxD = k.Deadline;
            }
            double alpha = (double)slice / period;
            if (u > alpha)
            {
                r.Decided = true;
                r.Reason = "utilization " + Ppm(u) + " ppm above the core's share " + Ppm(alpha) + " ppm";
                return r;
            }
            // dbf(t) <= U t + A and sbf(t) >= alpha (t - 2(P - Q)): past
            // L = (A + 2 alpha (P - Q)) / (alpha - U) demand cannot catch up.
            double bound = u < alpha ? (a + 2 * alpha * (period - slice)) / (alpha - u) : 0;
            if (u >= alpha || bound > (double)(1L << 60)) bound = (double)(1L << 60);
            long l = (long)bound + 1;
            if (l < maxD) l = maxD;
            r.Bound = l;
            for (int i = 0; i < n; i++)
            {
                for (long t = tasks[i].Deadline; t <= l; t += tasks[i].Period)
                {
                    if (r.Checked >= maxPoints)
                    {
                        if (r.TimePoint == 0) { r.Reason = "gave up after " + maxPoints.ToString() + " deadlines (bound " + l.ToString() + " ns)"; return r; }
                        break;
                    }
                    r.Checked++;
                    if (r.TimePoint != 0 && t >= r.TimePoint) break;
                    long h = Demand(tasks, n, t), s = Supply(t, period, slice);
                    if (h > s) { r.TimePoint = t; r.Demand = h; r.Supply = s; break; }
                }
            }
            r.Decided = true;
            r.Schedulable = r.TimePoint == 0;
            if (!r.Schedulable) r.Reason = "demand " + r.Demand.ToString() + " ns > supply " + r.Supply.ToString() + " ns at t = " + r.TimePoint.ToString() + " ns";
            return r;
        }

        static string Ppm(double x) { return ((long)(x * 1000000 + 0.5)).ToString(); }
    }
}
