namespace Osprey.Kernel.Acpi
{
    // ACPI table discovery (ACPI 6.5, chapter 5.2): the RSDP, the XSDT or
    // RSDT, and from their entries the MADT, HPET and FADT. Every table is
    // validated (readable, sane length, checksum) before a field of it is
    // used; every range is checked for wrapping past 2^64 before it is
    // handed to CanRead; every loop is bounded by a validated length or a
    // fixed count. Nothing is followed recursively, so cyclic or
    // self-referencing pointers cost at most one validation each.
    internal static class AcpiParser
    {
        internal const uint HeaderLength = 36;
        internal const uint MaxTableLength = 1 << 20;
        internal const uint MaxRsdpLength = 4096;
        internal const int MaxRootEntries = 256;
        // The architectural limit of physical addresses (MAXPHYADDR <= 52).
        internal const ulong PhysicalLimit = 1UL << 52;

        internal const ulong BdaEbdaSegment = 0x40E;
        internal const ulong BiosAreaStart = 0xE0000;
        internal const ulong BiosAreaLength = 0x20000;
        internal const ulong EbdaScanLength = 1024;

        internal static AcpiInfo Parse(AcpiMemory m, ulong rsdpHint)
        {
            AcpiInfo info = new AcpiInfo();
            ulong rsdp = 0;
            if (rsdpHint != 0)
            {
                string why = CheckRsdp(m, rsdpHint);
                if (why == null) rsdp = rsdpHint;
                else info.Warn("RSDP from the boot loader at " + AcpiInfo.Hex(rsdpHint) + " " + why + "; scanning the BIOS area");
            }
            if (rsdp == 0) rsdp = ScanBiosArea(m);
            if (rsdp == 0)
            {
                info.Error = rsdpHint != 0
                    ? "no valid RSDP: the boot loader's copy is invalid and none is in the EBDA or 0xE0000-0xFFFFF"
                    : "no RSDP in the EBDA or 0xE0000-0xFFFFF";
                return info;
            }
            info.Found = true;
            info.RsdpAddress = rsdp;
            info.Revision = m.Read8(rsdp + 15);
            info.OemId = Text(m, rsdp + 9, 6);
            ParseRoot(m, rsdp, info);
            return info;
        }

        // The RSDP: the boot loader's copy when valid, else the BIOS scan;
        // 0 when there is none.
        internal static ulong FindRsdp(AcpiMemory m, ulong hint)
        {
            if (hint != 0 && CheckRsdp(m, hint) == null) return hint;
            return ScanBiosArea(m);
        }

        // ACPI 5.2.5.1: the first KiB of the EBDA (real-mode segment at
        // 0x40E), then 0xE0000-0xFFFFF, on 16-byte boundaries.
        internal static ulong ScanBiosArea(AcpiMemory m)
        {
            if (m.CanRead(BdaEbdaSegment, 2))
            {
                ulong ebda = (ulong)m.Read16(BdaEbdaSegment) << 4;
                // Past the BIOS data area and wholly below 1 MiB, else junk.
                if (ebda >= 0x500 && ebda + EbdaScanLength <= 0x100000)
                {
                    ulong found = ScanRange(m, ebda, EbdaScanLength);
                    if (found != 0) return found;
                }
            }
            return ScanRange(m, BiosAreaStart, BiosAreaLength);
        }

        private static ulong ScanRange(AcpiMemory m, ulong start, ulong length)
        {
            for (ulong a = start; a < start + length; a += 16)
            {
                if (!m.CanRead(a, 8) || m.Read8(a) != (byte)'R') continue;
                if (CheckRsdp(m, a) == null) return a;
            }
            return 0;
        }

        // Null when a valid RSDP is at `a`, else what is wrong with it.
        internal static string CheckRsdp(AcpiMemory m, ulong a)
        {
            if (!AcpiMemory.Fits(a, 20)) return "wraps the address space";
            if (!m.CanRead(a, 20)) return "is not readable";
            if (!SignatureIs(m, a, "RSD PTR ")) return "has no 'RSD PTR ' signature";
            if (Sum(m, a, 20) != 0) return "fails its checksum";
            byte revision = m.Read8(a + 15);
            if (revision < 2) return null;
            string rev = "(revision " + revision + ") ";
            if (!AcpiMemory.Fits(a, 36) || !m.CanRead(a, 36)) return rev + "is not readable to 36 bytes";
            uint length = m.Read32(a + 20);
            if (length < 36 || length > MaxRsdpLength) return rev + "has length " + length;
            if (!AcpiMemory.Fits(a, length) || !m.CanRead(a, length)) return rev + "is not readable to its length " + length;
            if (Sum(m, a, length) != 0) return rev + "fails its extended checksum";
            return null;
        }

        // Null when a valid table (with signature `expected` unless null) is
        // at `a`: readable header, 36 <= length <= MaxTableLength, readable
        // to its length, bytes summing to zero.
        internal static string CheckTable(AcpiMemory m, ulong a, string expected)
        {
            if (!AcpiMemory.Fits(a, HeaderLength)) return "wraps the address space";
            if (!m.CanRead(a, HeaderLength)) return "is not readable";
            if (expected != null && !SignatureIs(m, a, expected))
                return "has signature '" + Signature(m, a) + "', not '" + expected + "'";
            uint length = m.Read32(a + 4);
            if (length < HeaderLength) return "has length " + length + " (< 36)";
            if (length > MaxTableLength) return "has length " + length + " (> 1 MiB)";
            if (!AcpiMemory.Fits(a, length)) return "wraps the address space";
            if (!m.CanRead(a, length)) return "is not readable to its length " + length;
            if (Sum(m, a, length) != 0) return "fails its checksum";
            return null;
        }

        private static void ParseRoot(AcpiMemory m, ulong rsdp, AcpiInfo info)
        {
            uint rsdtAddress = m.Read32(rsdp + 16);
            ulong xsdtAddress = info.Revision >= 2 ? m.Read64(rsdp + 24) : 0;
            ulong root = 0;
            if (info.Revision >= 2)
            {
                if (xsdtAddress == 0) info.Warn("RSDP revision " + info.Revision + " gives no XSDT address; using the RSDT");
                else
                {
                    string why = CheckTable(m, xsdtAddress, "XSDT");
                    if (why == null) { root = xsdtAddress; info.UsedXsdt = true; }
                    else info.Warn("XSDT at " + AcpiInfo.Hex(xsdtAddress) + " " + why + "; using the RSDT");
                }
            }
            if (root == 0)
            {
                if (rsdtAddress == 0) { info.Error = "no MADT: no usable root table (the RSDP gives no RSDT address)"; return; }
                string why = CheckTable(m, rsdtAddress, "RSDT");
                if (why != null) { info.Error = "no MADT: no usable root table (RSDT at " + AcpiInfo.Hex(rsdtAddress) + " " + why + ")"; return; }
                root = rsdtAddress;
            }
            info.RootTableAddress = root;

            string rootName = info.UsedXsdt ? "XSDT" : "RSDT";
            uint entrySize = info.UsedXsdt ? 8u : 4u;
            uint length = m.Read32(root + 4);
            uint count = (length - HeaderLength) / entrySize;
            uint rest = (length - HeaderLength) % entrySize;
            if (rest != 0) info.Warn(rootName + " length " + length + " leaves " + rest + " bytes after its last entry; ignored");
            if (count > MaxRootEntries)
            {
                info.Warn(rootName + " lists " + count + " entries; only the first " + MaxRootEntries + " are read");
                count = MaxRootEntries;
            }
            info.RootEntryCount = (int)count;

            ulong[] seen = new ulong[count];
            string madtProblem = null;
            for (uint i = 0; i < count; i++)
            {
                ulong at = root + HeaderLength + i * entrySize;
                ulong e = info.UsedXsdt ? m.Read64(at) : m.Read32(at);
                seen[i] = e;
                string name = rootName + " entry " + i;
                if (e == 0) { info.Warn(name + " is null; skipped"); continue; }
                int repeat = -1;
                for (uint j = 0; j < i && repeat < 0; j++) if (seen[j] == e) repeat = (int)j;
                if (repeat >= 0) { info.Warn(name + " repeats entry " + repeat + " (" + AcpiInfo.Hex(e) + "); skipped"); continue; }
                string why = CheckTable(m, e, null);
                if (why != null)
                {
                    info.Warn(name + " at " + AcpiInfo.Hex(e) + " " + why + "; skipped");
                    if (madtProblem == null && AcpiMemory.Fits(e, 4) && m.CanRead(e, 4) && SignatureIs(m, e, "APIC"))
                        madtProblem = "the APIC table at " + AcpiInfo.Hex(e) + " (" + name + ") " + why;
                    continue;
                }
                if (SignatureIs(m, e, "RSDT") || SignatureIs(m, e, "XSDT"))
                    info.Warn(name + " at " + AcpiInfo.Hex(e) + " is a root table (" + Signature(m, e) + "); skipped");
                else if (SignatureIs(m, e, "APIC"))
                {
                    if (info.MadtAddress == 0) MadtParser.Parse(m, e, info);
                    else info.Warn(name + " is a second MADT; ignored");
                }
                else if (SignatureIs(m, e, "HPET"))
                {
                    if (info.HpetTableAddress == 0) TimerTableParser.ParseHpet(m, e, info);
                }
                else if (SignatureIs(m, e, "FACP"))
                {
                    if (info.FadtAddress == 0) TimerTableParser.ParseFadt(m, e, info);
                    else info.Warn(name + " is a second FADT; ignored");
                }
            }
            if (info.MadtAddress == 0)
                info.Error = "no MADT: " + (madtProblem != null ? madtProblem : "none of the " + count + " " + rootName + " entries is an APIC table");
        }

        // --------------------------------------------------------- helpers --

        internal static bool SignatureIs(AcpiMemory m, ulong a, string signature)
        {
            for (int i = 0; i < signature.Length; i++) if (m.Read8(a + (ulong)i) != (byte)signature[i]) return false;
            return true;
        }

        // The four signature characters of the table at `a` (readable).
        internal static string Signature(AcpiMemory m, ulong a) { return Text(m, a, 4); }

        // `n` bytes as text: printable ASCII as is, NUL as a space, others '?'.
        internal static string Text(AcpiMemory m, ulong a, int n)
        {
            char[] c = new char[n];
            for (int i = 0; i < n; i++)
            {
                byte b = m.Read8(a + (ulong)i);
                c[i] = b == 0 ? ' ' : b >= 0x20 && b < 0x7F ? (char)b : '?';
            }
            return new string(c, 0, n);
        }

        internal static byte Sum(AcpiMemory m, ulong a, ulong length)
        {
            byte s = 0;
            for (ulong i = 0; i < length; i++) s += m.Read8(a + i);
            return s;
        }
    }
}
