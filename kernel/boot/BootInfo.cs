namespace Osprey.Kernel.Boot
{
    // Memory region types as the firmware reports them (Multiboot2 1.6 3.6.8;
    // the same numbering as the ACPI/E820 address range types).
    internal enum MemoryType : uint
    {
        Usable = 1,
        Reserved = 2,
        AcpiReclaimable = 3,
        AcpiNvs = 4,
        Bad = 5,
    }

    internal struct MemoryRegion
    {
        internal ulong Base;
        internal ulong Length;
        internal MemoryType Type;
        internal ulong End { get { return Base + Length; } }
    }

    internal sealed class BootModule
    {
        internal ulong Start;
        internal ulong End;
        internal string CommandLine;

        // The module's name: the last word of its command line (QEMU passes
        // "path name", GRUB's module2 the words after the path).
        internal string Name
        {
            get
            {
                if (CommandLine == null) return "";
                int end = CommandLine.Length;
                while (end > 0 && CommandLine[end - 1] == ' ') end--;
                int start = end;
                while (start > 0 && CommandLine[start - 1] != ' ') start--;
                return CommandLine.Substring(start, end - start);
            }
        }
    }

    internal sealed class FramebufferInfo
    {
        internal ulong Address;
        internal uint Pitch;
        internal uint Width;
        internal uint Height;
        internal byte BitsPerPixel;
        internal byte Type;          // 0 indexed, 1 direct RGB, 2 EGA text
        internal byte RedPosition, RedSize, GreenPosition, GreenSize, BluePosition, BlueSize;
    }

    // What the boot loader told the kernel, in one place, whichever protocol
    // (Multiboot1 from QEMU -kernel, Multiboot2 from GRUB) delivered it.
    internal sealed class BootInfo
    {
        internal const int MaxRegions = 128;
        // Modules beyond this many are refused (counted in ModulesRefused,
        // reported at boot, their memory not kept): the boot code reserves
        // the modules' memory in a fixed table before the heap exists.
        internal const int MaxModules = 64;

        internal int Protocol;                // 1 or 2
        internal string Error;                // null when the information was well formed
        internal string CommandLine = "";     // the kernel's arguments, without the image path
        internal string ImagePath = "";       // the leading path some loaders put first
        internal string LoaderName = "";
        internal MemoryRegion[] Regions = new MemoryRegion[MaxRegions];
        internal int RegionCount;
        internal bool RegionsTruncated;       // the map had more than MaxRegions entries: the rest is not used
        internal BootModule[] Modules = new BootModule[MaxModules];
        internal int ModuleCount;
        internal int ModulesRefused;
        internal FramebufferInfo Framebuffer;
        internal ulong RsdpAddress;           // address of an RSDP copy, 0 when absent
        internal int RsdpRevision;
        internal ulong InfoAddress;
        internal ulong InfoSize;
        internal bool EfiBoot;

        // The one module called `name`: null (and `module` null) when there is
        // none or exactly one; an error naming them when several have the name
        // (which one was meant is not guessed).
        internal string FindModule(string name, out BootModule module)
        {
            module = null;
            int found = 0;
            string listed = "";
            for (int i = 0; i < ModuleCount; i++)
            {
                if (Modules[i].Name != name) continue;
                if (found == 0) module = Modules[i];
                listed = found == 0 ? "'" + Modules[i].CommandLine + "'" : listed + ", '" + Modules[i].CommandLine + "'";
                found++;
            }
            if (found <= 1) return null;
            module = null;
            return found + " boot modules are named '" + name + "' (" + listed + "): give one; none of them is used";
        }

        internal ulong UsableBytes()
        {
            ulong total = 0;
            for (int i = 0; i < RegionCount; i++) if (Regions[i].Type == MemoryType.Usable) total += Regions[i].Length;
            return total;
        }
    }
}
