using Osprey.Kernel.Arch;
using Osprey.Kernel.Boot;
using Osprey.Kernel.Memory;

namespace Osprey.Kernel.SelfTest
{
    // What the boot loader handed over, and the CPU state the boot stub set.
    internal sealed unsafe class BootSuite : Suite
    {
        internal override string Name { get { return "boot"; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] {
                    "protocol_known", "command_line_has_selftest", "memory_map_sane", "kernel_image_in_usable_ram",
                    "long_mode_and_paging_on", "sse_enabled", "workload_module_found", "screen_console_state",
                    "command_line_parser_reports_unknown", "symbol_table_names_code",
                    "command_line_taken_whole_or_refused", "modules_taken_or_refused",
                };
            }
        }

        internal override void Run(int index, Check t)
        {
            BootInfo b = KernelMain.Boot;
            switch (index)
            {
                case 0:
                    t.True(b.Protocol == 1 || b.Protocol == 2, "multiboot 1 or 2");
                    t.True(b.Error == null, "boot information well formed");
                    break;
                case 1:
                    t.True(KernelMain.Options.SelfTest, "selftest on the command line");
                    t.Equal(0, KernelMain.Options.ErrorCount, "no command-line errors");
                    break;
                case 2:
                {
                    t.True(b.RegionCount > 0, "regions reported");
                    ulong usable = b.UsableBytes();
                    t.True(usable >= (16UL << 20), "at least 16 MiB usable");
                    bool overlap = false;
                    for (int i = 0; i < b.RegionCount; i++)
                        for (int j = i + 1; j < b.RegionCount; j++)
                            if (b.Regions[i].Type == MemoryType.Usable && b.Regions[j].Type == MemoryType.Usable &&
                                b.Regions[i].Base < b.Regions[j].End && b.Regions[j].Base < b.Regions[i].End) overlap = true;
                    t.False(overlap, "usable regions do not overlap");
                    t.True(PhysicalMemory.TotalBytes <= usable, "allocator holds no more than the usable RAM");
                    break;
                }
                case 3:
                {
                    ulong s = (ulong)Image.Start(), e = (ulong)Image.End();
                    bool inside = false;
                    for (int i = 0; i < b.RegionCount; i++)
                        if (b.Regions[i].Type == MemoryType.Usable && b.Regions[i].Base <= s && b.Regions[i].End >= e) inside = true;
                    t.True(inside, "image lies in one usable region");
                    t.EqualHex(0x100000, s, "image loaded at 1 MiB");
                    break;
                }
                case 4:
                    t.True((Cpu.ReadCr0() & (1UL << 31)) != 0, "CR0.PG");
                    t.True((Cpu.ReadCr4() & (1UL << 5)) != 0, "CR4.PAE");
                    t.True((Cpu.ReadMsr(0xC0000080) & (1UL << 10)) != 0, "EFER.LMA");
                    t.True(Paging.Active, "kernel page tables active");
                    t.False(Paging.IsMapped(0), "page 0 unmapped");
                    break;
                case 5:
                    t.True((Cpu.ReadCr4() & (1UL << 9)) != 0, "CR4.OSFXSR");
                    t.True((Cpu.ReadCr0() & (1UL << 2)) == 0, "CR0.EM clear");
                    double x = 1.5; double y = x * 3.25;
                    t.Equal(4875, (long)(y * 1000), "double arithmetic (SSE2)");
                    break;
                case 6:
                {
                    if (b.ModuleCount == 0)
                    {
                        t.Skip("no boot module given (QEMU: -initrd 'FILE workload'; GRUB: module2 FILE workload)");
                        break;
                    }
                    bool found = false;
                    for (int i = 0; i < b.ModuleCount; i++)
                        if (b.Modules[i].Name == "workload") { found = true; t.True(b.Modules[i].End > b.Modules[i].Start, "module has bytes"); }
                    t.True(found, "module 'workload' located");
                    break;
                }
                case 7:
                    if (b.Framebuffer == null) { t.Skip("no framebuffer from the boot loader (-kernel boot)"); break; }
                    t.True(Osprey.Kernel.Console.Screen.Ready, "screen console up");
                    break;
                case 8:
                {
                    CommandLine c = CommandLine.Parse("selftest=boot,heap sched=nope bogus console=serial", new string[] { "priority", "edf" });
                    t.True(c.SelfTest, "selftest");
                    t.Equal("boot,heap", c.SelfTestFilter, "filter");
                    t.Equal(1, c.UnknownCount, "one unknown word");
                    t.Equal("bogus", c.Unknown[0], "the unknown word");
                    t.Equal(1, c.ErrorCount, "bad sched= reported");
                    t.False(c.ScreenConsole, "console=serial");
                    break;
                }
                case 10:
                {
                    // What this boot was given: every word parsed (the
                    // parser's count against a count of the raw text).
                    string line = b.CommandLine;
                    int words = 0;
                    for (int i = 0; i < line.Length; i++)
                        if (line[i] != ' ' && (i == 0 || line[i - 1] == ' ')) words++;
                    if (line.Length <= CommandLine.MaxBytes) t.Equal(words, KernelMain.Options.WordCount, "words parsed of " + line.Length + " characters");
                    // A line past 4 KiB and 32 words keeps its last word; one
                    // past the limit is refused whole.
                    string pad = "";
                    for (int i = 0; i < 40; i++) pad = pad + "word" + i + " ";
                    while (pad.Length < 5000) pad = pad + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx ";
                    CommandLine c = CommandLine.Parse(pad + "exit", null);
                    t.True(c.ExitWhenDone, "the word after " + pad.Length + " characters is applied");
                    t.Equal(0, c.ErrorCount, "no error");
                    char[] big = new char[CommandLine.MaxBytes + 1];
                    for (int i = 0; i < big.Length; i++) big[i] = 'a';
                    CommandLine r = CommandLine.Parse(new string(big, 0, big.Length), null);
                    t.Equal(1, r.ErrorCount, "an overlong line is refused with one error");
                    t.Equal(0, r.UnknownCount, "and no word of it taken");
                    break;
                }
                case 11:
                {
                    t.Equal(0, b.ModulesRefused, "modules refused in this boot");
                    BootModule m;
                    t.True(b.FindModule(Workload.WorkloadRunner.ModuleName, out m) == null, "at most one module named workload");
                    break;
                }
                case 9:
                    t.True(Symbols.Count > 100, "symbol table present");
                    t.True(Symbols.NameEquals(new BootSuite().GetMethodTable(), "Osprey_Kernel_SelfTest_BootSuite"), "type named from its MethodTable");
                    break;
            }
        }
    }
}
