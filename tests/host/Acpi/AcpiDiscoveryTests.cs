using NUnit.Framework;
using Osprey.Kernel.Acpi;

namespace Osprey.Tests.Acpi
{
    // RSDP validation and the BIOS-area scan; XSDT/RSDT choice and entries.
    [TestFixture]
    public class AcpiDiscoveryTests : AcpiTestBase
    {
        const ulong Ebda = 0x9FC00;

        // An RSDP in the BIOS area (0xE0000-0xFFFFF), the rest of which
        // is readable zeros, as on a PC.
        void BiosAreaRsdp(ulong at, byte revision = 2)
        {
            w.Memory.Fill(0xE0000, 0x20000, 0);
            w.Rsdp(at, revision);
        }

        void SetEbdaSegment(ushort segment) { w.Memory.Poke16(0x40E, segment); }

        // ------------------------------------------------------------ RSDP --

        [Test]
        public void ValidRevision2HintUsesXsdt()
        {
            var a = w.Parse();
            Assert.That(a.Found, Is.True);
            Assert.That(a.RsdpAddress, Is.EqualTo(AcpiWorld.Hint));
            Assert.That(a.Revision, Is.EqualTo(2));
            Assert.That(a.OemId, Is.EqualTo("OSPREY"));
            Assert.That(a.UsedXsdt, Is.True);
            Assert.That(a.RootTableAddress, Is.EqualTo(AcpiWorld.Xsdt));
            Assert.That(a.RootEntryCount, Is.EqualTo(3));
            Assert.That(a.MadtAddress, Is.EqualTo(AcpiWorld.Madt));
            Assert.That(a.HpetTableAddress, Is.EqualTo(AcpiWorld.Hpet));
            Assert.That(a.FadtAddress, Is.EqualTo(AcpiWorld.Fadt));
            AssertStandardMadt(a);
            AssertNoWarnings(a);
        }

        [Test]
        public void Revision0HintUsesRsdt()
        {
            w = new AcpiWorld(0);
            var a = w.Parse();
            Assert.That(a.Found, Is.True);
            Assert.That(a.Revision, Is.EqualTo(0));
            Assert.That(a.UsedXsdt, Is.False);
            Assert.That(a.RootTableAddress, Is.EqualTo(AcpiWorld.Rsdt));
            AssertStandardMadt(a);
            AssertNoWarnings(a);
            Assert.That(w.Memory.LargestRequest, Is.LessThan(1000), "a revision 0 RSDP is read as 20 bytes, no XSDT");
        }

        [Test]
        public void Revision0RsdpIgnoresTheXsdtFieldBytes()
        {
            // Bytes after a 20-byte RSDP are not part of it: junk there
            // (a "revision 2" length or XSDT pointer) must not be used.
            w = new AcpiWorld(0);
            w.Memory.Poke32(AcpiWorld.Hint + 20, 36);
            w.Memory.Poke64(AcpiWorld.Hint + 24, AcpiWorld.Xsdt);
            var a = w.Parse();
            Assert.That(a.UsedXsdt, Is.False);
            AssertNoWarnings(a);
        }

        [TestCase(0, (byte)'X', "has no 'RSD PTR ' signature")]
        [TestCase(8, 0x55, "fails its checksum")]
        [TestCase(12, 0x01, "fails its checksum")]
        [TestCase(32, 0x01, "fails its extended checksum")]
        [TestCase(35, 0x01, "fails its extended checksum")]
        public void BrokenHintIsReportedAndTheBiosAreaScanned(int offset, byte value, string reason)
        {
            BiosAreaRsdp(0xF5A00);
            w.Memory.Poke(AcpiWorld.Hint + (ulong)offset, value);
            var a = w.Parse();
            Assert.That(a.Found, Is.True);
            Assert.That(a.RsdpAddress, Is.EqualTo(0xF5A00UL));
            AssertWarning(a, "RSDP from the boot loader at 0x10000", reason, "scanning the BIOS area");
            AssertStandardMadt(a);
        }

        [TestCase(20u, "has length 20")]
        [TestCase(35u, "has length 35")]
        [TestCase(5000u, "has length 5000")]
        [TestCase(0xFFFFFFFFu, "has length 4294967295")]
        public void Revision2LengthOutOfBoundsIsRejected(uint length, string reason)
        {
            w.Memory.Poke32(AcpiWorld.Hint + 20, length);
            w.Memory.FixChecksum(AcpiWorld.Hint, 36, AcpiWorld.Hint + 32);
            var a = w.Parse();
            Assert.That(a.Found, Is.False);
            Assert.That(a.Error, Does.StartWith("no valid RSDP"));
            AssertWarning(a, reason);
        }

        [Test]
        public void Revision2LengthPastReadableMemoryIsRejected()
        {
            w.Memory.Poke32(AcpiWorld.Hint + 20, 40);   // 4 bytes more than were written
            w.Memory.FixChecksum(AcpiWorld.Hint, 36, AcpiWorld.Hint + 32);
            var a = w.Parse();
            Assert.That(a.Found, Is.False);
            AssertWarning(a, "not readable to its length 40");
        }

        [Test]
        public void Revision2WithLongerLengthAndValidExtendedChecksumIsAccepted()
        {
            w.Memory.Fill(AcpiWorld.Hint + 36, 12, 0xA5);
            w.Memory.Poke32(AcpiWorld.Hint + 20, 48);
            w.Memory.FixChecksum(AcpiWorld.Hint, 48, AcpiWorld.Hint + 32);
            var a = w.Parse();
            Assert.That(a.RsdpAddress, Is.EqualTo(AcpiWorld.Hint));
            AssertNoWarnings(a);
        }

        [Test]
        public void UnreadableHintIsReported()
        {
            var a = w.Parse(0x5000000);
            Assert.That(a.Found, Is.False);
            Assert.That(a.Error, Does.StartWith("no valid RSDP"));
            AssertWarning(a, "0x5000000", "is not readable");
        }

        [TestCase(0xFFFFFFFFFFFFFFF0UL)]
        [TestCase(0xFFFFFFFFFFFFFFFFUL)]
        public void HintNearTheTopOfTheAddressSpaceDoesNotWrap(ulong hint)
        {
            var a = w.Parse(hint);
            Assert.That(a.Found, Is.False);
            AssertWarning(a, "wraps the address space");
        }

        [Test]
        public void NoRsdpAnywhere()
        {
            w.Memory.Fill(0xE0000, 0x20000, 0);
            SetEbdaSegment(0x9FC0);
            w.Memory.Fill(Ebda, 1024, 0);
            var a = w.Parse(0);
            Assert.That(a.Found, Is.False);
            Assert.That(a.Error, Is.EqualTo("no RSDP in the EBDA or 0xE0000-0xFFFFF"));
            Assert.That(a.Summary(), Is.EqualTo(a.Error));
            AssertNoWarnings(a);
        }

        [Test]
        public void FindRsdpPrefersAValidHint()
        {
            BiosAreaRsdp(0xE4000);
            Assert.That(AcpiParser.FindRsdp(w.Memory, AcpiWorld.Hint), Is.EqualTo(AcpiWorld.Hint));
            Assert.That(AcpiParser.FindRsdp(w.Memory, 0), Is.EqualTo(0xE4000UL));
            Assert.That(AcpiParser.FindRsdp(w.Memory, 0x123456), Is.EqualTo(0xE4000UL));
        }

        [Test]
        public void OemIdKeepsSixCharactersAndMasksOddBytes()
        {
            w.Rsdp(AcpiWorld.Hint, 2, oem: "AB");
            w.Memory.Poke(AcpiWorld.Hint + 11, 0);       // NUL -> ' '
            w.Memory.Poke(AcpiWorld.Hint + 12, 0xC8);    // not ASCII -> '?'
            w.Memory.FixChecksum(AcpiWorld.Hint, 20, AcpiWorld.Hint + 8);
            w.Memory.FixChecksum(AcpiWorld.Hint, 36, AcpiWorld.Hint + 32);
            var a = w.Parse();
            Assert.That(a.OemId, Is.EqualTo("AB ?  "));
        }

        // ------------------------------------------------------ BIOS scan --

        [TestCase(0xE0000UL)]
        [TestCase(0xF5A00UL)]
        [TestCase(0xFFFE0UL)]
        public void ScanFindsRsdpInTheBiosArea(ulong at)
        {
            BiosAreaRsdp(at, 0);
            var a = w.Parse(0);
            Assert.That(a.Found, Is.True);
            Assert.That(a.RsdpAddress, Is.EqualTo(at));
            AssertStandardMadt(a);
            AssertNoWarnings(a);
        }

        [Test]
        public void ScanLooksAtTheEbdaFirst()
        {
            BiosAreaRsdp(0xE8000);
            SetEbdaSegment(0x9FC0);
            w.Memory.Fill(Ebda, 1024, 0);
            w.Rsdp(Ebda + 0x40, 2);
            var a = w.Parse(0);
            Assert.That(a.RsdpAddress, Is.EqualTo(Ebda + 0x40));
            Assert.That(a.UsedXsdt, Is.True);
        }

        [Test]
        public void ScanCoversOnlyTheFirstKiBOfTheEbda()
        {
            SetEbdaSegment(0x9FC0);
            w.Memory.Fill(Ebda, 2048, 0);
            w.Rsdp(Ebda + 1024, 2);
            w.Memory.Fill(0xE0000, 0x20000, 0);
            Assert.That(AcpiParser.ScanBiosArea(w.Memory), Is.EqualTo(0UL));
            w.Rsdp(Ebda + 1008, 2);
            Assert.That(AcpiParser.ScanBiosArea(w.Memory), Is.EqualTo(Ebda + 1008));
        }

        [TestCase((ushort)0x0000)]
        [TestCase((ushort)0x0040)]   // inside the BIOS data area
        [TestCase((ushort)0xFFFF)]   // 0xFFFF0: the window would cross 1 MiB
        public void ImplausibleEbdaSegmentIsNotScanned(ushort segment)
        {
            SetEbdaSegment(segment);
            ulong ebda = (ulong)segment << 4;
            w.Memory.Fill(ebda, 1024 + 64, 0);
            w.Rsdp(ebda + 16, 0);
            BiosAreaRsdp(0xF0000, 0);
            if (segment == 0xFFFF) w.Rsdp(ebda + 16, 0);   // BiosAreaRsdp's fill overwrote it
            Assert.That(AcpiParser.ScanBiosArea(w.Memory), Is.EqualTo(0xF0000UL));
        }

        [Test]
        public void ScanWorksWithoutAReadableBiosDataArea()
        {
            BiosAreaRsdp(0xE0010);
            Assert.That(w.Memory.Has(0x40E), Is.False);
            Assert.That(AcpiParser.ScanBiosArea(w.Memory), Is.EqualTo(0xE0010UL));
        }

        [Test]
        public void ScanSkipsMisalignedAndBrokenCandidates()
        {
            BiosAreaRsdp(0xE0008);                                // not on a 16-byte boundary
            w.Rsdp(0xE1000, 0);
            w.Memory.Poke(0xE1000 + 8, (byte)(w.Memory.Peek(0xE1000 + 8) + 1));   // bad checksum
            w.Rsdp(0xE2000, 2);
            w.Memory.Poke(0xE2000 + 32, (byte)(w.Memory.Peek(0xE2000 + 32) + 1)); // bad extended checksum
            w.Rsdp(0xE3000, 0);
            Assert.That(AcpiParser.ScanBiosArea(w.Memory), Is.EqualTo(0xE3000UL));
        }

        [Test]
        public void ScanToleratesHolesInTheBiosArea()
        {
            // Only a few pages present: the scan asks, is refused, moves on.
            w.Memory.Fill(0xE2000, 0x100, 0);
            w.Memory.Fill(0xFF000, 0x1000, 0);
            w.Rsdp(0xFF800, 0);
            Assert.That(AcpiParser.ScanBiosArea(w.Memory), Is.EqualTo(0xFF800UL));
        }

        // ---------------------------------------------------- root tables --

        [Test]
        public void Revision2WithoutXsdtAddressFallsBackToRsdt()
        {
            w.Rsdp(AcpiWorld.Hint, 2, xsdt: 0);
            var a = w.Parse();
            Assert.That(a.UsedXsdt, Is.False);
            Assert.That(a.RootTableAddress, Is.EqualTo(AcpiWorld.Rsdt));
            AssertWarning(a, "gives no XSDT address", "using the RSDT");
            AssertStandardMadt(a);
        }

        [TestCase(9, 0x33, "fails its checksum")]
        [TestCase(0, (byte)'R', "has signature 'RSDT', not 'XSDT'")]
        public void InvalidXsdtFallsBackToRsdt(int offset, byte value, string reason)
        {
            w.Memory.Poke(AcpiWorld.Xsdt + (ulong)offset, value);
            var a = w.Parse();
            Assert.That(a.UsedXsdt, Is.False);
            AssertWarning(a, "XSDT at 0x7FE1000", reason, "using the RSDT");
            AssertStandardMadt(a);
        }

        [Test]
        public void UnreadableXsdtFallsBackToRsdt()
        {
            w.Rsdp(AcpiWorld.Hint, 2, xsdt: 0x4_0000_0000);
            var a = w.Parse();
            Assert.That(a.UsedXsdt, Is.False);
            AssertWarning(a, "XSDT at 0x400000000 is not readable; using the RSDT");
            AssertStandardMadt(a);
        }

        [Test]
        public void XsdtAddressThatWrapsFallsBackToRsdt()
        {
            w.Rsdp(AcpiWorld.Hint, 2, xsdt: 0xFFFFFFFFFFFFFFF0);
            var a = w.Parse();
            AssertWarning(a, "wraps the address space", "using the RSDT");
            AssertStandardMadt(a);
        }

        [Test]
        public void BothRootTablesInvalidIsAnErrorButFound()
        {
            w.Memory.Poke(AcpiWorld.Xsdt + 9, 0x33);
            w.Memory.Poke(AcpiWorld.Rsdt + 9, 0x33);
            var a = w.Parse();
            Assert.That(a.Found, Is.True);
            Assert.That(a.Error, Is.EqualTo("no MADT: no usable root table (RSDT at 0x7FE0000 fails its checksum)"));
            Assert.That(a.MadtAddress, Is.EqualTo(0UL));
            AssertWarning(a, "XSDT");
        }

        [Test]
        public void Revision0WithoutRsdtAddressIsAnError()
        {
            w.Rsdp(AcpiWorld.Hint, 0, rsdt: 0);
            var a = w.Parse();
            Assert.That(a.Found, Is.True);
            Assert.That(a.Error, Does.Contain("gives no RSDT address"));
        }

        [Test]
        public void RsdtWithWrongSignatureIsAnError()
        {
            w = new AcpiWorld(0);
            w.Memory.Write(AcpiWorld.Rsdt, AcpiBytes.Ascii("FACP"));
            var a = w.Parse();
            Assert.That(a.Error, Does.Contain("has signature 'FACP', not 'RSDT'"));
        }

        [Test]
        public void EntryPointingToUnreadableMemoryIsSkipped()
        {
            w.Roots(AcpiWorld.Madt, 0x3000_0000, AcpiWorld.Fadt);
            var a = w.Parse();
            AssertWarning(a, "XSDT entry 1 at 0x30000000 is not readable; skipped");
            AssertStandardMadt(a);
            Assert.That(a.PmTimerPort, Is.EqualTo(0x608));
            Assert.That(a.HpetAddress, Is.EqualTo(0UL));
        }

        [Test]
        public void EntryWithBadChecksumIsSkippedAndNamed()
        {
            w.Memory.Poke(AcpiWorld.Hpet + 20, 0x99);
            var a = w.Parse();
            AssertWarning(a, "XSDT entry 1 at 0x7FE3000 fails its checksum; skipped");
            Assert.That(a.HpetAddress, Is.EqualTo(0UL));
            Assert.That(a.Error, Is.Null);
        }

        [Test]
        public void MadtWithBadChecksumGivesNoMadtError()
        {
            w.Memory.Poke(AcpiWorld.Madt + 40, 0x00);   // flags byte changes: checksum off
            var a = w.Parse();
            Assert.That(a.Found, Is.True);
            Assert.That(a.MadtAddress, Is.EqualTo(0UL));
            Assert.That(a.Error, Is.EqualTo("no MADT: the APIC table at 0x7FE2000 (XSDT entry 0) fails its checksum"));
            Assert.That(a.HpetAddress, Is.EqualTo(0xFED00000UL), "the other tables are still read");
        }

        [Test]
        public void RsdtEntriesAreCheckedToo()
        {
            w = new AcpiWorld(0);
            w.Roots(AcpiWorld.Madt, 0, 0x7FE9000, AcpiWorld.Fadt);
            var a = w.Parse();
            AssertWarning(a, "RSDT entry 1 is null; skipped");
            AssertWarning(a, "RSDT entry 2 at 0x7FE9000 is not readable; skipped");
            AssertStandardMadt(a);
        }

        [Test]
        public void RepeatedEntryIsValidatedOnce()
        {
            w.Roots(AcpiWorld.Madt, AcpiWorld.Madt, AcpiWorld.Madt, AcpiWorld.Fadt);
            var a = w.Parse();
            AssertWarning(a, "XSDT entry 1 repeats entry 0");
            AssertWarning(a, "XSDT entry 2 repeats entry 0");
            AssertStandardMadt(a);
            Assert.That(a.CpuCount, Is.EqualTo(1), "not parsed twice");
        }

        [Test]
        public void SelfReferencingRootTablesAreSkipped()
        {
            w.Roots(AcpiWorld.Xsdt, AcpiWorld.Rsdt, AcpiWorld.Madt, AcpiWorld.Hint);
            var a = w.Parse();
            AssertWarning(a, "XSDT entry 0 at 0x7FE1000 is a root table (XSDT); skipped");
            AssertWarning(a, "XSDT entry 1 at 0x7FE0000 is a root table (RSDT); skipped");
            AssertWarning(a, "XSDT entry 3 at 0x10000");   // the RSDP is no table: its "length" is junk
            AssertStandardMadt(a);
        }

        [Test]
        public void TwoTablesPointingAtEachOtherCannotLoop()
        {
            // A second "XSDT" lists the first; the first lists the second.
            w.Table(AcpiWorld.Spare, AcpiBytes.Xsdt(AcpiWorld.Xsdt, AcpiWorld.Madt));
            w.Roots(AcpiWorld.Spare, AcpiWorld.Madt);
            var a = w.Parse();
            AssertWarning(a, "is a root table (XSDT)");
            AssertStandardMadt(a);
            Assert.That(w.Memory.Reads, Is.LessThan(20000));
        }

        [TestCase(0xFFFFFFFFFFFFFFF0UL, "wraps the address space")]
        [TestCase(0xFFFFFFFFFFFFFFDDUL, "wraps the address space")]   // the header's last byte would be at 2^64
        [TestCase(0xFFFFFFFFFFFFFFDCUL, "is not readable")]           // ends exactly at 2^64: fits, but absent
        [TestCase(0x0010_0000_0000_0000UL, "is not readable")]
        public void EntryAddressesNearTheTopDoNotWrap(ulong entry, string reason)
        {
            w.Roots(AcpiWorld.Madt, entry);
            var a = w.Parse();
            AssertWarning(a, "XSDT entry 1", reason);
            AssertStandardMadt(a);
        }

        [Test]
        public void TableEndingExactlyAtTheTopOfTheAddressSpaceIsReadable()
        {
            // 36 bytes ending at 2^64 - 1 inclusive: no wrap, valid.
            ulong at = 0xFFFFFFFFFFFFFFDCUL;
            w.Memory.Write(at, AcpiBytes.Table("OEM1", 1, new byte[0]));
            w.Roots(AcpiWorld.Madt, at);
            var a = w.Parse();
            AssertNoWarnings(a);
            AssertStandardMadt(a);
        }

        [TestCase(0u, "has length 0 (< 36)")]
        [TestCase(35u, "has length 35 (< 36)")]
        [TestCase(0x100001u, "has length 1048577 (> 1 MiB)")]
        [TestCase(0xFFFFFFFFu, "has length 4294967295 (> 1 MiB)")]
        public void EntryTableLengthOutOfBounds(uint length, string reason)
        {
            w.Memory.Poke32(AcpiWorld.Hpet + 4, length);
            var a = w.Parse();
            AssertWarning(a, "XSDT entry 1 at 0x7FE3000", reason);
            Assert.That(a.HpetAddress, Is.EqualTo(0UL));
            Assert.That(w.Memory.LargestRequest, Is.LessThanOrEqualTo(0x100000UL));
        }

        [Test]
        public void EntryTableLongerThanReadableMemory()
        {
            w.Memory.Poke32(AcpiWorld.Hpet + 4, 200);   // 56 bytes were written
            var a = w.Parse();
            AssertWarning(a, "XSDT entry 1 at 0x7FE3000 is not readable to its length 200");
        }

        [Test]
        public void RootTableLengthOutOfBoundsFallsBack()
        {
            w.Memory.Poke32(AcpiWorld.Xsdt + 4, 0xFFFFFFF0);
            var a = w.Parse();
            AssertWarning(a, "XSDT at 0x7FE1000 has length 4294967280 (> 1 MiB); using the RSDT");
            AssertStandardMadt(a);
        }

        [Test]
        public void RootLengthWithAPartialEntryIgnoresTheRest()
        {
            byte[] x = AcpiBytes.Xsdt(AcpiWorld.Madt, AcpiWorld.Hpet);
            byte[] longer = new byte[x.Length + 3];
            x.CopyTo(longer, 0);
            System.BitConverter.GetBytes((uint)longer.Length).CopyTo(longer, 4);
            AcpiBytes.SetChecksum(longer, 9, 0, longer.Length);
            w.Table(AcpiWorld.Xsdt, longer);
            var a = w.Parse();
            Assert.That(a.UsedXsdt, Is.True);
            Assert.That(a.RootEntryCount, Is.EqualTo(2));
            AssertWarning(a, "XSDT length 55 leaves 3 bytes after its last entry");
            AssertStandardMadt(a);
        }

        [Test]
        public void HugeRootTableIsReadToAFixedNumberOfEntries()
        {
            ulong[] entries = new ulong[400];   // 3236 bytes: fits before the next table
            entries[0] = AcpiWorld.Madt;
            for (int i = 1; i < entries.Length; i++) entries[i] = 0x7000_0000 + (ulong)i * 0x1000;   // unreadable
            w.Roots(entries);
            var a = w.Parse();
            Assert.That(a.RootEntryCount, Is.EqualTo(AcpiParser.MaxRootEntries));
            Assert.That(Warnings(a), Does.Contain("XSDT lists 400 entries; only the first 256 are read"));
            Assert.That(a.WarningCount, Is.EqualTo(AcpiInfo.MaxWarnings));
            Assert.That(a.WarningCount + a.WarningsDropped, Is.EqualTo(1 + 255), "one per skipped entry");
            AssertStandardMadt(a);
        }

        [Test]
        public void MissingMadtIsAnErrorButTimersAreKept()
        {
            w.Roots(AcpiWorld.Hpet, AcpiWorld.Fadt);
            var a = w.Parse();
            Assert.That(a.Found, Is.True);
            Assert.That(a.Error, Is.EqualTo("no MADT: none of the 2 XSDT entries is an APIC table"));
            Assert.That(a.CpuCount, Is.EqualTo(0));
            Assert.That(a.HpetAddress, Is.EqualTo(0xFED00000UL));
            Assert.That(a.PmTimerPort, Is.EqualTo(0x608));
            Assert.That(a.Summary(), Is.EqualTo("rev 2 XSDT, hpet at 0xFED00000, pm timer port 0x608 24-bit, error: " + a.Error));
        }

        [Test]
        public void EmptyRootTable()
        {
            w.Roots();
            var a = w.Parse();
            Assert.That(a.RootEntryCount, Is.EqualTo(0));
            Assert.That(a.Error, Is.EqualTo("no MADT: none of the 0 XSDT entries is an APIC table"));
        }

        [Test]
        public void SecondMadtIsIgnored()
        {
            w.Table(AcpiWorld.Spare, AcpiBytes.Madt(0xFEE00000, 0, AcpiBytes.LocalApic(0, 7, 1), AcpiBytes.LocalApic(1, 8, 1)));
            w.Roots(AcpiWorld.Madt, AcpiWorld.Spare);
            var a = w.Parse();
            AssertWarning(a, "XSDT entry 1 is a second MADT; ignored");
            Assert.That(a.MadtAddress, Is.EqualTo(AcpiWorld.Madt));
            Assert.That(a.CpuCount, Is.EqualTo(1));
        }

        [Test]
        public void UnknownTablesAreIgnoredQuietly()
        {
            w.Table(AcpiWorld.Spare, AcpiBytes.Table("SSDT", 2, new byte[100]));
            w.Roots(AcpiWorld.Spare, AcpiWorld.Madt);
            var a = w.Parse();
            AssertNoWarnings(a);
            AssertStandardMadt(a);
        }

        [Test]
        public void SummaryOfTheStandardMachine()
        {
            var a = w.Parse();
            Assert.That(a.Summary(), Is.EqualTo(
                "rev 2 XSDT, 1 cpu (1 enabled), ioapic 0 at 0xFEC00000 gsi 0, 2 overrides (irq0->gsi2, irq9->gsi9 level), " +
                "hpet at 0xFED00000, pm timer port 0x608 24-bit"));
        }
    }
}
