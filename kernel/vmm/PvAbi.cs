// The Osprey paravirtual interface (README.md, "The Osprey paravirtual
// interface"): the constants both sides use. Portable.
namespace Osprey.Kernel.Vmm
{
    public static class PvAbi
    {
        public const uint LeafSignature = 0x40000000, LeafInfo = 0x40000001;
        /// <summary>"OspreyVMM\0\0\0" as EBX, ECX, EDX.</summary>
        public const uint SignatureEbx = 0x7270734F, SignatureEcx = 0x4D567965, SignatureEdx = 0x0000004D;
        /// <summary>Rate of the virtual TSC in kHz: 1 GHz, one tick per virtual ns.</summary>
        public const uint TscKhz = 1000000;
        public const uint FeatureTimer = 1, FeatureConsole = 2;

        public const ulong CallSetTimer = 1, CallExit = 2;
        public const ulong Ok = 0;
        public const ulong ErrUnknown = unchecked((ulong)-1L), ErrVector = unchecked((ulong)-2L);

        public const ushort Com1 = 0x3F8, Com1LineStatus = 0x3FD, DebugExit = 0xF4;

        /// <summary>Virtual TSC of virtual ns (exact at 1 GHz; scaled otherwise).</summary>
        public static ulong TscOfNs(long ns) { return ns <= 0 ? 0 : (ulong)ns / 1000000 * TscKhz + (ulong)(ns % 1000000) * TscKhz / 1000000; }

        /// <summary>First virtual ns at which the virtual TSC reaches tsc.</summary>
        public static long NsOfTsc(ulong tsc)
        {
            ulong ns = tsc / TscKhz * 1000000 + ((tsc % TscKhz) * 1000000 + TscKhz - 1) / TscKhz;
            return ns > (ulong)(long.MaxValue / 8) ? long.MaxValue / 8 : (long)ns;
        }

        /// <summary>
        /// A legacy-mode (32-bit) guest passes only the low 32 bits of a
        /// deadline: the full value is the one nearest the current virtual
        /// TSC with those low bits.
        /// </summary>
        public static ulong Widen32(uint low, ulong now)
        {
            ulong d = (now & ~0xFFFFFFFFUL) | low;
            if (d + 0x80000000UL < now) d += 1UL << 32;
            else if (d > now + 0x80000000UL && d >= (1UL << 32)) d -= 1UL << 32;
            return d;
        }
    }
}
