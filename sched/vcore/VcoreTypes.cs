using Osprey.Sched.Analysis;

// Guest cores: status codes, limits, the admission record and the
// exact share arithmetic. Portable (PORTABLE.md); see sched/README.md,
// "Guest cores".
namespace Osprey.Sched
{
    public enum VcoreStatus
    {
        Ok = 0,
        /// <summary>Period, slice or dilation outside the limits (VcoreLimits); the admission record names the field.</summary>
        InvalidParameters,
        /// <summary>The share asked for is more than the share left on this CPU; see VcoreAdmission.</summary>
        AdmissionRejected,
        /// <summary>The thread already carries a vcore, or the vcore a thread.</summary>
        AlreadyAttached,
        /// <summary>The vcore is not attached to this scheduler.</summary>
        NotAttached,
        /// <summary>The scheduler's vcore table is full.</summary>
        TooManyVcores,
        /// <summary>Null thread, vcore or program.</summary>
        NullArgument,
        /// <summary>The thread belongs to another core.</summary>
        WrongCore,
        /// <summary>Start on a started vcore.</summary>
        AlreadyStarted,
        /// <summary>The share must be a fraction 0 &lt; num/den &lt;= 1.</summary>
        InvalidShare,
    }

    /// <summary>
    /// Limits on a core's reservation, checked on the HOST-time values (after
    /// dilation): the timer and the switch cost a few microseconds per
    /// period, so a slice below MinSliceNs or a period below MinPeriodNs is
    /// mostly overhead; MaxPeriodNs bounds how long a core's accounting can
    /// lag and keeps every product of the share arithmetic inside 64 bits.
    /// </summary>
    public sealed class VcoreLimits
    {
        public const long DefaultMinPeriodNs = 100000;          // 100 us
        public const long DefaultMaxPeriodNs = 10000000000L;    // 10 s
        public const long DefaultMinSliceNs = 10000;            // 10 us
        public const long DefaultMaxSliceNs = 10000000000L;     // 10 s (and never above the period)
        /// <summary>Dilation numerator and denominator are whole numbers 1..MaxDilation (as the parser accepts).</summary>
        public const long MaxDilation = 1000000;

        public long MinPeriodNs = DefaultMinPeriodNs;
        public long MaxPeriodNs = DefaultMaxPeriodNs;
        public long MinSliceNs = DefaultMinSliceNs;
        public long MaxSliceNs = DefaultMaxSliceNs;
    }

    /// <summary>
    /// Result of an admission decision (Attach, SetReservation, Check).
    /// Shares are exact fractions of one CPU: Asked is the core's share,
    /// Left what the CPU's configured share still has (share minus the
    /// other admitted cores), Share the configured share. Exact is false
    /// only when the sum of the admitted shares no longer fits a 62-bit
    /// denominator: then Left is a lower bound (2^-60 fixed point) and a
    /// core within that rounding of the bound is rejected. Message and
    /// Field are set on every refusal (setup path, not a hot path).
    /// </summary>
    public struct VcoreAdmission
    {
        public VcoreStatus Status;
        public long AskedNum, AskedDen;
        public long LeftNum, LeftDen;
        public long ShareNum, ShareDen;
        public long AskedPpm, LeftPpm;
        public bool Exact;
        /// <summary>Workload-file field at fault: "period", "slice", "dilation", "cpu" or "" (whole line).</summary>
        public string Field;
        /// <summary>"line 12: field 'slice': vcore hog/0 on cpu 0 asks 1/5 of the CPU (20%, 200000 ppm) but only ...".</summary>
        public string Message;
    }

    /// <summary>Exact fractions of a CPU and their readable forms (no Math, no double).</summary>
    public static class ShareMath
    {
        /// <summary>x * mul / div for x, mul &gt;= 0 and div &gt; 0, rounded down or up; saturates at EdfScheduler.MaxDeadline.</summary>
        public static long Scale(long x, long mul, long div, bool roundUp)
        {
            if (x <= 0) return 0;
            if (mul == div) return x;
            if (mul == 0) return 0;
            if (x <= long.MaxValue / mul)
            {
                long p = x * mul;
                long q = p / div;
                if (roundUp && q * div != p) q++;
                return q > EdfScheduler.MaxDeadline ? EdfScheduler.MaxDeadline : q;
            }
            ulong r;
            if (!WideMath.MulDiv((ulong)x, (ulong)mul, (ulong)div, roundUp, out r) || r > (ulong)EdfScheduler.MaxDeadline)
                return EdfScheduler.MaxDeadline;
            return (long)r;
        }

        public static void Reduce(ref long n, ref long d)
        {
            long g = Bits.Gcd(n, d);
            if (g > 1)
            {
                n /= g;
                d /= g;
            }
            if (n == 0) d = 1;
        }

        /// <summary>n/d in parts per million, rounded down.</summary>
        public static long Ppm(long n, long d)
        {
            if (n <= 0 || d <= 0) return 0;
            ulong q;
            if (!WideMath.MulDiv((ulong)n, 1000000UL, (ulong)d, false, out q) || q > (ulong)long.MaxValue) return long.MaxValue;
            return (long)q;
        }

        /// <summary>n/d as a percentage with up to four decimals, rounded down: "20%", "33.3333%".</summary>
        public static string Percent(long n, long d)
        {
            return PercentOfPpm(Ppm(n, d));
        }

        /// <summary>Parts per million as a percentage with up to four decimals: 333333 -> "33.3333%".</summary>
        public static string PercentOfPpm(long ppm)
        {
            if (ppm < 0) return "-" + PercentOfPpm(-ppm);
            long whole = ppm / 10000;
            long frac = ppm % 10000;
            if (frac == 0) return whole.ToString() + "%";
            char[] buf = new char[4];
            for (int i = 3; i >= 0; i--) { buf[i] = (char)('0' + (int)(frac % 10)); frac /= 10; }
            int len = 4;
            while (len > 1 && buf[len - 1] == '0') len--;
            return whole.ToString() + "." + new string(buf, 0, len) + "%";
        }

        /// <summary>"3/10 (30%, 300000 ppm)".</summary>
        public static string Text(long n, long d)
        {
            return n.ToString() + "/" + d.ToString() + " (" + Percent(n, d) + ", " + Ppm(n, d).ToString() + " ppm)";
        }

        /// <summary>Compare a/b with c/d exactly (non-negative, b, d &gt; 0): -1, 0, 1.</summary>
        public static int Compare(long a, long b, long c, long d)
        {
            return WideMath.CompareProducts((ulong)a, (ulong)d, (ulong)c, (ulong)b);
        }

        /// <summary>
        /// r = a/b - c/d exactly, reduced, when the result is &gt;= 0 and its
        /// denominator fits 62 bits; false otherwise (r is then 0/1).
        /// </summary>
        public static bool Subtract(long a, long b, long c, long d, out long rn, out long rd)
        {
            rn = 0;
            rd = 1;
            if (a < 0 || c < 0 || b <= 0 || d <= 0) return false;
            long g = Bits.Gcd(b, d);
            ulong hi, lcm;
            WideMath.Mul((ulong)(b / g), (ulong)d, out hi, out lcm);
            if (hi != 0 || lcm > Utilization.MaxDen) return false;
            ulong xh, xl, yh, yl;
            WideMath.Mul((ulong)a, lcm / (ulong)b, out xh, out xl);
            WideMath.Mul((ulong)c, lcm / (ulong)d, out yh, out yl);
            if (xh != 0 || yh != 0 || xl > (ulong)long.MaxValue || yl > (ulong)long.MaxValue) return false;
            if (yl > xl) return false;
            rn = (long)(xl - yl);
            rd = (long)lcm;
            Reduce(ref rn, ref rd);
            return true;
        }
    }
}
