// Inputs and results of the schedulability analysis (portable).
namespace Osprey.Sched.Analysis
{
    /// <summary>One sporadic/periodic task as the analysis sees it. Times in ns.</summary>
    public struct AnalysisTask
    {
        public string Name;
        /// <summary>Worst-case execution time (for a CBS server: its budget).</summary>
        public long Wcet;
        /// <summary>Period or minimum inter-arrival time.</summary>
        public long Period;
        /// <summary>Relative deadline (implicit when equal to Period).</summary>
        public long Deadline;
        /// <summary>Fixed priority, lower number = more urgent (RTEMS convention).</summary>
        public int Priority;

        public static AnalysisTask Make(string name, long wcet, long period, long deadline, int priority)
        {
            AnalysisTask t;
            t.Name = name; t.Wcet = wcet; t.Period = period; t.Deadline = deadline; t.Priority = priority;
            return t;
        }
    }

    /// <summary>
    /// Bounds on the work of one test, so every analysis answers in bounded time whatever the
    /// numbers (the kernel runs it at the end of every workload). A test that reaches a bound
    /// answers Inconclusive and says why in Reason.
    /// </summary>
    public static class AnalysisLimits
    {
        /// <summary>Task terms (one 64-bit division and a few additions each) one test may evaluate:
        /// at most about 10-30 ms on the host (Release), some 50 million instructions in the kernel.</summary>
        public const long MaxWork = 1000000;
    }

    public enum AnalysisTest
    {
        None = 0,
        EdfUtilization = 1,
        EdfDemand = 2,
        FpLiuLayland = 3,
        FpResponseTime = 4,
        CbsBandwidth = 5,
    }

    public enum AnalysisVerdict
    {
        /// <summary>Proven schedulable.</summary>
        Schedulable = 0,
        /// <summary>Proven not schedulable: FailingTask / TimePoint / ResponseTime say where.</summary>
        NotSchedulable = 1,
        /// <summary>The test cannot decide (Liu-Layland above its bound, or a step or
        /// number-size limit was hit). Admission control must treat it as a rejection.</summary>
        Inconclusive = 2,
    }

    /// <summary>
    /// The answer of one test. Tests fill a caller-owned result and allocate
    /// nothing; Describe() builds the human-readable verdict (it allocates strings).
    /// </summary>
    public sealed class AnalysisResult
    {
        public AnalysisTest Test;
        public AnalysisVerdict Verdict;
        /// <summary>Index of the failing task (or server), -1 when none.</summary>
        public int FailingTask;
        public string FailingName;
        /// <summary>EDF demand: the time point t where demand h(t) exceeds t.</summary>
        public long TimePoint;
        /// <summary>EDF demand: h(TimePoint).</summary>
        public long Demand;
        /// <summary>FP: the failing task's response time (first iterate above its deadline),
        /// or on acceptance the largest response time found.</summary>
        public long ResponseTime;
        /// <summary>The failing task's relative deadline.</summary>
        public long Deadline;
        /// <summary>Total utilization (or bandwidth) as an exact fraction when UtilExact.</summary>
        public ulong UtilNum;
        public ulong UtilDen;
        public bool UtilExact;
        public long UtilPpb;
        /// <summary>Bound compared against, in parts per billion (Liu-Layland, CBS share).</summary>
        public long BoundPpb;
        /// <summary>EDF demand: length of the test interval L.</summary>
        public long TestInterval;
        /// <summary>FP: ResponseTime (and some ResponseTimes entries) are bounds, not exact values: an
        /// iteration stopped at its step limit and closed-form bounds decided (upper when
        /// Schedulable, lower when NotSchedulable).</summary>
        public bool Bounded;
        /// <summary>Iterations or demand evaluations used.</summary>
        public int Steps;
        /// <summary>Why the test was inconclusive (constant string), or null.</summary>
        public string Reason;
        /// <summary>Optional: per-task response times (FP) filled when not null and long enough;
        /// -1 for a task whose iteration stopped above its deadline.</summary>
        public long[] ResponseTimes;

        public AnalysisResult() { Reset(); }

        public AnalysisResult(int capacity)
        {
            ResponseTimes = new long[capacity];
            Reset();
        }

        public bool Accepted { get { return Verdict == AnalysisVerdict.Schedulable; } }

        public void Reset()
        {
            Test = AnalysisTest.None;
            Verdict = AnalysisVerdict.Schedulable;
            FailingTask = -1;
            FailingName = null;
            TimePoint = 0; Demand = 0; ResponseTime = 0; Deadline = 0;
            UtilNum = 0; UtilDen = 1; UtilExact = true; UtilPpb = 0; BoundPpb = 0;
            TestInterval = 0; Steps = 0; Reason = null; Bounded = false;
        }

        internal void SetUtil(Utilization u)
        {
            UtilExact = u.Exact;
            UtilNum = u.Num;
            UtilDen = u.Den;
            UtilPpb = u.Ppb();
        }

        public static string TestName(AnalysisTest t)
        {
            if (t == AnalysisTest.EdfUtilization) return "EDF utilization test";
            if (t == AnalysisTest.EdfDemand) return "EDF processor-demand test (QPA)";
            if (t == AnalysisTest.FpLiuLayland) return "FP Liu-Layland bound";
            if (t == AnalysisTest.FpResponseTime) return "FP response-time analysis";
            if (t == AnalysisTest.CbsBandwidth) return "CBS bandwidth check";
            return "no test";
        }

        public static string VerdictName(AnalysisVerdict v)
        {
            if (v == AnalysisVerdict.Schedulable) return "schedulable";
            if (v == AnalysisVerdict.NotSchedulable) return "NOT schedulable";
            return "inconclusive";
        }

        string UtilText()
        {
            string s = "U = " + Format.Ppb(UtilPpb);
            if (UtilExact && UtilDen != 1 && UtilDen <= 1000000000000UL) s = s + " (" + UtilNum.ToString() + "/" + UtilDen.ToString() + ")";
            else if (UtilExact && UtilDen == 1) s = s + " (exact)";
            return s;
        }

        string Who()
        {
            return FailingName != null ? "'" + FailingName + "'" : "#" + FailingTask.ToString();
        }

        /// <summary>A one-line verdict, e.g.
        /// "EDF processor-demand test (QPA): NOT schedulable: demand 11ms > 10ms at t = 10ms (deadline of task 't2'); U = 0.95".</summary>
        public string Describe()
        {
            string head = TestName(Test) + ": " + VerdictName(Verdict);
            string tail = "";
            if (Test == AnalysisTest.EdfUtilization)
            {
                tail = UtilText() + (Verdict == AnalysisVerdict.Schedulable ? " <= 1" : " > 1");
                if (Verdict == AnalysisVerdict.NotSchedulable && TimePoint > 0)
                    tail = tail + "; first failing deadline t = " + Format.Time(TimePoint) + " (task " + Who() + "), demand " + Format.Time(Demand) + " > t";
                else if (Verdict == AnalysisVerdict.NotSchedulable && FailingTask >= 0)
                    tail = tail + "; total exceeds 1 at task " + Who();
            }
            else if (Test == AnalysisTest.EdfDemand)
            {
                if (Verdict == AnalysisVerdict.NotSchedulable && TimePoint > 0)
                    tail = "demand " + Format.Time(Demand) + " > " + Format.Time(TimePoint) + " at t = " + Format.Time(TimePoint) + " (deadline of task " + Who() + "); " + UtilText();
                else if (Verdict == AnalysisVerdict.NotSchedulable)
                    tail = UtilText() + " > 1" + (FailingTask >= 0 ? "; total exceeds 1 at task " + Who() : "");
                else if (Verdict == AnalysisVerdict.Inconclusive)
                    tail = UtilText() + (TestInterval > 0 ? "; test interval L = " + Format.Time(TestInterval) : "") + "; " + Steps.ToString() + " steps";
                else
                    tail = "h(t) <= t for all t up to L = " + Format.Time(TestInterval) + "; " + UtilText();
            }
            else if (Test == AnalysisTest.FpLiuLayland)
            {
                tail = UtilText() + (UtilPpb <= BoundPpb && Verdict == AnalysisVerdict.Schedulable ? " <= " : " > ") + "n(2^(1/n)-1) = " + Format.Ppb(BoundPpb);
                if (Verdict == AnalysisVerdict.Inconclusive && Reason == null) tail = tail + " (sufficient test only)";
            }
            else if (Test == AnalysisTest.FpResponseTime)
            {
                if (Verdict == AnalysisVerdict.NotSchedulable && ResponseTime < 0)
                    tail = "task " + Who() + " never completes: the tasks at least as urgent use 100% or more of the CPU (deadline " + Format.Time(Deadline) + ")";
                else if (Verdict == AnalysisVerdict.NotSchedulable)
                    tail = "task " + Who() + " response time " + (Bounded ? "at least " : "") + Format.Time(ResponseTime) + " > deadline " + Format.Time(Deadline);
                else if (Verdict == AnalysisVerdict.Schedulable)
                    tail = "every R <= D; worst R = " + (Bounded ? "at most " : "") + Format.Time(ResponseTime);
                else
                    tail = (FailingTask >= 0 ? "task " + Who() + ": " : "") + UtilText() + "; " + Steps.ToString() + " steps";
            }
            else if (Test == AnalysisTest.CbsBandwidth)
            {
                tail = "bandwidth " + Format.Ppb(UtilPpb) + (Verdict == AnalysisVerdict.Schedulable ? " <= " : " > ") + Format.Ppb(BoundPpb);
                if (Verdict == AnalysisVerdict.NotSchedulable && FailingTask >= 0) tail = tail + "; bound exceeded when server " + Who() + " is added";
            }
            if (Reason != null) tail = tail.Length > 0 ? tail + "; " + Reason : Reason;
            return tail.Length > 0 ? head + ": " + tail : head;
        }
    }

    /// <summary>Portable number and time formatting (no string.Format).</summary>
    public static class Format
    {
        /// <summary>Parts per billion as a decimal: 950000000 -> "0.95".</summary>
        public static string Ppb(long ppb)
        {
            if (ppb < 0) return "-" + Ppb(-ppb);
            long whole = ppb / 1000000000L;
            long frac = ppb % 1000000000L;
            if (frac == 0) return whole.ToString();
            return whole.ToString() + "." + Fraction(frac, 9);
        }

        /// <summary>The digits of frac with 'digits' places, trailing zeros dropped.</summary>
        static string Fraction(long frac, int digits)
        {
            char[] buf = new char[digits];
            for (int i = digits - 1; i >= 0; i--) { buf[i] = (char)('0' + (int)(frac % 10)); frac /= 10; }
            int len = digits;
            while (len > 1 && buf[len - 1] == '0') len--;
            return new string(buf, 0, len);
        }

        /// <summary>Nanoseconds with the largest exact-ish unit: 1500000 -> "1.5ms", 7 -> "7ns".</summary>
        public static string Time(long ns)
        {
            if (ns < 0) return "-" + Time(-ns);
            if (ns == 0) return "0";
            if (ns >= 1000000000L) return Scaled(ns, 1000000000L, 9, "s");
            if (ns >= 1000000L) return Scaled(ns, 1000000L, 6, "ms");
            if (ns >= 1000L) return Scaled(ns, 1000L, 3, "us");
            return ns.ToString() + "ns";
        }

        static string Scaled(long ns, long unit, int digits, string suffix)
        {
            long whole = ns / unit, frac = ns % unit;
            if (frac == 0) return whole.ToString() + suffix;
            return whole.ToString() + "." + Fraction(frac, digits) + suffix;
        }
    }
}
