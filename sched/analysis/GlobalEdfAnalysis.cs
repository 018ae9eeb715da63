// Sufficient schedulability test for global EDF on M identical CPUs (portable).
namespace Osprey.Sched.Analysis
{
    /// <summary>
    /// The GFB bound (Goossens, Funk and Baruah, "Priority-driven scheduling
    /// of periodic task systems on multiprocessors", Real-Time Systems 25,
    /// 2003): implicit-deadline tasks are schedulable by global EDF on M
    /// identical CPUs when U_sum &lt;= M - (M-1)*U_max. For constrained
    /// deadlines (some D &lt; T) the density version replaces each u_i = C/T by
    /// the density d_i = C/min(D, T) (Bertogna, Cirinei and Lipari 2005
    /// give the same form for densities). Sufficient only: a set above the
    /// bound may still be schedulable (Inconclusive), except that U_sum &gt; M
    /// or a task with C &gt; min(D, T) can never be met (NotSchedulable).
    /// Exact rational arithmetic (Utilization), nothing allocated but the
    /// caller's result.
    /// </summary>
    public static class GlobalEdfAnalysis
    {
        public static void GfbTest(AnalysisTask[] tasks, int n, int m, GfbResult r)
        {
            r.Reset();
            r.Cpus = m;
            if (m < 1) { r.Verdict = AnalysisVerdict.Inconclusive; r.Reason = "no CPU"; return; }
            bool density = false;
            for (int i = 0; i < n; i++)
            {
                AnalysisTask t = tasks[i];
                if (t.Wcet < 0 || t.Period <= 0 || t.Deadline <= 0)
                {
                    r.Verdict = AnalysisVerdict.Inconclusive;
                    r.Reason = "task '" + t.Name + "' has a negative wcet or a period or deadline <= 0";
                    return;
                }
                if (t.Deadline < t.Period) density = true;
            }
            r.Density = density;
            // The task of largest weight (utilization or density): compare c1/t1 with c2/t2 as c1*t2 vs c2*t1.
            int max = -1;
            for (int i = 0; i < n; i++)
                if (max < 0 || WideMath.CompareProducts((ulong)tasks[i].Wcet, (ulong)Span(tasks[max], density), (ulong)tasks[max].Wcet, (ulong)Span(tasks[i], density)) > 0) max = i;
            r.MaxTask = max;
            r.MaxName = max >= 0 ? tasks[max].Name : null;
            Utilization sum = Utilization.Zero();
            Utilization util = Utilization.Zero();
            for (int i = 0; i < n; i++)
            {
                sum.Add((ulong)tasks[i].Wcet, (ulong)Span(tasks[i], density));
                util.Add((ulong)tasks[i].Wcet, (ulong)tasks[i].Period);
            }
            r.SumPpb = sum.Ppb();
            r.UtilPpb = util.Ppb();
            r.MaxPpb = 0;
            if (max >= 0)
            {
                ulong q;
                if (WideMath.MulDiv((ulong)tasks[max].Wcet, 1000000000UL, (ulong)Span(tasks[max], density), false, out q)) r.MaxPpb = (long)q;
                if (WideMath.CompareProducts((ulong)tasks[max].Wcet, 1, 1, (ulong)Span(tasks[max], density)) > 0)
                {
                    r.Verdict = AnalysisVerdict.NotSchedulable;
                    r.Reason = "task '" + tasks[max].Name + "' needs more than its " + (density ? "deadline" : "period") + " of one CPU";
                    return;
                }
            }
            if (util.CompareTo((ulong)m, 1) == 1)
            {
                r.Verdict = AnalysisVerdict.NotSchedulable;
                r.Reason = "U > M: more work than the " + m + " CPUs have";
                return;
            }
            // lhs = sum + (M-1)*w_max, compared with M exactly.
            Utilization lhs = sum;
            if (max >= 0)
                for (int k = 1; k < m; k++) lhs.Add((ulong)tasks[max].Wcet, (ulong)Span(tasks[max], density));
            long lhsPpb = lhs.Ppb();
            r.MarginPpb = (long)m * 1000000000L - lhsPpb;
            int c = lhs.CompareTo((ulong)m, 1);
            if (c <= 0) r.Verdict = AnalysisVerdict.Schedulable;
            else
            {
                r.Verdict = AnalysisVerdict.Inconclusive;
                if (c == 2) r.Reason = "the sum is within 2^-60 of the bound and the periods are too large for exact arithmetic";
            }
        }

        /// <summary>C's denominator: T (utilization) or min(D, T) (density).</summary>
        static long Span(AnalysisTask t, bool density)
        {
            return density && t.Deadline < t.Period ? t.Deadline : t.Period;
        }
    }

    /// <summary>The answer of the GFB test (caller-owned; Describe allocates).</summary>
    public sealed class GfbResult
    {
        public AnalysisVerdict Verdict;
        public int Cpus;
        /// <summary>True: the density version (some D &lt; T), else utilizations.</summary>
        public bool Density;
        /// <summary>Sum of the weights (utilizations or densities) and the largest one, ppb (rounded down).</summary>
        public long SumPpb;
        public long MaxPpb;
        /// <summary>The total utilization sum C/T, ppb.</summary>
        public long UtilPpb;
        public int MaxTask;
        public string MaxName;
        /// <summary>M - (sum + (M-1)*max), ppb: >= 0 exactly when accepted (up to rounding of the display).</summary>
        public long MarginPpb;
        public string Reason;

        public bool Accepted { get { return Verdict == AnalysisVerdict.Schedulable; } }

        public void Reset()
        {
            Verdict = AnalysisVerdict.Inconclusive;
            Cpus = 0; Density = false; SumPpb = 0; MaxPpb = 0; UtilPpb = 0; MaxTask = -1; MaxName = null; MarginPpb = 0; Reason = null;
        }

        /// <summary>E.g. "global EDF, GFB bound (implicit deadlines, M = 4): schedulable: U = 2.5 <= M - (M-1)*U_max = 4 - 3*0.5 = 2.5; margin 0".</summary>
        public string Describe()
        {
            string w = Density ? "density" : "U";
            string head = "global EDF, GFB bound (" + (Density ? "density version, constrained deadlines" : "implicit deadlines") + ", M = " + Cpus.ToString() + "): "
                + AnalysisResult.VerdictName(Verdict);
            string bound = Format.Ppb((long)Cpus * 1000000000L - (long)(Cpus - 1) * MaxPpb);
            string tail = w + "_sum = " + Format.Ppb(SumPpb) + (Verdict == AnalysisVerdict.Schedulable ? " <= " : " > ")
                + "M - (M-1)*" + w + "_max = " + Cpus.ToString() + " - " + (Cpus - 1).ToString() + "*" + Format.Ppb(MaxPpb) + " = " + bound
                + (MaxName != null ? " (" + w + "_max: task '" + MaxName + "')" : "")
                + "; margin " + Format.Ppb(MarginPpb);
            if (Verdict == AnalysisVerdict.NotSchedulable) tail = "U = " + Format.Ppb(UtilPpb);
            if (Verdict == AnalysisVerdict.Inconclusive && Reason == null) tail = tail + " (sufficient test only)";
            if (Reason != null) tail = tail + "; " + Reason;
            return head + ": " + tail;
        }
    }
}
