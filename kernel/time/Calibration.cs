using Osprey.Kernel.Arch;

namespace Osprey.Kernel.Time
{
    // Measures the TSC and local APIC timer frequencies against the 8254
    // PIT (1.193182 MHz, the one reference every PC has): three windows of
    // about 10 ms, median of each. The APIC timer counts down from
    // 0xFFFFFFFF with divider 1 and its interrupt masked meanwhile.
    internal static class Calibration
    {
        private const ushort WindowCount = 11932;           // 10.0002 ms of PIT input clock
        private const int Windows = 3;

        internal static ulong TscHz, ApicHz;
        internal static ulong TscSpreadHz;                   // max - min over the windows

        internal static unsafe void Run()
        {
            ulong* tsc = stackalloc ulong[Windows];
            ulong* apic = stackalloc ulong[Windows];
            LocalApic.Write(LocalApic.RegDivide, 0xB);       // divide by 1
            LocalApic.Write(LocalApic.RegLvtTimer, LocalApic.LvtMasked);
            for (int w = 0; w < Windows; w++)
            {
                Pit.Prepare(WindowCount);
                LocalApic.Write(LocalApic.RegInitialCount, 0xFFFFFFFF);
                Pit.Start();
                ulong t0 = Cpu.ReadTsc();
                uint a0 = LocalApic.Read(LocalApic.RegCurrentCount);
                long spins = 0;
                while (!Pit.Expired())
                {
                    if (++spins > 200000000L) Panic.Fail("timer calibration: the PIT never reached terminal count (no 8254 on port 0x42/0x61?)");
                }
                ulong t1 = Cpu.ReadTsc();
                uint a1 = LocalApic.Read(LocalApic.RegCurrentCount);
                Pit.Stop();
                tsc[w] = (t1 - t0) * Pit.Hz / WindowCount;
                apic[w] = (ulong)(a0 - a1) * Pit.Hz / WindowCount;
            }
            LocalApic.Write(LocalApic.RegInitialCount, 0);
            TscHz = Median(tsc);
            ApicHz = Median(apic);
            ulong lo = tsc[0], hi = tsc[0];
            for (int i = 1; i < Windows; i++) { if (tsc[i] < lo) lo = tsc[i]; if (tsc[i] > hi) hi = tsc[i]; }
            TscSpreadHz = hi - lo;
            if (TscHz < 1000000) Panic.Fail("timer calibration: TSC below 1 MHz against the PIT");
            if (ApicHz < 10000) Panic.Fail("timer calibration: the local APIC timer does not count");
        }

        private static unsafe ulong Median(ulong* v)
        {
            ulong a = v[0], b = v[1], c = v[2];
            if (a > b) { ulong t = a; a = b; b = t; }
            if (b > c) { ulong t = b; b = c; c = t; }
            if (a > b) { ulong t = a; a = b; b = t; }
            return b;
        }
    }
}
