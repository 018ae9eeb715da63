
namespace Osprey.Kernel.Acpi
{
    // Kernel only: physical memory through the kernel's identity map.
    // Paging maps every range of the firmware memory map (ACPI tables are
    // in ACPI or reserved ranges), so most reads need nothing more. Pages
    // that are not mapped are mapped read-only, uncached and not executable
    // when that is sane: below 4 GiB (where firmware puts the BIOS area and
    // stray tables) but outside 0xFEC00000-0xFEFFFFFF (I/O APIC, HPET and
    // local APIC registers), and at most MapBudgetPages in all, so garbage
    // pointers cannot make the kernel build page tables without end.
    // Page 0 stays unmapped: the BIOS data area in it (0x400-0x4FF, which
    // holds the EBDA segment) is copied once through a moment's mapping.
    internal sealed unsafe class PhysicalAcpiMemory : AcpiMemory
    {
        internal const ulong BdaStart = 0x400, BdaEnd = 0x500;
        internal const int MapBudgetPages = 512;
        internal const ulong MaxRangeLength = 4UL << 20;
        private const ulong MapLimit = 1UL << 32, DeviceWindowStart = 0xFEC00000, DeviceWindowEnd = 0xFF000000;

        private readonly byte[] bda = new byte[(int)(BdaEnd - BdaStart)];
        private int mappedPages;

        // Pages this reader mapped.
        internal int MappedPages { get { return mappedPages; } }

        // Guards page 0's temporary mapping while the BIOS data area is read.
        private static SpinLock pageZeroLock;

        // Needs the kernel's page tables (Paging.Initialize); before them it
        // approves nothing.
        internal PhysicalAcpiMemory()
        {
            if (!Machine.PagingActive) return;
            ulong flags = pageZeroLock.Acquire();
            bool wasMapped = Machine.IsMapped(0);
            if (!wasMapped) Machine.Map(0, 4096, CacheMode.WriteBack, PageAccess.ReadOnlyNoExecute);
            byte* p = (byte*)BdaStart;
            for (int i = 0; i < bda.Length; i++) bda[i] = p[i];
            if (!wasMapped) Machine.UnmapPage(0);
            pageZeroLock.Release(flags);
        }

        internal override bool CanRead(ulong phys, ulong length)
        {
            if (length == 0) return true;
            if (!Machine.PagingActive || length > MaxRangeLength || !Fits(phys, length)) return false;
            ulong last = phys + (length - 1);
            if (last >= AcpiParser.PhysicalLimit) return false;
            if (phys < 4096) return phys >= BdaStart && last < BdaEnd;
            ulong first = phys & ~0xFFFUL, lastPage = last & ~0xFFFUL;
            int missing = 0;
            for (ulong p = first; ; p += 4096)
            {
                if (!Machine.IsMapped(p))
                {
                    if (p >= MapLimit || (p >= DeviceWindowStart && p < DeviceWindowEnd)) return false;
                    missing++;
                }
                if (p == lastPage) break;
            }
            if (missing == 0) return true;
            if (mappedPages + missing > MapBudgetPages) return false;
            for (ulong p = first; ; p += 4096)
            {
                if (!Machine.IsMapped(p))
                {
                    Machine.Map(p, 4096, CacheMode.Uncached, PageAccess.ReadOnlyNoExecute);
                    mappedPages++;
                }
                if (p == lastPage) break;
            }
            return true;
        }

        internal override byte Read8(ulong phys)
        {
            if (phys < 4096) return phys >= BdaStart && phys < BdaEnd ? bda[(int)(phys - BdaStart)] : (byte)0;
            return *(byte*)phys;
        }
    }
}
