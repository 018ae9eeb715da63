namespace Osprey.Kernel.Acpi
{
    // The timer-related fields of the HPET table (IA-PC HPET specification
    // 1.0a, 3.2.4) and of the FADT (ACPI 6.5, 5.2.9). Both tables have been
    // validated before; every field is read only when the table's own
    // length covers it (FADTs of ACPI 1.0 are 116 bytes, of 2.0+ 244 and
    // more).
    internal static class TimerTableParser
    {
        internal const uint HpetLength = 56;
        internal const ulong HpetRegisterBlock = 1024;

        internal static void ParseHpet(AcpiMemory m, ulong a, AcpiInfo info)
        {
            uint length = m.Read32(a + 4);
            info.HpetTableAddress = a;
            if (length < HpetLength) { info.Warn("HPET table is " + length + " bytes, less than 56; no HPET"); return; }
            // Generic Address Structure at 40: space id, bit width, bit
            // offset, access size, 64-bit address.
            byte space = m.Read8(a + 40);
            ulong address = m.Read64(a + 44);
            if (space != 0) { info.Warn("HPET registers are in address space " + space + ", not system memory; no HPET"); return; }
            if (address == 0) { info.Warn("HPET base address is 0; no HPET"); return; }
            if (address > AcpiParser.PhysicalLimit - HpetRegisterBlock)
            {
                info.Warn("HPET base address " + AcpiInfo.Hex(address) + " lies beyond the physical address space; no HPET");
                return;
            }
            info.HpetAddress = address;
            info.HpetBlockId = m.Read32(a + 36);
            info.HpetNumber = m.Read8(a + 52);
            info.HpetMinTick = m.Read16(a + 53);
        }

        private const uint FlagTimerValueExtended = 1 << 8, FlagHardwareReduced = 1 << 20;
        private const byte SpaceSystemIo = 1;

        internal static void ParseFadt(AcpiMemory m, ulong a, AcpiInfo info)
        {
            uint length = m.Read32(a + 4);
            info.FadtAddress = a;
            info.FadtRevision = m.Read8(a + 8);
            info.Has8042 = true;          // the IA-PC defaults when the table does not say
            info.LegacyDevices = true;
            uint flags = 0;
            if (length >= 116)
            {
                flags = m.Read32(a + 112);
                info.FadtFlags = flags;
            }
            // IAPC_BOOT_ARCH (offset 109) was reserved in ACPI 1.0 (FADT revision 1).
            if (info.FadtRevision >= 2 && length >= 111)
            {
                info.BootArchValid = true;
                info.BootArchFlags = m.Read16(a + 109);
                info.LegacyDevices = (info.BootArchFlags & 1) != 0;
                info.Has8042 = (info.BootArchFlags & 2) != 0;
            }
            if ((flags & FlagHardwareReduced) != 0) return;   // no fixed hardware: no PM timer

            ulong port = 0;
            if (length >= 80) port = m.Read32(a + 76);                        // PM_TMR_BLK
            else info.Warn("FADT is " + length + " bytes, too short for PM_TMR_BLK (80); no PM timer");
            if (length >= 220)
            {
                // X_PM_TMR_BLK, a Generic Address Structure at 208; it takes
                // precedence when its address is nonzero.
                byte space = m.Read8(a + 208);
                ulong x = m.Read64(a + 212);
                if (x != 0)
                {
                    if (space == SpaceSystemIo && x <= 0xFFFF) port = x;
                    else if (space != SpaceSystemIo)
                        info.Warn("FADT X_PM_TMR_BLK is in address space " + space + ", not I/O; " + (port != 0 ? "PM_TMR_BLK used" : "no PM timer"));
                    else
                        info.Warn("FADT X_PM_TMR_BLK port " + AcpiInfo.Hex(x) + " is beyond 0xFFFF; " + (port != 0 ? "PM_TMR_BLK used" : "no PM timer"));
                }
            }
            if (port > 0xFFFF) { info.Warn("FADT PM_TMR_BLK port " + AcpiInfo.Hex(port) + " is beyond 0xFFFF; no PM timer"); port = 0; }
            if (port != 0 && length >= 92)
            {
                byte timerLength = m.Read8(a + 91);                            // PM_TMR_LEN
                if (timerLength == 0) { info.Warn("FADT PM_TMR_LEN is 0 (no PM timer) though PM_TMR_BLK is " + AcpiInfo.Hex(port)); port = 0; }
                else if (timerLength != 4) info.Warn("FADT PM_TMR_LEN is " + timerLength + ", not 4");
            }
            info.PmTimerPort = (ushort)port;
            info.PmTimer32Bit = port != 0 && (flags & FlagTimerValueExtended) != 0;
        }
    }
}
