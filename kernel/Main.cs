using System.Runtime;
using Osprey.Kernel.Arch;
using Osprey.Kernel.Boot;
using Osprey.Kernel.Drivers;
using Osprey.Kernel.Memory;

namespace Osprey.Kernel
{
    internal static unsafe class KernelMain
    {
        // The IL assembly needs an entry point; the boot stub calls kmain.
        private static int Main() { return 0; }

        [RuntimeExport("kmain")]
        private static void KMain(uint magic, uint info)
        {
            Serial.Initialize();
            Serial.Write("osprey: hello from C#\n");
            MemoryRegion* regions = stackalloc MemoryRegion[BootInfo.MaxRegions];
            int n = MultibootParser.ReadMemoryMap(magic, (byte*)info, 0, regions, BootInfo.MaxRegions);
            if (n < 0) { Serial.Write("osprey: no memory map\n"); Cpu.HaltForever(); }
            ulong* rs = stackalloc ulong[4];
            ulong* re = stackalloc ulong[4];
            rs[0] = (ulong)Image.Start(); re[0] = (ulong)Image.End();
            rs[1] = info; re[1] = info + 0x10000;
            PhysicalMemory.Initialize(regions, n, rs, re, 2);
            Internal.Runtime.CompilerHelpers.StartupCodeHelpers.Initialize(Image.ModulesStart(), Image.ModulesEnd());
            Log.WriteLine("osprey: statics ready, " + PhysicalMemory.TotalBytes / 1024 + " KiB free");
            Cpu.HaltForever();
        }
    }
}
