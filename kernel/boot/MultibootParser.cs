namespace Osprey.Kernel.Boot
{
    // Reads Multiboot1 (spec 0.6.96, section 3.3) and Multiboot2 (spec 1.6,
    // section 3.6) boot information. Every length is checked against the
    // declared total size, so a malformed structure is reported, never
    // followed. Physical addresses inside the structure are turned into
    // pointers by adding `bias` (0 in the kernel, whose low memory is
    // identity-mapped; the host tests place the structure in a byte array).
    internal static unsafe class MultibootParser
    {
        internal const uint Multiboot1Magic = 0x2BADB002;
        internal const uint Multiboot2Magic = 0x36D76289;
        internal const uint MaxInfoSize = 1 << 20;
        // Strings the structure points to (Multiboot1 command lines, module
        // strings) are read up to this many bytes: one more than a command
        // line may have, so an overlong one is seen as such and refused
        // (CommandLine.MaxBytes), never cut to a shorter valid one.
        internal const uint MaxStringBytes = CommandLine.MaxBytes + 1;

        private const uint TagEnd = 0, TagCommandLine = 1, TagLoaderName = 2, TagModule = 3,
            TagMemoryMap = 6, TagFramebuffer = 8, TagEfi64 = 12, TagRsdpV1 = 14, TagRsdpV2 = 15;

        // Copies the memory map into `regions` without allocating (used
        // before the heap exists). Returns the number of regions, or -1 when
        // the information is malformed or the magic is unknown.
        internal static int ReadMemoryMap(uint magic, byte* info, long bias, MemoryRegion* regions, int capacity)
        {
            if (magic == Multiboot2Magic)
            {
                uint total = *(uint*)info;
                if (total < 16 || total > MaxInfoSize) return -1;
                int count = 0;
                uint off = 8;
                while (off + 8 <= total)
                {
                    uint type = *(uint*)(info + off);
                    uint size = *(uint*)(info + off + 4);
                    if (size < 8 || size > total - off) return -1;   // off + size could wrap
                    if (type == TagEnd) return count;
                    if (type == TagMemoryMap)
                    {
                        if (size < 16) return -1;
                        uint entrySize = *(uint*)(info + off + 8);
                        if (entrySize < 24) return -1;
                        for (uint e = 16; entrySize <= size - e && count < capacity; e += entrySize)
                        {
                            byte* p = info + off + e;
                            regions[count].Base = *(ulong*)p;
                            regions[count].Length = *(ulong*)(p + 8);
                            regions[count].Type = (MemoryType)(*(uint*)(p + 16));
                            count++;
                        }
                    }
                    off += (size + 7) & ~7u;
                }
                return -1; // no end tag inside the declared size
            }
            if (magic == Multiboot1Magic)
            {
                uint flags = *(uint*)info;
                if ((flags & (1 << 6)) == 0) return -1;
                uint length = *(uint*)(info + 44);
                if (length > MaxInfoSize) return -1;
                byte* map = (byte*)((long)*(uint*)(info + 48) + bias);
                int count = 0;
                uint off = 0;
                while (off + 24 <= length && count < capacity)
                {
                    uint size = *(uint*)(map + off);   // size of the entry, excluding this field
                    if (size < 20 || size > length - off - 4) return -1;   // runs past mmap_length
                    regions[count].Base = *(ulong*)(map + off + 4);
                    regions[count].Length = *(ulong*)(map + off + 12);
                    regions[count].Type = (MemoryType)(*(uint*)(map + off + 20));
                    count++;
                    off += size + 4;
                }
                return count;
            }
            return -1;
        }

        // Every span of memory the boot information lives in: the structure
        // itself, the boot modules, and (Multiboot1, whose structure points
        // elsewhere) the command line, loader name, module list and strings
        // and memory map. Without allocating, so the frame allocator can keep
        // clear of them. Returns the count (at most `capacity`) or -1.
        internal static int ReadBootSpans(uint magic, byte* info, long bias, ulong* starts, ulong* ends, int capacity)
        {
            int count = 0;
            ulong infoAddress = (ulong)((long)info - bias);
            if (magic == Multiboot2Magic)
            {
                uint total = *(uint*)info;
                if (total < 16 || total > MaxInfoSize) return -1;
                Add(starts, ends, ref count, capacity, infoAddress, total);
                uint off = 8;
                while (off + 8 <= total)
                {
                    uint type = *(uint*)(info + off);
                    uint size = *(uint*)(info + off + 4);
                    if (size < 8 || size > total - off) return -1;   // off + size could wrap
                    if (type == TagEnd) return count;
                    if (type == TagModule && size >= 16)
                    {
                        uint ms = *(uint*)(info + off + 8), me = *(uint*)(info + off + 12);
                        if (me > ms) Add(starts, ends, ref count, capacity, ms, me - ms);
                    }
                    off += (size + 7) & ~7u;
                }
                return count;
            }
            if (magic == Multiboot1Magic)
            {
                uint flags = *(uint*)info;
                Add(starts, ends, ref count, capacity, infoAddress, 120);
                if ((flags & (1 << 2)) != 0) AddString(starts, ends, ref count, capacity, *(uint*)(info + 16), bias);
                if ((flags & (1 << 9)) != 0) AddString(starts, ends, ref count, capacity, *(uint*)(info + 64), bias);
                if ((flags & (1 << 6)) != 0) Add(starts, ends, ref count, capacity, *(uint*)(info + 48), *(uint*)(info + 44));
                if ((flags & (1 << 3)) != 0)
                {
                    uint n = *(uint*)(info + 20);
                    if (n > 1024) return -1;
                    uint list = *(uint*)(info + 24);
                    Add(starts, ends, ref count, capacity, list, n * 16);
                    byte* mods = (byte*)((long)list + bias);
                    for (uint i = 0; i < n; i++)
                    {
                        uint ms = *(uint*)(mods + i * 16), me = *(uint*)(mods + i * 16 + 4);
                        if (me > ms) Add(starts, ends, ref count, capacity, ms, me - ms);
                        uint str = *(uint*)(mods + i * 16 + 8);
                        if (str != 0) AddString(starts, ends, ref count, capacity, str, bias);
                    }
                }
                return count;
            }
            return -1;
        }

        // The command line's bytes without allocating (before the heap and
        // the runtime data exist): null when the loader gave none. `length`
        // counts the bytes before the NUL; a Multiboot1 string is searched
        // for its NUL up to MaxInfoSize bytes.
        internal static byte* RawCommandLine(uint magic, byte* info, long bias, out uint length)
        {
            length = 0;
            if (magic == Multiboot2Magic)
            {
                uint total = *(uint*)info;
                if (total < 16 || total > MaxInfoSize) return null;
                uint off = 8;
                while (off + 8 <= total)
                {
                    uint type = *(uint*)(info + off);
                    uint size = *(uint*)(info + off + 4);
                    if (size < 8 || size > total - off || type == TagEnd) return null;
                    if (type == TagCommandLine)
                    {
                        byte* p = info + off + 8;
                        while (length < size - 8 && p[length] != 0) length++;
                        return p;
                    }
                    off += (size + 7) & ~7u;
                }
                return null;
            }
            if (magic == Multiboot1Magic && (*(uint*)info & (1 << 2)) != 0)
            {
                byte* p = (byte*)((long)*(uint*)(info + 16) + bias);
                while (length < MaxInfoSize && p[length] != 0) length++;
                return p;
            }
            return null;
        }

        // Whether the command line holds `word` as a whole space-separated
        // word, without allocating.
        internal static bool RawCommandLineHasWord(uint magic, byte* info, long bias, string word)
        {
            uint n;
            byte* p = RawCommandLine(magic, info, bias, out n);
            if (p == null) return false;
            uint i = 0;
            while (i < n)
            {
                while (i < n && p[i] == ' ') i++;
                uint start = i;
                while (i < n && p[i] != ' ') i++;
                if (i - start != (uint)word.Length) continue;
                bool same = true;
                for (int k = 0; k < word.Length; k++) if (p[start + (uint)k] != word[k]) { same = false; break; }
                if (same) return true;
            }
            return false;
        }

        private static void Add(ulong* starts, ulong* ends, ref int count, int capacity, ulong start, ulong length)
        {
            if (count >= capacity || length == 0) return;
            starts[count] = start;
            ends[count] = start + length;
            count++;
        }

        private static void AddString(ulong* starts, ulong* ends, ref int count, int capacity, uint address, long bias)
        {
            byte* p = (byte*)((long)address + bias);
            uint n = 0;
            while (n < MaxStringBytes && p[n] != 0) n++;
            Add(starts, ends, ref count, capacity, address, n + 1);
        }

        // Full parse into a BootInfo (allocates). On malformed input the
        // result carries Error naming what is wrong.
        internal static BootInfo Parse(uint magic, byte* info, long bias)
        {
            BootInfo bi = new BootInfo();
            bi.InfoAddress = (ulong)((long)info - bias);
            // One entry more than is kept, to tell a full map from a longer one.
            MemoryRegion[] regions = new MemoryRegion[BootInfo.MaxRegions + 1];
            fixed (MemoryRegion* r = &regions[0])
            {
                int n = ReadMemoryMap(magic, info, bias, r, BootInfo.MaxRegions + 1);
                if (n < 0) { bi.Error = magic == Multiboot1Magic || magic == Multiboot2Magic ? "malformed memory map" : "unknown boot loader magic 0x" + Hex(magic); return bi; }
                bi.RegionsTruncated = n > BootInfo.MaxRegions;
                bi.RegionCount = n > BootInfo.MaxRegions ? BootInfo.MaxRegions : n;
                for (int i = 0; i < bi.RegionCount; i++) bi.Regions[i] = regions[i];
            }
            if (magic == Multiboot2Magic) ParseMultiboot2(bi, info, bias);
            else ParseMultiboot1(bi, info, bias);
            SplitImagePath(bi);
            return bi;
        }

        private static void ParseMultiboot2(BootInfo bi, byte* info, long bias)
        {
            bi.Protocol = 2;
            uint total = *(uint*)info;
            bi.InfoSize = total;
            uint off = 8;
            while (off + 8 <= total)
            {
                uint type = *(uint*)(info + off);
                uint size = *(uint*)(info + off + 4);
                byte* tag = info + off;
                if (type == TagEnd) break;
                if (type == TagCommandLine) bi.CommandLine = CString(tag + 8, size - 8 < MaxStringBytes ? size - 8 : MaxStringBytes);
                else if (type == TagLoaderName) bi.LoaderName = CString(tag + 8, size - 8);
                else if (type == TagModule)
                {
                    if (size < 16) { bi.Error = "module tag too short"; return; }
                    if (bi.ModuleCount == BootInfo.MaxModules) bi.ModulesRefused++;
                    else
                    {
                        BootModule m = new BootModule();
                        m.Start = *(uint*)(tag + 8);
                        m.End = *(uint*)(tag + 12);
                        m.CommandLine = CString(tag + 16, size - 16);
                        if (m.End < m.Start) { bi.Error = "module ends before it starts"; return; }
                        bi.Modules[bi.ModuleCount++] = m;
                    }
                }
                else if (type == TagFramebuffer)
                {
                    if (size < 32) { bi.Error = "framebuffer tag too short"; return; }
                    bi.Framebuffer = ReadFramebuffer(tag + 8, size >= 38 ? tag + 32 : null);
                }
                else if (type == TagRsdpV1 && bi.RsdpAddress == 0) { bi.RsdpAddress = (ulong)((long)(tag + 8) - bias); bi.RsdpRevision = 0; }
                else if (type == TagRsdpV2) { bi.RsdpAddress = (ulong)((long)(tag + 8) - bias); bi.RsdpRevision = 2; }
                else if (type == TagEfi64) bi.EfiBoot = true;
                off += (size + 7) & ~7u;
            }
        }

        private static void ParseMultiboot1(BootInfo bi, byte* info, long bias)
        {
            bi.Protocol = 1;
            bi.InfoSize = 120;
            uint flags = *(uint*)info;
            if ((flags & (1 << 2)) != 0) bi.CommandLine = CString((byte*)((long)*(uint*)(info + 16) + bias), MaxStringBytes);
            if ((flags & (1 << 9)) != 0) bi.LoaderName = CString((byte*)((long)*(uint*)(info + 64) + bias), 256);
            if ((flags & (1 << 3)) != 0)
            {
                uint count = *(uint*)(info + 20);
                byte* mods = (byte*)((long)*(uint*)(info + 24) + bias);
                if (count > 1024) { bi.Error = "implausible module count " + count; return; }
                if (count > BootInfo.MaxModules) bi.ModulesRefused = (int)count - BootInfo.MaxModules;
                for (uint i = 0; i < count && bi.ModuleCount < BootInfo.MaxModules; i++)
                {
                    byte* e = mods + i * 16;
                    BootModule m = new BootModule();
                    m.Start = *(uint*)e;
                    m.End = *(uint*)(e + 4);
                    uint str = *(uint*)(e + 8);
                    m.CommandLine = str == 0 ? "" : CString((byte*)((long)str + bias), MaxStringBytes);
                    if (m.End < m.Start) { bi.Error = "module ends before it starts"; return; }
                    bi.Modules[bi.ModuleCount++] = m;
                }
            }
            if ((flags & (1 << 12)) != 0) bi.Framebuffer = ReadFramebuffer(info + 88, info + 110);
        }

        // Loaders put the kernel image's path first on its command line
        // (QEMU -kernel and GRUB for Multiboot1): a first word with a '/' is
        // that path, not a kernel option.
        private static void SplitImagePath(BootInfo bi)
        {
            string c = bi.CommandLine;
            int i = 0;
            while (i < c.Length && c[i] == ' ') i++;
            int start = i;
            bool slash = false;
            while (i < c.Length && c[i] != ' ') { if (c[i] == '/') slash = true; i++; }
            if (!slash || i == start) return;
            bi.ImagePath = c.Substring(start, i - start);
            bi.CommandLine = i < c.Length ? c.Substring(i + 1) : "";
        }

        // Common framebuffer fields: address, pitch, width, height, bpp, type;
        // for direct RGB the six field position/size bytes follow.
        private static FramebufferInfo ReadFramebuffer(byte* p, byte* colorInfo)
        {
            FramebufferInfo fb = new FramebufferInfo();
            fb.Address = *(ulong*)p;
            fb.Pitch = *(uint*)(p + 8);
            fb.Width = *(uint*)(p + 12);
            fb.Height = *(uint*)(p + 16);
            fb.BitsPerPixel = p[20];
            fb.Type = p[21];
            if (fb.Type == 1 && colorInfo != null)
            {
                fb.RedPosition = colorInfo[0]; fb.RedSize = colorInfo[1];
                fb.GreenPosition = colorInfo[2]; fb.GreenSize = colorInfo[3];
                fb.BluePosition = colorInfo[4]; fb.BlueSize = colorInfo[5];
            }
            return fb;
        }

        // A NUL-terminated string of at most `max` bytes (ASCII; others as '?').
        internal static string CString(byte* p, uint max)
        {
            int n = 0;
            while (n < max && p[n] != 0) n++;
            char[] chars = new char[n];
            for (int i = 0; i < n; i++) chars[i] = p[i] < 128 ? (char)p[i] : '?';
            return new string(chars, 0, n);
        }

        internal static string Hex(ulong v)
        {
            char[] c = new char[16];
            int i = 16;
            do { int d = (int)(v & 15); c[--i] = (char)(d < 10 ? '0' + d : 'a' + d - 10); v >>= 4; } while (v != 0);
            return new string(c, i, 16 - i);
        }
    }
}
