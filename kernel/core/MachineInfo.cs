namespace Osprey.Kernel
{
    // Facts about the machine for reports: the processor's brand string, the
    // usable RAM, the timer reference the clocks were calibrated against, the
    // local APIC mode and the firmware. Read after boot (CpuFeatures,
    // calibration and the local APIC set up).
    internal static unsafe class MachineInfo
    {
        // The processor brand string ("" when the CPU has none).
        internal static string CpuModel() { return Machine.CpuModel(); }

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
            if (Machine.Paravirtual) return "paravirtual TSC";
            Time.CalibrationSource s = Time.Calibration.Source;
            if (s == Time.CalibrationSource.Hpet) return "HPET";
            if (s == Time.CalibrationSource.PmTimer) return "ACPI PM timer";
            if (s == Time.CalibrationSource.Pit) return "8254 PIT";
            return "none";
        }

        internal static string ApicMode() { return Machine.InterruptControllerMode; }

        // UEFI when GRUB passed the EFI 64-bit system table (multiboot2 tag
        // type 12); BIOS otherwise (multiboot1 loaders, QEMU -kernel, GRUB on BIOS).
        internal static string Firmware()
        {
            return KernelMain.Boot != null && KernelMain.Boot.EfiBoot ? "UEFI" : "BIOS";
        }
    }
}
