namespace Osprey.Kernel.Time
{
    // Conversion between a counter running at Hz and nanoseconds without
    // division on the hot path: value * Mult >> Shift, with a 128-bit
    // intermediate product so no counter value that fits in 64 bits
    // overflows. Portable (host-tested in tests/host/Time).
    public struct TimeScale
    {
        public ulong Mult;
        public int Shift;

        // Scale multiplying by num/den: Mult = (num << Shift) / den with the
        // largest Shift (<= 32) that keeps Mult below 2^63.
        public static TimeScale Ratio(ulong num, ulong den)
        {
            TimeScale s;
            s.Shift = 32;
            while (s.Shift > 0 && (num >> (63 - s.Shift)) != 0) s.Shift--;
            s.Mult = den == 0 ? 0 : (num << s.Shift) / den;
            return s;
        }

        public ulong Apply(ulong value) { return MulShift(value, Mult, Shift); }

        // (a * b) >> shift, 0 <= shift < 64, exact to the 128-bit product
        // (bits above 64 of the result are lost: callers keep results in range).
        public static ulong MulShift(ulong a, ulong b, int shift)
        {
            ulong hi, lo;
            Mul128(a, b, out hi, out lo);
            if (shift == 0) return lo;
            return (lo >> shift) | (hi << (64 - shift));
        }

        public static void Mul128(ulong a, ulong b, out ulong hi, out ulong lo)
        {
            ulong aL = (uint)a, aH = a >> 32, bL = (uint)b, bH = b >> 32;
            ulong ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
            ulong mid = (ll >> 32) + (uint)lh + (uint)hl;
            lo = (mid << 32) | (uint)ll;
            hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
        }
    }
}
