namespace Osprey.Kernel.Time
{
    // The references the TSC and the local APIC timer can be calibrated
    // against. Auto takes the first that the firmware lists and that runs:
    // HPET, then ACPI PM timer, then the 8254 PIT (assumed, never listed:
    // the last resort, since some PCs gate its clock off).
    public enum CalibrationSource { Auto, Pit, Hpet, PmTimer }

    // The arithmetic of calibrating against a free-running reference
    // counter. Portable (host-tested in tests/host/Time).
    public static class ReferenceMath
    {
        // ACPI 6.5 section 4.8.3.3 (Power Management Timer): 3.579545 MHz.
        public const ulong PmTimerHz = 3579545;
        // IA-PC HPET 1.0a section 2.3.4: COUNTER_CLK_PERIOD is in
        // femtoseconds and at most 0x05F5E100 (100 ns).
        public const ulong HpetMaxPeriodFs = 100000000;
        private const ulong FsPerSecond = 1000000000000000UL;

        // Ticks from reading a to reading b of a counter `bits` wide that
        // wraps to 0 (at most one wrap in between: callers read it far more
        // often than it wraps).
        public static ulong Elapsed(ulong a, ulong b, int bits)
        {
            ulong mask = bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;
            return (b - a) & mask;
        }

        // Rate of a counter that advanced `counted` while a reference at
        // refHz advanced refTicks: counted * refHz / refTicks, rounded to
        // nearest. 0 when refTicks is 0 or the product would overflow
        // (counted * refHz >= 2^64: far beyond calibration's windows, where
        // 10 ms of a 10 GHz counter against a 1 GHz reference is 10^17).
        public static ulong RateHz(ulong counted, ulong refTicks, ulong refHz)
        {
            if (refTicks == 0) return 0;
            if (refHz != 0 && counted > ulong.MaxValue / refHz) return 0;
            ulong p = counted * refHz;
            if (p > ulong.MaxValue - refTicks / 2) return 0;
            return (p + refTicks / 2) / refTicks;
        }

        // The HPET counter's rate from its General Capabilities and ID
        // register (period in fs in bits 63:32); 0 for a period the spec
        // does not allow (0, or above 100 ns).
        public static ulong HpetHz(ulong capabilities)
        {
            ulong periodFs = capabilities >> 32;
            if (periodFs == 0 || periodFs > HpetMaxPeriodFs) return 0;
            return (FsPerSecond + periodFs / 2) / periodFs;
        }

        // Bit 13 of the capabilities register, COUNT_SIZE_CAP: a 64-bit main counter.
        public static int HpetCounterBits(ulong capabilities) { return (capabilities & (1UL << 13)) != 0 ? 64 : 32; }

        // Reference ticks of one calibration window of `ns` (at least 1).
        public static ulong WindowTicks(ulong refHz, ulong ns)
        {
            ulong t = refHz / 1000 * ns / 1000000;
            return t == 0 ? 1 : t;
        }

        public static string Name(CalibrationSource s)
        {
            switch (s)
            {
                case CalibrationSource.Pit: return "pit";
                case CalibrationSource.Hpet: return "hpet";
                case CalibrationSource.PmTimer: return "pmtimer";
                default: return "auto";
            }
        }

        // The command line's name of a source; false for an unknown one.
        public static bool TryParse(string name, out CalibrationSource s)
        {
            s = CalibrationSource.Auto;
            if (name == "auto") return true;
            if (name == "pit") { s = CalibrationSource.Pit; return true; }
            if (name == "hpet") { s = CalibrationSource.Hpet; return true; }
            if (name == "pmtimer") { s = CalibrationSource.PmTimer; return true; }
            return false;
        }
    }
}
