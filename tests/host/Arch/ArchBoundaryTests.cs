using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Osprey.Tests.Arch
{
    /// <summary>
    /// The arch boundary (kernel/README.md, "The arch contract and the
    /// layers"): outside kernel/arch/ no kernel file reaches a port, an MSR,
    /// a control register, the TSC or a device register except through the
    /// contract (Machine). A use of an x86 class or primitive there fails
    /// with the file, the line and what to use instead.
    /// </summary>
    [TestFixture]
    public class ArchBoundaryTests
    {
        // What only kernel/arch/ may name. Matched on code with // comments removed.
        static readonly (Regex pattern, string what)[] Forbidden =
        {
            (new Regex(@"\bCpu\."), "the x86 Cpu class"),
            (new Regex(@"\bLocalApic\."), "the local APIC"),
            (new Regex(@"\bIoApic\."), "the I/O APIC"),
            (new Regex(@"\bApicTimer\."), "the APIC timer"),
            (new Regex(@"\bPic\."), "the 8259 PICs"),
            (new Regex(@"\bPit\."), "the 8254 PIT"),
            (new Regex(@"\bHpet\."), "the HPET"),
            (new Regex(@"\bPmTimer\."), "the ACPI PM timer"),
            (new Regex(@"\bPaging\."), "the x86 page tables"),
            (new Regex(@"\bInterruptDispatch\."), "the interrupt dispatcher"),
            (new Regex(@"(?<!Machine\.)\b(In|Out)(8|16|32)\s*\("), "port I/O"),
            (new Regex(@"(?<!Machine\.)\b(Read|Write)Msr\s*\("), "an MSR"),
            (new Regex(@"\b(Read|Write)Cr[0-8]\b"), "a control register"),
            (new Regex(@"\bReadTsc\b"), "the TSC"),
            (new Regex(@"\bMmio(Read|Write)\d+\b"), "a device register"),
            (new Regex(@"""osprey_(in[bwd]|out[bwd]|rdmsr|wrmsr|rdtsc|read_cr\d|write_cr\d|mmio_\w+|invlpg|lidt|lgdt|ltr|cli|sti|hlt|sti_hlt|save_flags_cli|restore_flags|cpu_block|cpu_object|ticket_\w+)"""), "an arch assembly routine"),
        };

        internal static string Root([System.Runtime.CompilerServices.CallerFilePath] string source = "")
        {
            // This file is tests/host/Arch/ArchBoundaryTests.cs: the repository is three levels up.
            string d = Path.GetDirectoryName(source);
            for (int i = 0; i < 3 && d != null; i++) d = Path.GetDirectoryName(d);
            if (d == null || !File.Exists(Path.Combine(d, "kernel", "arch", "Arch.cs")))
                Assert.Fail("repository root not found above " + source);
            return d;
        }

        internal static List<string> Violations(string root)
        {
            var found = new List<string>();
            string kernel = Path.Combine(root, "kernel");
            string arch = Path.Combine(kernel, "arch") + Path.DirectorySeparatorChar;
            var files = new List<string>(Directory.GetFiles(kernel, "*.cs", SearchOption.AllDirectories));
            files.Sort(StringComparer.Ordinal);
            foreach (string f in files)
            {
                if (f.StartsWith(arch, StringComparison.Ordinal)) continue;
                string[] lines = File.ReadAllLines(f);
                for (int i = 0; i < lines.Length; i++)
                {
                    string code = lines[i];
                    int c = code.IndexOf("//", StringComparison.Ordinal);
                    if (c >= 0) code = code.Substring(0, c);
                    foreach (var (pattern, what) in Forbidden)
                    {
                        if (pattern.IsMatch(code))
                            found.Add(Path.GetRelativePath(root, f) + ":" + (i + 1) + ": uses " + what + " directly (`" + lines[i].Trim() + "`); go through Machine (kernel/arch/Arch.cs)");
                    }
                }
            }
            return found;
        }

        [Test]
        public void NothingOutsideArchTouchesHardware()
        {
            List<string> v = Violations(Root());
            Assert.That(v, Is.Empty, "hardware reached outside kernel/arch/:\n" + string.Join("\n", v));
        }

        [Test]
        public void TheCheckSeesAViolation()
        {
            // A copy of the tree with one forbidden line outside arch must fail.
            string tmp = Path.Combine(Path.GetTempPath(), "osprey-arch-" + Guid.NewGuid().ToString("N"));
            try
            {
                Directory.CreateDirectory(Path.Combine(tmp, "kernel", "arch"));
                Directory.CreateDirectory(Path.Combine(tmp, "kernel", "drivers"));
                File.WriteAllText(Path.Combine(tmp, "kernel", "arch", "Arch.cs"), "Cpu.Out8(1, 2);\n");
                File.WriteAllText(Path.Combine(tmp, "kernel", "drivers", "Bad.cs"), "class B { void F() {\n  // Cpu.In8 in a comment is fine\n  Cpu.Out8(0x80, 1);\n  Machine.Out8(0x80, 1);\n} }\n");
                List<string> v = Violations(tmp);
                Assert.That(v, Has.Count.EqualTo(2), string.Join("\n", v));   // Cpu. and port I/O, on line 3
                Assert.That(v[0], Does.StartWith(Path.Combine("kernel", "drivers", "Bad.cs") + ":3: uses"));
            }
            finally { Directory.Delete(tmp, true); }
        }
    }
}
