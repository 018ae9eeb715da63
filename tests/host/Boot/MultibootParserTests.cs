using System;
using NUnit.Framework;
using Osprey.Kernel.Boot;

namespace Osprey.Tests.Boot
{
    [TestFixture]
    public unsafe class MultibootParserTests
    {
        const uint Mb1 = MultibootParser.Multiboot1Magic;
        const uint Mb2 = MultibootParser.Multiboot2Magic;
        const uint Info2 = PhysicalImage.Base + 0x100;   // where the Multiboot2 structure goes
        const int Guard = 4;
        const ulong GuardValue = 0x5A5A5A5A5A5A5A5AUL;

        PhysicalImage image;

        [SetUp] public void SetUp() { image = new PhysicalImage(); }
        [TearDown] public void TearDown() { image.Dispose(); }

        static MapEntry E(ulong b, ulong l, uint t) => new MapEntry(b, l, t);

        static readonly MapEntry[] ThreeEntries =
        {
            E(0x0, 0x9FC00, 1),
            E(0x9FC00, 0x400, 2),
            E(0x100000, 0x7EE0000, 1),
        };

        byte* Put2(byte[] bytes) { image.Write(Info2, bytes); return image.Pointer(Info2); }

        // Reads into an array with guard entries after `capacity`; checks the guards.
        MemoryRegion[] ReadMap(uint magic, byte* info, int capacity, out int n)
        {
            var r = new MemoryRegion[capacity + Guard];
            for (int i = capacity; i < r.Length; i++) { r[i].Base = GuardValue; r[i].Length = GuardValue; r[i].Type = (MemoryType)0x5A5A5A5A; }
            fixed (MemoryRegion* p = r) n = MultibootParser.ReadMemoryMap(magic, info, image.Bias, p, capacity);
            for (int i = capacity; i < r.Length; i++)
                Assert.That(r[i].Base == GuardValue && r[i].Length == GuardValue && (uint)r[i].Type == 0x5A5A5A5A, Is.True, "guard entry " + i + " overwritten");
            return r;
        }

        int ReadSpans(uint magic, byte* info, int capacity, out ulong[] starts, out ulong[] ends)
        {
            starts = new ulong[capacity + Guard];
            ends = new ulong[capacity + Guard];
            for (int i = 0; i < starts.Length; i++) { starts[i] = GuardValue; ends[i] = GuardValue; }
            int n;
            fixed (ulong* s = starts) fixed (ulong* e = ends) n = MultibootParser.ReadBootSpans(magic, info, image.Bias, s, e, capacity);
            for (int i = capacity; i < starts.Length; i++)
                Assert.That(starts[i] == GuardValue && ends[i] == GuardValue, Is.True, "guard span " + i + " overwritten");
            return n;
        }

        static void AssertRegions(MemoryRegion[] r, int n, MapEntry[] expected)
        {
            Assert.That(n, Is.EqualTo(expected.Length));
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.That(r[i].Base, Is.EqualTo(expected[i].Base), "base " + i);
                Assert.That(r[i].Length, Is.EqualTo(expected[i].Length), "length " + i);
                Assert.That((uint)r[i].Type, Is.EqualTo(expected[i].Type), "type " + i);
            }
        }

        // ------------------------------------------------------------ Multiboot2

        [TestCase(24u)]
        [TestCase(32u)]
        [TestCase(40u)]
        public void Mb2MemoryMapEntriesOfAnySize(uint entrySize)
        {
            byte* info = Put2(new Multiboot2Builder().LoaderName("GRUB").MemoryMap(entrySize, ThreeEntries).End().Build());
            var r = ReadMap(Mb2, info, 16, out int n);
            AssertRegions(r, n, ThreeEntries);
        }

        [Test]
        public void Mb2ParseFillsRegionsAndInfo()
        {
            byte[] bytes = new Multiboot2Builder().MemoryMap(24, ThreeEntries).End().Build();
            BootInfo bi = MultibootParser.Parse(Mb2, Put2(bytes), image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.Protocol, Is.EqualTo(2));
            Assert.That(bi.InfoAddress, Is.EqualTo((ulong)Info2));
            Assert.That(bi.InfoSize, Is.EqualTo((ulong)bytes.Length));
            AssertRegions(bi.Regions, bi.RegionCount, ThreeEntries);
            Assert.That(bi.UsableBytes(), Is.EqualTo(0x9FC00UL + 0x7EE0000UL));
            Assert.That(bi.ModuleCount, Is.EqualTo(0));
            Assert.That(bi.Framebuffer, Is.Null);
            Assert.That(bi.RsdpAddress, Is.EqualTo(0UL));
            Assert.That(bi.EfiBoot, Is.False);
        }

        [Test]
        public void Mb2SeveralMemoryMapTagsAreConcatenated()
        {
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries[0]).MemoryMap(32, ThreeEntries[1], ThreeEntries[2]).End().Build());
            var r = ReadMap(Mb2, info, 8, out int n);
            AssertRegions(r, n, ThreeEntries);
        }

        [TestCase("selftest sched=edf", "", "selftest sched=edf")]
        [TestCase("/boot/kernel.elf selftest sched=edf", "/boot/kernel.elf", "selftest sched=edf")]
        [TestCase("/boot/kernel.elf", "/boot/kernel.elf", "")]
        [TestCase("", "", "")]
        public void Mb2CommandLineAndLoaderName(string cmdline, string imagePath, string rest)
        {
            byte* info = Put2(new Multiboot2Builder().CommandLine(cmdline).LoaderName("GRUB 2.12").MemoryMap(24, ThreeEntries).End().Build());
            BootInfo bi = MultibootParser.Parse(Mb2, info, image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.CommandLine, Is.EqualTo(rest));
            Assert.That(bi.ImagePath, Is.EqualTo(imagePath));
            Assert.That(bi.LoaderName, Is.EqualTo("GRUB 2.12"));
        }

        [Test]
        public void Mb2NonAsciiBytesBecomeQuestionMarks()
        {
            byte* info = Put2(new Multiboot2Builder().Tag(1, new byte[] { (byte)'a', 0xE9, (byte)'b', 0 }).MemoryMap(24, ThreeEntries).End().Build());
            Assert.That(MultibootParser.Parse(Mb2, info, image.Bias).CommandLine, Is.EqualTo("a?b"));
        }

        [Test]
        public void Mb2ModulesWithNames()
        {
            byte* info = Put2(new Multiboot2Builder()
                .Module(0x200000, 0x201000, "/boot/workload.txt workload")
                .MemoryMap(24, ThreeEntries)
                .Module(0x300000, 0x300800, "initrd  ")
                .Module(0x400000, 0x400000, "")
                .End().Build());
            BootInfo bi = MultibootParser.Parse(Mb2, info, image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.ModuleCount, Is.EqualTo(3));
            Assert.That(bi.Modules[0].Start, Is.EqualTo(0x200000UL));
            Assert.That(bi.Modules[0].End, Is.EqualTo(0x201000UL));
            Assert.That(bi.Modules[0].CommandLine, Is.EqualTo("/boot/workload.txt workload"));
            Assert.That(bi.Modules[0].Name, Is.EqualTo("workload"));
            Assert.That(bi.Modules[1].Start, Is.EqualTo(0x300000UL));
            Assert.That(bi.Modules[1].End, Is.EqualTo(0x300800UL));
            Assert.That(bi.Modules[1].Name, Is.EqualTo("initrd"));
            Assert.That(bi.Modules[2].CommandLine, Is.EqualTo(""));
            Assert.That(bi.Modules[2].Name, Is.EqualTo(""));
        }

        [Test]
        public void Mb2ModulesBeyondMaxModulesAreRefusedAndCounted()
        {
            var image2 = new PhysicalImage(0x40000);
            try
            {
                var b = new Multiboot2Builder().MemoryMap(24, ThreeEntries);
                for (uint i = 0; i < BootInfo.MaxModules + 3; i++) b.Module(0x200000 + i * 0x1000, 0x200800 + i * 0x1000, "m" + i);
                image2.Write(Info2, b.End().Build());
                BootInfo bi = MultibootParser.Parse(Mb2, image2.Pointer(Info2), image2.Bias);
                Assert.That(bi.Error, Is.Null);
                Assert.That(bi.ModuleCount, Is.EqualTo(BootInfo.MaxModules));
                Assert.That(bi.ModulesRefused, Is.EqualTo(3));
                Assert.That(bi.Modules[BootInfo.MaxModules - 1].Name, Is.EqualTo("m" + (BootInfo.MaxModules - 1)));
            }
            finally { image2.Dispose(); }
        }

        [Test]
        public void Mb1ModulesBeyondMaxModulesAreRefusedAndCounted()
        {
            var w = new Multiboot1Writer(image);
            var mods = new (uint, uint, string)[BootInfo.MaxModules + 2];
            for (int i = 0; i < mods.Length; i++) mods[i] = (0x200000u + (uint)i * 0x1000, 0x200800u + (uint)i * 0x1000, "m" + i);
            w.Modules(mods);
            w.MemoryMap(20, ThreeEntries);
            BootInfo bi = MultibootParser.Parse(Mb1, Info1, image.Bias);
            Assert.That(bi.ModuleCount, Is.EqualTo(BootInfo.MaxModules));
            Assert.That(bi.ModulesRefused, Is.EqualTo(2));
        }

        [Test]
        public void ASecondModuleWithTheSameNameIsAnError()
        {
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries)
                .Module(0x200000, 0x200800, "/boot/a.wl workload").Module(0x300000, 0x300800, "/boot/b.wl workload")
                .Module(0x400000, 0x400800, "/boot/c other").End().Build());
            BootInfo bi = MultibootParser.Parse(Mb2, info, image.Bias);
            string e = bi.FindModule("workload", out BootModule m);
            Assert.That(m, Is.Null);
            Assert.That(e, Is.EqualTo("2 boot modules are named 'workload' ('/boot/a.wl workload', '/boot/b.wl workload'): give one; none of them is used"));
            Assert.That(bi.FindModule("other", out m), Is.Null);
            Assert.That(m.Start, Is.EqualTo(0x400000UL));
            Assert.That(bi.FindModule("none", out m), Is.Null);
            Assert.That(m, Is.Null);
        }

        [Test]
        public void MemoryMapLongerThanMaxRegionsIsFlagged()
        {
            var image2 = new PhysicalImage(0x40000);
            try
            {
                var entries = new MapEntry[BootInfo.MaxRegions + 5];
                for (int i = 0; i < entries.Length; i++) entries[i] = E((ulong)i << 20, 1 << 20, 1);
                image2.Write(Info2, new Multiboot2Builder().MemoryMap(24, entries).End().Build());
                BootInfo bi = MultibootParser.Parse(Mb2, image2.Pointer(Info2), image2.Bias);
                Assert.That(bi.RegionCount, Is.EqualTo(BootInfo.MaxRegions));
                Assert.That(bi.RegionsTruncated, Is.True);
                image2.Write(Info2, new Multiboot2Builder().MemoryMap(24, entries[..BootInfo.MaxRegions]).End().Build());
                bi = MultibootParser.Parse(Mb2, image2.Pointer(Info2), image2.Bias);
                Assert.That(bi.RegionCount, Is.EqualTo(BootInfo.MaxRegions));
                Assert.That(bi.RegionsTruncated, Is.False, "exactly MaxRegions fits");
            }
            finally { image2.Dispose(); }
        }

        [TestCase(5000)]
        [TestCase(65536)]
        public void Mb1LongCommandLineIsReadAndReservedWhole(int length)
        {
            var image2 = new PhysicalImage(0x40000);
            try
            {
                var w = new Multiboot1Writer(image2);
                string line = "/boot/kernel.elf " + new string('a', length - 17 - 5) + " exit";
                Assert.That(line.Length, Is.EqualTo(length));
                uint at = w.CommandLine(line);
                w.MemoryMap(20, ThreeEntries);
                byte* info = image2.Pointer(Multiboot1Writer.Info);
                BootInfo bi = MultibootParser.Parse(Mb1, info, image2.Bias);
                Assert.That(bi.CommandLine.Length, Is.EqualTo(length - 17), "everything after the image path");
                Assert.That(bi.CommandLine, Does.EndWith(" exit"));
                var starts = new ulong[16]; var ends = new ulong[16];
                int n;
                fixed (ulong* s = starts) fixed (ulong* e = ends) n = MultibootParser.ReadBootSpans(Mb1, info, image2.Bias, s, e, 16);
                int k = Array.IndexOf(starts, (ulong)at);
                Assert.That(k, Is.GreaterThanOrEqualTo(0), "the string is reserved");
                Assert.That(ends[k] - starts[k], Is.EqualTo((ulong)length + 1), "all of it and its NUL");
            }
            finally { image2.Dispose(); }
        }

        [Test]
        public void Mb2OverlongCommandLineIsRefusedNotCut()
        {
            var image2 = new PhysicalImage(0x40000);
            try
            {
                string line = "selftest " + new string('a', CommandLine.MaxBytes) + " exit";
                image2.Write(Info2, new Multiboot2Builder().CommandLine(line).MemoryMap(24, ThreeEntries).End().Build());
                BootInfo bi = MultibootParser.Parse(Mb2, image2.Pointer(Info2), image2.Bias);
                Assert.That(bi.CommandLine.Length, Is.EqualTo(CommandLine.MaxBytes + 1), "read one past the limit, no further");
                var c = CommandLine.Parse(bi.CommandLine, null);
                Assert.That(c.ErrorCount, Is.EqualTo(1));
                Assert.That(c.Errors[0], Does.Contain("refused whole"));
                Assert.That(c.SelfTest, Is.False);
            }
            finally { image2.Dispose(); }
        }

        [Test]
        public void Mb2DirectRgbFramebuffer()
        {
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries)
                .Framebuffer(0xFD000000, 4096, 1024, 768, 32, 1, new byte[] { 16, 8, 8, 8, 0, 8 }).End().Build());
            BootInfo bi = MultibootParser.Parse(Mb2, info, image.Bias);
            Assert.That(bi.Error, Is.Null);
            FramebufferInfo fb = bi.Framebuffer;
            Assert.That(fb, Is.Not.Null);
            Assert.That(fb.Address, Is.EqualTo(0xFD000000UL));
            Assert.That(fb.Pitch, Is.EqualTo(4096u));
            Assert.That(fb.Width, Is.EqualTo(1024u));
            Assert.That(fb.Height, Is.EqualTo(768u));
            Assert.That(fb.BitsPerPixel, Is.EqualTo(32));
            Assert.That(fb.Type, Is.EqualTo(1));
            Assert.That(new[] { fb.RedPosition, fb.RedSize, fb.GreenPosition, fb.GreenSize, fb.BluePosition, fb.BlueSize },
                Is.EqualTo(new byte[] { 16, 8, 8, 8, 0, 8 }));
        }

        [Test]
        public void Mb2RgbFramebuffer16Bit()
        {
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries)
                .Framebuffer(0xE0000000, 1600, 800, 600, 16, 1, new byte[] { 11, 5, 5, 6, 0, 5 }).End().Build());
            FramebufferInfo fb = MultibootParser.Parse(Mb2, info, image.Bias).Framebuffer;
            Assert.That(fb.BitsPerPixel, Is.EqualTo(16));
            Assert.That(new[] { fb.RedPosition, fb.RedSize, fb.GreenPosition, fb.GreenSize, fb.BluePosition, fb.BlueSize },
                Is.EqualTo(new byte[] { 11, 5, 5, 6, 0, 5 }));
        }

        [Test]
        public void Mb2EgaTextFramebufferHasNoColourLayout()
        {
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries)
                .Framebuffer(0xB8000, 160, 80, 25, 16, 2, null).End().Build());
            BootInfo bi = MultibootParser.Parse(Mb2, info, image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.Framebuffer.Address, Is.EqualTo(0xB8000UL));
            Assert.That(bi.Framebuffer.Type, Is.EqualTo(2));
            Assert.That(bi.Framebuffer.Width, Is.EqualTo(80u));
            Assert.That(bi.Framebuffer.RedSize + bi.Framebuffer.GreenSize + bi.Framebuffer.BlueSize, Is.EqualTo(0));
        }

        [Test]
        public void Mb2FramebufferTagTooShortIsAnError()
        {
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries).Tag(8, new byte[16]).End().Build());
            BootInfo bi = MultibootParser.Parse(Mb2, info, image.Bias);
            Assert.That(bi.Error, Does.Contain("framebuffer"));
            Assert.That(bi.Framebuffer, Is.Null);
        }

        [Test]
        public void Mb2RsdpV1ThenV2()
        {
            var b = new Multiboot2Builder().MemoryMap(24, ThreeEntries);
            int v1 = b.NextOffset; b.Rsdp(0);
            int v2 = b.NextOffset; b.Rsdp(2);
            BootInfo bi = MultibootParser.Parse(Mb2, Put2(b.End().Build()), image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(v2, Is.Not.EqualTo(v1));
            Assert.That(bi.RsdpAddress, Is.EqualTo((ulong)(Info2 + v2 + 8)));
            Assert.That(bi.RsdpRevision, Is.EqualTo(2));
        }

        [Test]
        public void Mb2RsdpV2ThenV1KeepsV2()
        {
            var b = new Multiboot2Builder().MemoryMap(24, ThreeEntries);
            int v2 = b.NextOffset; b.Rsdp(2);
            b.Rsdp(0);
            BootInfo bi = MultibootParser.Parse(Mb2, Put2(b.End().Build()), image.Bias);
            Assert.That(bi.RsdpAddress, Is.EqualTo((ulong)(Info2 + v2 + 8)));
            Assert.That(bi.RsdpRevision, Is.EqualTo(2));
        }

        [Test]
        public void Mb2RsdpV1Only()
        {
            var b = new Multiboot2Builder().MemoryMap(24, ThreeEntries);
            int v1 = b.NextOffset; b.Rsdp(0);
            BootInfo bi = MultibootParser.Parse(Mb2, Put2(b.End().Build()), image.Bias);
            Assert.That(bi.RsdpAddress, Is.EqualTo((ulong)(Info2 + v1 + 8)));
            Assert.That(bi.RsdpRevision, Is.EqualTo(0));
            byte* rsdp = (byte*)((long)bi.RsdpAddress + image.Bias);
            Assert.That(MultibootParser.CString(rsdp, 8), Is.EqualTo("RSD PTR "));
        }

        [TestCase(true)]
        [TestCase(false)]
        public void Mb2EfiFlag(bool efi)
        {
            var b = new Multiboot2Builder().MemoryMap(24, ThreeEntries);
            if (efi) b.Efi64(0x7F000000);
            BootInfo bi = MultibootParser.Parse(Mb2, Put2(b.End().Build()), image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.EfiBoot, Is.EqualTo(efi));
        }

        [Test]
        public void Mb2UnknownTagsAreSkipped()
        {
            byte* info = Put2(new Multiboot2Builder().Tag(21, new byte[4]).Tag(99, new byte[13]).MemoryMap(24, ThreeEntries).CommandLine("trace").End().Build());
            BootInfo bi = MultibootParser.Parse(Mb2, info, image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.RegionCount, Is.EqualTo(3));
            Assert.That(bi.CommandLine, Is.EqualTo("trace"));
        }

        // Each malformed structure: ReadMemoryMap -1 and Parse reports an error.
        static object[] Malformed2 =
        {
            new TestCaseData("total_size too small", new Multiboot2Builder().Build(8)).SetName("Mb2Malformed(total_size 8)"),
            new TestCaseData("total_size over 1 MiB", new Multiboot2Builder().MemoryMap(24, ThreeEntries).End().Build(MultibootParser.MaxInfoSize + 8)).SetName("Mb2Malformed(total_size over 1 MiB)"),
            new TestCaseData("tag past total_size", new Multiboot2Builder().MemoryMap(24, ThreeEntries).Tag(1, new byte[8], 64).End().Build()).SetName("Mb2Malformed(tag runs past total_size)"),
            new TestCaseData("tag size < 8", new Multiboot2Builder().MemoryMap(24, ThreeEntries).Tag(1, new byte[8], 4).End().Build()).SetName("Mb2Malformed(tag size 4)"),
            new TestCaseData("end tag size < 8", new Multiboot2Builder().MemoryMap(24, ThreeEntries).Tag(0, new byte[0], 0).Build()).SetName("Mb2Malformed(end tag size 0)"),
            new TestCaseData("missing end tag", new Multiboot2Builder().MemoryMap(24, ThreeEntries).CommandLine("x").Build()).SetName("Mb2Malformed(missing end tag)"),
            new TestCaseData("end tag outside total_size", ChopTotal(new Multiboot2Builder().MemoryMap(24, ThreeEntries).End().Build(), 8)).SetName("Mb2Malformed(end tag outside total_size)"),
            new TestCaseData("mmap entry_size < 24", new Multiboot2Builder().MemoryMap(16, ThreeEntries).End().Build()).SetName("Mb2Malformed(mmap entry_size 16)"),
            new TestCaseData("mmap tag < 16", new Multiboot2Builder().Tag(6, new byte[4]).End().Build()).SetName("Mb2Malformed(mmap tag size 12)"),
            // A size near 2^32 must not wrap around the bounds check (a non-zero
            // reserved field then made the walk loop forever).
            new TestCaseData("tag size wraps", new Multiboot2Builder().Tag(99, new byte[8], 0xFFFFFFF8).End().Build(null, 8)).SetName("Mb2Malformed(tag size wraps around)"),
            new TestCaseData("mmap tag size wraps", new Multiboot2Builder().Tag(6, new byte[8] { 24, 0, 0, 0, 0, 0, 0, 0 }, 0xFFFFFFF8).End().Build()).SetName("Mb2Malformed(mmap tag size wraps around)"),
        };

        static byte[] ChopTotal(byte[] b, uint less)
        {
            uint total = BitConverter.ToUInt32(b, 0) - less;
            Array.Copy(BitConverter.GetBytes(total), b, 4);
            return b;
        }

        [TestCaseSource(nameof(Malformed2))]
        public void Mb2Malformed(string what, byte[] bytes)
        {
            byte* info = Put2(bytes);
            var r = ReadMap(Mb2, info, 8, out int n);
            Assert.That(n, Is.EqualTo(-1), what);
            BootInfo bi = MultibootParser.Parse(Mb2, info, image.Bias);
            Assert.That(bi.Error, Is.Not.Null, what);
            Assert.That(bi.Error, Does.Contain("malformed"), what);
        }

        [Test]
        public void Mb2BootSpansRejectWrappingTagSize()
        {
            byte* info = Put2(new Multiboot2Builder().Tag(99, new byte[8], 0xFFFFFFF8).End().Build(null, 8));
            Assert.That(ReadSpans(Mb2, info, 8, out _, out _), Is.EqualTo(-1));
        }

        [Test]
        public void Mb2HugeEntrySizeReadsNoEntryOutsideTheTag()
        {
            // An mmap tag with no room for entries and an entry_size near 2^32:
            // e + entry_size must not wrap into "fits".
            var b = new Multiboot2Builder().Tag(6, new byte[] { 0xF0, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0 }).End();
            var r = ReadMap(Mb2, Put2(b.Build()), 8, out int n);
            Assert.That(n, Is.EqualTo(0));
        }

        [Test]
        public void Mb2ModuleEndingBeforeItStarts()
        {
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries).Module(0x300000, 0x200000, "bad").End().Build());
            BootInfo bi = MultibootParser.Parse(Mb2, info, image.Bias);
            Assert.That(bi.Error, Is.EqualTo("module ends before it starts"));
            Assert.That(bi.ModuleCount, Is.EqualTo(0));
            // The span reader leaves the impossible module out: only the structure itself.
            int n = ReadSpans(Mb2, info, 8, out ulong[] s, out ulong[] e);
            Assert.That(n, Is.EqualTo(1));
            Assert.That(s[0], Is.EqualTo((ulong)Info2));
        }

        [Test]
        public void Mb2ModuleTagTooShort()
        {
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries).Tag(3, new byte[4]).End().Build());
            Assert.That(MultibootParser.Parse(Mb2, info, image.Bias).Error, Is.EqualTo("module tag too short"));
        }

        [TestCase(0x1BADB002u, "0x1badb002")]
        [TestCase(0u, "0x0")]
        [TestCase(0xDEADBEEFu, "0xdeadbeef")]
        public void UnknownMagic(uint magic, string hex)
        {
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries).End().Build());
            ReadMap(magic, info, 8, out int n);
            Assert.That(n, Is.EqualTo(-1));
            Assert.That(ReadSpans(magic, info, 8, out _, out _), Is.EqualTo(-1));
            BootInfo bi = MultibootParser.Parse(magic, info, image.Bias);
            Assert.That(bi.Error, Is.EqualTo("unknown boot loader magic " + hex));
            Assert.That(bi.RegionCount, Is.EqualTo(0));
        }

        [TestCase(0)]
        [TestCase(1)]
        [TestCase(4)]
        [TestCase(10)]
        [TestCase(11)]
        public void Mb2CapacityIsRespected(int capacity)
        {
            var entries = new MapEntry[10];
            for (int i = 0; i < entries.Length; i++) entries[i] = E((ulong)i << 20, 0x1000 * (ulong)(i + 1), (uint)(i % 5 + 1));
            byte* info = Put2(new Multiboot2Builder().MemoryMap(32, entries).End().Build());
            var r = ReadMap(Mb2, info, capacity, out int n);   // checks the guards
            int expect = Math.Min(capacity, entries.Length);
            Assert.That(n, Is.EqualTo(expect));
            AssertRegions(r, n, entries[..expect]);
        }

        [Test]
        public void Mb2ParseStopsAtMaxRegions()
        {
            var entries = new MapEntry[BootInfo.MaxRegions + 5];
            for (int i = 0; i < entries.Length; i++) entries[i] = E((ulong)i << 12, 0x1000, 1);
            BootInfo bi = MultibootParser.Parse(Mb2, Put2(new Multiboot2Builder().MemoryMap(24, entries).End().Build()), image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.RegionCount, Is.EqualTo(BootInfo.MaxRegions));
            Assert.That(bi.Regions[BootInfo.MaxRegions - 1].Base, Is.EqualTo((ulong)(BootInfo.MaxRegions - 1) << 12));
        }

        [Test]
        public void Mb2BootSpans()
        {
            byte[] bytes = new Multiboot2Builder().MemoryMap(24, ThreeEntries)
                .Module(0x200000, 0x201000, "a").Module(0x300000, 0x300000, "empty").Module(0x400000, 0x400010, "b").End().Build();
            byte* info = Put2(bytes);
            int n = ReadSpans(Mb2, info, 8, out ulong[] s, out ulong[] e);
            Assert.That(n, Is.EqualTo(3));   // structure, two non-empty modules
            Assert.That((s[0], e[0]), Is.EqualTo(((ulong)Info2, (ulong)Info2 + (ulong)bytes.Length)));
            Assert.That((s[1], e[1]), Is.EqualTo((0x200000UL, 0x201000UL)));
            Assert.That((s[2], e[2]), Is.EqualTo((0x400000UL, 0x400010UL)));
        }

        [TestCase(0, 0)]
        [TestCase(1, 1)]
        [TestCase(2, 2)]
        public void Mb2BootSpansCapacity(int capacity, int expect)
        {
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries)
                .Module(0x200000, 0x201000, "a").Module(0x400000, 0x400010, "b").End().Build());
            Assert.That(ReadSpans(Mb2, info, capacity, out ulong[] s, out _), Is.EqualTo(expect));
            if (capacity > 0) Assert.That(s[0], Is.EqualTo((ulong)Info2));
        }

        // ------------------------------------------------------------ Multiboot1

        byte* Info1 => image.Pointer(Multiboot1Writer.Info);

        [TestCase(20u)]
        [TestCase(24u)]
        public void Mb1MemoryMap(uint sizeField)
        {
            var w = new Multiboot1Writer(image);
            w.MemoryMap(sizeField, ThreeEntries);
            var r = ReadMap(Mb1, Info1, 8, out int n);
            AssertRegions(r, n, ThreeEntries);
            BootInfo bi = MultibootParser.Parse(Mb1, Info1, image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.Protocol, Is.EqualTo(1));
            Assert.That(bi.InfoSize, Is.EqualTo(120UL));
            Assert.That(bi.InfoAddress, Is.EqualTo((ulong)Multiboot1Writer.Info));
            AssertRegions(bi.Regions, bi.RegionCount, ThreeEntries);
        }

        [Test]
        public void Mb1CommandLineWithImagePathAndLoaderName()
        {
            var w = new Multiboot1Writer(image);
            w.MemoryMap(20, ThreeEntries);
            w.CommandLine("/boot/kernel.elf selftest sched=edf");
            w.LoaderName("qemu");
            BootInfo bi = MultibootParser.Parse(Mb1, Info1, image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.CommandLine, Is.EqualTo("selftest sched=edf"));
            Assert.That(bi.ImagePath, Is.EqualTo("/boot/kernel.elf"));
            Assert.That(bi.LoaderName, Is.EqualTo("qemu"));
        }

        [Test]
        public void Mb1WithoutOptionalFlags()
        {
            var w = new Multiboot1Writer(image);
            w.MemoryMap(20, ThreeEntries);
            image.U32(Multiboot1Writer.Info + 16, 0xDEAD0000);   // pointers without their flags are not followed
            image.U32(Multiboot1Writer.Info + 64, 0xDEAD0000);
            BootInfo bi = MultibootParser.Parse(Mb1, Info1, image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.CommandLine, Is.EqualTo(""));
            Assert.That(bi.LoaderName, Is.EqualTo(""));
            Assert.That(bi.ModuleCount, Is.EqualTo(0));
            Assert.That(bi.Framebuffer, Is.Null);
        }

        [Test]
        public void Mb1Modules()
        {
            var w = new Multiboot1Writer(image);
            w.MemoryMap(20, ThreeEntries);
            w.Modules((0x200000, 0x201000, "/boot/workload.txt workload"), (0x300000, 0x300400, null), (0x400000, 0x400001, "initrd"));
            BootInfo bi = MultibootParser.Parse(Mb1, Info1, image.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.ModuleCount, Is.EqualTo(3));
            Assert.That((bi.Modules[0].Start, bi.Modules[0].End), Is.EqualTo((0x200000UL, 0x201000UL)));
            Assert.That(bi.Modules[0].CommandLine, Is.EqualTo("/boot/workload.txt workload"));
            Assert.That(bi.Modules[0].Name, Is.EqualTo("workload"));
            Assert.That(bi.Modules[1].CommandLine, Is.EqualTo(""));
            Assert.That(bi.Modules[1].Name, Is.EqualTo(""));
            Assert.That((bi.Modules[2].Start, bi.Modules[2].End), Is.EqualTo((0x400000UL, 0x400001UL)));
            Assert.That(bi.Modules[2].Name, Is.EqualTo("initrd"));
        }

        [Test]
        public void Mb1ModuleEndingBeforeItStarts()
        {
            var w = new Multiboot1Writer(image);
            w.MemoryMap(20, ThreeEntries);
            w.Modules((0x200000, 0x201000, "ok"), (0x300000, 0x2FFFFF, "bad"));
            BootInfo bi = MultibootParser.Parse(Mb1, Info1, image.Bias);
            Assert.That(bi.Error, Is.EqualTo("module ends before it starts"));
            Assert.That(bi.ModuleCount, Is.EqualTo(1));
        }

        [Test]
        public void Mb1ImplausibleModuleCount()
        {
            var w = new Multiboot1Writer(image);
            w.MemoryMap(20, ThreeEntries);
            w.Modules((0x200000, 0x201000, "ok"));
            image.U32(Multiboot1Writer.Info + 20, 5000);
            Assert.That(MultibootParser.Parse(Mb1, Info1, image.Bias).Error, Is.EqualTo("implausible module count 5000"));
            Assert.That(ReadSpans(Mb1, Info1, 8, out _, out _), Is.EqualTo(-1));
        }

        [Test]
        public void Mb1Framebuffer()
        {
            var w = new Multiboot1Writer(image);
            w.MemoryMap(20, ThreeEntries);
            w.Framebuffer(0xFD000000, 3 * 1280, 1280, 800, 24, 1, new byte[] { 16, 8, 8, 8, 0, 8 });
            FramebufferInfo fb = MultibootParser.Parse(Mb1, Info1, image.Bias).Framebuffer;
            Assert.That(fb, Is.Not.Null);
            Assert.That((fb.Address, fb.Pitch, fb.Width, fb.Height), Is.EqualTo((0xFD000000UL, 3840u, 1280u, 800u)));
            Assert.That((fb.BitsPerPixel, fb.Type), Is.EqualTo(((byte)24, (byte)1)));
            Assert.That(new[] { fb.RedPosition, fb.RedSize, fb.GreenPosition, fb.GreenSize, fb.BluePosition, fb.BlueSize },
                Is.EqualTo(new byte[] { 16, 8, 8, 8, 0, 8 }));
        }

        [Test]
        public void Mb1MissingMemoryMapFlag()
        {
            var w = new Multiboot1Writer(image);
            w.MemoryMap(20, ThreeEntries);
            w.CommandLine("selftest");
            w.SetFlags(w.Flags & ~(1u << 6));
            ReadMap(Mb1, Info1, 8, out int n);
            Assert.That(n, Is.EqualTo(-1));
            Assert.That(MultibootParser.Parse(Mb1, Info1, image.Bias).Error, Is.EqualTo("malformed memory map"));
        }

        [Test]
        public void Mb1EntrySizeTooSmall()
        {
            var w = new Multiboot1Writer(image);
            uint map = w.MemoryMap(20, ThreeEntries);
            image.U32(map + 24, 16);   // second entry
            ReadMap(Mb1, Info1, 8, out int n);
            Assert.That(n, Is.EqualTo(-1));
            Assert.That(MultibootParser.Parse(Mb1, Info1, image.Bias).Error, Is.Not.Null);
        }

        [TestCase(100u)]
        [TestCase(0xFFFFFFFCu)]   // size + 4 wraps to 0: the walk would stand still
        public void Mb1EntryRunningPastMapLength(uint size)
        {
            var w = new Multiboot1Writer(image);
            uint map = w.MemoryMap(20, ThreeEntries);
            image.U32(map + 24, size);   // second entry claims more than the map holds
            ReadMap(Mb1, Info1, 8, out int n);
            Assert.That(n, Is.EqualTo(-1));
            Assert.That(MultibootParser.Parse(Mb1, Info1, image.Bias).Error, Is.Not.Null);
        }

        [Test]
        public void Mb1MapLengthOver1MiB()
        {
            var w = new Multiboot1Writer(image);
            w.MemoryMap(20, ThreeEntries);
            image.U32(Multiboot1Writer.Info + 44, MultibootParser.MaxInfoSize + 24);
            ReadMap(Mb1, Info1, 8, out int n);
            Assert.That(n, Is.EqualTo(-1));
        }

        [TestCase(0)]
        [TestCase(2)]
        [TestCase(6)]
        [TestCase(7)]
        public void Mb1CapacityIsRespected(int capacity)
        {
            var entries = new MapEntry[6];
            for (int i = 0; i < entries.Length; i++) entries[i] = E((ulong)i << 20, 0x1000, 1);
            new Multiboot1Writer(image).MemoryMap(20, entries);
            var r = ReadMap(Mb1, Info1, capacity, out int n);
            int expect = Math.Min(capacity, entries.Length);
            Assert.That(n, Is.EqualTo(expect));
            AssertRegions(r, n, entries[..expect]);
        }

        [Test]
        public void Mb1BootSpans()
        {
            var w = new Multiboot1Writer(image);
            uint map = w.MemoryMap(20, ThreeEntries);
            uint cmd = w.CommandLine("/boot/kernel.elf trace");
            uint name = w.LoaderName("qemu");
            uint list = w.Modules((0x200000, 0x201000, "workload"), (0x300000, 0x300000, null));
            uint modString = list + 32;   // allocated right after the 32-byte list
            int n = ReadSpans(Mb1, Info1, 16, out ulong[] s, out ulong[] e);
            var got = new (ulong, ulong)[n];
            for (int i = 0; i < n; i++) got[i] = (s[i], e[i]);
            Assert.That(got, Is.EqualTo(new (ulong, ulong)[]
            {
                (Multiboot1Writer.Info, Multiboot1Writer.Info + 120UL),
                (cmd, cmd + (ulong)"/boot/kernel.elf trace".Length + 1),
                (name, name + 5UL),
                (map, map + 72UL),
                (list, list + 32UL),
                (0x200000UL, 0x201000UL),
                (modString, modString + 9UL),
            }));
        }

        [TestCase(1)]
        [TestCase(3)]
        public void Mb1BootSpansCapacity(int capacity)
        {
            var w = new Multiboot1Writer(image);
            w.MemoryMap(20, ThreeEntries);
            w.CommandLine("x");
            w.LoaderName("y");
            w.Modules((0x200000, 0x201000, "m"));
            Assert.That(ReadSpans(Mb1, Info1, capacity, out ulong[] s, out _), Is.EqualTo(capacity));
            Assert.That(s[0], Is.EqualTo((ulong)Multiboot1Writer.Info));
        }
    
        // ------------------------------------------------ raw command line (no allocation)

        [TestCase("test-early-fault", true)]
        [TestCase("selftest test-early-fault exit", true)]
        [TestCase("  test-early-fault  ", true)]
        [TestCase("test-early-faults", false)]
        [TestCase("xtest-early-fault", false)]
        [TestCase("test-early", false)]
        [TestCase("", false)]
        public void Mb2RawCommandLineWord(string line, bool found)
        {
            byte* info = Put2(new Multiboot2Builder().CommandLine(line).MemoryMap(24, ThreeEntries).End().Build());
            Assert.That(MultibootParser.RawCommandLineHasWord(Mb2, info, image.Bias, "test-early-fault"), Is.EqualTo(found));
        }

        [Test]
        public void Mb2RawCommandLineStopsAtTheTagEnd()
        {
            // A command-line tag whose string has no NUL inside the tag: the
            // word must not be assembled from the bytes after it.
            var b = new Multiboot2Builder().Tag(1, Multiboot2Builder.Ascii("selftest test-early", false)).CommandLine("-fault").End();
            byte* info = Put2(b.Build());
            byte* p = MultibootParser.RawCommandLine(Mb2, info, image.Bias, out uint n);
            Assert.That(p != null, Is.True);
            Assert.That(n, Is.EqualTo(19u));
            Assert.That(MultibootParser.RawCommandLineHasWord(Mb2, info, image.Bias, "test-early-fault"), Is.False);
        }

        [Test]
        public void Mb1RawCommandLineWord()
        {
            var w = new Multiboot1Writer(image);
            w.CommandLine("/boot/kernel.elf selftest test-early-fault");
            Assert.That(MultibootParser.RawCommandLineHasWord(Mb1, image.Pointer(Multiboot1Writer.Info), image.Bias, "test-early-fault"), Is.True);
            Assert.That(MultibootParser.RawCommandLineHasWord(Mb1, image.Pointer(Multiboot1Writer.Info), image.Bias, "exit"), Is.False);
        }

        [Test]
        public void NoCommandLineHasNoWord()
        {
            var w = new Multiboot1Writer(image);
            w.LoaderName("qemu");
            Assert.That(MultibootParser.RawCommandLineHasWord(Mb1, image.Pointer(Multiboot1Writer.Info), image.Bias, "selftest"), Is.False);
            byte* info = Put2(new Multiboot2Builder().MemoryMap(24, ThreeEntries).End().Build());
            Assert.That(MultibootParser.RawCommandLine(Mb2, info, image.Bias, out uint n) == null, Is.True);
        }
}
}
