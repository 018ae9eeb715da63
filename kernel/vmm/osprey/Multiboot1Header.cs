namespace Osprey.Kernel.Vmm.Loader
{
    // The Multiboot1 header a kernel image carries in its first 8192 bytes,
    // 4-byte aligned (Multiboot 0.6.96, section 3.1: magic 1BADB002H, flags,
    // checksum with magic + flags + checksum = 0; with flags bit 16 the
    // address fields, entry_addr at offset 28).
    internal static unsafe class Multiboot1Header
    {
        internal const uint Magic = 0x1BADB002;
        internal const uint SearchBytes = 8192;
        internal const uint FlagPageAlign = 1, FlagMemoryInfo = 2, FlagVideoMode = 4, FlagAddresses = 1u << 16;

        // Finds the header: its offset in the file (-1: none; error then says
        // why, e.g. a bad checksum or a requirement this loader cannot meet).
        // entry is the header's entry_addr when flags bit 16 is set, else 0.
        internal static long Find(byte* file, ulong length, out uint flags, out uint entry, out string error)
        {
            flags = 0;
            entry = 0;
            error = null;
            ulong limit = length < SearchBytes ? length : SearchBytes;
            for (ulong off = 0; off + 12 <= limit; off += 4)
            {
                if (*(uint*)(file + off) != Magic) continue;
                uint f = *(uint*)(file + off + 4), sum = *(uint*)(file + off + 8);
                if (Magic + f + sum != 0) continue;               // not a header: a stray magic value
                flags = f;
                // Bits 0-15 are requirements: a loader that cannot meet one
                // must not boot the image (section 3.1.2). Page-aligned
                // modules (0) and memory information (1) are given.
                if ((f & FlagVideoMode) != 0) { error = "its multiboot header asks for a video mode (flags bit 2): the VMM gives no framebuffer"; return -1; }
                if ((f & 0xFFF8u) != 0) { error = "its multiboot header has requirement flags " + Elf64Image.Hex(f & 0xFFF8u) + " this loader does not know"; return -1; }
                if ((f & FlagAddresses) != 0)
                {
                    if (off + 32 > length) { error = "its multiboot header is cut off before entry_addr"; return -1; }
                    entry = *(uint*)(file + off + 28);
                }
                return (long)off;
            }
            error = "no multiboot1 header (magic 1BADB002H with a valid checksum) in its first 8192 bytes";
            return -1;
        }
    }
}
