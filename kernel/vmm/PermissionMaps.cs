// The I/O and MSR permission maps of a guest (AMD APM vol. 2, 15.10.1 and
// 15.11). A set bit intercepts. Portable: they work on a pointer to the
// map's memory.
namespace Osprey.Kernel.Vmm
{
    public static unsafe class IoPermissionMap
    {
        /// <summary>12 KiB: one bit per port 0..65535 plus the bits an access at the top ports spills into.</summary>
        public const int Bytes = 12 * 1024;
        public const int Pages = 3;

        public static void Fill(byte* map, bool intercept)
        {
            byte v = intercept ? (byte)0xFF : (byte)0;
            for (int i = 0; i < Bytes; i++) map[i] = v;
        }

        public static void Set(byte* map, int port, bool intercept)
        {
            if (intercept) map[port >> 3] |= (byte)(1 << (port & 7));
            else map[port >> 3] &= (byte)~(1 << (port & 7));
        }

        public static bool Intercepted(byte* map, int port) { return (map[port >> 3] & (1 << (port & 7))) != 0; }
    }

    public static unsafe class MsrPermissionMap
    {
        /// <summary>8 KiB: three 2 KiB vectors (MSR 0..1FFF, C000_0000..C000_1FFF, C001_0000..C001_1FFF) and one unused.</summary>
        public const int Bytes = 8 * 1024;
        public const int Pages = 2;

        public static void Fill(byte* map, bool intercept)
        {
            byte v = intercept ? (byte)0xFF : (byte)0;
            for (int i = 0; i < Bytes; i++) map[i] = v;
        }

        /// <summary>Bit offset of MSR msr's read bit (its write bit is the next), or -1 when the map does not cover it
        /// (such MSRs are always intercepted).</summary>
        public static int BitOf(uint msr)
        {
            uint b;
            if (msr <= 0x1FFF) b = 0;
            else if (msr >= 0xC0000000 && msr <= 0xC0001FFF) b = 0x800 * 8;
            else if (msr >= 0xC0010000 && msr <= 0xC0011FFF) b = 0x1000 * 8;
            else return -1;
            return (int)(b + (msr & 0x1FFF) * 2);
        }

        public static void Set(byte* map, uint msr, bool read, bool write)
        {
            int bit = BitOf(msr);
            if (bit < 0) return;
            SetBit(map, bit, read);
            SetBit(map, bit + 1, write);
        }

        public static bool ReadIntercepted(byte* map, uint msr) { int b = BitOf(msr); return b < 0 || (map[b >> 3] & (1 << (b & 7))) != 0; }
        public static bool WriteIntercepted(byte* map, uint msr) { int b = BitOf(msr); return b < 0 || (map[(b + 1) >> 3] & (1 << ((b + 1) & 7))) != 0; }

        static void SetBit(byte* map, int bit, bool on)
        {
            if (on) map[bit >> 3] |= (byte)(1 << (bit & 7));
            else map[bit >> 3] &= (byte)~(1 << (bit & 7));
        }
    }
}
