using Osprey.Kernel.Acpi;
using Osprey.Kernel.Arch;

namespace Osprey.Kernel.Time
{
    // Measures the TSC and local APIC timer frequencies against a reference
    // of known rate: three windows of about 10 ms, median of each. The
    // reference is discovered (ReferenceMath: HPET, then ACPI PM timer,
    // from the ACPI tables, then the 8254 PIT), or named by calib= on the
    // command line. A reference that does not run is skipped under auto
    // (and the boot log says why); a named one that does not run stops the
    // boot with the reason. The APIC timer counts down from 0xFFFFFFFF with
    // divider 1 and its interrupt masked meanwhile.
    internal static class Calibration
    {
        private const ushort PitWindowCount = 11932;         // 10.0002 ms of PIT input clock
        private const ulong WindowNs = 10000000;
        private const int Windows = 3;
        // Reads of a counter reference before it is declared stopped: far
        // more than one tick (HPET >= 10 MHz, PM timer 3.58 MHz) takes even
        // on slow port I/O, far less than a second.
        private const long StoppedAfterReads = 2000000;

        internal static ulong TscHz, ApicHz;
        internal static ulong TscSpreadHz;                   // max - min over the windows
        internal static CalibrationSource Source;
        internal static ulong ReferenceHz;
        // Why references before Source were skipped under auto (null: none was).
        internal static string Skipped;

        // Calibrates against `requested` (Auto: the first usable one).
        internal static void Run(CalibrationSource requested, AcpiInfo acpi)
        {
            Skipped = null;
            if (requested != CalibrationSource.Auto)
            {
                string why = Prepare(requested, acpi);
                if (why == null) why = Measure(requested);
                if (why != null) Panic.Fail("timer calibration: calib=" + ReferenceMath.Name(requested) + ": " + why);
                return;
            }
            CalibrationSource[] order = { CalibrationSource.Hpet, CalibrationSource.PmTimer, CalibrationSource.Pit };
            for (int i = 0; i < order.Length; i++)
            {
                string why = Prepare(order[i], acpi);
                if (why == null) why = Measure(order[i]);
                if (why == null) return;
                Skipped = (Skipped == null ? "" : Skipped + "; ") + ReferenceMath.Name(order[i]) + ": " + why;
            }
            Panic.Fail("timer calibration: no reference runs (" + Skipped + ")");
        }

        // Sets the reference up; null, or why it cannot serve.
        private static string Prepare(CalibrationSource s, AcpiInfo acpi)
        {
            if (s == CalibrationSource.Hpet) return Hpet.Initialize(acpi == null ? 0 : acpi.HpetAddress);
            if (s == CalibrationSource.PmTimer) return acpi == null ? "no ACPI tables" : PmTimer.Initialize(acpi.PmTimerPort, acpi.PmTimer32Bit);
            return null;
        }

        // One calibration against s (set up); fills the results, or returns why not.
        private static unsafe string Measure(CalibrationSource s)
        {
            ulong* tsc = stackalloc ulong[Windows];
            ulong* apic = stackalloc ulong[Windows];
            string why = MeasureWindows(s, tsc, apic, out ulong refHz);
            if (why != null) return why;
            ulong tscHz = Median(tsc), apicHz = Median(apic);
            if (tscHz < 1000000) return "TSC below 1 MHz against it";
            if (apicHz < 10000) return "the local APIC timer does not count";
            TscHz = tscHz;
            ApicHz = apicHz;
            ulong lo = tsc[0], hi = tsc[0];
            for (int i = 1; i < Windows; i++) { if (tsc[i] < lo) lo = tsc[i]; if (tsc[i] > hi) hi = tsc[i]; }
            TscSpreadHz = hi - lo;
            Source = s;
            ReferenceHz = refHz;
            return null;
        }

        // Measures TSC and APIC timer rates over each window against s
        // without touching the published results (the self-tests compare
        // references with it). Interrupts must be off. It leaves the APIC
        // timer stopped and masked: a caller after boot re-initializes and
        // re-arms it (ApicTimer.Initialize, then arm the next expiry).
        internal static unsafe string MeasureWindows(CalibrationSource s, ulong* tsc, ulong* apic, out ulong refHz)
        {
            refHz = s == CalibrationSource.Hpet ? Hpet.Hz : s == CalibrationSource.PmTimer ? ReferenceMath.PmTimerHz : Pit.Hz;
            LocalApic.Write(LocalApic.RegDivide, 0xB);       // divide by 1
            LocalApic.Write(LocalApic.RegLvtTimer, LocalApic.LvtMasked);
            string why = null;
            for (int w = 0; w < Windows && why == null; w++)
                why = s == CalibrationSource.Pit ? PitWindow(tsc + w, apic + w) : CounterWindow(s, refHz, tsc + w, apic + w);
            LocalApic.Write(LocalApic.RegInitialCount, 0);
            return why;
        }

        // 8254 channel 2 in mode 0: the window ends when OUT2 rises.
        private static unsafe string PitWindow(ulong* tsc, ulong* apic)
        {
            Pit.Prepare(PitWindowCount);
            LocalApic.Write(LocalApic.RegInitialCount, 0xFFFFFFFF);
            Pit.Start();
            ulong t0 = Cpu.ReadTsc();
            uint a0 = LocalApic.Read(LocalApic.RegCurrentCount);
            long spins = 0;
            while (!Pit.Expired())
            {
                if (++spins > 200000000L) { Pit.Stop(); return "the PIT never reached terminal count (no 8254 on port 0x42/0x61?)"; }
            }
            ulong t1 = Cpu.ReadTsc();
            uint a1 = LocalApic.Read(LocalApic.RegCurrentCount);
            Pit.Stop();
            *tsc = (t1 - t0) * Pit.Hz / PitWindowCount;
            *apic = (ulong)(a0 - a1) * Pit.Hz / PitWindowCount;
            return null;
        }

        // A free-running counter: start on one of its tick edges, stop at
        // the first reading at least a window later; the rates use the
        // ticks actually elapsed.
        private static unsafe string CounterWindow(CalibrationSource s, ulong refHz, ulong* tsc, ulong* apic)
        {
            int bits = s == CalibrationSource.Hpet ? Hpet.Bits : PmTimer.Bits;
            ulong window = ReferenceMath.WindowTicks(refHz, WindowNs);
            ulong prev = ReadCounter(s), r0;
            long reads = 0;
            while ((r0 = ReadCounter(s)) == prev)
                if (++reads > StoppedAfterReads) return "its counter does not advance";
            LocalApic.Write(LocalApic.RegInitialCount, 0xFFFFFFFF);
            ulong t0 = Cpu.ReadTsc();
            uint a0 = LocalApic.Read(LocalApic.RegCurrentCount);
            ulong r, elapsed;
            reads = 0;
            do
            {
                r = ReadCounter(s);
                elapsed = ReferenceMath.Elapsed(r0, r, bits);
                if (++reads > 100 * StoppedAfterReads) return "its counter stopped advancing";
            } while (elapsed < window);
            ulong t1 = Cpu.ReadTsc();
            uint a1 = LocalApic.Read(LocalApic.RegCurrentCount);
            *tsc = ReferenceMath.RateHz(t1 - t0, elapsed, refHz);
            *apic = ReferenceMath.RateHz(a0 - a1, elapsed, refHz);
            return null;
        }

        private static ulong ReadCounter(CalibrationSource s) { return s == CalibrationSource.Hpet ? Hpet.Read() : PmTimer.Read(); }

        internal static unsafe ulong Median(ulong* v)
        {
            ulong a = v[0], b = v[1], c = v[2];
            if (a > b) { ulong t = a; a = b; b = t; }
            if (b > c) { ulong t = b; b = c; c = t; }
            if (a > b) { ulong t = a; a = b; b = t; }
            return b;
        }
    }
}
