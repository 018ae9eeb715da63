using System.Runtime;
using System.Runtime.CompilerServices;
using Osprey.Kernel.Boot;
using Osprey.Kernel.Memory;

namespace Osprey.Kernel.Arch
{
    // The page below 1 MiB the application processors start in
    // (ap_trampoline.asm): chosen from the firmware memory map, the code
    // copied there, and the data fields filled for each AP in turn. A SIPI
    // vector is a page number, so the page must lie below 1 MiB; the frame
    // allocator never hands out that memory (PhysicalMemory keeps real-mode
    // memory out), so a page the map calls usable is the kernel's to use.
    internal static unsafe class ApTrampoline
    {
        // Offsets of the data fields in ap_trampoline.asm.
        private const int FieldCr3 = 8, FieldStack = 16, FieldEntry = 24, FieldIndex = 32, FieldCr4 = 40, FieldCr0 = 48,
            FieldEfer = 56, FieldArrived = 64;
        private const uint MsrEfer = 0xC0000080;
        private const ulong EferLma = 1UL << 10;
        private const ulong LowLimit = 0x100000;

        private static ulong page;
        internal static ulong Page { get { return page; } }

        // Picks the highest 4 KiB page that lies wholly in a usable range of
        // the memory map, at or above 0x1000 (page 0 holds the real-mode
        // interrupt table and the BIOS data area, and stays unmapped) and
        // below 1 MiB, outside the boot information and the modules; copies
        // the code there. Returns null, or why no page could be used.
        internal static string Install(BootInfo boot)
        {
            ulong size = Size();
            if (size > 4096) return "the start-up code is " + size + " bytes, more than a page";
            ulong best = 0;
            for (int i = 0; i < boot.RegionCount; i++)
            {
                MemoryRegion r = boot.Regions[i];
                if (r.Type != MemoryType.Usable || r.Base >= LowLimit) continue;
                ulong s = (r.Base + 4095) & ~4095UL;
                ulong e = (r.End < LowLimit ? r.End : LowLimit) & ~4095UL;
                if (s < 0x1000) s = 0x1000;
                for (ulong p = e; p >= s + 4096; p -= 4096)
                {
                    ulong candidate = p - 4096;
                    if (candidate <= best) break;
                    if (Overlaps(candidate, boot.InfoAddress, boot.InfoSize)) continue;
                    bool clash = false;
                    for (int m = 0; m < boot.ModuleCount; m++)
                        if (Overlaps(candidate, boot.Modules[m].Start, boot.Modules[m].End - boot.Modules[m].Start)) clash = true;
                    if (clash) continue;
                    best = candidate;
                    break;
                }
            }
            if (best == 0) return "no usable 4 KiB page below 1 MiB in the firmware memory map (the start-up code must run there)";
            if (!Paging.IsMapped(best)) return "the page at " + Hex(best) + " below 1 MiB is not mapped";
            ulong cr3 = Cpu.ReadCr3() & ~0xFFFUL;
            if (cr3 >= (1UL << 32)) return "the page tables' root is at " + Hex(cr3) + ", above 4 GiB (the start-up code loads CR3 in 32-bit mode)";
            page = best;
            byte* dst = (byte*)page;
            Cpu.MemMove(dst, Code(), size);
            *(ulong*)(dst + FieldCr3) = cr3;
            *(ulong*)(dst + FieldEntry) = EntryAddress();
            *(ulong*)(dst + FieldCr4) = Cpu.ReadCr4();
            *(ulong*)(dst + FieldCr0) = Cpu.ReadCr0();
            *(ulong*)(dst + FieldEfer) = Cpu.ReadMsr(MsrEfer) & ~EferLma;
            return null;
        }

        // The fields for the next AP: its index and stack. The stack is
        // written last (with a fence): it is the field an AP takes.
        internal static void Prepare(int index, ulong stackTop)
        {
            byte* p = (byte*)page;
            *(uint*)(p + FieldArrived) = 0;
            *(ulong*)(p + FieldIndex) = (ulong)index;
            Cpu.MemoryFence();
            *(ulong*)(p + FieldStack) = stackTop;
            Cpu.MemoryFence();
        }

        // Whether an AP ran the first instructions since Prepare (tells a
        // CPU that never started from one that stopped on the way).
        internal static bool Arrived { get { return Cpu.MmioRead32(page + FieldArrived) != 0; } }

        // Withdraws an unused stack after a time-out, so a late AP parks.
        internal static void Withdraw() { *(ulong*)((byte*)page + FieldStack) = 0; Cpu.MemoryFence(); }

        private static bool Overlaps(ulong pageStart, ulong start, ulong length)
        {
            return length != 0 && start < pageStart + 4096 && pageStart < start + length;
        }

        private static string Hex(ulong v) { return Acpi.AcpiInfo.Hex(v); }

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_ap_trampoline_address")] private static extern byte* Code();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_ap_trampoline_size")] private static extern ulong Size();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_ap_main_address")] private static extern ulong EntryAddress();
    }
}
