namespace Osprey.Kernel.Vmm.Loader
{
    // Builds the Multiboot1 information block a loader hands a kernel
    // (Multiboot 0.6.96, section 3.3) in one buffer that is then copied to
    // guest-physical Base: the 120-byte structure, the memory map, one
    // module entry and the strings, all inside the buffer. Addresses in it
    // are guest-physical.
    //
    // Layout (offsets from Base): 0 the structure, 128 the memory map (three
    // 24-byte entries), 208 the module entry (16 bytes), 224 the boot loader
    // name, 256 the module string, 288 the command line (at most
    // MaxCommandLine bytes and its NUL).
    internal static unsafe class MultibootInfoBuilder
    {
        internal const uint FlagMemory = 1, FlagCommandLine = 1u << 2, FlagModules = 1u << 3, FlagMemoryMap = 1u << 6, FlagLoaderName = 1u << 9;
        internal const string LoaderName = "osprey-vmm";
        internal const int MaxCommandLine = 4096;
        internal const int MapOffset = 128, ModuleOffset = 208, LoaderNameOffset = 224, ModuleNameOffset = 256, CommandLineOffset = 288;
        internal const int MaxSize = CommandLineOffset + MaxCommandLine + 1;
        // A PC's low memory: 640 KiB of RAM, then the hole up to 1 MiB
        // (video memory and ROMs) reported reserved, then the rest.
        internal const ulong LowRamEnd = 0xA0000, HighRamStart = 0x100000;
        private const uint TypeUsable = 1, TypeReserved = 2;

        // Fills buffer (at least MaxSize bytes, zeroed by the caller) and
        // returns the bytes used. ramBytes >= 1 MiB; the command line is at
        // most MaxCommandLine ASCII characters (the loader checks both).
        internal static int Build(byte* buffer, uint baseAddress, ulong ramBytes, string commandLine, uint moduleStart, uint moduleEnd, string moduleName)
        {
            uint* info = (uint*)buffer;
            info[0] = FlagMemory | FlagCommandLine | FlagModules | FlagMemoryMap | FlagLoaderName;
            info[1] = (uint)(LowRamEnd / 1024);                             // mem_lower, KiB from 0
            ulong upperKiB = (ramBytes - HighRamStart) / 1024;              // mem_upper, KiB from 1 MiB
            info[2] = upperKiB > 0xFFFFFFFFUL ? 0xFFFFFFFFu : (uint)upperKiB;
            info[4] = baseAddress + CommandLineOffset;                      // cmdline
            info[5] = 1;                                                    // mods_count
            info[6] = baseAddress + ModuleOffset;                           // mods_addr
            info[11] = 3 * 24;                                              // mmap_length
            info[12] = baseAddress + MapOffset;                             // mmap_addr
            info[16] = baseAddress + LoaderNameOffset;                      // boot_loader_name
            MapEntry(buffer + MapOffset, 0, LowRamEnd, TypeUsable);
            MapEntry(buffer + MapOffset + 24, LowRamEnd, HighRamStart - LowRamEnd, TypeReserved);
            MapEntry(buffer + MapOffset + 48, HighRamStart, ramBytes - HighRamStart, TypeUsable);
            uint* mod = (uint*)(buffer + ModuleOffset);
            mod[0] = moduleStart;
            mod[1] = moduleEnd;
            mod[2] = baseAddress + ModuleNameOffset;
            mod[3] = 0;
            int end = CString(buffer + LoaderNameOffset, LoaderName);
            end = CString(buffer + ModuleNameOffset, moduleName);
            end = CString(buffer + CommandLineOffset, commandLine);
            return CommandLineOffset + end;
        }

        // One entry: size (20, not counting itself), base, length, type.
        private static void MapEntry(byte* p, ulong b, ulong length, uint type)
        {
            *(uint*)p = 20;
            *(ulong*)(p + 4) = b;
            *(ulong*)(p + 12) = length;
            *(uint*)(p + 20) = type;
        }

        // Writes s and a NUL; returns the bytes written.
        private static int CString(byte* p, string s)
        {
            for (int i = 0; i < s.Length; i++) p[i] = (byte)s[i];
            p[s.Length] = 0;
            return s.Length + 1;
        }
    }
}
