using Osprey.Kernel.Vmm;

namespace Osprey.Kernel.Arch.Svm
{
    // A guest's RAM: `bytes` of host frames, mapped from guest-physical 0 by
    // the guest's own nested page table (nothing of the host is mapped), with
    // one canary page of a known pattern right below and right above it in
    // host memory: a guest that reached outside its RAM through a mapping
    // error would break a canary. Blocks come from the frame allocator and
    // return to a small pool here when the guest is released (the frame
    // allocator does not free).
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

        private const int PoolSize = 16;
        private static readonly ulong[] poolPa = new ulong[PoolSize];
        private static readonly ulong[] poolPages = new ulong[PoolSize];
        private static readonly ulong[] tablePoolPa = new ulong[PoolSize];
        private static readonly int[] tablePoolPages = new int[PoolSize];

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
            m.BlockPa = Take(poolPa, poolPages, pages);
            if (m.BlockPa == 0) m.BlockPa = SvmHw.Frames(pages, Page);
            if (m.BlockPa == 0) { error = "no " + (pages * 4) + " KiB of frames left for the guest's RAM"; return null; }
            m.RamPa = m.BlockPa + Page;
            m.tablePages = NestedPageTable.TablePagesFor(bytes, false);
            m.tablesPa = TakeTables(m.tablePages);
            if (m.tablesPa == 0) m.tablesPa = SvmHw.Frames((ulong)m.tablePages, Page);
            if (m.tablesPa == 0) { m.Release(); error = "no frames left for the guest's nested page table"; return null; }
            SvmHw.Clear(m.BlockPa, pages * Page);
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
            ulong* lo = (ulong*)BlockPa, hi = (ulong*)(RamPa + Bytes);
            for (int i = 0; i < 512; i++) if (lo[i] != (CanaryPattern ^ (ulong)i) || hi[i] != (CanaryPattern ^ (ulong)i)) return false;
            return true;
        }

        internal bool Contains(ulong gpa, ulong length) { return gpa < Bytes && length <= Bytes - gpa; }

        /// <summary>Host pointer of guest-physical gpa (RAM is contiguous on the host side); null outside the RAM.</summary>
        internal byte* At(ulong gpa, ulong length)
        {
            if (!Contains(gpa, length)) return null;
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

        /// <summary>The frames go back to the pool for the next guest.</summary>
        internal void Release()
        {
            if (BlockPa != 0) Give(poolPa, poolPages, BlockPa, Bytes / Page + 2);
            if (tablesPa != 0) GiveTables(tablesPa, tablePages);
            BlockPa = 0;
            tablesPa = 0;
        }

        static ulong Take(ulong[] pa, ulong[] pages, ulong want)
        {
            ulong f = Machine.DisableInterrupts();
            for (int i = 0; i < PoolSize; i++)
                if (pa[i] != 0 && pages[i] == want) { ulong r = pa[i]; pa[i] = 0; Machine.RestoreInterrupts(f); return r; }
            Machine.RestoreInterrupts(f);
            return 0;
        }

        static void Give(ulong[] pa, ulong[] pages, ulong block, ulong n)
        {
            ulong f = Machine.DisableInterrupts();
            for (int i = 0; i < PoolSize; i++)
                if (pa[i] == 0) { pa[i] = block; pages[i] = n; break; }
            Machine.RestoreInterrupts(f);
        }

        static ulong TakeTables(int want)
        {
            ulong f = Machine.DisableInterrupts();
            for (int i = 0; i < PoolSize; i++)
                if (tablePoolPa[i] != 0 && tablePoolPages[i] == want) { ulong r = tablePoolPa[i]; tablePoolPa[i] = 0; Machine.RestoreInterrupts(f); return r; }
            Machine.RestoreInterrupts(f);
            return 0;
        }

        static void GiveTables(ulong block, int n)
        {
            ulong f = Machine.DisableInterrupts();
            for (int i = 0; i < PoolSize; i++)
                if (tablePoolPa[i] == 0) { tablePoolPa[i] = block; tablePoolPages[i] = n; break; }
            Machine.RestoreInterrupts(f);
        }
    }
}
