namespace Osprey.Sched
{
    /// <summary>
    /// Exact rational arithmetic for bandwidth (budget/period) admission.
    /// Fractions are non-negative with positive denominators. Sums use the
    /// least common multiple of the denominators and report overflow instead
    /// of wrapping; comparisons never overflow (continued-fraction walk).
    /// </summary>
    public static class Bandwidth
    {
        /// <summary>Binary digits of the conservative fixed-point fallback.</summary>
        public const int FixedBits = 40;
        public const long FixedOne = 1L << FixedBits;

        /// <summary>Compare a/b with c/d exactly: -1, 0 or 1. Requires a,c &gt;= 0 and b,d &gt; 0.</summary>
        public static int Compare(long a, long b, long c, long d)
        {
            while (true)
            {
                long qa = a / b;
                long qc = c / d;
                if (qa != qc) return qa < qc ? -1 : 1;
                long ra = a % b;
                long rc = c % d;
                if (ra == 0 && rc == 0) return 0;
                if (ra == 0) return -1;
                if (rc == 0) return 1;
                // ra/b < rc/d  <=>  d/rc < b/ra: compare the reciprocals swapped.
                long na = d, nb = rc, nc = b, nd = ra;
                a = na; b = nb; c = nc; d = nd;
            }
        }

        /// <summary>Reduce n/d by their gcd.</summary>
        public static void Reduce(ref long n, ref long d)
        {
            long g = Bits.Gcd(n, d);
            if (g > 1)
            {
                n /= g;
                d /= g;
            }
        }

        /// <summary>n/d += a/b exactly (reduced); false on overflow (n/d unchanged).</summary>
        public static bool TryAdd(ref long n, ref long d, long a, long b)
        {
            Reduce(ref a, ref b);
            long g = Bits.Gcd(d, b);
            long l;
            if (!Bits.TryMul(d / g, b, out l)) return false;
            long x, y, sum;
            if (!Bits.TryMul(n, l / d, out x)) return false;
            if (!Bits.TryMul(a, l / b, out y)) return false;
            if (!Bits.TryAdd(x, y, out sum)) return false;
            n = sum;
            d = l;
            Reduce(ref n, ref d);
            return true;
        }

        /// <summary>n/d -= a/b exactly; false on overflow or a negative result.</summary>
        public static bool TrySub(ref long n, ref long d, long a, long b)
        {
            Reduce(ref a, ref b);
            long g = Bits.Gcd(d, b);
            long l;
            if (!Bits.TryMul(d / g, b, out l)) return false;
            long x, y;
            if (!Bits.TryMul(n, l / d, out x)) return false;
            if (!Bits.TryMul(a, l / b, out y)) return false;
            if (y > x) return false;
            n = x - y;
            d = l;
            Reduce(ref n, ref d);
            if (n == 0) d = 1;
            return true;
        }

        /// <summary>q/t in units of 2^-40, rounded up (roundUp) or down. Requires q &gt;= 0, 0 &lt; t &lt; 2^62.</summary>
        public static long ToFixed(long q, long t, bool roundUp)
        {
            long ip = q / t;
            long r = q % t;
            long frac = 0;
            for (int i = 0; i < FixedBits; i++)
            {
                r <<= 1;
                frac <<= 1;
                if (r >= t)
                {
                    frac |= 1;
                    r -= t;
                }
            }
            if (roundUp && r != 0) frac++;
            if (ip > (long.MaxValue >> FixedBits) - 1) return long.MaxValue;
            return (ip << FixedBits) + frac;
        }

        /// <summary>n/d in parts per million, rounded down (for messages). Exact unless d &gt; 2^59.</summary>
        public static long ToPpm(long n, long d)
        {
            if (d > long.MaxValue / 10)
            {
                long f = ToFixed(n, d, false);
                if (f > long.MaxValue / 1000000) return long.MaxValue;
                return (f * 1000000) >> FixedBits;
            }
            long ip = n / d;
            if (ip > long.MaxValue / 1000000 - 1) return long.MaxValue;
            long r = n % d;
            long frac = 0;
            for (int i = 0; i < 6; i++)
            {
                r *= 10;
                frac = frac * 10 + r / d;
                r %= d;
            }
            return ip * 1000000 + frac;
        }
    }
}
