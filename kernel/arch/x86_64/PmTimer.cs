namespace Osprey.Kernel.Arch
{
    // The ACPI power-management timer (FADT PM_TMR_BLK or X_PM_TMR_BLK):
    // a free-running 24- or 32-bit (FADT flag TMR_VAL_EXT) counter at
    // 3.579545 MHz read from one I/O port (ACPI 6.5 section 4.8.3.3).
    internal static class PmTimer
    {
        internal static ushort Port;         // 0: not set up
        internal static int Bits;

        internal static string Initialize(ushort port, bool is32Bit)
        {
            if (port == 0) return "no PM timer in the FADT";
            Port = port;
            Bits = is32Bit ? 32 : 24;
            return null;
        }

        internal static ulong Read()
        {
            uint v = Cpu.In32(Port);
            return Bits == 32 ? v : v & 0xFFFFFFu;
        }
    }
}
