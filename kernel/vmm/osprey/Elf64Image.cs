namespace Osprey.Kernel.Vmm.Loader
{
    // One PT_LOAD program header, as the loader copies it.
    internal struct LoadSegment
    {
        internal ulong FileOffset, Physical, FileSize, MemorySize;
        internal ulong End { get { return Physical + MemorySize; } }
    }

    // The parts of an ELF64 executable a boot loader needs: the header's
    // entry point and the PT_LOAD segments by physical address (System V ABI,
    // "ELF-64 Object File Format" 1.5: e_ident, Elf64_Ehdr, Elf64_Phdr).
    // Every field is checked against the file's length before it is used;
    // Parse returns null or what is wrong (without the guest's name: the
    // loader adds it).
    internal sealed unsafe class Elf64Image
    {
        internal const int MaxSegments = 16;
        private const uint PtLoad = 1;
        private const ushort MachineX86_64 = 62, TypeExec = 2;
        private const int HeaderSize = 64, PhEntrySize = 56;

        internal ulong Entry;
        internal LoadSegment[] Segments = new LoadSegment[MaxSegments];
        internal int SegmentCount;
        // Lowest and highest physical byte the segments occupy (memory size).
        internal ulong LowAddress, HighAddress;

        internal string Parse(byte* file, ulong length)
        {
            if (file == null || length < 4 || file[0] != 0x7F || file[1] != (byte)'E' || file[2] != (byte)'L' || file[3] != (byte)'F')
                return "not an ELF file (no 7F 'ELF' magic at its start)";
            if (length < HeaderSize) return "not an ELF64 file: " + length.ToString() + " bytes, shorter than the 64-byte ELF64 header";
            if (file[4] != 2) return "not an ELF64 file (class " + ((int)file[4]).ToString() + ", expected 2 = 64-bit)";
            if (file[5] != 1) return "not a little-endian ELF file (data encoding " + ((int)file[5]).ToString() + ")";
            ushort type = *(ushort*)(file + 16), machine = *(ushort*)(file + 18);
            if (machine != MachineX86_64) return "ELF machine " + ((int)machine).ToString() + " is not x86-64 (62)";
            if (type != TypeExec) return "ELF type " + ((int)type).ToString() + " is not an executable (2)";
            Entry = *(ulong*)(file + 24);
            ulong phoff = *(ulong*)(file + 32);
            ushort phentsize = *(ushort*)(file + 54), phnum = *(ushort*)(file + 56);
            if (phnum == 0) return "the ELF file has no program headers";
            if (phentsize < PhEntrySize) return "ELF program header size " + ((int)phentsize).ToString() + " is below 56";
            if (phoff > length || (ulong)phnum * phentsize > length - phoff)
                return "the ELF program headers (" + ((int)phnum).ToString() + " at offset " + phoff.ToString() + ") run past the end of the file (" + length.ToString() + " bytes)";
            SegmentCount = 0;
            LowAddress = ulong.MaxValue;
            HighAddress = 0;
            for (int i = 0; i < phnum; i++)
            {
                byte* ph = file + phoff + (ulong)i * phentsize;
                if (*(uint*)ph != PtLoad) continue;
                LoadSegment s;
                s.FileOffset = *(ulong*)(ph + 8);
                s.Physical = *(ulong*)(ph + 24);
                s.FileSize = *(ulong*)(ph + 32);
                s.MemorySize = *(ulong*)(ph + 40);
                string n = "segment " + i.ToString();
                if (s.FileSize > s.MemorySize) return n + ": file size " + s.FileSize.ToString() + " exceeds its memory size " + s.MemorySize.ToString();
                if (s.FileOffset > length || s.FileSize > length - s.FileOffset)
                    return n + ": bytes " + s.FileOffset.ToString() + " + " + s.FileSize.ToString() + " run past the end of the file (" + length.ToString() + " bytes)";
                if (s.Physical + s.MemorySize < s.Physical) return n + ": physical address " + Hex(s.Physical) + " + size wraps around";
                if (s.MemorySize == 0) continue;
                for (int k = 0; k < SegmentCount; k++)
                    if (s.Physical < Segments[k].End && Segments[k].Physical < s.End)
                        return n + " (" + Hex(s.Physical) + ".." + Hex(s.End) + ") overlaps an earlier one (" + Hex(Segments[k].Physical) + ".." + Hex(Segments[k].End) + ")";
                if (SegmentCount == MaxSegments) return "more than " + MaxSegments.ToString() + " PT_LOAD segments";
                Segments[SegmentCount++] = s;
                if (s.Physical < LowAddress) LowAddress = s.Physical;
                if (s.End > HighAddress) HighAddress = s.End;
            }
            if (SegmentCount == 0) return "the ELF file has no PT_LOAD segment with memory";
            return null;
        }

        internal bool Contains(ulong address)
        {
            for (int k = 0; k < SegmentCount; k++)
                if (address >= Segments[k].Physical && address < Segments[k].End) return true;
            return false;
        }

        internal static string Hex(ulong v)
        {
            char[] c = new char[18];
            int n = 18;
            do { int d = (int)(v & 0xF); c[--n] = (char)(d < 10 ? '0' + d : 'a' + d - 10); v >>= 4; } while (v != 0);
            c[--n] = 'x';
            c[--n] = '0';
            return new string(c, n, 18 - n);
        }
    }
}
