// Constant bandwidth server admission: the sum of budget/period over the
// servers (plus the utilization of the plain EDF tasks beside them) must stay
// within a bound (1, or a configured CPU share). Exact fractions, no rounding.
namespace Osprey.Sched.Analysis
{
    public static class CbsAnalysis
    {
        /// <summary>Checks sum Wcet/Period (Wcet = budget for a server) &lt;= boundNum/boundDen.
        /// On rejection FailingTask is the first entry whose addition crosses the bound.</summary>
        public static void BandwidthTest(AnalysisTask[] servers, int n, ulong boundNum, ulong boundDen, AnalysisResult r)
        {
            r.Reset();
            r.Test = AnalysisTest.CbsBandwidth;
            ulong bppb;
            if (boundDen == 0 || !WideMath.MulDiv(boundNum, 1000000000UL, boundDen, false, out bppb)) bppb = 0;
            r.BoundPpb = (long)bppb;
            Utilization u = Utilization.Zero();
            int crossed = -1;
            for (int i = 0; i < n; i++)
            {
                if (servers[i].Period <= 0 || servers[i].Wcet < 0)
                {
                    r.Verdict = AnalysisVerdict.Inconclusive;
                    r.FailingTask = i; r.FailingName = servers[i].Name;
                    r.Reason = "server parameters out of range (need budget >= 0, period > 0)";
                    return;
                }
                u.Add((ulong)servers[i].Wcet, (ulong)servers[i].Period);
                if (crossed < 0 && u.CompareTo(boundNum, boundDen) == 1) crossed = i;
            }
            r.SetUtil(u);
            int cmp = u.CompareTo(boundNum, boundDen);
            if (cmp <= 0) { r.Verdict = AnalysisVerdict.Schedulable; return; }
            if (cmp == 2)
            {
                r.Verdict = AnalysisVerdict.Inconclusive;
                r.Reason = "bandwidth within 2^-60 of the bound and periods too large for exact arithmetic";
                return;
            }
            r.Verdict = AnalysisVerdict.NotSchedulable;
            r.FailingTask = crossed;
            r.FailingName = crossed >= 0 ? servers[crossed].Name : null;
        }

        /// <summary>Would adding a server (budget, period) to an admitted set of bandwidth 'current'
        /// stay within boundNum/boundDen? Incremental admission, no allocation.</summary>
        public static bool Admit(ref Utilization current, long budget, long period, ulong boundNum, ulong boundDen)
        {
            if (period <= 0 || budget < 0) return false;
            Utilization next = current;
            next.Add((ulong)budget, (ulong)period);
            if (next.CompareTo(boundNum, boundDen) > 0) return false; // above, or undecided
            current = next;
            return true;
        }
    }
}
