using Osprey.Kernel.Memory;

namespace Osprey.Kernel.Arch
{
    // This CPU's local APIC (Intel SDM vol. 3A, chapter "Advanced
    // Programmable Interrupt Controller (APIC)"): xAPIC through its 4 KiB
    // MMIO page, or x2APIC through MSRs 0x800 + offset/16 when CPUID offers
    // it (section "x2APIC Register Address Space"). The base address comes
    // from the IA32_APIC_BASE MSR (section "Local APIC Status and Location");
    // the MADT's copy is only a cross-check.
    internal static unsafe class LocalApic
    {
        // Register offsets in the xAPIC page (table "Local APIC Register Address Map").
        internal const uint RegId = 0x20, RegVersion = 0x30, RegTpr = 0x80, RegEoi = 0xB0, RegSvr = 0xF0,
            RegEsr = 0x280, RegIcrLow = 0x300, RegIcrHigh = 0x310, RegLvtTimer = 0x320, RegLvtLint0 = 0x350,
            RegLvtLint1 = 0x360, RegLvtError = 0x370, RegInitialCount = 0x380, RegCurrentCount = 0x390, RegDivide = 0x3E0;
        internal const uint LvtMasked = 1u << 16;
        internal const int SpuriousVector = 0xFF, ErrorVector = 0xFE;

        private const uint MsrApicBase = 0x1B;
        private const ulong BaseEnable = 1UL << 11, BaseX2Apic = 1UL << 10;

        private static ulong mmio;
        private static bool x2;

        internal static bool Enabled;
        internal static bool IsX2Apic { get { return x2; } }
        internal static ulong PhysicalBase;
        internal static long ErrorInterrupts;

        // Enables the APIC in software (SVR) with every local interrupt
        // masked except the error vector; the 8259s stay masked.
        internal static void Initialize(bool allowX2Apic)
        {
            ulong b = Cpu.ReadMsr(MsrApicBase);
            PhysicalBase = b & 0x000FFFFFFFFFF000UL;
            if (allowX2Apic && CpuFeatures.X2Apic)
            {
                // xAPIC -> x2APIC needs EN before EXTD (section "x2APIC State Transitions").
                Cpu.WriteMsr(MsrApicBase, b | BaseEnable);
                Cpu.WriteMsr(MsrApicBase, b | BaseEnable | BaseX2Apic);
                x2 = true;
                Cpu.CurrentBlock()->ApicMode = CpuBlock.ApicModeX2;
            }
            else
            {
                // x2APIC -> xAPIC goes through disabled (section "x2APIC
                // State Transitions": the direct write raises #GP).
                if ((b & BaseX2Apic) != 0) { b &= ~(BaseEnable | BaseX2Apic); Cpu.WriteMsr(MsrApicBase, b); }
                Cpu.WriteMsr(MsrApicBase, (b | BaseEnable) & ~BaseX2Apic);
                Paging.MapDevice(PhysicalBase, 4096);
                mmio = PhysicalBase;
                Cpu.CurrentBlock()->ApicMode = CpuBlock.ApicModeX;
            }
            Write(RegTpr, 0);                                   // accept every priority class
            Write(RegLvtTimer, LvtMasked);
            Write(RegLvtLint0, LvtMasked);                       // ExtINT from the 8259s: not used
            Write(RegLvtError, (uint)ErrorVector);
            Write(RegEsr, 0);                                    // arm, then clear, the error status
            Write(RegEsr, 0);
            Write(RegSvr, 0x100u | SpuriousVector);             // bit 8: APIC software enable
            Enabled = true;
            // The boot CPU's block gets its APIC id here (IPIs to it, TLB shootdowns).
            Cpu.CurrentBlock()->ApicId = Id;
        }

        internal static uint Id
        {
            get { uint v = Read(RegId); return x2 ? v : v >> 24; }
        }

        internal static uint Read(uint reg)
        {
            if (x2) return (uint)Cpu.ReadMsr(0x800 + (reg >> 4));
            return Cpu.MmioRead32(mmio + reg);
        }

        internal static void Write(uint reg, uint value)
        {
            if (x2) Cpu.WriteMsr(0x800 + (reg >> 4), value);
            else Cpu.MmioWrite32(mmio + reg, value);
        }

        // End of interrupt for the in-service vector (section "EOI Register").
        internal static void EndOfInterrupt()
        {
            if (x2) Cpu.WriteMsr(0x80B, 0);
            else Cpu.MmioWrite32(mmio + RegEoi, 0);
        }

        // A fixed interrupt to this CPU (ICR destination shorthand "self",
        // section "Interrupt Command Register"; x2APIC: the SELF IPI MSR).
        internal static void SendSelf(int vector)
        {
            if (x2) { Cpu.WriteMsrFenced(0x83F, (uint)vector); return; }
            Write(RegIcrHigh, 0);
            Write(RegIcrLow, (1u << 18) | (uint)vector);
        }

        // Interrupt Command Register (Intel SDM vol. 3A 12.6.1, figure 12-12;
        // x2APIC: one 64-bit MSR 0x830, 12.12.9, destination in bits
        // 63:32). Fixed delivery (000b), physical destination, edge, level
        // "assert" (bit 14, required set for fixed IPIs); bits 19:18 the
        // destination shorthand.
        private const uint IcrAssert = 1u << 14, IcrPending = 1u << 12;
        internal const uint ShorthandNone = 0, ShorthandSelf = 1u << 18, ShorthandAllButSelf = 3u << 18;
        private const uint MsrIcr = 0x830;

        // A fixed IPI with `vector` to apicId (shorthand none) or by the
        // shorthand; waits (xAPIC) until the APIC has sent it (delivery
        // status, bit 12, idle again), bounded.
        internal static bool SendIcr(uint apicId, int vector, uint shorthand, out string error)
        {
            error = null;
            if (vector < 32 || vector > 255) { error = "IPI vector " + vector + " outside 32..255"; return false; }
            uint low = (uint)vector | IcrAssert | shorthand;
            if (x2)
            {
                // x2APIC: a single 64-bit write of MSR 830H sends it, the
                // 32-bit x2APIC id in bits 63:32, the low word as in xAPIC
                // mode (SDM 11.12.9); there is no delivery status (bit 12
                // is reserved) and no ICR high register. Fenced: the
                // handler may read what this CPU stored just before
                // (11.12.3: the WRMSR may pass earlier stores otherwise).
                Cpu.WriteMsrFenced(MsrIcr, ((ulong)apicId << 32) | low);
                return true;
            }
            if (apicId > 255) { error = "xAPIC destination " + apicId + " above 255"; return false; }
            // Interrupts off across the two writes: a handler on this CPU
            // sending its own IPI between them would send this one to its
            // destination.
            ulong flags = Cpu.SaveFlagsAndDisable();
            Write(RegIcrHigh, apicId << 24);
            Write(RegIcrLow, low);
            for (int spin = 0; spin < 1000000; spin++)
            {
                if ((Read(RegIcrLow) & IcrPending) == 0) { Cpu.RestoreFlags(flags); return true; }
                Cpu.Pause();
            }
            Cpu.RestoreFlags(flags);
            error = "the local APIC never finished sending the IPI (ICR delivery status stayed pending)";
            return false;
        }

        internal static bool SendFixed(uint apicId, int vector, out string error) { return SendIcr(apicId, vector, ShorthandNone, out error); }
        internal static bool SendAllButSelf(int vector, out string error) { return SendIcr(0, vector, ShorthandAllButSelf, out error); }

        // Reads and clears the error status register.
        internal static uint ReadError()
        {
            Write(RegEsr, 0);
            return Read(RegEsr);
        }
    }

    // The error vector: logs the ESR bits and acknowledges.
    internal sealed unsafe class ApicErrorHandler : InterruptHandler
    {

        internal override void Handle(InterruptFrame* frame)
        {
            LocalApic.ErrorInterrupts++;
            uint e = LocalApic.ReadError();
            Log.Write("osprey: local APIC error, ESR "); Log.Hex(e, 8); Log.WriteLine("");
            LocalApic.EndOfInterrupt();
        }
    }
}
