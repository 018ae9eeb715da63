namespace Osprey.Kernel.Acpi
{
    // The Multiple APIC Description Table (ACPI 6.5, 5.2.12): the local
    // APIC address and flags at offsets 36 and 40, then entries of
    // (type, length, ...) to the table's end. The table itself has been
    // validated (readable to its length, checksum) before Parse is called.
    internal static class MadtParser
    {
        internal const uint FixedLength = 44;

        private const byte TypeLocalApic = 0, TypeIoApic = 1, TypeOverride = 2, TypeLocalApicNmi = 4,
            TypeLocalApicAddress = 5, TypeLocalX2Apic = 9, TypeLocalX2ApicNmi = 10;

        internal static void Parse(AcpiMemory m, ulong a, AcpiInfo info)
        {
            uint length = m.Read32(a + 4);
            info.MadtAddress = a;
            if (length < FixedLength)
            {
                info.Error = "MADT is " + length + " bytes, too short for its fixed fields (44)";
                return;
            }
            info.LocalApicAddress = m.Read32(a + 36);
            info.MadtFlags = m.Read32(a + 40);
            info.HasLegacyPics = (info.MadtFlags & 1) != 0;

            // Each step advances by an entry length of at least 2 that
            // stays inside the table, so the walk ends.
            uint off = FixedLength;
            while (off < length)
            {
                if (length - off < 2)
                {
                    info.Error = "MADT entry at offset " + off + " is cut off by the table end (" + length + "); walk stopped";
                    break;
                }
                byte type = m.Read8(a + off);
                byte entryLength = m.Read8(a + off + 1);
                if (entryLength < 2)
                {
                    info.Error = "MADT entry at offset " + off + " (type " + type + ") has length " + entryLength + "; walk stopped";
                    break;
                }
                if (entryLength > length - off)
                {
                    info.Error = "MADT entry at offset " + off + " (type " + type + ", length " + entryLength +
                        ") runs past the table end (" + length + "); walk stopped";
                    break;
                }
                Entry(m, a + off, type, entryLength, off, info);
                off += entryLength;
            }
            if (info.Error != null) return;
            if (info.LocalApicAddress == 0) info.Error = "MADT gives no local APIC address";
            else if (info.EnabledCpuCount == 0) info.Error = "MADT lists no enabled processor";
            else if (info.IoApicCount == 0) info.Warn("MADT lists no I/O APIC");
        }

        private static void Entry(AcpiMemory m, ulong e, byte type, byte length, uint off, AcpiInfo info)
        {
            uint need = MinimumLength(type);
            if (length < need)
            {
                info.Warn("MADT type " + type + " entry at offset " + off + " has length " + length + ", less than " + need + "; skipped");
                return;
            }
            switch (type)
            {
                case TypeLocalApic:
                {
                    byte apicId = m.Read8(e + 3);
                    if (apicId == 0xFF) { info.Warn("MADT local APIC entry at offset " + off + " has APIC id 255 (invalid); skipped"); return; }
                    AddCpu(info, apicId, m.Read8(e + 2), m.Read32(e + 4), false);
                    break;
                }
                case TypeLocalX2Apic:
                {
                    uint apicId = m.Read32(e + 4);
                    if (apicId == 0xFFFFFFFF) { info.Warn("MADT x2APIC entry at offset " + off + " has id 0xFFFFFFFF (invalid); skipped"); return; }
                    AddCpu(info, apicId, m.Read32(e + 12), m.Read32(e + 8), true);
                    break;
                }
                case TypeIoApic:
                    AddIoApic(info, m.Read8(e + 2), m.Read32(e + 4), m.Read32(e + 8));
                    break;
                case TypeOverride:
                    AddOverride(info, m.Read8(e + 2), m.Read8(e + 3), m.Read32(e + 4), m.Read16(e + 8));
                    break;
                case TypeLocalApicNmi:
                {
                    byte processor = m.Read8(e + 2);
                    RecordNmi(info, processor == 0xFF ? 0xFFFFFFFF : processor, m.Read16(e + 3), m.Read8(e + 5), off);
                    break;
                }
                case TypeLocalX2ApicNmi:
                    RecordNmi(info, m.Read32(e + 4), m.Read16(e + 2), m.Read8(e + 8), off);
                    break;
                case TypeLocalApicAddress:
                {
                    ulong address = m.Read64(e + 4);
                    if (address == 0 || (address & 0xFFF) != 0 || address >= AcpiParser.PhysicalLimit)
                        info.Warn("MADT local APIC address override " + AcpiInfo.Hex(address) + " is not a usable page address; ignored");
                    else info.LocalApicAddress = address;
                    break;
                }
                default:
                    break;   // other controllers (SAPIC, GIC, ...): skipped by their length
            }
        }

        // The shortest length the ACPI specification gives each known type;
        // unknown types need only the two-byte header.
        internal static uint MinimumLength(byte type)
        {
            switch (type)
            {
                case TypeLocalApic: return 8;
                case TypeIoApic: return 12;
                case TypeOverride: return 10;
                case TypeLocalApicNmi: return 6;
                case TypeLocalApicAddress: return 12;
                case TypeLocalX2Apic: return 16;
                case TypeLocalX2ApicNmi: return 12;
                default: return 2;
            }
        }

        private static void AddCpu(AcpiInfo info, uint apicId, uint acpiId, uint flags, bool x2)
        {
            bool enabled = (flags & 1) != 0;
            bool onlineCapable = (flags & 2) != 0;
            for (int i = 0; i < info.CpuCount; i++)
            {
                if (info.Cpus[i].ApicId != apicId) continue;
                if (enabled && !info.Cpus[i].Enabled)
                {
                    // A disabled placeholder and an enabled entry for one id:
                    // the enabled one describes the processor.
                    Set(ref info.Cpus[i], apicId, acpiId, true, onlineCapable, x2);
                    info.EnabledCpuCount++;
                }
                info.Warn("MADT lists APIC id " + apicId + " twice; one entry kept");
                return;
            }
            if (info.CpuCount < AcpiInfo.MaxCpus)
            {
                Set(ref info.Cpus[info.CpuCount++], apicId, acpiId, enabled, onlineCapable, x2);
                if (enabled) info.EnabledCpuCount++;
                return;
            }
            // Full. An enabled processor takes the slot of a disabled one, so
            // lists padded with disabled entries cannot crowd out real CPUs.
            info.CpusDropped++;
            if (info.CpusDropped == 1) info.Warn("MADT lists more than " + AcpiInfo.MaxCpus + " processors; the list is truncated");
            if (!enabled) return;
            for (int i = 0; i < info.CpuCount; i++)
            {
                if (info.Cpus[i].Enabled) continue;
                Set(ref info.Cpus[i], apicId, acpiId, true, onlineCapable, x2);
                info.EnabledCpuCount++;
                return;
            }
        }

        private static void Set(ref AcpiCpu c, uint apicId, uint acpiId, bool enabled, bool onlineCapable, bool x2)
        {
            c.ApicId = apicId;
            c.AcpiId = acpiId;
            c.Enabled = enabled;
            c.OnlineCapable = onlineCapable;
            c.IsX2Apic = x2;
        }

        private static void AddIoApic(AcpiInfo info, byte id, uint address, uint gsiBase)
        {
            if (address == 0) { info.Warn("MADT I/O APIC " + id + " has address 0; skipped"); return; }
            if (info.IoApicCount >= AcpiInfo.MaxIoApics)
            {
                info.IoApicsDropped++;
                if (info.IoApicsDropped == 1) info.Warn("MADT lists more than " + AcpiInfo.MaxIoApics + " I/O APICs; the list is truncated");
                return;
            }
            AcpiIoApic io;
            io.Id = id;
            io.Address = address;
            io.GsiBase = gsiBase;
            info.IoApics[info.IoApicCount++] = io;
        }

        // MPS INTI flags: polarity bits 0-1 (00 bus default, 01 high, 11
        // low), trigger bits 2-3 (00 bus default, 01 edge, 11 level). The
        // ISA bus default is active high, edge; the reserved 10 is read as
        // the default too, with a warning.
        private static void AddOverride(AcpiInfo info, byte bus, byte source, uint gsi, ushort flags)
        {
            if (bus != 0) { info.Warn("MADT override for IRQ " + source + " names bus " + bus + ", not ISA; ignored"); return; }
            for (int i = 0; i < info.OverrideCount; i++)
            {
                if (info.Overrides[i].SourceIrq != source) continue;
                info.Warn("MADT overrides IRQ " + source + " twice; the first entry (GSI " + info.Overrides[i].Gsi + ") kept");
                return;
            }
            if (info.OverrideCount >= AcpiInfo.MaxOverrides)
            {
                info.OverridesDropped++;
                if (info.OverridesDropped == 1) info.Warn("MADT lists more than " + AcpiInfo.MaxOverrides + " interrupt source overrides; the list is truncated");
                return;
            }
            int polarity = flags & 3, trigger = (flags >> 2) & 3;
            if (polarity == 2 || trigger == 2)
                info.Warn("MADT override for IRQ " + source + " has reserved flags " + AcpiInfo.Hex(flags) + "; ISA defaults used for them");
            AcpiOverride o;
            o.Bus = bus;
            o.SourceIrq = source;
            o.Gsi = gsi;
            o.Flags = flags;
            o.ActiveLow = polarity == 3;
            o.LevelTriggered = trigger == 3;
            info.Overrides[info.OverrideCount++] = o;
        }

        private static void RecordNmi(AcpiInfo info, uint processor, ushort flags, byte lint, uint off)
        {
            if (lint > 1) { info.Warn("MADT local APIC NMI entry at offset " + off + " names LINT" + lint + "; ignored"); return; }
            if (info.NmiLint >= 0) return;   // the first entry is kept (firmware repeats it per processor)
            info.NmiLint = lint;
            info.NmiAcpiId = processor;
            info.NmiFlags = flags;
        }
    }
}
