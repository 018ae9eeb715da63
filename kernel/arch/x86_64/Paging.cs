using Osprey.Kernel.Arch;
using Osprey.Kernel.Boot;

namespace Osprey.Kernel.Memory
{
    // The kernel's page tables, built from the firmware memory map: every
    // range the firmware reports (RAM, ACPI, reserved) is identity-mapped,
    // with 2 MiB pages where alignment allows and 4 KiB pages elsewhere;
    // nothing else is mapped, so a stray pointer faults. Page 0 stays
    // unmapped to catch null dereferences. Device memory (framebuffer,
    // APIC, HPET) is added with MapDevice, uncached. 4-level paging, Intel
    // SDM vol. 3A 5.5 (tables 5-15 to 5-20 for the entry formats).
    internal static unsafe class Paging
    {
        internal const ulong Present = 1, Writable = 2, WriteThrough = 8, CacheDisable = 16, Large = 128, NoExecute = 1UL << 63;
        private const ulong AddressMask = 0x000FFFFFFFFFF000;
        private const ulong TwoMiB = 1UL << 21;

        private static ulong* pml4;
        private static ulong mappedBytes;
        private static long tablePages;

        internal static ulong MappedBytes { get { return mappedBytes; } }
        internal static long TablePages { get { return tablePages; } }
        internal static bool Active { get { return pml4 != null; } }
        // The PML4's physical address (the CR3 value).
        internal static ulong Root { get { return (ulong)pml4; } }

        // Entry flags for a cache attribute (PCD|PWT: uncached, SDM vol. 3A
        // 13.12.3) and access (R/W bit; XD bit 63, needs EFER.NXE).
        internal static ulong FlagsFor(CacheMode cache, PageAccess access)
        {
            ulong f = Present;
            if (cache == CacheMode.Uncached) f |= CacheDisable | WriteThrough;
            f |= access == PageAccess.ReadWrite ? Writable : NoExecute;
            return f;
        }

        internal static void Initialize(MemoryRegion* regions, int count, ulong imageEnd)
        {
            pml4 = NewTable();
            // RAM and ACPI tables cacheable; reserved ranges (often device
            // memory) uncached.
            for (int i = 0; i < count; i++)
            {
                MemoryType type = regions[i].Type;
                bool ram = type == MemoryType.Usable || type == MemoryType.AcpiReclaimable || type == MemoryType.AcpiNvs;
                MapRange(regions[i].Base, regions[i].Length, ram ? Present | Writable : Present | Writable | CacheDisable | WriteThrough);
            }
            // The image, the boot stack and the early tables are in the map
            // already on any sane firmware; make sure of it.
            MapRange(0x100000, imageEnd - 0x100000, Present | Writable);
            UnmapPage(0);
            Cpu.WriteCr3((ulong)pml4);
            // Every usable region is mapped now, however high: frames from
            // all of them may be handed out. Until here the frame allocator
            // kept below the boot stub's bridge (the tables above were built
            // in frames it can reach).
            ulong usableEnd = 0;
            for (int i = 0; i < count; i++)
                if (regions[i].Type == MemoryType.Usable && regions[i].Base + regions[i].Length > usableEnd) usableEnd = regions[i].Base + regions[i].Length;
            PhysicalMemory.SetReachableEnd(usableEnd > PhysicalMemory.BootMappedEnd ? usableEnd : PhysicalMemory.BootMappedEnd);
        }

        internal static void MapDevice(ulong physical, ulong length)
        {
            MapRange(physical, length, Present | Writable | CacheDisable | WriteThrough);
        }

        // Guards every table entry and the counters (lock order: page
        // tables, then frames, which NewTable takes).
        private static SpinLock tableLock;

        // Locking: the tables are changed at run time too (a
        // thread's guard page, ACPI and device pages, self-tests), from
        // threads that can be preempted. A Walk preempted between finding an
        // entry absent (or a 2 MiB page) and storing the table it made would
        // overwrite the table another thread stored meanwhile, losing that
        // thread's mappings or an unmapped guard page
        // (memory.page_tables_under_preemption), and so would another CPU.
        // So each page's step, walk included, runs under tableLock
        // (interrupts off): bounded by creating at most
        // three tables or splitting one 2 MiB page (512 stores).
        internal static void MapRange(ulong physical, ulong length, ulong flags)
        {
            if (length == 0) return;
            ulong start = physical & ~0xFFFUL;
            ulong end = (physical + length + 0xFFF) & ~0xFFFUL;
            ulong a = start;
            // Whether an entry that was present changed (another address,
            // cache attribute or access): other CPUs may cache the old one.
            bool changed = false;
            while (a < end)
            {
                ulong saved = tableLock.Acquire();
                if ((a & (TwoMiB - 1)) == 0 && end - a >= TwoMiB && !HasSmallTable(a))
                {
                    ulong* pd = Walk(a, 2);
                    ulong* e = &pd[(a >> 21) & 511];
                    if ((*e & Present) == 0) mappedBytes += TwoMiB;
                    else if (Differs(*e, a | flags | Large)) changed = true;
                    *e = a | flags | Large;
                    a += TwoMiB;
                }
                else
                {
                    ulong* pt = Walk(a, 1);
                    ulong* e = &pt[(a >> 12) & 511];
                    if ((*e & Present) == 0) mappedBytes += 4096;
                    else if (Differs(*e, a | flags)) changed = true;
                    *e = a | flags;
                    a += 4096;
                }
                tableLock.Release(saved);
            }
            if (Cpu.ReadCr3() == (ulong)pml4) Cpu.WriteCr3((ulong)pml4);   // flush
            // A new translation needs no shootdown (a not-present entry is
            // never cached, SDM vol. 3A 4.10.2.3); a changed one does, even
            // a widened one (a stale entry would fault spuriously there).
            if (changed) Tlb.Shootdown(start, (end - start) / 4096);
        }

        // Whether two present entries translate differently: the accessed
        // and dirty bits (5, 6), which the CPU sets, do not count.
        private static bool Differs(ulong old, ulong now)
        {
            const ulong AccessedDirty = 0x60;
            return (old & ~AccessedDirty) != (now & ~AccessedDirty);
        }

        // Makes one 4 KiB page absent (splitting a 2 MiB page if needed):
        // guard pages and page 0.
        internal static void UnmapPage(ulong address) { UnmapRange(address, 4096); }

        // Makes [address, address + length) absent, page by page (each under
        // tableLock, interrupts off, as in MapRange, with INVLPG here), then
        // shoots the range down on every other CPU (Tlb): when this returns,
        // no CPU translates an address of the range, and the frames behind
        // may be reused. Holds no lock during the shootdown (Tlb's
        // invariant); so the caller must hold none either.
        internal static void UnmapRange(ulong address, ulong length)
        {
            if (length == 0) return;
            ulong start = address & ~0xFFFUL;
            ulong end = (address + length + 0xFFF) & ~0xFFFUL;
            for (ulong a = start; a < end; a += 4096)
            {
                ulong saved = tableLock.Acquire();
                ulong* pt = Walk(a, 1);
                ulong* e = &pt[(a >> 12) & 511];
                if ((*e & Present) != 0) mappedBytes -= 4096;
                *e = 0;
                Cpu.InvalidatePage((void*)a);
                tableLock.Release(saved);
            }
            Tlb.Shootdown(start, (end - start) / 4096);
        }

        internal static bool IsMapped(ulong address)
        {
            ulong* t = pml4;
            for (int level = 4; level >= 1; level--)
            {
                ulong e = t[(address >> (12 + 9 * (level - 1))) & 511];
                if ((e & Present) == 0) return false;
                if (level == 1 || (level <= 3 && (e & Large) != 0)) return true;
                t = (ulong*)(e & AddressMask);
            }
            return false;
        }

        private static bool HasSmallTable(ulong address)
        {
            ulong* t = pml4;
            for (int level = 4; level >= 3; level--)
            {
                ulong e = t[(address >> (12 + 9 * (level - 1))) & 511];
                if ((e & Present) == 0) return false;
                t = (ulong*)(e & AddressMask);
            }
            ulong pde = t[(address >> 21) & 511];
            return (pde & Present) != 0 && (pde & Large) == 0;
        }

        // The table at `level` (1 = page table, 2 = page directory) that maps
        // `address`, created on the way down; a 2 MiB page met on the way to
        // level 1 is split into 512 small pages with the same flags.
        private static ulong* Walk(ulong address, int level)
        {
            ulong* t = pml4;
            for (int l = 4; l > level; l--)
            {
                ulong* e = &t[(address >> (12 + 9 * (l - 1))) & 511];
                if ((*e & Present) == 0)
                {
                    *e = (ulong)NewTable() | Present | Writable;
                }
                else if ((*e & Large) != 0)
                {
                    ulong* split = NewTable();
                    ulong frameBase = *e & AddressMask & ~(TwoMiB - 1);
                    ulong flags = (*e & 0xFFF & ~Large) | (*e & NoExecute);
                    for (int i = 0; i < 512; i++) split[i] = (frameBase + (ulong)i * 4096) | flags;
                    *e = (ulong)split | Present | Writable;
                }
                t = (ulong*)(*e & AddressMask);
            }
            return t;
        }

        private static ulong* NewTable()
        {
            ulong frame = PhysicalMemory.AllocatePages(1, 4096);
            if (frame == 0) Panic.Fail("out of memory for page tables");
            Cpu.MemSet((void*)frame, 0, 4096);
            tablePages++;
            return (ulong*)frame;
        }
    }
}
