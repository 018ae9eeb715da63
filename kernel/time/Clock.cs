using Osprey.Kernel.Arch;

namespace Osprey.Kernel.Time
{
    // The monotonic clock: nanoseconds since calibration, read from the TSC
    // (constant rate on every CPU this kernel targets; CpuFeatures.InvariantTsc
    // tells whether it also runs through deep C-states, and the boot log says
    // so). Under QEMU -icount the TSC counts guest instructions, so the clock
    // is instruction-exact and runs repeat.
    internal static class Clock
    {
        private static ulong tscBase;
        private static TimeScale tscToNs, nsToTsc, nsToApic;

        internal static ulong TscHz, ApicHz;
        internal static bool Ready;

        internal static void Start(ulong tscHz, ulong apicHz)
        {
            TscHz = tscHz;
            ApicHz = apicHz;
            tscToNs = TimeScale.Ratio(1000000000UL, tscHz);
            nsToTsc = TimeScale.Ratio(tscHz, 1000000000UL);
            nsToApic = TimeScale.Ratio(apicHz, 1000000000UL);
            tscBase = Cpu.ReadTsc();
            Ready = true;
        }

        private static long last;

        // Nanoseconds since Start; 0 before. Never goes backwards: under
        // plain emulation the guest TSC is the host's, which can step back
        // when the emulator thread moves between host CPUs whose TSCs are
        // not synchronized; such a reading is clamped to the last one.
        internal static long Now()
        {
            if (!Ready) return 0;
            long t = (long)tscToNs.Apply(Cpu.ReadTsc() - tscBase);
            if (t < last) return last;
            last = t;
            return t;
        }

        // The TSC value at which Now() reaches ns (for TSC-deadline mode):
        // rounded up, so a deadline never fires before its time.
        internal static ulong TscAt(long ns)
        {
            if (ns <= 0) return tscBase;
            return tscBase + nsToTsc.Apply((ulong)ns) + 1;
        }

        // Local APIC timer ticks covering ns, rounded up.
        internal static ulong ApicTicks(long ns)
        {
            if (ns <= 0) return 0;
            return nsToApic.Apply((ulong)ns) + 1;
        }

        internal static long TscToNs(ulong ticks) { return (long)tscToNs.Apply(ticks); }
    }
}
