using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using Osprey.Kernel.Acpi;
using static Osprey.Tests.Acpi.AcpiBytes;

namespace Osprey.Tests.Acpi
{
    // The MADT walk: processors, I/O APICs, overrides, NMI, limits and
    // broken entries.
    [TestFixture]
    public class MadtTests : AcpiTestBase
    {
        // The standard world with this MADT instead.
        AcpiInfo WithMadt(uint localApic, uint flags, params byte[][] entries)
        {
            w.Memory.Remove(AcpiWorld.Madt, 0x1000);
            w.Table(AcpiWorld.Madt, Madt(localApic, flags, entries));
            return w.Parse();
        }

        AcpiInfo WithMadt(params byte[][] entries) => WithMadt(0xFEE00000, 1, entries);

        // The minimum the MADT needs besides what a test is about.
        static byte[] Bsp => LocalApic(0, 0, Enabled);
        static byte[] Io => IoApic(0, 0xFEC00000, 0);

        // ---------------------------------------------------- standard --

        [Test]
        public void StandardMachine()
        {
            var a = w.Parse();
            AssertStandardMadt(a);
            Assert.That(a.HasLegacyPics, Is.True);
            Assert.That(a.MadtFlags, Is.EqualTo(1u));
            Assert.That(a.Cpus[0].ApicId, Is.EqualTo(0u));
            Assert.That(a.Cpus[0].AcpiId, Is.EqualTo(0u));
            Assert.That(a.Cpus[0].Enabled, Is.True);
            Assert.That(a.Cpus[0].OnlineCapable, Is.False);
            Assert.That(a.Cpus[0].IsX2Apic, Is.False);
            Assert.That(a.EnabledCpuCount, Is.EqualTo(1));
            Assert.That(a.IoApics[0].Id, Is.EqualTo(0));
            Assert.That(a.IoApics[0].Address, Is.EqualTo(0xFEC00000u));
            Assert.That(a.IoApics[0].GsiBase, Is.EqualTo(0u));
            Assert.That(a.NmiLint, Is.EqualTo(1));
            Assert.That(a.NmiAcpiId, Is.EqualTo(0xFFFFFFFFu), "processor 0xFF: all");
        }

        [Test]
        public void PcatCompatClearMeansNoLegacyPics()
        {
            var a = WithMadt(0xFEE00000, 0, Bsp, Io);
            Assert.That(a.Error, Is.Null);
            Assert.That(a.HasLegacyPics, Is.False);
        }

        [Test]
        public void SeveralCpusEnabledDisabledAndOnlineCapable()
        {
            var a = WithMadt(LocalApic(0, 0, Enabled), LocalApic(1, 2, 0), LocalApic(2, 4, OnlineCapable),
                LocalApic(3, 6, Enabled | OnlineCapable), Io);
            Assert.That(a.Error, Is.Null);
            Assert.That(a.CpuCount, Is.EqualTo(4));
            Assert.That(a.EnabledCpuCount, Is.EqualTo(2));
            Assert.That(a.Cpus.Take(4).Select(c => c.ApicId), Is.EqualTo(new uint[] { 0, 2, 4, 6 }));
            Assert.That(a.Cpus.Take(4).Select(c => c.AcpiId), Is.EqualTo(new uint[] { 0, 1, 2, 3 }));
            Assert.That(a.Cpus.Take(4).Select(c => c.Enabled), Is.EqualTo(new[] { true, false, false, true }));
            Assert.That(a.Cpus.Take(4).Select(c => c.OnlineCapable), Is.EqualTo(new[] { false, false, true, true }));
            Assert.That(a.Summary(), Does.StartWith("rev 2 XSDT, 4 cpus (2 enabled), "));
        }

        [Test]
        public void NoEnabledCpuIsAnError()
        {
            var a = WithMadt(LocalApic(0, 0, 0), LocalApic(1, 1, OnlineCapable), Io);
            Assert.That(a.Error, Is.EqualTo("MADT lists no enabled processor"));
            Assert.That(a.CpuCount, Is.EqualTo(2));
        }

        [Test]
        public void NoCpuAtAllIsAnError()
        {
            var a = WithMadt(Io);
            Assert.That(a.Error, Is.EqualTo("MADT lists no enabled processor"));
        }

        [Test]
        public void ZeroLocalApicAddressIsAnError()
        {
            var a = WithMadt(0, 1, Bsp, Io);
            Assert.That(a.Error, Is.EqualTo("MADT gives no local APIC address"));
        }

        [Test]
        public void NoIoApicIsOnlyAWarning()
        {
            var a = WithMadt(Bsp);
            Assert.That(a.Error, Is.Null);
            Assert.That(a.IoApicCount, Is.EqualTo(0));
            AssertWarning(a, "MADT lists no I/O APIC");
            Assert.That(a.Summary(), Does.Contain(", no ioapic, 0 overrides, "));
        }

        [Test]
        public void ApicId255InALocalApicEntryIsSkipped()
        {
            var a = WithMadt(Bsp, LocalApic(1, 0xFF, Enabled), Io);
            Assert.That(a.CpuCount, Is.EqualTo(1));
            AssertWarning(a, "APIC id 255 (invalid)");
        }

        // ---------------------------------------------------------- x2APIC --

        [Test]
        public void X2ApicEntries()
        {
            var a = WithMadt(Bsp, X2Apic(300, Enabled, 77), X2Apic(0x10000, OnlineCapable, 78), Io);
            Assert.That(a.Error, Is.Null);
            Assert.That(a.CpuCount, Is.EqualTo(3));
            Assert.That(a.EnabledCpuCount, Is.EqualTo(2));
            Assert.That(a.Cpus[1].IsX2Apic, Is.True);
            Assert.That(a.Cpus[1].ApicId, Is.EqualTo(300u));
            Assert.That(a.Cpus[1].AcpiId, Is.EqualTo(77u));
            Assert.That(a.Cpus[2].ApicId, Is.EqualTo(0x10000u));
            Assert.That(a.Cpus[2].Enabled, Is.False);
            Assert.That(a.Cpus[2].OnlineCapable, Is.True);
        }

        [Test]
        public void OnlyX2ApicProcessorsIsFine()
        {
            var a = WithMadt(X2Apic(0, Enabled, 0), X2Apic(1, Enabled, 1), Io);
            Assert.That(a.Error, Is.Null);
            Assert.That(a.EnabledCpuCount, Is.EqualTo(2));
            Assert.That(a.Cpus[0].IsX2Apic, Is.True);
        }

        [Test]
        public void SameApicIdListedTwiceIsKeptOnce()
        {
            var a = WithMadt(Bsp, X2Apic(0, Enabled, 0), Io);
            Assert.That(a.CpuCount, Is.EqualTo(1));
            Assert.That(a.EnabledCpuCount, Is.EqualTo(1));
            Assert.That(a.Cpus[0].IsX2Apic, Is.False, "the first entry stays");
            AssertWarning(a, "APIC id 0 twice");
        }

        [Test]
        public void EnabledDuplicateReplacesADisabledPlaceholder()
        {
            var a = WithMadt(LocalApic(5, 3, 0), Bsp, X2Apic(3, Enabled, 9), Io);
            Assert.That(a.CpuCount, Is.EqualTo(2));
            Assert.That(a.EnabledCpuCount, Is.EqualTo(2));
            Assert.That(a.Cpus[0].ApicId, Is.EqualTo(3u));
            Assert.That(a.Cpus[0].Enabled, Is.True);
            Assert.That(a.Cpus[0].IsX2Apic, Is.True);
            Assert.That(a.Cpus[0].AcpiId, Is.EqualTo(9u));
        }

        [Test]
        public void X2ApicIdAllOnesIsSkipped()
        {
            var a = WithMadt(Bsp, X2Apic(0xFFFFFFFF, Enabled, 1), Io);
            Assert.That(a.CpuCount, Is.EqualTo(1));
            AssertWarning(a, "id 0xFFFFFFFF (invalid)");
        }

        // ---------------------------------------------------------- limits --

        [Test]
        public void TooManyCpusAreTruncated()
        {
            var entries = new List<byte[]>();
            for (int i = 0; i < 70; i++) entries.Add(LocalApic((byte)i, (byte)i, Enabled));
            entries.Add(Io);
            var a = WithMadt(entries.ToArray());
            Assert.That(a.Error, Is.Null);
            Assert.That(a.CpuCount, Is.EqualTo(AcpiInfo.MaxCpus));
            Assert.That(a.EnabledCpuCount, Is.EqualTo(AcpiInfo.MaxCpus));
            Assert.That(a.CpusDropped, Is.EqualTo(6));
            Assert.That(a.Cpus[63].ApicId, Is.EqualTo(63u));
            Assert.That(a.IoApicCount, Is.EqualTo(1), "entries after the overflow are still read");
            AssertWarning(a, "more than 64 processors", "truncated");
            Assert.That(a.WarningCount, Is.EqualTo(1), "one warning, not one per dropped entry");
        }

        [Test]
        public void DisabledPlaceholdersDoNotCrowdOutEnabledCpus()
        {
            var entries = new List<byte[]>();
            for (int i = 0; i < 64; i++) entries.Add(X2Apic((uint)(1000 + i), 0, (uint)i));
            entries.Add(LocalApic(100, 0, Enabled));
            entries.Add(LocalApic(101, 1, Enabled));
            entries.Add(X2Apic(2000, 0, 200));
            entries.Add(Io);
            var a = WithMadt(entries.ToArray());
            Assert.That(a.Error, Is.Null);
            Assert.That(a.CpuCount, Is.EqualTo(64));
            Assert.That(a.EnabledCpuCount, Is.EqualTo(2));
            Assert.That(a.CpusDropped, Is.EqualTo(3));
            var enabled = a.Cpus.Take(a.CpuCount).Where(c => c.Enabled).Select(c => c.ApicId).OrderBy(x => x);
            Assert.That(enabled, Is.EqualTo(new uint[] { 0, 1 }));
        }

        [Test]
        public void TooManyIoApicsAreTruncated()
        {
            var entries = new List<byte[]> { Bsp };
            for (int i = 0; i < 10; i++) entries.Add(IoApic((byte)i, 0xFEC00000 + (uint)i * 0x1000, (uint)i * 24));
            var a = WithMadt(entries.ToArray());
            Assert.That(a.Error, Is.Null);
            Assert.That(a.IoApicCount, Is.EqualTo(AcpiInfo.MaxIoApics));
            Assert.That(a.IoApicsDropped, Is.EqualTo(2));
            Assert.That(a.IoApics[7].GsiBase, Is.EqualTo(7u * 24));
            AssertWarning(a, "more than 8 I/O APICs");
        }

        [Test]
        public void TooManyOverridesAreTruncated()
        {
            var entries = new List<byte[]> { Bsp, Io };
            for (int i = 0; i < 40; i++) entries.Add(Override(0, (byte)i, (uint)(i + 100), 0));
            var a = WithMadt(entries.ToArray());
            Assert.That(a.OverrideCount, Is.EqualTo(AcpiInfo.MaxOverrides));
            Assert.That(a.OverridesDropped, Is.EqualTo(8));
            AssertWarning(a, "more than 32 interrupt source overrides");
            Assert.That(a.IsaIrqToGsi(31, out _, out _), Is.EqualTo(131u));
            Assert.That(a.IsaIrqToGsi(35, out _, out _), Is.EqualTo(35u), "a dropped override is not applied");
        }

        [Test]
        public void IoApicWithAddressZeroIsSkipped()
        {
            var a = WithMadt(Bsp, IoApic(3, 0, 0), Io);
            Assert.That(a.IoApicCount, Is.EqualTo(1));
            AssertWarning(a, "I/O APIC 3 has address 0");
        }

        [Test]
        public void IoApicForFindsTheChipOfAGsi()
        {
            var a = WithMadt(Bsp, IoApic(1, 0xFEC01000, 24), IoApic(0, 0xFEC00000, 0));
            Assert.That(a.IoApicFor(0), Is.EqualTo(1));
            Assert.That(a.IoApicFor(23), Is.EqualTo(1));
            Assert.That(a.IoApicFor(24), Is.EqualTo(0));
            Assert.That(a.IoApicFor(100), Is.EqualTo(0));
        }

        // ------------------------------------------------------- overrides --

        [Test]
        public void Irq0ToGsi2ConformingMeansIsaDefaults()
        {
            var a = w.Parse();
            Assert.That(a.IsaIrqToGsi(0, out bool low, out bool level), Is.EqualTo(2u));
            Assert.That(low, Is.False);
            Assert.That(level, Is.False);
        }

        [Test]
        public void Irq9LevelActiveLow()
        {
            var a = WithMadt(Bsp, Io, Override(0, 9, 9, 0xF));
            Assert.That(a.IsaIrqToGsi(9, out bool low, out bool level), Is.EqualTo(9u));
            Assert.That(low, Is.True);
            Assert.That(level, Is.True);
            Assert.That(a.Overrides[0].Flags, Is.EqualTo(0xF));
            Assert.That(a.Summary(), Does.Contain("1 overrides (irq9->gsi9 low level)"));
        }

        [TestCase((ushort)0x0, false, false)]
        [TestCase((ushort)0x1, false, false)]   // active high
        [TestCase((ushort)0x3, true, false)]    // active low
        [TestCase((ushort)0x4, false, false)]   // edge
        [TestCase((ushort)0xC, false, true)]    // level
        [TestCase((ushort)0xD, false, true)]    // QEMU's PCI IRQs: high, level
        [TestCase((ushort)0x7, true, false)]    // low, edge
        public void OverrideFlagsDecode(ushort flags, bool expectLow, bool expectLevel)
        {
            var a = WithMadt(Bsp, Io, Override(0, 5, 21, flags));
            Assert.That(a.IsaIrqToGsi(5, out bool low, out bool level), Is.EqualTo(21u));
            Assert.That(low, Is.EqualTo(expectLow), "active low");
            Assert.That(level, Is.EqualTo(expectLevel), "level");
            AssertNoWarnings(a);
        }

        [TestCase((ushort)0x2)]
        [TestCase((ushort)0x8)]
        public void ReservedOverrideFlagsUseIsaDefaults(ushort flags)
        {
            var a = WithMadt(Bsp, Io, Override(0, 4, 4, flags));
            Assert.That(a.IsaIrqToGsi(4, out bool low, out bool level), Is.EqualTo(4u));
            Assert.That(low || level, Is.False);
            AssertWarning(a, "IRQ 4 has reserved flags");
        }

        [Test]
        public void IrqsWithoutOverrideAreIdentityHighEdge()
        {
            var a = w.Parse();
            for (int irq = 1; irq < 16; irq++)
            {
                if (irq == 9) continue;
                Assert.That(a.IsaIrqToGsi(irq, out bool low, out bool level), Is.EqualTo((uint)irq));
                Assert.That(low || level, Is.False);
            }
            Assert.That(a.IsaIrqToGsi(-1, out _, out _), Is.EqualTo(0xFFFFFFFFu));
        }

        [Test]
        public void IsaIrqToGsiWithoutAnyMadtIsIdentity()
        {
            var a = new AcpiInfo();
            Assert.That(a.IsaIrqToGsi(0, out bool low, out bool level), Is.EqualTo(0u));
            Assert.That(low || level, Is.False);
        }

        [Test]
        public void OverrideOnANonIsaBusIsIgnored()
        {
            var a = WithMadt(Bsp, Io, Override(1, 0, 2, 0));
            Assert.That(a.OverrideCount, Is.EqualTo(0));
            Assert.That(a.IsaIrqToGsi(0, out _, out _), Is.EqualTo(0u));
            AssertWarning(a, "names bus 1, not ISA");
        }

        [Test]
        public void DuplicateOverrideKeepsTheFirst()
        {
            var a = WithMadt(Bsp, Io, Override(0, 0, 2, 0), Override(0, 0, 20, 0xF));
            Assert.That(a.OverrideCount, Is.EqualTo(1));
            Assert.That(a.IsaIrqToGsi(0, out bool low, out _), Is.EqualTo(2u));
            Assert.That(low, Is.False);
            AssertWarning(a, "overrides IRQ 0 twice", "GSI 2");
        }

        // -------------------------------------------------- NMI, address --

        [Test]
        public void X2ApicNmiEntryGivesTheLint()
        {
            var a = WithMadt(Bsp, Io, X2ApicNmi(0x5, 42, 0));
            Assert.That(a.NmiLint, Is.EqualTo(0));
            Assert.That(a.NmiAcpiId, Is.EqualTo(42u));
            Assert.That(a.NmiFlags, Is.EqualTo(0x5));
        }

        [Test]
        public void NmiOnAnImpossibleLintIsIgnoredAndTheFirstValidKept()
        {
            var a = WithMadt(Bsp, Io, LocalApicNmi(0, 0, 7), LocalApicNmi(0xFF, 0, 1), LocalApicNmi(0xFF, 0, 0));
            Assert.That(a.NmiLint, Is.EqualTo(1));
            AssertWarning(a, "names LINT7");
        }

        [Test]
        public void NoNmiEntryMeansMinusOne()
        {
            var a = WithMadt(Bsp, Io);
            Assert.That(a.NmiLint, Is.EqualTo(-1));
        }

        [Test]
        public void LocalApicAddressOverrideReplacesTheHeaderAddress()
        {
            var a = WithMadt(0xFEE00000, 1, Bsp, Io, LocalApicAddressOverride(0x0000_0010_FEE0_0000));
            Assert.That(a.Error, Is.Null);
            Assert.That(a.LocalApicAddress, Is.EqualTo(0x0000_0010_FEE0_0000UL));
        }

        [Test]
        public void LocalApicAddressOverrideGivesTheAddressWhenTheHeaderHasNone()
        {
            var a = WithMadt(0, 1, LocalApicAddressOverride(0xFEE00000), Bsp, Io);
            Assert.That(a.Error, Is.Null);
            Assert.That(a.LocalApicAddress, Is.EqualTo(0xFEE00000UL));
        }

        [TestCase(0UL)]
        [TestCase(0xFEE00010UL)]               // not page aligned
        [TestCase(0xFFFFFFFFFFFFF000UL)]       // beyond any physical address
        public void ImplausibleLocalApicAddressOverrideIsIgnored(ulong address)
        {
            var a = WithMadt(0xFEE00000, 1, Bsp, Io, LocalApicAddressOverride(address));
            Assert.That(a.LocalApicAddress, Is.EqualTo(0xFEE00000UL));
            AssertWarning(a, "local APIC address override", "ignored");
        }

        // -------------------------------------------------- broken entries --

        [TestCase((byte)0)]
        [TestCase((byte)1)]
        public void EntryLengthBelowTwoStopsTheWalk(byte length)
        {
            var a = WithMadt(Bsp, new byte[] { 1, length, 0, 0, 0, 0, 0xC0, 0xFE, 0, 0, 0, 0 }, Io);
            Assert.That(a.Error, Is.EqualTo("MADT entry at offset 52 (type 1) has length " + length + "; walk stopped"));
            Assert.That(a.CpuCount, Is.EqualTo(1), "entries before it were read");
            Assert.That(a.IoApicCount, Is.EqualTo(0), "entries after it were not");
            Assert.That(a.Summary(), Does.EndWith(", error: " + a.Error));
        }

        [Test]
        public void EntryRunningPastTheTableEndStopsTheWalk()
        {
            byte[] io = Io;
            io[1] = 40;
            var a = WithMadt(Bsp, io);
            Assert.That(a.Error, Is.EqualTo("MADT entry at offset 52 (type 1, length 40) runs past the table end (64); walk stopped"));
        }

        [Test]
        public void OneStrayByteAtTheEndStopsTheWalk()
        {
            var a = WithMadt(Bsp, Io, new byte[] { 9 });
            Assert.That(a.Error, Does.StartWith("MADT entry at offset 64 is cut off by the table end (65)"));
        }

        [Test]
        public void MadtShorterThanItsFixedFieldsIsAnError()
        {
            w.Memory.Remove(AcpiWorld.Madt, 0x1000);
            w.Table(AcpiWorld.Madt, Table("APIC", 5, new byte[6]));
            var a = w.Parse();
            Assert.That(a.Error, Is.EqualTo("MADT is 42 bytes, too short for its fixed fields (44)"));
            Assert.That(a.CpuCount, Is.EqualTo(0));
        }

        [Test]
        public void KnownEntryShorterThanItsTypeNeedsIsSkipped()
        {
            var a = WithMadt(Bsp, Entry(1, 0, 0, 0, 0xC0, 0xFE, 0), Io);   // a 8-byte I/O APIC entry
            Assert.That(a.Error, Is.Null);
            Assert.That(a.IoApicCount, Is.EqualTo(1));
            AssertWarning(a, "MADT type 1 entry at offset 52 has length 8, less than 12; skipped");
        }

        [Test]
        public void UnknownEntryTypesAreSkippedByTheirLength()
        {
            var a = WithMadt(Bsp, Entry(0x0B, new byte[78]), Entry(0x7F), Entry(0xFF, 1, 2, 3), Entry(3, new byte[8]), Io);
            Assert.That(a.Error, Is.Null);
            Assert.That(a.IoApicCount, Is.EqualTo(1));
            AssertNoWarnings(a);
        }

        [Test]
        public void MadtOfManyTwoByteEntriesEnds()
        {
            var entries = new List<byte[]> { Bsp, Io };
            for (int i = 0; i < 20000; i++) entries.Add(Entry(0x7F));
            var a = WithMadt(entries.ToArray());
            Assert.That(a.Error, Is.Null);
            Assert.That(w.Memory.Reads, Is.LessThan(200000));
        }

        [Test]
        public void MinimumLengthsFollowTheSpecification()
        {
            Assert.That(MadtParser.MinimumLength(0), Is.EqualTo(8u));
            Assert.That(MadtParser.MinimumLength(1), Is.EqualTo(12u));
            Assert.That(MadtParser.MinimumLength(2), Is.EqualTo(10u));
            Assert.That(MadtParser.MinimumLength(4), Is.EqualTo(6u));
            Assert.That(MadtParser.MinimumLength(5), Is.EqualTo(12u));
            Assert.That(MadtParser.MinimumLength(9), Is.EqualTo(16u));
            Assert.That(MadtParser.MinimumLength(10), Is.EqualTo(12u));
            Assert.That(MadtParser.MinimumLength(0x42), Is.EqualTo(2u));
        }
    }
}
