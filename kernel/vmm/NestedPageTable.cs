// A guest's nested page table (AMD APM vol. 2, 15.25): 4-level, long-mode
// format, mapping guest-physical addresses to host-physical ones. Every
// entry has P, RW and US set: the nested walk treats each guest access as
// a user access (APM 15.25.5), so a supervisor-only entry would fault.
// Portable: the tables live in one contiguous region the caller provides
// (its host-physical address and a pointer to it), so the host tests build
// and walk a table in an ordinary buffer.
namespace Osprey.Kernel.Vmm
{
    public unsafe struct NestedPageTable
    {
        public const ulong Present = 1, Writable = 2, User = 4, Large = 128;
        const ulong Leaf = Present | Writable | User;
        const ulong AddressMask = 0x000FFFFFFFFFF000;
        public const ulong PageSize = 4096, LargePageSize = 2UL << 20;

        readonly byte* tables;
        readonly ulong tablesPa;
        readonly int capacity;
        int used;

        /// <summary>Tables in `capacityPages` zeroed 4 KiB pages at `region` (host-physical `regionPa`); the first is the PML4.</summary>
        public NestedPageTable(byte* region, ulong regionPa, int capacityPages)
        {
            tables = region;
            tablesPa = regionPa;
            capacity = capacityPages;
            used = 1;
            for (ulong i = 0; i < PageSize / 8; i++) ((ulong*)region)[i] = 0;
        }

        /// <summary>The nCR3 value: the PML4's host-physical address.</summary>
        public ulong Root { get { return tablesPa; } }
        public int PagesUsed { get { return used; } }

        /// <summary>
        /// Table pages enough to map `bytes` from guest-physical 0 with 4 KiB
        /// pages (large=false) or 2 MiB pages where both sides allow (true).
        /// </summary>
        public static int TablePagesFor(ulong bytes, bool large)
        {
            ulong gib = (bytes + (1UL << 30) - 1) >> 30;
            ulong pds = gib == 0 ? 1 : gib;
            ulong pts = large ? 0 : (bytes + LargePageSize - 1) / LargePageSize;
            return (int)(1 + 1 + pds + pts) + 1;     // PML4, PDPT (below 512 GiB), PDs, PTs, one spare for an unaligned tail
        }

        /// <summary>
        /// Maps [gpa, gpa + length) to [hpa, hpa + length), 4 KiB-aligned;
        /// a 2 MiB page where gpa and hpa are both 2 MiB-aligned with 2 MiB
        /// left and `large` allows. False when the table region is full.
        /// </summary>
        public bool Map(ulong gpa, ulong hpa, ulong length, bool large)
        {
            ulong end = gpa + length;
            while (gpa < end)
            {
                if (large && (gpa & (LargePageSize - 1)) == 0 && (hpa & (LargePageSize - 1)) == 0 && end - gpa >= LargePageSize)
                {
                    ulong* pd = Walk(gpa, 2);
                    if (pd == null) return false;
                    pd[(gpa >> 21) & 511] = hpa | Leaf | Large;
                    gpa += LargePageSize;
                    hpa += LargePageSize;
                    continue;
                }
                ulong* pt = Walk(gpa, 1);
                if (pt == null) return false;
                pt[(gpa >> 12) & 511] = hpa | Leaf;
                gpa += PageSize;
                hpa += PageSize;
            }
            return true;
        }

        /// <summary>The guest-physical address's host-physical address, or false when it is not mapped.</summary>
        public bool Translate(ulong gpa, out ulong hpa)
        {
            hpa = 0;
            ulong* t = (ulong*)tables;
            for (int level = 4; level >= 1; level--)
            {
                ulong e = t[(gpa >> (12 + 9 * (level - 1))) & 511];
                if ((e & Present) == 0) return false;
                if (level == 2 && (e & Large) != 0)
                {
                    hpa = (e & AddressMask & ~(LargePageSize - 1)) + (gpa & (LargePageSize - 1));
                    return true;
                }
                if (level == 1)
                {
                    hpa = (e & AddressMask) + (gpa & (PageSize - 1));
                    return true;
                }
                t = Table(e & AddressMask);
                if (t == null) return false;
            }
            return false;
        }

        /// <summary>
        /// The teardown walk: from the PML4 down every level (PDPTs, PDs,
        /// PTs), each present entry cleared and each table page it reaches
        /// counted, the PML4 included; 2 MiB and 4 KiB leaves (the guest's
        /// RAM, not the table's) are cleared and not followed. Returns the
        /// table pages reached, which is PagesUsed for a table only Map
        /// built; -1 when an entry points outside the region (a corrupt
        /// table: the caller must not trust its pages). Afterwards nothing
        /// translates and the region may go back to its owner.
        /// </summary>
        public int Teardown()
        {
            int n = ClearTable((ulong*)tables, 4);
            used = 1;
            return n;
        }

        // Clears table `t` of `level` (4 = PML4 .. 1 = PT) and the tables
        // below it; the pages reached, or -1 on an entry outside the region.
        int ClearTable(ulong* t, int level)
        {
            int n = 1;
            for (int i = 0; i < 512; i++)
            {
                ulong e = t[i];
                t[i] = 0;
                if ((e & Present) == 0 || level == 1 || (level == 2 && (e & Large) != 0)) continue;
                ulong* below = Table(e & AddressMask);
                if (below == null || below == t) return -1;
                int m = ClearTable(below, level - 1);
                if (m < 0) return -1;
                n += m;
            }
            return n;
        }

        // The table at `level` (1 = PT, 2 = PD) holding gpa's entry, with the
        // tables above it made as needed; null when the region is full.
        ulong* Walk(ulong gpa, int level)
        {
            ulong* t = (ulong*)tables;
            for (int l = 4; l > level; l--)
            {
                int i = (int)((gpa >> (12 + 9 * (l - 1))) & 511);
                ulong e = t[i];
                if ((e & Present) == 0)
                {
                    if (used == capacity) return null;
                    ulong pa = tablesPa + (ulong)used * PageSize;
                    ulong* n = (ulong*)(tables + (ulong)used * PageSize);
                    for (ulong k = 0; k < PageSize / 8; k++) n[k] = 0;
                    used++;
                    t[i] = pa | Leaf;
                    e = t[i];
                }
                t = Table(e & AddressMask);
                if (t == null) return null;
            }
            return t;
        }

        ulong* Table(ulong pa)
        {
            if (pa < tablesPa || pa >= tablesPa + (ulong)capacity * PageSize) return null;
            return (ulong*)(tables + (pa - tablesPa));
        }
    }
}
