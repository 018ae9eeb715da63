namespace Osprey.Sched
{
    /// <summary>Small integer helpers (the portable subset has no Math.* or BitOperations).</summary>
    public static class Bits
    {
        const ulong DeBruijn64 = 0x03F79D71B4CB0A89UL;
        // ctzTable[((1 << i) * DeBruijn64) >> 58] == i. A literal (no static
        // constructor), so the compiler preinitializes it and no call pays a
        // class-initialization check.
        static readonly byte[] ctzTable = new byte[] {
            0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4, 62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
            63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6,
        };

        /// <summary>Index of the lowest set bit; -1 when x is zero.</summary>
        public static int LowestSetBit(ulong x)
        {
            if (x == 0) return -1;
            ulong low = x & (~x + 1UL);
            return ctzTable[(int)((low * DeBruijn64) >> 58)];
        }

        public static long Min(long a, long b) { return a < b ? a : b; }
        public static long Max(long a, long b) { return a > b ? a : b; }
        public static int Clamp(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

        public static long Gcd(long a, long b)
        {
            if (a < 0) a = -a;
            if (b < 0) b = -b;
            while (b != 0)
            {
                long t = a % b;
                a = b;
                b = t;
            }
            return a;
        }

        /// <summary>a*b for non-negative operands; false on overflow.</summary>
        public static bool TryMul(long a, long b, out long result)
        {
            result = 0;
            if (a < 0 || b < 0) return false;
            if (a != 0 && b > long.MaxValue / a) return false;
            result = a * b;
            return true;
        }

        /// <summary>a+b for non-negative operands; false on overflow.</summary>
        public static bool TryAdd(long a, long b, out long result)
        {
            result = 0;
            if (a < 0 || b < 0) return false;
            if (a > long.MaxValue - b) return false;
            result = a + b;
            return true;
        }
    }
}
