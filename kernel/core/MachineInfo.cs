using Osprey.Kernel.Arch;

namespace Osprey.Kernel
{
    // Facts about the machine for reports: the processor's brand string, the
    // usable RAM, the timer reference the clocks were calibrated against, the
    // local APIC mode and the firmware. Read after boot (CpuFeatures,
    // calibration and the local APIC set up).
    internal static unsafe class MachineInfo
    {
        // The processor brand string, CPUID leaves 80000002H-80000004H (Intel
        // SDM Vol. 2A, CPUID, "Processor Brand String"; AMD APM Vol. 3, same
        // leaves): 48 ASCII bytes in EAX, EBX, ECX, EDX of each leaf, ended by
        // a NUL, often padded with leading spaces. "" when the CPU has none.
        internal static string CpuModel()
        {
            if (CpuFeatures.MaxExtendedLeaf < 0x80000004) return "";
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

        internal static long UsableMiB()
        {
            return KernelMain.Boot == null ? 0 : (long)(KernelMain.Boot.UsableBytes() >> 20);
        }

        // Processors the ACPI MADT lists as enabled; 0 when there are no tables.
        internal static int Cpus()
        {
            Acpi.AcpiInfo a = Acpi.AcpiDiscovery.Info;
            return a != null && a.Found ? a.EnabledCpuCount : 0;
        }

        internal static string TimerReference()
        {
            if (Paravirt.Active) return "paravirtual TSC";
            Time.CalibrationSource s = Time.Calibration.Source;
            if (s == Time.CalibrationSource.Hpet) return "HPET";
            if (s == Time.CalibrationSource.PmTimer) return "ACPI PM timer";
            if (s == Time.CalibrationSource.Pit) return "8254 PIT";
            return "none";
        }

        internal static string ApicMode() { return Paravirt.Active ? "paravirtual" : LocalApic.IsX2Apic ? "x2APIC" : "xAPIC"; }

        // UEFI when GRUB passed the EFI 64-bit system table (multiboot2 tag
        // type 12); BIOS otherwise (multiboot1 loaders, QEMU -kernel, GRUB on BIOS).
        internal static string Firmware()
        {
            return KernelMain.Boot != null && KernelMain.Boot.EfiBoot ? "UEFI" : "BIOS";
        }
    }
}
