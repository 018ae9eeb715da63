using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using NUnit.Framework;
using Osprey.Kernel.Boot;
using Osprey.Kernel.Vmm.Loader;

namespace Osprey.Tests.Vmm
{
    // Guest RAM as a pinned byte array: guest-physical 0 is element 0. Filled
    // with 0xEE so that bytes the loader must zero (bss) are seen zeroed.
    internal sealed unsafe class ArrayRam : GuestRamView, IDisposable
    {
        internal readonly byte[] Bytes;
        private GCHandle handle;
        internal readonly byte* Start;
        internal long Writes;

        internal ArrayRam(int size)
        {
            Bytes = new byte[size];
            Array.Fill(Bytes, (byte)0xEE);
            handle = GCHandle.Alloc(Bytes, GCHandleType.Pinned);
            Start = (byte*)handle.AddrOfPinnedObject();
        }

        internal override ulong Size => (ulong)Bytes.Length;
        internal override void Write(ulong gpa, byte* source, ulong count)
        {
            Assert.That(gpa + count, Is.LessThanOrEqualTo(Size), "write past the guest's RAM");
            Buffer.MemoryCopy(source, Start + gpa, count, count);
            Writes++;
        }
        internal override void Zero(ulong gpa, ulong count)
        {
            Assert.That(gpa + count, Is.LessThanOrEqualTo(Size), "zeroing past the guest's RAM");
            new Span<byte>(Start + gpa, (int)count).Clear();
            Writes++;
        }
        internal long Bias => (long)Start;
        public void Dispose() { if (handle.IsAllocated) handle.Free(); }
    }

    // A small ELF64 executable like kernel.elf: a multiboot1 header at the
    // start of its first segment (a.out-kludge entry), PT_LOAD segments at
    // physical addresses with file bytes and bss.
    internal sealed class ElfBuilder
    {
        internal struct Seg { internal ulong Phys, MemSize; internal byte[] Data; internal uint Type; }
        internal readonly List<Seg> Segs = new List<Seg>();
        internal ulong Entry = 0x100040;
        internal byte Class = 2, Encoding = 1;
        internal ushort Machine = 62, Type = 2;
        internal bool Multiboot = true;
        internal uint MultibootFlags = (1 << 1) | (1 << 16);
        internal uint HeaderEntry = 0x100040;
        internal bool BadChecksum;

        internal ElfBuilder Segment(ulong phys, byte[] data, ulong memSize, uint type = 1)
        {
            Segs.Add(new Seg { Phys = phys, Data = data, MemSize = memSize, Type = type });
            return this;
        }

        internal static byte[] Pattern(int n, int seed)
        {
            var b = new byte[n];
            for (int i = 0; i < n; i++) b[i] = (byte)(i * 7 + seed);
            return b;
        }

        internal byte[] Build()
        {
            const int ehdr = 64, phsz = 56;
            int phoff = ehdr, dataStart = 0x1000;
            var offsets = new List<int>();
            int pos = dataStart;
            foreach (var s in Segs) { offsets.Add(pos); pos += (s.Data.Length + 0xFFF) & ~0xFFF; }
            var f = new byte[Math.Max(pos, dataStart)];
            f[0] = 0x7F; f[1] = (byte)'E'; f[2] = (byte)'L'; f[3] = (byte)'F';
            f[4] = Class; f[5] = Encoding; f[6] = 1;
            BitConverter.TryWriteBytes(new Span<byte>(f, 16, 2), Type);
            BitConverter.TryWriteBytes(new Span<byte>(f, 18, 2), Machine);
            BitConverter.TryWriteBytes(new Span<byte>(f, 20, 4), 1u);
            BitConverter.TryWriteBytes(new Span<byte>(f, 24, 8), Entry);
            BitConverter.TryWriteBytes(new Span<byte>(f, 32, 8), (ulong)phoff);
            BitConverter.TryWriteBytes(new Span<byte>(f, 52, 2), (ushort)ehdr);
            BitConverter.TryWriteBytes(new Span<byte>(f, 54, 2), (ushort)phsz);
            BitConverter.TryWriteBytes(new Span<byte>(f, 56, 2), (ushort)Segs.Count);
            for (int i = 0; i < Segs.Count; i++)
            {
                int p = phoff + i * phsz;
                var s = Segs[i];
                BitConverter.TryWriteBytes(new Span<byte>(f, p, 4), s.Type);
                BitConverter.TryWriteBytes(new Span<byte>(f, p + 4, 4), 7u);
                BitConverter.TryWriteBytes(new Span<byte>(f, p + 8, 8), (ulong)offsets[i]);
                BitConverter.TryWriteBytes(new Span<byte>(f, p + 16, 8), s.Phys);
                BitConverter.TryWriteBytes(new Span<byte>(f, p + 24, 8), s.Phys);
                BitConverter.TryWriteBytes(new Span<byte>(f, p + 32, 8), (ulong)s.Data.Length);
                BitConverter.TryWriteBytes(new Span<byte>(f, p + 40, 8), s.MemSize);
                Array.Copy(s.Data, 0, f, offsets[i], s.Data.Length);
            }
            if (Multiboot)
            {
                // The header as boot/entry.asm writes it, at file offset 0x1000.
                int h = dataStart;
                uint magic = 0x1BADB002, sum = (uint)(0 - (magic + MultibootFlags)) + (BadChecksum ? 1u : 0u);
                BitConverter.TryWriteBytes(new Span<byte>(f, h, 4), magic);
                BitConverter.TryWriteBytes(new Span<byte>(f, h + 4, 4), MultibootFlags);
                BitConverter.TryWriteBytes(new Span<byte>(f, h + 8, 4), sum);
                BitConverter.TryWriteBytes(new Span<byte>(f, h + 12, 4), 0x100000u);
                BitConverter.TryWriteBytes(new Span<byte>(f, h + 16, 4), 0x100000u);
                BitConverter.TryWriteBytes(new Span<byte>(f, h + 20, 4), 0u);
                BitConverter.TryWriteBytes(new Span<byte>(f, h + 24, 4), 0u);
                BitConverter.TryWriteBytes(new Span<byte>(f, h + 28, 4), HeaderEntry);
            }
            return f;
        }

        // The usual test image: text at 1 MiB (8 KiB of file bytes, 12 KiB of
        // memory: 4 KiB of bss) and a data segment at 1 MiB + 64 KiB.
        internal static ElfBuilder Kernelish() =>
            new ElfBuilder().Segment(0x100000, Pattern(0x2000, 1), 0x3000).Segment(0x110000, Pattern(0x800, 5), 0x1000);
    }

    [TestFixture]
    public unsafe class GuestImageLoaderTests
    {
        const int Ram = 4 << 20;
        static readonly byte[] Workload = System.Text.Encoding.ASCII.GetBytes("scheduler edf\nperiodic name=a wcet=1ms period=10ms\n");

        static string Load(byte[] elf, ArrayRam ram, GuestEntryState st, string cmdline = "selftest=threads exit", byte[] module = null, string name = "os")
        {
            module ??= Workload;
            fixed (byte* e = elf) fixed (byte* m = module.Length == 0 ? new byte[1] : module)
                return GuestImageLoader.Load(name, e, (ulong)elf.Length, ram, cmdline, m, (ulong)module.Length, "workload", st);
        }

        [Test]
        public void Segments_land_at_their_physical_addresses_with_bss_zeroed()
        {
            var b = ElfBuilder.Kernelish();
            using var ram = new ArrayRam(Ram);
            var st = new GuestEntryState();
            Assert.That(Load(b.Build(), ram, st), Is.Null);
            byte[] text = b.Segs[0].Data, data = b.Segs[1].Data;
            // The multiboot header overwrote the first 32 bytes of the test pattern in the file.
            Assert.That(ram.Bytes.AsSpan(0x100000 + 32, text.Length - 32).SequenceEqual(text.AsSpan(32)), Is.True, "text segment bytes");
            Assert.That(BitConverter.ToUInt32(ram.Bytes, 0x100000), Is.EqualTo(0x1BADB002u), "the header travels with the segment");
            Assert.That(ram.Bytes.AsSpan(0x102000, 0x1000).ToArray(), Is.All.EqualTo(0), "text segment's bss zeroed");
            Assert.That(ram.Bytes.AsSpan(0x110000, data.Length).SequenceEqual(data), Is.True, "data segment bytes");
            Assert.That(ram.Bytes.AsSpan(0x110800, 0x800).ToArray(), Is.All.EqualTo(0), "data segment's bss zeroed");
            Assert.That(ram.Bytes[0x103000], Is.EqualTo(0xEE), "nothing written between the segments");
            Assert.That(st.ImageStart, Is.EqualTo(0x100000UL));
            Assert.That(st.ImageEnd, Is.EqualTo(0x111000UL));
        }

        [Test]
        public void Entry_state_is_multiboot1()
        {
            var b = ElfBuilder.Kernelish();
            b.Entry = 0x100080;           // the ELF's entry differs from the header's: the header's wins
            using var ram = new ArrayRam(Ram);
            var st = new GuestEntryState();
            Assert.That(Load(b.Build(), ram, st), Is.Null);
            Assert.That(st.Eip, Is.EqualTo(0x100040u), "EIP from the a.out-kludge header");
            Assert.That(st.Eax, Is.EqualTo(0x2BADB002u));
            Assert.That(st.Ebx, Is.EqualTo(GuestImageLoader.InfoBase));

            b.MultibootFlags = 1 << 1;    // no address fields: the ELF's entry
            var st2 = new GuestEntryState();
            using var ram2 = new ArrayRam(Ram);
            Assert.That(Load(b.Build(), ram2, st2), Is.Null);
            Assert.That(st2.Eip, Is.EqualTo(0x100080u), "EIP from e_entry");
        }

        [Test]
        public void Information_block_walks_back_with_the_kernels_parser()
        {
            using var ram = new ArrayRam(Ram);
            var st = new GuestEntryState();
            Assert.That(Load(ElfBuilder.Kernelish().Build(), ram, st, "sched=edf selftest=threads exit"), Is.Null);
            byte* info = ram.Start + st.Ebx;
            Assert.That(*(uint*)info, Is.EqualTo(1u | 4 | 8 | 64 | 512), "flags: mem, cmdline, mods, mmap, loader name");
            Assert.That(*(uint*)(info + 4), Is.EqualTo(640u), "mem_lower KiB");
            Assert.That(*(uint*)(info + 8), Is.EqualTo((uint)((Ram - 0x100000) / 1024)), "mem_upper KiB");

            BootInfo bi = MultibootParser.Parse(st.Eax, info, ram.Bias);
            Assert.That(bi.Error, Is.Null);
            Assert.That(bi.Protocol, Is.EqualTo(1));
            Assert.That(bi.LoaderName, Is.EqualTo("osprey-vmm"));
            Assert.That(bi.CommandLine, Is.EqualTo("sched=edf selftest=threads exit"));
            Assert.That(bi.RegionCount, Is.EqualTo(3));
            Assert.That((bi.Regions[0].Base, bi.Regions[0].Length, bi.Regions[0].Type), Is.EqualTo((0UL, 0xA0000UL, MemoryType.Usable)));
            Assert.That((bi.Regions[1].Base, bi.Regions[1].Length, bi.Regions[1].Type), Is.EqualTo((0xA0000UL, 0x60000UL, MemoryType.Reserved)));
            Assert.That((bi.Regions[2].Base, bi.Regions[2].Length, bi.Regions[2].Type), Is.EqualTo((0x100000UL, (ulong)Ram - 0x100000, MemoryType.Usable)));
            Assert.That(bi.UsableBytes(), Is.EqualTo((ulong)Ram - 0x60000));
            Assert.That(bi.ModuleCount, Is.EqualTo(1));
            BootModule m = bi.Modules[0];
            Assert.That(m.Name, Is.EqualTo("workload"));
            Assert.That(m.Start, Is.EqualTo(0x111000UL), "the module follows the image, page-aligned");
            Assert.That(m.End - m.Start, Is.EqualTo((ulong)Workload.Length));
            Assert.That(ram.Bytes.AsSpan((int)m.Start, Workload.Length).SequenceEqual(Workload), Is.True, "module bytes");
            Assert.That((st.ModuleStart, st.ModuleEnd), Is.EqualTo((m.Start, m.End)));

            // The spans the guest kernel keeps out of its frame allocator cover
            // the block, its strings, map and module list, and the module.
            ulong[] s = new ulong[16], e = new ulong[16];
            int n;
            fixed (ulong* ps = s) fixed (ulong* pe = e) n = MultibootParser.ReadBootSpans(st.Eax, info, ram.Bias, ps, pe, 16);
            Assert.That(n, Is.GreaterThan(0));
            bool Covered(ulong a, ulong b) { for (int i = 0; i < n; i++) if (s[i] <= a && b <= e[i]) return true; return false; }
            Assert.That(Covered(st.Ebx, st.Ebx + 120), Is.True, "the structure");
            Assert.That(Covered(m.Start, m.End), Is.True, "the module");
            Assert.That(Covered(st.Ebx + 288, st.Ebx + 288 + 32), Is.True, "the command line");
            // Everything the loader wrote lies in usable RAM.
            Assert.That(st.InfoEnd, Is.LessThan(0xA0000UL));
            Assert.That(st.ModuleEnd, Is.LessThanOrEqualTo((ulong)Ram));
        }

        [Test]
        public void Empty_workload_module_and_empty_command_line()
        {
            using var ram = new ArrayRam(Ram);
            var st = new GuestEntryState();
            Assert.That(Load(ElfBuilder.Kernelish().Build(), ram, st, "", Array.Empty<byte>()), Is.Null);
            BootInfo bi = MultibootParser.Parse(st.Eax, ram.Start + st.Ebx, ram.Bias);
            Assert.That(bi.CommandLine, Is.EqualTo(""));
            Assert.That(bi.ModuleCount, Is.EqualTo(1));
            Assert.That(bi.Modules[0].End, Is.EqualTo(bi.Modules[0].Start));
        }

        static string Refused(ElfBuilder b, int ram = Ram, byte[] module = null, string cmdline = "exit")
            => Refused(b.Build(), ram, module, cmdline);

        static string Refused(byte[] elf, int ramSize = Ram, byte[] module = null, string cmdline = "exit")
        {
            using var ram = new ArrayRam(ramSize);
            string e = Load(elf, ram, new GuestEntryState(), cmdline, module, "vm7");
            Assert.That(e, Is.Not.Null, "refused");
            Assert.That(e, Does.StartWith("guest 'vm7': "), "the error names the guest");
            Assert.That(ram.Writes, Is.EqualTo(0), "nothing written to guest RAM on an error");
            return e;
        }

        [Test]
        public void Not_an_elf_file()
        {
            Assert.That(Refused(System.Text.Encoding.ASCII.GetBytes("periodic name=a wcet=1ms period=10ms\n")), Does.Contain("not an ELF file"));
            Assert.That(Refused(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1 }), Does.Contain("shorter than the 64-byte ELF64 header"));
            var b = ElfBuilder.Kernelish(); b.Class = 1;
            Assert.That(Refused(b), Does.Contain("not an ELF64 file (class 1"));
            b = ElfBuilder.Kernelish(); b.Machine = 3;
            Assert.That(Refused(b), Does.Contain("is not x86-64"));
            b = ElfBuilder.Kernelish(); b.Type = 3;
            Assert.That(Refused(b), Does.Contain("not an executable"));
        }

        [Test]
        public void Truncated_program_headers_and_segments()
        {
            byte[] f = ElfBuilder.Kernelish().Build();
            Assert.That(Refused(f.AsSpan(0, 100).ToArray()), Does.Contain("run past the end of the file"));
            Assert.That(Refused(f.AsSpan(0, 0x1800).ToArray()), Does.Contain("segment 0: bytes 4096 + 8192 run past the end of the file"));
            var b = new ElfBuilder().Segment(0x100000, ElfBuilder.Pattern(0x2000, 1), 0x1000);
            Assert.That(Refused(b), Does.Contain("file size 8192 exceeds its memory size 4096"));
        }

        [Test]
        public void Segment_outside_the_guests_ram()
        {
            var b = ElfBuilder.Kernelish().Segment(0x800000, ElfBuilder.Pattern(16, 3), 16);
            string e = Refused(b);
            Assert.That(e, Does.Contain("image segment 0x800000..0x800010 lies outside the guest's RAM (0..0x400000)"));
            Assert.That(e, Does.EndWith("give memory of at least 9M"));
        }

        [Test]
        public void Ram_too_small_for_the_image_or_the_module()
        {
            Assert.That(Refused(ElfBuilder.Kernelish(), 1 << 20), Does.Contain("lies outside the guest's RAM (0..0x100000)"));
            // The image fits (it ends at 0x111000) but the 64 KiB module does not.
            string e = Refused(ElfBuilder.Kernelish(), 0x118000, new byte[0x10000]);
            Assert.That(e, Does.Contain($"memory {0x118000 / 1024} KiB is too small"));
            Assert.That(e, Does.Contain("65536-byte workload module"));
            Assert.That(e, Does.EndWith("give memory of at least 2M"));
        }

        [Test]
        public void Multiboot_header_missing_bad_or_demanding()
        {
            var b = ElfBuilder.Kernelish(); b.Multiboot = false;
            Assert.That(Refused(b), Does.Contain("no multiboot1 header"));
            b = ElfBuilder.Kernelish(); b.BadChecksum = true;
            Assert.That(Refused(b), Does.Contain("no multiboot1 header"), "a header with a wrong checksum is no header");
            b = ElfBuilder.Kernelish(); b.MultibootFlags |= 4;
            Assert.That(Refused(b), Does.Contain("asks for a video mode"));
            b = ElfBuilder.Kernelish(); b.HeaderEntry = 0x200000;
            Assert.That(Refused(b), Does.Contain("entry point 0x200000 is not inside a loaded segment"));
        }

        [Test]
        public void Segment_over_the_information_block()
        {
            var b = ElfBuilder.Kernelish().Segment(0x9000, ElfBuilder.Pattern(16, 3), 16);
            Assert.That(Refused(b), Does.Contain("overlaps the boot information the loader puts at 0x8000"));
        }

        [Test]
        public void Overlapping_segments_and_bad_command_lines()
        {
            var b = ElfBuilder.Kernelish().Segment(0x100800, ElfBuilder.Pattern(16, 3), 16);
            Assert.That(Refused(b), Does.Contain("overlaps an earlier one"));
            Assert.That(Refused(ElfBuilder.Kernelish(), cmdline: new string('a', 4097)), Does.Contain("cmdline: 4097 characters, more than 4096"));
            Assert.That(Refused(ElfBuilder.Kernelish(), cmdline: "exit\nx"), Does.Contain("cmdline: character 5 is not printable ASCII"));
        }

        [Test]
        public void The_osprey_module_is_found_or_the_guest_refused()
        {
            var boot = new BootInfo();
            Assert.That(Osprey.Kernel.Vmm.OspreyImageModule.Find(boot, "x", out BootModule m),
                Is.EqualTo("guest 'x': image osprey needs the boot module 'osprey' (the kernel.elf); none was given"));
            boot.Modules[boot.ModuleCount++] = new BootModule { Start = 0x200000, End = 0x300000, CommandLine = "out/kernel.elf osprey" };
            Assert.That(Osprey.Kernel.Vmm.OspreyImageModule.Find(boot, "x", out m), Is.Null);
            Assert.That(m.Start, Is.EqualTo(0x200000UL));
            boot.Modules[boot.ModuleCount++] = new BootModule { Start = 0x400000, End = 0x500000, CommandLine = "/boot/kernel.elf osprey" };
            Assert.That(Osprey.Kernel.Vmm.OspreyImageModule.Find(boot, "x", out m), Does.StartWith("guest 'x': 2 boot modules are named 'osprey'"));
        }

        // The kernel image itself, when this checkout has built it: one RWX
        // segment at 1 MiB whose header entry is _start32.
        [Test]
        public void The_built_kernel_elf_loads()
        {
            string path = Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../out/kernel.elf");
            if (!File.Exists(path)) Assert.Ignore("out/kernel.elf not built");
            byte[] elf = File.ReadAllBytes(path);
            using var ram = new ArrayRam(64 << 20);
            var st = new GuestEntryState();
            Assert.That(Load(elf, ram, st), Is.Null);
            Assert.That(st.ImageStart, Is.EqualTo(0x100000UL));
            Assert.That(BitConverter.ToUInt32(elf, 24), Is.EqualTo(st.Eip), "the header's entry is the ELF's (_start32)");
            Assert.That(st.ModuleStart % 4096, Is.EqualTo(0UL));
            Assert.That(st.ModuleStart, Is.GreaterThanOrEqualTo(st.ImageEnd));
        }
    }
}
