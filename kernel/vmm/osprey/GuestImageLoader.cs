namespace Osprey.Kernel.Vmm.Loader
{
    // Where a loaded guest starts: the 32-bit protected-mode entry state a
    // Multiboot1 loader gives (Multiboot 0.6.96, section 3.2: EAX = 2BADB002H,
    // EBX = the information block's physical address, paging off, flat
    // segments), and where the loader put things in guest RAM.
    internal sealed class GuestEntryState
    {
        internal const uint BootMagic = 0x2BADB002;
        internal uint Eip, Eax, Ebx;
        internal ulong ImageStart, ImageEnd;      // the segments' lowest and highest byte (bss included)
        internal ulong InfoStart, InfoEnd;        // the information block with its map and strings
        internal ulong ModuleStart, ModuleEnd;    // the workload module
    }

    // Loads a Multiboot1 ELF64 kernel (the Osprey kernel.elf) into a guest's
    // RAM as a boot loader would: each PT_LOAD segment at its physical
    // address (file bytes, then zeros up to its memory size: the bss), the
    // information block at InfoBase (below the 640 KiB line, clear of a
    // kernel linked at 1 MiB), one module after the image, page-aligned.
    // Every failure is a sentence that names the guest; nothing is written
    // to guest RAM before all checks have passed.
    internal static unsafe class GuestImageLoader
    {
        internal const uint InfoBase = 0x8000;
        internal const ulong PageSize = 4096;
        // Multiboot1 carries 32-bit addresses: the image, the block and the
        // module must lie below 4 GiB.
        private const ulong Limit32 = 0x1_0000_0000UL;

        internal static string Load(string guest, byte* elf, ulong elfLength, GuestRamView ram, string commandLine,
                                    byte* module, ulong moduleLength, string moduleName, GuestEntryState entry)
        {
            string who = "guest '" + guest + "': ";
            Elf64Image image = new Elf64Image();
            string e = image.Parse(elf, elfLength);
            if (e != null) return who + "image: " + e;
            uint flags, headerEntry;
            if (Multiboot1Header.Find(elf, elfLength, out flags, out headerEntry, out e) < 0) return who + "image: " + e;
            ulong eip = (flags & Multiboot1Header.FlagAddresses) != 0 ? headerEntry : image.Entry;
            if (eip >= Limit32 || !image.Contains(eip))
                return who + "image: its entry point " + Elf64Image.Hex(eip) + " is not inside a loaded segment";
            if (commandLine == null) commandLine = "";
            if (commandLine.Length > MultibootInfoBuilder.MaxCommandLine)
                return who + "cmdline: " + commandLine.Length.ToString() + " characters, more than " + MultibootInfoBuilder.MaxCommandLine.ToString();
            for (int i = 0; i < commandLine.Length; i++)
                if (commandLine[i] < ' ' || commandLine[i] > '~') return who + "cmdline: character " + (i + 1).ToString() + " is not printable ASCII";

            if (moduleName == null || moduleName.Length == 0 || moduleName.Length >= MultibootInfoBuilder.CommandLineOffset - MultibootInfoBuilder.ModuleNameOffset)
                return who + "the module name must have 1 to " + (MultibootInfoBuilder.CommandLineOffset - MultibootInfoBuilder.ModuleNameOffset - 1).ToString() + " characters";
            ulong size = ram.Size;
            ulong infoEnd = InfoBase + (ulong)MultibootInfoBuilder.MaxSize;
            ulong moduleStart = (image.HighAddress + PageSize - 1) & ~(PageSize - 1);
            ulong moduleEnd = moduleStart + moduleLength;
            // The image ends at HighAddress; the module follows it, at least one byte
            // (an empty module still has a page); RAM must hold both and reach past 1 MiB.
            ulong needed = ((moduleEnd > moduleStart ? moduleEnd : moduleStart + 1) + PageSize - 1) & ~(PageSize - 1);
            if (needed < MultibootInfoBuilder.HighRamStart + PageSize) needed = MultibootInfoBuilder.HighRamStart + PageSize;
            for (int k = 0; k < image.SegmentCount; k++)
            {
                LoadSegment s = image.Segments[k];
                if (s.End > size)
                    return who + "image segment " + Elf64Image.Hex(s.Physical) + ".." + Elf64Image.Hex(s.End) + " lies outside the guest's RAM (0.." + Elf64Image.Hex(size) +
                        "): give memory of at least " + MiB(needed) + "M";
                if (s.Physical < infoEnd && InfoBase < s.End)
                    return who + "image segment " + Elf64Image.Hex(s.Physical) + ".." + Elf64Image.Hex(s.End) + " overlaps the boot information the loader puts at " +
                        Elf64Image.Hex(InfoBase) + ".." + Elf64Image.Hex(infoEnd);
            }
            if (needed > size)
                return who + "memory " + KiB(size) + " KiB is too small: the image ends at " + Elf64Image.Hex(image.HighAddress) + " and the " + moduleLength.ToString() +
                    "-byte workload module follows it; give memory of at least " + MiB(needed) + "M";
            if (moduleEnd > Limit32) return who + "the workload module would end at " + Elf64Image.Hex(moduleEnd) + ", above the 4 GiB that multiboot1 addresses reach";

            // All checked: copy the segments, zero their bss, place the module and the block.
            for (int k = 0; k < image.SegmentCount; k++)
            {
                LoadSegment s = image.Segments[k];
                if (s.FileSize > 0) ram.Write(s.Physical, elf + s.FileOffset, s.FileSize);
                if (s.MemorySize > s.FileSize) ram.Zero(s.Physical + s.FileSize, s.MemorySize - s.FileSize);
            }
            if (moduleLength > 0) ram.Write(moduleStart, module, moduleLength);
            byte[] block = new byte[MultibootInfoBuilder.MaxSize];
            int used;
            fixed (byte* b = block)
            {
                used = MultibootInfoBuilder.Build(b, InfoBase, size, commandLine, (uint)moduleStart, (uint)moduleEnd, moduleName);
                ram.Zero(InfoBase, (ulong)MultibootInfoBuilder.MaxSize);
                ram.Write(InfoBase, b, (ulong)used);
            }
            entry.Eip = (uint)eip;
            entry.Eax = GuestEntryState.BootMagic;
            entry.Ebx = InfoBase;
            entry.ImageStart = image.LowAddress;
            entry.ImageEnd = image.HighAddress;
            entry.InfoStart = InfoBase;
            entry.InfoEnd = InfoBase + (ulong)used;
            entry.ModuleStart = moduleStart;
            entry.ModuleEnd = moduleEnd;
            return null;
        }

        private static string KiB(ulong bytes) { return ((bytes + 1023) / 1024).ToString(); }
        // Whole MiB, rounded up: a size the 'memory' line takes.
        private static string MiB(ulong bytes) { return ((bytes + (1UL << 20) - 1) >> 20).ToString(); }
    }
}
