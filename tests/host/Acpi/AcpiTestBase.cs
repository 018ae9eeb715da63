using System.Linq;
using NUnit.Framework;
using Osprey.Kernel.Acpi;

namespace Osprey.Tests.Acpi
{
    // Every ACPI test gets a fresh QEMU-like world; after the test, the
    // fake memory must have seen no unapproved read, no wrapping or empty
    // CanRead and no runaway loop.
    public abstract class AcpiTestBase
    {
        internal AcpiWorld w;

        [SetUp] public void NewWorld() { w = new AcpiWorld(); }

        [TearDown]
        public void MemoryRulesKept()
        {
            Assert.That(w.Memory.Violations, Is.Empty, "the parser broke the memory rules");
        }

        internal static string Warnings(AcpiInfo a) => string.Join(" | ", a.Warnings.Take(a.WarningCount));

        internal static void AssertWarning(AcpiInfo a, params string[] parts)
        {
            bool found = a.Warnings.Take(a.WarningCount).Any(x => parts.All(p => x.Contains(p)));
            Assert.That(found, Is.True, "no warning containing [" + string.Join("], [", parts) + "]; warnings: " + Warnings(a));
        }

        internal static void AssertNoWarnings(AcpiInfo a) => Assert.That(a.WarningCount, Is.EqualTo(0), Warnings(a));

        // The standard world's MADT data arrived intact.
        internal static void AssertStandardMadt(AcpiInfo a)
        {
            Assert.That(a.Error, Is.Null);
            Assert.That(a.CpuCount, Is.EqualTo(1));
            Assert.That(a.IoApicCount, Is.EqualTo(1));
            Assert.That(a.OverrideCount, Is.EqualTo(2));
            Assert.That(a.LocalApicAddress, Is.EqualTo(0xFEE00000UL));
        }
    }
}
