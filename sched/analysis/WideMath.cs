// Portable wide-integer helpers for the schedulability analysis: 64x64->128
// multiplication, 128/64 division, gcd, lcm with overflow detection. No Math.*,
// no checked arithmetic, no exceptions (see PORTABLE.md).
namespace Osprey.Sched.Analysis
{
    public static class WideMath
    {
        /// <summary>Full 128-bit product of two unsigned 64-bit numbers.</summary>
        public static void Mul(ulong a, ulong b, out ulong hi, out ulong lo)
        {
            ulong aL = a & 0xFFFFFFFFUL, aH = a >> 32;
            ulong bL = b & 0xFFFFFFFFUL, bH = b >> 32;
            ulong ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
            ulong mid = (ll >> 32) + (lh & 0xFFFFFFFFUL) + (hl & 0xFFFFFFFFUL);
            lo = (ll & 0xFFFFFFFFUL) | (mid << 32);
            hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
        }

        /// <summary>Compares a*b with c*d exactly: -1, 0 or 1.</summary>
        public static int CompareProducts(ulong a, ulong b, ulong c, ulong d)
        {
            ulong h1, l1, h2, l2;
            Mul(a, b, out h1, out l1);
            Mul(c, d, out h2, out l2);
            if (h1 != h2) return h1 < h2 ? -1 : 1;
            if (l1 != l2) return l1 < l2 ? -1 : 1;
            return 0;
        }

        /// <summary>q = a*b/c rounded down (or up); false when c is 0 or q does not fit in 64 bits.</summary>
        public static bool MulDiv(ulong a, ulong b, ulong c, bool roundUp, out ulong q)
        {
            q = 0;
            if (c == 0) return false;
            ulong hi, lo;
            Mul(a, b, out hi, out lo);
            if (hi >= c) return false;
            ulong rem = hi;
            ulong quot = 0;
            for (int i = 63; i >= 0; i--)
            {
                bool carry = (rem >> 63) != 0;
                rem = (rem << 1) | ((lo >> i) & 1UL);
                quot <<= 1;
                if (carry || rem >= c) { rem -= c; quot |= 1UL; }
            }
            if (roundUp && rem != 0)
            {
                if (quot == ulong.MaxValue) return false;
                quot++;
            }
            q = quot;
            return true;
        }

        public static ulong Gcd(ulong a, ulong b)
        {
            while (b != 0) { ulong t = a % b; a = b; b = t; }
            return a;
        }

        /// <summary>lcm(a, b); false when it exceeds limit (or an argument is 0).</summary>
        public static bool Lcm(ulong a, ulong b, ulong limit, out ulong l)
        {
            l = 0;
            if (a == 0 || b == 0) return false;
            ulong g = Gcd(a, b);
            ulong ag = a / g;
            if (ag > limit / b) return false;
            l = ag * b;
            return l <= limit;
        }

        /// <summary>Ceiling division of non-negative numbers (b > 0).</summary>
        public static long CeilDiv(long a, long b)
        {
            if (a <= 0) return 0;
            return (a - 1) / b + 1;
        }
    }

    /// <summary>
    /// Exact sum of fractions C/T (utilization, bandwidth). Kept as a reduced
    /// fraction Num/Den while the denominator fits in 62 bits; beyond that only
    /// lower and upper fixed-point bounds (scale 2^60) remain, which still decide
    /// every comparison except one within n*2^-60 of the bound.
    /// </summary>
    public struct Utilization
    {
        public const ulong MaxDen = 1UL << 62;
        public const ulong FixOne = 1UL << 60;

        public bool Exact;
        public ulong Num;
        public ulong Den;
        public ulong LowFix;
        public ulong HighFix;

        public static Utilization Zero()
        {
            Utilization u;
            u.Exact = true; u.Num = 0; u.Den = 1; u.LowFix = 0; u.HighFix = 0;
            return u;
        }

        static ulong SatAdd(ulong a, ulong b)
        {
            ulong s = a + b;
            return s < a ? ulong.MaxValue : s;
        }

        /// <summary>Adds c/t (t > 0, c >= 0).</summary>
        public void Add(ulong c, ulong t)
        {
            ulong f;
            if (!WideMath.MulDiv(c, FixOne, t, false, out f)) f = ulong.MaxValue;
            LowFix = SatAdd(LowFix, f);
            if (!WideMath.MulDiv(c, FixOne, t, true, out f)) f = ulong.MaxValue;
            HighFix = SatAdd(HighFix, f);
            if (!Exact) return;
            ulong g = WideMath.Gcd(Den, t);
            ulong dg = Den / g, tg = t / g;
            ulong h1, l1, h2, l2;
            WideMath.Mul(dg, t, out h1, out l1);
            if (h1 != 0 || l1 > MaxDen) { Exact = false; return; }
            WideMath.Mul(Num, tg, out h1, out l1);
            WideMath.Mul(c, dg, out h2, out l2);
            ulong sum = l1 + l2;
            if (h1 != 0 || h2 != 0 || sum < l1 || sum > (1UL << 63)) { Exact = false; return; }
            ulong den = dg * t;
            ulong r = WideMath.Gcd(sum, den);
            if (r == 0) r = 1;
            Num = sum / r;
            Den = den / r;
        }

        /// <summary>Compares with bn/bd: -1 (below), 0 (equal), 1 (above), 2 (undecided).</summary>
        public int CompareTo(ulong bn, ulong bd)
        {
            if (Exact) return WideMath.CompareProducts(Num, bd, bn, Den);
            ulong bl, bh;
            if (!WideMath.MulDiv(bn, FixOne, bd, false, out bl)) bl = ulong.MaxValue;
            if (!WideMath.MulDiv(bn, FixOne, bd, true, out bh)) bh = ulong.MaxValue;
            if (HighFix < bl) return -1;
            if (LowFix > bh) return 1;
            return 2;
        }

        /// <summary>Value in parts per billion, rounded down.</summary>
        public long Ppb()
        {
            ulong q;
            if (Exact)
            {
                if (!WideMath.MulDiv(Num, 1000000000UL, Den, false, out q)) return long.MaxValue;
            }
            else
            {
                if (!WideMath.MulDiv(LowFix, 1000000000UL, FixOne, false, out q)) return long.MaxValue;
            }
            return q > (ulong)long.MaxValue ? long.MaxValue : (long)q;
        }

        /// <summary>The value as a double (for bounds only, never for verdicts).</summary>
        public double ToDouble()
        {
            if (Exact) return (double)Num / (double)Den;
            return (double)LowFix / (double)FixOne;
        }
    }
}
