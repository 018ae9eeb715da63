using System.Runtime.CompilerServices;
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
        private static TimeScale nsToTsc, nsToApic;
        // TSC ticks to ns on the hot path: (d * tscMult) >> tscShift with
        // tscMult < 2^32, so the product of d's low half cannot overflow and
        // no 128-bit helper is needed (relative error below 2^-31).
        private static ulong tscMult;
        private static int tscShift;
        private static long last;

        internal static ulong TscHz, ApicHz;
        internal static bool Ready;

        internal static void Start(ulong tscHz, ulong apicHz)
        {
            TscHz = tscHz;
            ApicHz = apicHz;
            tscShift = 32;
            while (tscShift > 0 && (1000000000UL << tscShift) / tscHz >= (1UL << 32)) tscShift--;
            tscMult = (1000000000UL << tscShift) / tscHz;
            nsToTsc = TimeScale.Ratio(tscHz, 1000000000UL);
            nsToApic = TimeScale.Ratio(apicHz, 1000000000UL);
            tscBase = Cpu.ReadTsc();
            Ready = true;
        }

        // Nanoseconds since Start; 0 before (tscMult is 0 until then, so no
        // flag is tested on this hot path). Never goes backwards: under
        // plain emulation the guest TSC is the host's, which can step back
        // when the emulator thread moves between host CPUs whose TSCs are
        // not synchronized; such a reading is clamped to the last one.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static long Now()
        {
            ulong d = Cpu.ReadTsc() - tscBase;
            long t = (long)(((d >> 32) * tscMult << (32 - tscShift)) + (((d & 0xFFFFFFFFUL) * tscMult) >> tscShift));
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

        internal static long TscToNs(ulong ticks) { return (long)TimeScale.MulShift(ticks, tscMult, tscShift); }
    }
}
