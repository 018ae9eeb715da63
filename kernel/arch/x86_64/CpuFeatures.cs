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

        // The processor brand string, CPUID leaves 80000002H-80000004H (Intel
        // SDM Vol. 2A, CPUID, "Processor Brand String"; AMD APM Vol. 3, same
        // leaves): 48 ASCII bytes in EAX, EBX, ECX, EDX of each leaf, ended by
        // a NUL, often padded with leading spaces. "" when the CPU has none.
        internal static string BrandString()
        {
            if (MaxExtendedLeaf < 0x80000004) return "";
            uint* r = stackalloc uint[4];
            char[] s = new char[48];
            int n = 0;
            bool ended = false;
            for (uint leaf = 0x80000002; leaf <= 0x80000004; leaf++)
            {
                Cpu.CpuId(leaf, 0, r);
                for (int reg = 0; reg < 4; reg++)
                    for (int b = 0; b < 4; b++)
                    {
                        char c = (char)((r[reg] >> (8 * b)) & 0xFF);
                        if (c == 0) ended = true;
                        if (ended) continue;
                        s[n++] = c >= ' ' && c < 127 ? c : '?';
                    }
            }
            int start = 0, end = n;
            while (start < end && s[start] == ' ') start++;
            while (end > start && s[end - 1] == ' ') end--;
            // Runs of spaces inside ("Intel(R) Xeon(R) CPU           E5-2680") become one.
            char[] t = new char[end - start];
            int m = 0;
            for (int i = start; i < end; i++)
                if (s[i] != ' ' || (m > 0 && t[m - 1] != ' ')) t[m++] = s[i];
            return new string(t, 0, m);
        }
    }
}
