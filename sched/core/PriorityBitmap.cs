using System.Runtime.CompilerServices;

namespace Osprey.Sched
{
    /// <summary>
    /// Two-level bitmap over 256 priority levels (0 most urgent): one 64-bit
    /// minor word per group of 64 levels and a 4-bit major word whose bit g is
    /// set exactly when minor[g] is non-zero. The most urgent set level is
    /// cached: Set keeps it with one compare, Clear rescans (two bit scans)
    /// only when it clears that very level, so Lowest() is a field read.
    /// </summary>
    public sealed class PriorityBitmap
    {
        public const int Levels = 256;
        uint major;
        readonly ulong[] minor = new ulong[4];
        int lowest = -1;

        public bool IsEmpty { get { return major == 0; } }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Set(int level)
        {
            int g = level >> 6;
            minor[g] |= 1UL << (level & 63);
            major |= 1u << g;
            if (lowest < 0 || level < lowest) lowest = level;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Clear(int level)
        {
            int g = level >> 6;
            minor[g] &= ~(1UL << (level & 63));
            if (minor[g] == 0) major &= ~(1u << g);
            if (level == lowest) lowest = Scan();
        }

        public bool IsSet(int level)
        {
            return (minor[level >> 6] & (1UL << (level & 63))) != 0;
        }

        /// <summary>Most urgent (numerically lowest) set level, or -1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Lowest() { return lowest; }

        int Scan()
        {
            if (major == 0) return -1;
            int g = Bits.LowestSetBit(major);
            return (g << 6) + Bits.LowestSetBit(minor[g]);
        }

        /// <summary>Major bits agree with minor words. Null when sound.</summary>
        public string Check()
        {
            for (int g = 0; g < 4; g++)
            {
                bool m = (major & (1u << g)) != 0;
                if (m != (minor[g] != 0)) return "major bit " + g + " disagrees with minor word";
            }
            if ((major >> 4) != 0) return "stray major bits";
            if (lowest != Scan()) return "cached lowest level " + lowest + " but the bits say " + Scan();
            return null;
        }
    }
}
