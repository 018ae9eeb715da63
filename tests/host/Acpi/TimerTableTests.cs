using NUnit.Framework;
using Osprey.Kernel.Acpi;
using static Osprey.Tests.Acpi.AcpiBytes;

namespace Osprey.Tests.Acpi
{
    // HPET and FADT fields.
    [TestFixture]
    public class TimerTableTests : AcpiTestBase
    {
        AcpiInfo WithHpet(byte[] table) { w.Memory.Remove(AcpiWorld.Hpet, 0x1000); w.Table(AcpiWorld.Hpet, table); return w.Parse(); }
        AcpiInfo WithFadt(byte[] table) { w.Memory.Remove(AcpiWorld.Fadt, 0x1000); w.Table(AcpiWorld.Fadt, table); return w.Parse(); }

        // ------------------------------------------------------------ HPET --

        [Test]
        public void HpetInSystemMemory()
        {
            var a = WithHpet(Hpet(0, 0xFED00000, 3, 0x37EE, 0x8086A701));
            Assert.That(a.HpetAddress, Is.EqualTo(0xFED00000UL));
            Assert.That(a.HpetNumber, Is.EqualTo(3));
            Assert.That(a.HpetMinTick, Is.EqualTo(0x37EE));
            Assert.That(a.HpetBlockId, Is.EqualTo(0x8086A701u));
            Assert.That(a.HpetTableAddress, Is.EqualTo(AcpiWorld.Hpet));
            AssertNoWarnings(a);
        }

        [TestCase((byte)1)]
        [TestCase((byte)2)]
        [TestCase((byte)0x7F)]
        public void HpetOutsideSystemMemoryIsRefused(byte space)
        {
            var a = WithHpet(Hpet(space, 0xFED00000));
            Assert.That(a.HpetAddress, Is.EqualTo(0UL));
            AssertWarning(a, "HPET registers are in address space " + space + ", not system memory; no HPET");
            Assert.That(a.Summary(), Does.Contain("no hpet"));
            Assert.That(a.Error, Is.Null, "the MADT is still fine");
        }

        [Test]
        public void HpetAddressZeroIsRefused()
        {
            var a = WithHpet(Hpet(0, 0));
            Assert.That(a.HpetAddress, Is.EqualTo(0UL));
            AssertWarning(a, "HPET base address is 0");
        }

        [TestCase(0xFFFFFFFFFFFFFC00UL)]
        [TestCase(0x0010_0000_0000_0000UL)]
        [TestCase(0x000F_FFFF_FFFF_FE00UL)]   // its 1 KiB block would cross 2^52
        public void HpetAddressBeyondPhysicalMemoryIsRefused(ulong address)
        {
            var a = WithHpet(Hpet(0, address));
            Assert.That(a.HpetAddress, Is.EqualTo(0UL));
            AssertWarning(a, "beyond the physical address space");
        }

        [Test]
        public void HpetAtTheTopOfPhysicalMemoryIsAccepted()
        {
            var a = WithHpet(Hpet(0, 0x000F_FFFF_FFFF_FC00UL));
            Assert.That(a.HpetAddress, Is.EqualTo(0x000F_FFFF_FFFF_FC00UL));
        }

        [Test]
        public void ShortHpetTableIsRefusedWithoutReadingPastIt()
        {
            var a = WithHpet(Table("HPET", 1, new byte[10]));
            Assert.That(a.HpetAddress, Is.EqualTo(0UL));
            AssertWarning(a, "HPET table is 46 bytes, less than 56");
        }

        [Test]
        public void SecondHpetTableIsIgnored()
        {
            w.Table(AcpiWorld.Spare, Hpet(0, 0xFED01000, 1));
            w.Roots(AcpiWorld.Madt, AcpiWorld.Hpet, AcpiWorld.Spare);
            var a = w.Parse();
            Assert.That(a.HpetAddress, Is.EqualTo(0xFED00000UL));
            Assert.That(a.HpetNumber, Is.EqualTo(0));
        }

        // ------------------------------------------------------------ FADT --

        [Test]
        public void StandardFadt()
        {
            var a = w.Parse();
            Assert.That(a.FadtRevision, Is.EqualTo(3));
            Assert.That(a.PmTimerPort, Is.EqualTo(0x608));
            Assert.That(a.PmTimer32Bit, Is.False);
            Assert.That(a.BootArchValid, Is.True);
            Assert.That(a.BootArchFlags, Is.EqualTo(2));
            Assert.That(a.Has8042, Is.True);
            Assert.That(a.LegacyDevices, Is.False);
        }

        [Test]
        public void TmrValExtMeans32Bit()
        {
            var a = WithFadt(Fadt(244, 3, 0xB008, flags: 1 << 8, xAddress: 0));
            Assert.That(a.PmTimerPort, Is.EqualTo(0xB008));
            Assert.That(a.PmTimer32Bit, Is.True);
            Assert.That(a.FadtFlags, Is.EqualTo(1u << 8));
            Assert.That(a.Summary(), Does.Contain("pm timer port 0xB008 32-bit"));
        }

        [Test]
        public void Acpi1FadtOf116Bytes()
        {
            // Revision 1: IAPC_BOOT_ARCH was reserved, so its byte means nothing.
            var a = WithFadt(Fadt(116, 1, 0x808, flags: 1 << 8, bootArch: 0));
            Assert.That(a.PmTimerPort, Is.EqualTo(0x808));
            Assert.That(a.PmTimer32Bit, Is.True);
            Assert.That(a.BootArchValid, Is.False);
            Assert.That(a.Has8042, Is.True, "assumed on a PC");
            Assert.That(a.LegacyDevices, Is.True, "assumed on a PC");
            AssertNoWarnings(a);
        }

        [Test]
        public void Revision1FadtLongEnoughStillHasNoBootArch()
        {
            var a = WithFadt(Fadt(244, 1, 0x608, bootArch: 0));
            Assert.That(a.BootArchValid, Is.False);
            Assert.That(a.Has8042, Is.True);
        }

        [TestCase((ushort)0x0, false, false)]
        [TestCase((ushort)0x1, true, false)]
        [TestCase((ushort)0x2, false, true)]
        [TestCase((ushort)0x3, true, true)]
        public void BootArchFlags(ushort flags, bool legacy, bool i8042)
        {
            var a = WithFadt(Fadt(244, 4, 0x608, bootArch: flags));
            Assert.That(a.BootArchValid, Is.True);
            Assert.That(a.LegacyDevices, Is.EqualTo(legacy));
            Assert.That(a.Has8042, Is.EqualTo(i8042));
        }

        [Test]
        public void FadtTooShortForBootArchKeepsTheDefaults()
        {
            var a = WithFadt(Fadt(100, 3, 0x608));
            Assert.That(a.BootArchValid, Is.False);
            Assert.That(a.Has8042, Is.True);
            Assert.That(a.PmTimerPort, Is.EqualTo(0x608));
            Assert.That(a.PmTimer32Bit, Is.False, "flags lie beyond a 100-byte table");
        }

        [TestCase(76)]
        [TestCase(79)]
        [TestCase(36)]
        public void FadtTooShortForThePmTimer(int length)
        {
            var a = WithFadt(Fadt(length, 1, 0));
            Assert.That(a.PmTimerPort, Is.EqualTo(0));
            Assert.That(a.FadtAddress, Is.EqualTo(AcpiWorld.Fadt));
            AssertWarning(a, "FADT is " + length + " bytes, too short for PM_TMR_BLK (80); no PM timer");
            Assert.That(a.Summary(), Does.Contain("no pm timer"));
        }

        [Test]
        public void ExtendedPmTimerBlockInIoSpaceTakesPrecedence()
        {
            var a = WithFadt(Fadt(244, 3, 0x608, xSpace: 1, xAddress: 0x1808));
            Assert.That(a.PmTimerPort, Is.EqualTo(0x1808));
            AssertNoWarnings(a);
        }

        [Test]
        public void ExtendedPmTimerBlockOnlyIsEnough()
        {
            var a = WithFadt(Fadt(244, 3, 0, xSpace: 1, xAddress: 0x408));
            Assert.That(a.PmTimerPort, Is.EqualTo(0x408));
        }

        [Test]
        public void ExtendedPmTimerBlockInMemorySpaceFallsBackToPmTmrBlk()
        {
            var a = WithFadt(Fadt(244, 3, 0x608, xSpace: 0, xAddress: 0xFED80000));
            Assert.That(a.PmTimerPort, Is.EqualTo(0x608));
            AssertWarning(a, "X_PM_TMR_BLK is in address space 0, not I/O; PM_TMR_BLK used");
        }

        [Test]
        public void ExtendedPmTimerBlockInMemorySpaceOnlyMeansNoPmTimer()
        {
            var a = WithFadt(Fadt(244, 3, 0, xSpace: 0, xAddress: 0xFED80000));
            Assert.That(a.PmTimerPort, Is.EqualTo(0));
            AssertWarning(a, "not I/O; no PM timer");
        }

        [Test]
        public void ExtendedFieldsAreNotReadFromAShortFadt()
        {
            // 116 bytes: an "X_PM_TMR_BLK" would lie outside the table.
            var a = WithFadt(Fadt(116, 2, 0x608));
            w.Memory.Write(AcpiWorld.Fadt + 116, new byte[120]);   // junk after the table
            w.Memory.Poke(AcpiWorld.Fadt + 208, 1);
            w.Memory.Poke64(AcpiWorld.Fadt + 212, 0x1234);
            a = w.Parse();
            Assert.That(a.PmTimerPort, Is.EqualTo(0x608));
        }

        [Test]
        public void PortsBeyondTheIoSpaceAreRefused()
        {
            var a = WithFadt(Fadt(244, 3, 0x12345, xSpace: 1, xAddress: 0x10000));
            Assert.That(a.PmTimerPort, Is.EqualTo(0));
            AssertWarning(a, "X_PM_TMR_BLK port 0x10000 is beyond 0xFFFF");
            AssertWarning(a, "PM_TMR_BLK port 0x12345 is beyond 0xFFFF; no PM timer");
        }

        [Test]
        public void PmTmrLenZeroMeansNoPmTimer()
        {
            var a = WithFadt(Fadt(244, 3, 0x608, pmTimerLength: 0, xAddress: 0));
            Assert.That(a.PmTimerPort, Is.EqualTo(0));
            AssertWarning(a, "PM_TMR_LEN is 0");
        }

        [Test]
        public void OddPmTmrLenIsReportedButKept()
        {
            var a = WithFadt(Fadt(244, 3, 0x608, pmTimerLength: 2, xAddress: 0));
            Assert.That(a.PmTimerPort, Is.EqualTo(0x608));
            AssertWarning(a, "PM_TMR_LEN is 2, not 4");
        }

        [Test]
        public void HardwareReducedAcpiHasNoPmTimer()
        {
            var a = WithFadt(Fadt(276, 6, 0x608, flags: (1 << 20) | (1 << 8), xAddress: 0x608));
            Assert.That(a.PmTimerPort, Is.EqualTo(0));
            Assert.That(a.PmTimer32Bit, Is.False);
            AssertNoWarnings(a);
        }

        [Test]
        public void SecondFadtIsIgnored()
        {
            w.Table(AcpiWorld.Spare, Fadt(244, 3, 0x1008));
            w.Roots(AcpiWorld.Madt, AcpiWorld.Fadt, AcpiWorld.Spare);
            var a = w.Parse();
            Assert.That(a.PmTimerPort, Is.EqualTo(0x608));
            AssertWarning(a, "XSDT entry 2 is a second FADT; ignored");
        }
    }
}
