using System;
using NUnit.Framework;
using Osprey.Kernel.Acpi;

namespace Osprey.Tests.Acpi
{
    // Seeded random damage to valid tables: whatever the bytes say, the
    // parser keeps the memory rules (no read without an approving CanRead,
    // no wrapping request, bounded work) and returns a consistent result.
    [TestFixture]
    public class AcpiRobustnessTests : AcpiTestBase
    {
        static readonly ulong[] Tables = { AcpiWorld.Hint, AcpiWorld.Rsdt, AcpiWorld.Xsdt, AcpiWorld.Madt, AcpiWorld.Hpet, AcpiWorld.Fadt };

        // Values that have broken parsers: lengths and addresses at edges.
        static readonly ulong[] Hostile =
        {
            0, 1, 2, 35, 36, 37, 44, 0xFF, 0x100000, 0x100001, 0x7FFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE,
            AcpiWorld.Hint, AcpiWorld.Rsdt, AcpiWorld.Xsdt, AcpiWorld.Madt, AcpiWorld.Hpet, AcpiWorld.Fadt,
            0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFDC, 0xFFFFFFFFFFFFF000, 0x8000000000000000, 1UL << 52,
        };

        static void Consistent(AcpiInfo a, string what)
        {
            Assert.That(a.CpuCount, Is.InRange(0, AcpiInfo.MaxCpus), what);
            Assert.That(a.EnabledCpuCount, Is.InRange(0, a.CpuCount), what);
            Assert.That(a.IoApicCount, Is.InRange(0, AcpiInfo.MaxIoApics), what);
            Assert.That(a.OverrideCount, Is.InRange(0, AcpiInfo.MaxOverrides), what);
            Assert.That(a.WarningCount, Is.InRange(0, AcpiInfo.MaxWarnings), what);
            for (int i = 0; i < a.WarningCount; i++) Assert.That(a.Warnings[i], Is.Not.Null.And.Not.Empty, what);
            if (!a.Found) Assert.That(a.Error, Is.Not.Null, what);
            if (a.Error == null)
            {
                Assert.That(a.MadtAddress, Is.Not.EqualTo(0UL), what);
                Assert.That(a.EnabledCpuCount, Is.GreaterThan(0), what);
                Assert.That(a.LocalApicAddress, Is.Not.EqualTo(0UL), what);
            }
            if (a.HpetAddress != 0) Assert.That(a.HpetAddress, Is.LessThan(AcpiParser.PhysicalLimit), what);
            Assert.That(a.Summary(), Is.Not.Empty, what);
            for (int irq = 0; irq < 16; irq++)
            {
                uint gsi = a.IsaIrqToGsi(irq, out _, out _);
                bool overridden = false;
                for (int i = 0; i < a.OverrideCount; i++) if (a.Overrides[i].SourceIrq == irq) { overridden = true; Assert.That(gsi, Is.EqualTo(a.Overrides[i].Gsi), what); break; }
                if (!overridden) Assert.That(gsi, Is.EqualTo((uint)irq), what);
            }
        }

        int clean, troubled;

        [SetUp] public void ResetCounts() { clean = 0; troubled = 0; }

        // The damage must reach the parsers: some runs come out clean,
        // some with warnings or errors.
        void BothOutcomesSeen()
        {
            Assert.That(clean, Is.GreaterThan(20), "runs without warnings or errors");
            Assert.That(troubled, Is.GreaterThan(20), "runs with warnings or errors");
        }

        void Run(Random r, int iteration, Action<Random> damage)
        {
            w = new AcpiWorld(r.Next(2) == 0 ? (byte)0 : (byte)2);
            damage(r);
            AcpiInfo a = null;
            try { a = w.Parse(); }
            catch (Exception e) { Assert.Fail("iteration " + iteration + ": " + e.Message + "; " + string.Join("; ", w.Memory.Violations)); }
            Assert.That(w.Memory.Violations, Is.Empty, "iteration " + iteration);
            Consistent(a, "iteration " + iteration);
            if (a.Error == null && a.WarningCount == 0) clean++; else troubled++;
        }

        [TestCase(1)]
        [TestCase(2)]
        [TestCase(3)]
        public void RandomBytesInRandomTables(int seed)
        {
            var r = new Random(seed);
            for (int it = 0; it < 700; it++)
                Run(r, it, rr =>
                {
                    ulong table = Tables[rr.Next(Tables.Length)];
                    int length = w.LengthOf(table);
                    int n = 1 + rr.Next(4);
                    for (int k = 0; k < n; k++) w.Memory.Poke(table + (ulong)rr.Next(length), (byte)rr.Next(256));
                    // Usually repair the checksums, so the damage reaches the parsers.
                    if (rr.Next(4) != 0)
                    {
                        if (table == AcpiWorld.Hint) w.RechecksumRsdp();
                        else w.Rechecksum(table);
                    }
                });
            BothOutcomesSeen();
        }

        [TestCase(11)]
        [TestCase(12)]
        public void HostileValuesInLengthAndPointerFields(int seed)
        {
            var r = new Random(seed);
            for (int it = 0; it < 700; it++)
                Run(r, it, rr =>
                {
                    ulong v = Hostile[rr.Next(Hostile.Length)];
                    switch (rr.Next(7))
                    {
                        case 0: w.Memory.Poke32(AcpiWorld.Hint + 16, (uint)v); break;          // RSDT address
                        case 1: if (w.RsdpLength == 36) w.Memory.Poke64(AcpiWorld.Hint + 24, v); break;         // XSDT address
                        case 2: if (w.RsdpLength == 36) w.Memory.Poke32(AcpiWorld.Hint + 20, (uint)v); break;   // RSDP length
                        case 3: w.Memory.Poke64(AcpiWorld.Xsdt + 36 + 8 * (ulong)rr.Next(3), v); break;
                        case 4: w.Memory.Poke32(AcpiWorld.Rsdt + 36 + 4 * (ulong)rr.Next(3), (uint)v); break;
                        case 5: w.Memory.Poke32(Tables[1 + rr.Next(5)] + 4, (uint)v); break;  // a table length
                        case 6: w.Memory.Poke(AcpiWorld.Madt + 44 + (ulong)rr.Next(w.LengthOf(AcpiWorld.Madt) - 44), (byte)v); break;
                    }
                    w.RechecksumRsdp();
                    for (int t = 1; t < Tables.Length; t++) w.Rechecksum(Tables[t]);
                });
            BothOutcomesSeen();
        }

        [Test]
        public void GarbageBiosAreaWithPlantedSignatures()
        {
            var r = new Random(7);
            for (int it = 0; it < 20; it++)
            {
                w = new AcpiWorld();
                byte[] junk = new byte[0x20000];
                r.NextBytes(junk);
                for (int k = 0; k < 64; k++)
                {
                    int at = r.Next(0x20000 / 16 - 4) * 16;
                    AcpiBytes.Ascii("RSD PTR ").CopyTo(junk, at);
                    if (r.Next(2) == 0) junk[at + 15] = 2;
                }
                w.Memory.Write(0xE0000, junk);
                w.Memory.Poke16(0x40E, (ushort)r.Next(0x10000));
                ulong found = AcpiParser.ScanBiosArea(w.Memory);
                Assert.That(w.Memory.Violations, Is.Empty);
                if (found != 0) Assert.That(AcpiParser.CheckRsdp(w.Memory, found), Is.Null, "anything found is valid");
                var a = w.Parse(0);
                Assert.That(w.Memory.Violations, Is.Empty);
                Consistent(a, "garbage " + it);
            }
        }

        [Test]
        public void AValidRsdpPlantedInGarbageIsFound()
        {
            var r = new Random(8);
            byte[] junk = new byte[0x20000];
            r.NextBytes(junk);
            w.Memory.Write(0xE0000, junk);
            w.Rsdp(0xF1230, 2);
            var a = w.Parse(0);
            Assert.That(a.RsdpAddress, Is.EqualTo(0xF1230UL));
            AssertStandardMadt(a);
        }
    }
}
