using Osprey.Kernel.Vmm;

namespace Osprey.Kernel.Arch.Svm
{
    // A guest's RAM: `bytes` of host frames, mapped from guest-physical 0 by
    // the guest's own nested page table (nothing of the host is mapped), with
    // one canary page of a known pattern right below and right above it in
    // host memory: a guest that reached outside its RAM through a mapping
    // error would break a canary. The block and the table region come from
    // the frame allocator and go back to it when the guest is torn down
    // (Release).
    internal sealed unsafe class GuestMemory
    {
        internal const ulong Page = 4096;
        internal const ulong MinBytes = 1UL << 20, MaxBytes = 256UL << 20, DefaultBytes = 2UL << 20;
        internal const ulong CanaryPattern = 0x5A17C0DE0DDBA11EUL;

        internal ulong Bytes;
        internal ulong BlockPa;          // canary page, RAM, canary page
        internal ulong RamPa;
        internal NestedPageTable Npt;
        private ulong tablesPa;
        private int tablePages;
        internal string Error;


        /// <summary>RAM of `bytes` (4 KiB multiple, MinBytes..MaxBytes) with its nested page table; null and `error` when not.</summary>
        internal static GuestMemory Create(ulong bytes, out string error)
        {
            error = null;
            if (bytes < MinBytes || bytes > MaxBytes || (bytes & (Page - 1)) != 0)
            {
                error = "guest memory " + bytes + " bytes: expected a multiple of 4 KiB from 1M to 256M";
                return null;
            }
            GuestMemory m = new GuestMemory();
            m.Bytes = bytes;
            ulong pages = bytes / Page + 2;
            m.BlockPa = SvmHw.Frames(pages, Page);
            if (m.BlockPa == 0) { error = "no " + (pages * 4) + " KiB of frames left for the guest's RAM"; return null; }
            m.RamPa = m.BlockPa + Page;
            m.tablePages = NestedPageTable.TablePagesFor(bytes, false);
            m.tablesPa = SvmHw.Frames((ulong)m.tablePages, Page);
            if (m.tablesPa == 0) { m.Release(); error = "no frames left for the guest's nested page table"; return null; }
                        m.Npt = new NestedPageTable(SvmHw.Pointer(m.tablesPa), m.tablesPa, m.tablePages);
            // 4 KiB pages: the RAM sits between the canaries, one page off 2 MiB alignment.
            if (!m.Npt.Map(0, m.RamPa, bytes, false)) { m.Release(); error = "the guest's nested page table overflowed"; return null; }
            m.FillCanaries();
            return m;
        }

        void FillCanaries()
        {
            ulong* lo = (ulong*)BlockPa, hi = (ulong*)(RamPa + Bytes);
            for (int i = 0; i < 512; i++) { lo[i] = CanaryPattern ^ (ulong)i; hi[i] = CanaryPattern ^ (ulong)i; }
        }

        /// <summary>True when both canary pages still hold their pattern.</summary>
        internal bool CanariesIntact()
        {
            if (BlockPa == 0) return false;            // released: the pages are the allocator's
            ulong* lo = (ulong*)BlockPa, hi = (ulong*)(RamPa + Bytes);
            for (int i = 0; i < 512; i++) if (lo[i] != (CanaryPattern ^ (ulong)i) || hi[i] != (CanaryPattern ^ (ulong)i)) return false;
            return true;
        }

        internal bool Contains(ulong gpa, ulong length) { return gpa < Bytes && length <= Bytes - gpa; }

        /// <summary>Host pointer of guest-physical gpa (RAM is contiguous on the host side); null outside the RAM.</summary>
        internal byte* At(ulong gpa, ulong length)
        {
            if (RamPa == 0 || !Contains(gpa, length)) return null;      // released, or outside
            return SvmHw.Pointer(RamPa + gpa);
        }

        /// <summary>Copies `length` bytes to guest-physical gpa; false when they do not fit in the RAM.</summary>
        internal bool Load(ulong gpa, byte* source, ulong length)
        {
            byte* d = At(gpa, length);
            if (d == null) return false;
            for (ulong i = 0; i < length; i++) d[i] = source[i];
            return true;
        }

        internal uint Read32(ulong gpa) { byte* p = At(gpa, 4); return p == null ? 0 : *(uint*)p; }
        internal void Write32(ulong gpa, uint v) { byte* p = At(gpa, 4); if (p != null) *(uint*)p = v; }

        /// <summary>
        /// The teardown (the guest can no longer run: SvmGuest.Release): the
        /// nested page table is walked level by level and cleared
        /// (NestedPageTable.Teardown), then its region, the RAM and both
        /// canary pages go back to the frame allocator. Null, or what could
        /// not be returned. Idempotent.
        /// </summary>
        internal string Release()
        {
            string error = null;
            if (tablesPa != 0)
            {
                // Built (Npt.Root set) or not: the region is ours either way.
                if (Npt.Root == tablesPa)
                {
                    int used = Npt.PagesUsed;
                    TablePagesReached = Npt.Teardown();
                    if (TablePagesReached != used) error = "its nested page table reached " + TablePagesReached + " table pages, " + used + " were built";
                }
                if (!SvmHw.FreeFrames(tablesPa, (ulong)tablePages)) error = Append(error, "its nested page table's " + tablePages + " frames were not taken back");
                tablesPa = 0;
            }
            if (BlockPa != 0)
            {
                ulong pages = Bytes / Page + 2;
                if (!SvmHw.FreeFrames(BlockPa, pages)) error = Append(error, "its RAM's " + pages + " frames were not taken back");
                BlockPa = 0;
                RamPa = 0;
            }
            return error;
        }

        /// <summary>The table pages the last teardown walk reached (the test reads it).</summary>
        internal int TablePagesReached;

        internal static string Append(string a, string b) { return a == null ? b : a + "; " + b; }
    }
}
