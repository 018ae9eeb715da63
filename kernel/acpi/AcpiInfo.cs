namespace Osprey.Kernel.Acpi
{
    // One processor from the MADT (type 0 local APIC or type 9 local x2APIC).
    internal struct AcpiCpu
    {
        internal uint ApicId;
        internal uint AcpiId;          // ACPI processor id (type 0) or UID (type 9)
        internal bool Enabled;         // flags bit 0: usable now
        internal bool OnlineCapable;   // flags bit 1: may be brought online later
        internal bool IsX2Apic;
    }

    // One I/O APIC (MADT type 1).
    internal struct AcpiIoApic
    {
        internal byte Id;
        internal uint Address;
        internal uint GsiBase;
    }

    // An interrupt source override (MADT type 2): ISA IRQ SourceIrq arrives
    // on global system interrupt Gsi. ActiveLow and LevelTriggered are the
    // decoded MPS flags, "conforms to the bus" already resolved to the ISA
    // defaults (active high, edge).
    internal struct AcpiOverride
    {
        internal byte Bus;
        internal byte SourceIrq;
        internal uint Gsi;
        internal ushort Flags;
        internal bool ActiveLow;
        internal bool LevelTriggered;
    }

    // What ACPI discovery found. Found is false when no valid RSDP exists;
    // Error is null only when a usable MADT was parsed (the interrupt
    // controllers can be trusted), otherwise it says why, and the kernel
    // falls back to the 8259 PICs. HPET and PM timer data are filled in
    // whenever their tables are valid, MADT or not.
    internal sealed class AcpiInfo
    {
        internal const int MaxCpus = 64;
        internal const int MaxIoApics = 8;
        internal const int MaxOverrides = 32;
        internal const int MaxWarnings = 16;

        internal bool Found;
        internal int Revision;                 // RSDP revision: 0 (ACPI 1.0) or 2+
        internal string OemId = "";            // the RSDP's six OEM characters
        internal bool UsedXsdt;
        internal string Error;

        internal string[] Warnings = new string[MaxWarnings];
        internal int WarningCount;
        internal int WarningsDropped;          // warnings beyond MaxWarnings

        // Where things were found (0 = not found).
        internal ulong RsdpAddress;
        internal ulong RootTableAddress;       // the XSDT or RSDT used
        internal int RootEntryCount;
        internal ulong MadtAddress;
        internal ulong HpetTableAddress;
        internal ulong FadtAddress;

        // MADT.
        internal ulong LocalApicAddress;
        internal uint MadtFlags;
        internal bool HasLegacyPics;           // MADT flags bit 0, PCAT_COMPAT
        internal AcpiCpu[] Cpus = new AcpiCpu[MaxCpus];
        internal int CpuCount;
        internal int EnabledCpuCount;
        internal int CpusDropped;              // processor entries beyond MaxCpus
        internal AcpiIoApic[] IoApics = new AcpiIoApic[MaxIoApics];
        internal int IoApicCount;
        internal int IoApicsDropped;
        internal AcpiOverride[] Overrides = new AcpiOverride[MaxOverrides];
        internal int OverrideCount;
        internal int OverridesDropped;
        internal int NmiLint = -1;             // LINT pin (0 or 1) of the local APIC NMI, -1 none
        internal uint NmiAcpiId;               // processor it applies to, 0xFFFFFFFF: all
        internal ushort NmiFlags;

        // HPET.
        internal ulong HpetAddress;            // 0 = none
        internal byte HpetNumber;
        internal ushort HpetMinTick;
        internal uint HpetBlockId;             // event timer block id (hardware id of the first block)

        // FADT.
        internal int FadtRevision;
        internal ushort PmTimerPort;           // 0 = none
        internal bool PmTimer32Bit;            // flags bit 8, TMR_VAL_EXT
        internal uint FadtFlags;
        internal bool BootArchValid;           // IAPC_BOOT_ARCH present (FADT revision >= 2, long enough)
        internal ushort BootArchFlags;
        internal bool Has8042;                 // IAPC_BOOT_ARCH bit 1; assumed true when not given
        internal bool LegacyDevices;           // IAPC_BOOT_ARCH bit 0; assumed true when not given

        internal void Warn(string text)
        {
            if (WarningCount < MaxWarnings) Warnings[WarningCount++] = text;
            else WarningsDropped++;
        }

        // ISA IRQ `irq` (0..15) as a global system interrupt: the override
        // when there is one, else the same number, active high, edge.
        internal uint IsaIrqToGsi(int irq, out bool activeLow, out bool level)
        {
            activeLow = false;
            level = false;
            if (irq < 0) return 0xFFFFFFFF;
            for (int i = 0; i < OverrideCount; i++)
            {
                if (Overrides[i].SourceIrq != irq) continue;
                activeLow = Overrides[i].ActiveLow;
                level = Overrides[i].LevelTriggered;
                return Overrides[i].Gsi;
            }
            return (uint)irq;
        }

        // The I/O APIC whose inputs start at the highest GsiBase not above
        // `gsi`, or -1. (The number of inputs needs the chip's own register.)
        internal int IoApicFor(uint gsi)
        {
            int best = -1;
            for (int i = 0; i < IoApicCount; i++)
                if (IoApics[i].GsiBase <= gsi && (best < 0 || IoApics[i].GsiBase > IoApics[best].GsiBase)) best = i;
            return best;
        }

        // One line: "rev 2 XSDT, 1 cpu (1 enabled), ioapic 0 at 0xFEC00000
        // gsi 0, 1 overrides (irq0->gsi2), hpet at 0xFED00000, pm timer port
        // 0x608 24-bit", and ", error: ..." when the MADT is unusable.
        internal string Summary()
        {
            if (!Found) return Error == null ? "not found" : Error;
            string s = "rev " + Revision + (UsedXsdt ? " XSDT" : " RSDT");
            if (MadtAddress != 0)
            {
                s = s + ", " + CpuCount + (CpuCount == 1 ? " cpu (" : " cpus (") + EnabledCpuCount + " enabled)";
                if (IoApicCount == 0) s = s + ", no ioapic";
                for (int i = 0; i < IoApicCount; i++)
                    s = s + ", ioapic " + IoApics[i].Id + " at " + Hex(IoApics[i].Address) + " gsi " + IoApics[i].GsiBase;
                s = s + ", " + OverrideCount + " overrides";
                if (OverrideCount > 0)
                {
                    s = s + " (";
                    for (int i = 0; i < OverrideCount; i++)
                    {
                        if (i > 0) s = s + ", ";
                        s = s + "irq" + Overrides[i].SourceIrq + "->gsi" + Overrides[i].Gsi;
                        if (Overrides[i].ActiveLow) s = s + " low";
                        if (Overrides[i].LevelTriggered) s = s + " level";
                    }
                    s = s + ")";
                }
            }
            s = s + (HpetAddress != 0 ? ", hpet at " + Hex(HpetAddress) : ", no hpet");
            if (PmTimerPort != 0) s = s + ", pm timer port " + Hex(PmTimerPort) + (PmTimer32Bit ? " 32-bit" : " 24-bit");
            else s = s + ", no pm timer";
            if (Error != null) s = s + ", error: " + Error;
            return s;
        }

        // "0x" and upper-case digits without leading zeros.
        internal static string Hex(ulong v)
        {
            char[] c = new char[18];
            int i = 18;
            do { int d = (int)(v & 15); c[--i] = (char)(d < 10 ? '0' + d : 'A' + d - 10); v >>= 4; } while (v != 0);
            c[--i] = 'x';
            c[--i] = '0';
            return new string(c, i, 18 - i);
        }
    }
}
