namespace Osprey.Kernel.Arch
{
    // The local APIC of an application processor: put in the boot CPU's
    // mode (xAPIC or x2APIC; Intel SDM vol. 3A 11.12.5 "x2APIC State
    // Transitions": EN before EXTD) and enabled with every local interrupt
    // masked but the error vector, as LocalApic.Initialize does on the boot
    // CPU. The xAPIC page has the same physical address on every CPU (each
    // CPU reaches its own APIC there), so the boot CPU's mapping serves.
    internal static class ApLocalApic
    {
        private const uint MsrApicBase = 0x1B;
        private const ulong BaseEnable = 1UL << 11, BaseX2Apic = 1UL << 10;

        // Returns null, or why this CPU's APIC cannot be used like the boot CPU's.
        internal static string Enable()
        {
            ulong b = Cpu.ReadMsr(MsrApicBase);
            if (LocalApic.IsX2Apic)
            {
                Cpu.WriteMsr(MsrApicBase, b | BaseEnable);
                Cpu.WriteMsr(MsrApicBase, b | BaseEnable | BaseX2Apic);
            }
            else
            {
                if ((b & 0x000FFFFFFFFFF000UL) != LocalApic.PhysicalBase) return "its xAPIC is at another address than the boot CPU's";
                // Left in x2APIC mode by the firmware: x2APIC -> xAPIC is an
                // illegal transition (#GP); it goes through disabled (SDM
                // vol. 3A 11.12.5, figure "Local x2APIC State Transitions").
                if ((b & BaseX2Apic) != 0) { b &= ~(BaseEnable | BaseX2Apic); Cpu.WriteMsr(MsrApicBase, b); }
                Cpu.WriteMsr(MsrApicBase, (b | BaseEnable) & ~BaseX2Apic);
            }
            LocalApic.Write(LocalApic.RegTpr, 0);
            LocalApic.Write(LocalApic.RegLvtTimer, LocalApic.LvtMasked);
            LocalApic.Write(LocalApic.RegLvtLint0, LocalApic.LvtMasked);
            LocalApic.Write(LocalApic.RegLvtLint1, LocalApic.LvtMasked);
            LocalApic.Write(LocalApic.RegLvtError, (uint)LocalApic.ErrorVector);
            LocalApic.Write(LocalApic.RegEsr, 0);
            LocalApic.Write(LocalApic.RegEsr, 0);
            LocalApic.Write(LocalApic.RegSvr, 0x100u | LocalApic.SpuriousVector);
            return null;
        }

        // The mode this CPU's local APIC runs in, from its IA32_APIC_BASE
        // (bit 10 EXTD set: x2APIC; SDM vol. 3A 11.12.1).
        internal static int CurrentMode()
        {
            return (Cpu.ReadMsr(MsrApicBase) & BaseX2Apic) != 0 ? CpuBlock.ApicModeX2 : CpuBlock.ApicModeX;
        }

        // This CPU's APIC timer rate in Hz, measured against the TSC over
        // `windowNs`: the timer counts down from its maximum in one-shot
        // mode (masked, divide by 1; SDM 11.5.4) while the TSC advances.
        // The TSC rate is the boot CPU's calibration: every CPU of a
        // machine with an invariant TSC (CPUID 80000007H:EDX[8]) runs its TSC
        // at the same constant rate, so one calibration serves all (QEMU
        // gives every vCPU the same TSC rate). The product below stays far
        // from 2^64: a few million counts times a TSC rate below 2^34.
        internal static long CalibrateTimer(long windowNs)
        {
            LocalApic.Write(LocalApic.RegDivide, 0xB);
            LocalApic.Write(LocalApic.RegLvtTimer, LocalApic.LvtMasked);
            LocalApic.Write(LocalApic.RegInitialCount, 0xFFFFFFFF);
            ulong window = Time.Clock.TscHz * (ulong)windowNs / 1000000000UL;
            ulong t0 = Cpu.ReadTsc();
            uint c0 = LocalApic.Read(LocalApic.RegCurrentCount);
            ulong t1 = t0;
            while (t1 - t0 < window) { Cpu.Pause(); t1 = Cpu.ReadTsc(); }
            t1 = Cpu.ReadTsc();
            uint c1 = LocalApic.Read(LocalApic.RegCurrentCount);
            LocalApic.Write(LocalApic.RegInitialCount, 0);
            if (t1 <= t0 || c1 >= c0) return 0;
            return (long)((ulong)(c0 - c1) * Time.Clock.TscHz / (t1 - t0));
        }

        // One one-shot of `count` APIC clocks on `vector` (divide by 1).
        internal static void ArmOneShot(int vector, uint count)
        {
            LocalApic.Write(LocalApic.RegDivide, 0xB);
            LocalApic.Write(LocalApic.RegLvtTimer, (uint)vector);
            LocalApic.Write(LocalApic.RegInitialCount, count);
        }

        internal static void StopTimer()
        {
            LocalApic.Write(LocalApic.RegInitialCount, 0);
            LocalApic.Write(LocalApic.RegLvtTimer, LocalApic.LvtMasked);
        }
    }
}
