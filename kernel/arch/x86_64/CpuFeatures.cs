namespace Osprey.Kernel.Arch
{
    // What CPUID says about the features the timer and interrupt code choose
    // between (Intel SDM vol. 2A, CPUID; vol. 3A chapter "APIC" and
    // "Time-Stamp Counter"). Read once at boot.
    internal static unsafe class CpuFeatures
    {
        internal static uint MaxLeaf, MaxExtendedLeaf;
        internal static bool Apic;            // CPUID.01H:EDX[9]
        internal static bool X2Apic;          // CPUID.01H:ECX[21]
        internal static bool TscDeadline;     // CPUID.01H:ECX[24]
        internal static bool Arat;            // CPUID.06H:EAX[2]: APIC timer runs in deep C-states
        internal static bool InvariantTsc;    // CPUID.80000007H:EDX[8]
        internal static bool Hypervisor;      // CPUID.01H:ECX[31]
        internal static uint InitialApicId;   // CPUID.01H:EBX[31:24]
        internal static ulong TscHzFromCpuid; // CPUID.15H (crystal ratio), 0 when not enumerated
        internal static string Vendor = "";

        internal static void Read()
        {
            uint* r = stackalloc uint[4];
            Cpu.CpuId(0, 0, r);
            MaxLeaf = r[0];
            char[] v = new char[12];
            for (int i = 0; i < 4; i++) { v[i] = (char)((r[1] >> (8 * i)) & 0xFF); v[4 + i] = (char)((r[3] >> (8 * i)) & 0xFF); v[8 + i] = (char)((r[2] >> (8 * i)) & 0xFF); }
            Vendor = new string(v, 0, 12);
            if (MaxLeaf >= 1)
            {
                Cpu.CpuId(1, 0, r);
                Apic = (r[3] & (1u << 9)) != 0;
                X2Apic = (r[2] & (1u << 21)) != 0;
                TscDeadline = (r[2] & (1u << 24)) != 0;
                Hypervisor = (r[2] & (1u << 31)) != 0;
                InitialApicId = r[1] >> 24;
            }
            if (MaxLeaf >= 6)
            {
                Cpu.CpuId(6, 0, r);
                Arat = (r[0] & 4) != 0;
            }
            if (MaxLeaf >= 0x15)
            {
                // TSC = crystal * EBX / EAX; ECX is the crystal in Hz (0: not given).
                Cpu.CpuId(0x15, 0, r);
                if (r[0] != 0 && r[1] != 0 && r[2] != 0) TscHzFromCpuid = (ulong)r[2] * r[1] / r[0];
            }
            Cpu.CpuId(0x80000000, 0, r);
            MaxExtendedLeaf = r[0];
            if (MaxExtendedLeaf >= 0x80000007)
            {
                Cpu.CpuId(0x80000007, 0, r);
                InvariantTsc = (r[3] & (1u << 8)) != 0;
            }
        }
    }
}
