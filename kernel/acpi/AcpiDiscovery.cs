using Osprey.Kernel.Boot;

namespace Osprey.Kernel.Acpi
{
    // Kernel only: ACPI discovery at boot. Discover parses the tables over
    // physical memory, starting from the RSDP the boot loader copied
    // (Multiboot2 tags 14/15) or, without one, from the BIOS-area scan, and
    // logs a one-line summary and each warning.
    internal static class AcpiDiscovery
    {
        // The last result (null before the first call).
        internal static AcpiInfo Info;

        // Parses without logging.
        internal static AcpiInfo Read(BootInfo boot)
        {
            PhysicalAcpiMemory memory = new PhysicalAcpiMemory();
            Info = AcpiParser.Parse(memory, boot == null ? 0 : boot.RsdpAddress);
            return Info;
        }

        internal static AcpiInfo Discover(BootInfo boot)
        {
            AcpiInfo info = Read(boot);
            Log.WriteLine("osprey: acpi: " + info.Summary());
            for (int i = 0; i < info.WarningCount; i++) Log.WriteLine("osprey: acpi: warning: " + info.Warnings[i]);
            if (info.WarningsDropped > 0) Log.WriteLine("osprey: acpi: " + info.WarningsDropped + " more warnings not kept");
            return info;
        }
    }
}
