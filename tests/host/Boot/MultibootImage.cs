using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;

namespace Osprey.Tests.Boot
{
    // A pinned byte array standing in for physical memory at a fake base
    // address. Structures are written at physical addresses; the parser gets
    // Pointer(address) and Bias so that physical + Bias is a real pointer.
    internal sealed unsafe class PhysicalImage : IDisposable
    {
        internal const uint Base = 0x10000;
        private readonly byte[] memory;
        private GCHandle handle;
        private readonly byte* start;

        internal PhysicalImage(int size = 0x20000, byte fill = 0xEE)
        {
            memory = new byte[size];
            for (int i = 0; i < size; i++) memory[i] = fill;
            handle = GCHandle.Alloc(memory, GCHandleType.Pinned);
            start = (byte*)handle.AddrOfPinnedObject();
        }

        internal long Bias => (long)start - Base;
        internal byte* Pointer(uint physical) => start + (physical - Base);
        internal uint End => Base + (uint)memory.Length;

        internal void Write(uint physical, byte[] bytes) => Array.Copy(bytes, 0, memory, physical - Base, bytes.Length);
        internal void U32(uint physical, uint v) => Write(physical, BitConverter.GetBytes(v));
        internal void U64(uint physical, ulong v) => Write(physical, BitConverter.GetBytes(v));
        internal void U8(uint physical, byte v) => memory[physical - Base] = v;
        internal void CString(uint physical, string s) => Write(physical, Multiboot2Builder.Ascii(s, true));

        public void Dispose() { if (handle.IsAllocated) handle.Free(); }
    }

    internal struct MapEntry
    {
        internal ulong Base, Length; internal uint Type;
        internal MapEntry(ulong b, ulong l, uint t) { Base = b; Length = l; Type = t; }
    }

    // Assembles a Multiboot2 information structure (spec 1.6, 3.6): total_size,
    // reserved, then tags aligned to 8 bytes.
    internal sealed class Multiboot2Builder
    {
        private readonly List<byte> tags = new List<byte>();

        internal static byte[] Ascii(string s, bool nul)
        {
            byte[] b = Encoding.ASCII.GetBytes(s);
            if (!nul) return b;
            byte[] r = new byte[b.Length + 1];
            Array.Copy(b, r, b.Length);
            return r;
        }

        private static void Put(List<byte> l, uint v) => l.AddRange(BitConverter.GetBytes(v));
        private static void Put(List<byte> l, ulong v) => l.AddRange(BitConverter.GetBytes(v));

        // A raw tag; `size` overrides the natural 8 + payload length.
        internal Multiboot2Builder Tag(uint type, byte[] payload, uint? size = null)
        {
            Put(tags, type);
            Put(tags, size ?? (uint)(8 + payload.Length));
            tags.AddRange(payload);
            while (tags.Count % 8 != 0) tags.Add(0xCC);
            return this;
        }

        internal Multiboot2Builder CommandLine(string s) => Tag(1, Ascii(s, true));
        internal Multiboot2Builder LoaderName(string s) => Tag(2, Ascii(s, true));

        internal Multiboot2Builder Module(uint start, uint end, string cmdline)
        {
            var p = new List<byte>();
            Put(p, start); Put(p, end); p.AddRange(Ascii(cmdline, true));
            return Tag(3, p.ToArray());
        }

        internal Multiboot2Builder MemoryMap(uint entrySize, params MapEntry[] entries)
        {
            var p = new List<byte>();
            Put(p, entrySize); Put(p, 0u);
            foreach (var e in entries)
            {
                int at = p.Count;
                Put(p, e.Base); Put(p, e.Length); Put(p, e.Type); Put(p, 0u);
                while (p.Count < at + entrySize) p.Add(0xAB);   // larger entries: junk after the known fields
            }
            return Tag(6, p.ToArray());
        }

        internal Multiboot2Builder Framebuffer(ulong address, uint pitch, uint width, uint height, byte bpp, byte type, byte[] colorInfo)
        {
            var p = new List<byte>();
            Put(p, address); Put(p, pitch); Put(p, width); Put(p, height);
            p.Add(bpp); p.Add(type); p.Add(0); p.Add(0);
            if (colorInfo != null) p.AddRange(colorInfo);
            return Tag(8, p.ToArray());
        }

        internal Multiboot2Builder Efi64(ulong systemTable) => Tag(12, BitConverter.GetBytes(systemTable));

        internal Multiboot2Builder Rsdp(int revision)
        {
            byte[] r = new byte[revision >= 2 ? 36 : 20];
            Array.Copy(Ascii("RSD PTR ", false), r, 8);
            r[15] = (byte)revision;
            return Tag(revision >= 2 ? 15u : 14u, r);
        }

        internal Multiboot2Builder End() => Tag(0, new byte[0]);

        // Offset (from the start of the structure) the next tag will get.
        internal int NextOffset => 8 + tags.Count;

        internal byte[] Build(uint? totalSize = null, uint reserved = 0)
        {
            var all = new List<byte>();
            Put(all, totalSize ?? (uint)(8 + tags.Count));
            Put(all, reserved);
            all.AddRange(tags);
            return all.ToArray();
        }
    }

    // Writes a Multiboot1 information structure (spec 0.6.96, 3.3) and the
    // data it points to into a PhysicalImage.
    internal sealed class Multiboot1Writer
    {
        internal const uint Info = PhysicalImage.Base + 0x100;
        private readonly PhysicalImage image;
        private uint free = PhysicalImage.Base + 0x1000;   // where pointed-to data goes
        private uint flags;

        internal Multiboot1Writer(PhysicalImage image)
        {
            this.image = image;
            for (uint i = 0; i < 120; i += 4) image.U32(Info + i, 0);
        }

        internal uint Alloc(int bytes) { uint a = free; free += (uint)((bytes + 15) & ~15); return a; }

        private void Flag(int bit) { flags |= 1u << bit; image.U32(Info, flags); }

        internal uint CommandLine(string s)
        {
            uint a = Alloc(s.Length + 1); image.CString(a, s);
            Flag(2); image.U32(Info + 16, a);
            return a;
        }

        internal uint LoaderName(string s)
        {
            uint a = Alloc(s.Length + 1); image.CString(a, s);
            Flag(9); image.U32(Info + 64, a);
            return a;
        }

        // Entries with the given size field (20 is the minimum: base, length, type).
        internal uint MemoryMap(uint sizeField, params MapEntry[] entries)
        {
            uint stride = sizeField + 4;
            uint a = Alloc((int)stride * entries.Length);
            for (int i = 0; i < entries.Length; i++)
            {
                uint e = a + (uint)i * stride;
                image.U32(e, sizeField);
                image.U64(e + 4, entries[i].Base);
                image.U64(e + 12, entries[i].Length);
                image.U32(e + 20, entries[i].Type);
            }
            Flag(6); image.U32(Info + 44, stride * (uint)entries.Length); image.U32(Info + 48, a);
            return a;
        }

        // Modules as (start, end, string or null); returns the list address.
        internal uint Modules(params (uint start, uint end, string name)[] mods)
        {
            uint list = Alloc(16 * mods.Length);
            for (int i = 0; i < mods.Length; i++)
            {
                uint e = list + (uint)i * 16;
                image.U32(e, mods[i].start);
                image.U32(e + 4, mods[i].end);
                uint s = 0;
                if (mods[i].name != null) { s = Alloc(mods[i].name.Length + 1); image.CString(s, mods[i].name); }
                image.U32(e + 8, s);
                image.U32(e + 12, 0);
            }
            Flag(3); image.U32(Info + 20, (uint)mods.Length); image.U32(Info + 24, list);
            return list;
        }

        internal void Framebuffer(ulong address, uint pitch, uint width, uint height, byte bpp, byte type, byte[] colorInfo)
        {
            Flag(12);
            image.U64(Info + 88, address); image.U32(Info + 96, pitch); image.U32(Info + 100, width);
            image.U32(Info + 104, height); image.U8(Info + 108, bpp); image.U8(Info + 109, type);
            for (int i = 0; i < colorInfo.Length; i++) image.U8(Info + 110 + (uint)i, colorInfo[i]);
        }

        internal void SetFlags(uint f) { flags = f; image.U32(Info, f); }
        internal uint Flags => flags;
    }
}
