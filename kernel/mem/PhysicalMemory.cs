using Osprey.Kernel.Arch;
using Osprey.Kernel.Boot;

namespace Osprey.Kernel.Memory
{
    // Physical page frames: the usable RAM of the firmware memory map minus
    // the first megabyte, the kernel image, the boot information and the
    // boot modules. Frames are handed out from the front of each free range.
    // Most kernel objects live for the whole run and never give theirs back;
    // what is torn down (a guest core's VMCB, maps, tables and RAM) returns
    // its frames with FreePages, which merges them with the free ranges they
    // touch. Works before the heap exists: its state is plain static data.
    internal static unsafe class PhysicalMemory
    {
        internal const ulong PageSize = 4096;
        private const int MaxRanges = 160;

        private struct RangeTable
        {
            internal fixed ulong Start[MaxRanges];
            internal fixed ulong End[MaxRanges];
        }

        private static RangeTable ranges;
        private static int rangeCount;
        private static int rangesDropped;
        private static ulong totalBytes;
        private static ulong allocatedBytes;
        private static ulong highestAddress;
        private static ulong freedBytes;
        private static ulong lostBytes;

        // Frames are handed out only below this address: the end of what the
        // page tables in use map. Until the kernel's own tables are loaded
        // that is the boot stub's bridge (the low 4 GiB, boot/entry.asm); a
        // frame above it would be written through an unmapped address (the
        // heap zeroes its chunks, Paging zeroes its tables) and fault before
        // the interrupt table exists. Paging raises it once every usable
        // range is mapped.
        internal const ulong BootMappedEnd = 4UL << 30;
        private static ulong reachableEnd = BootMappedEnd;

        internal static ulong TotalBytes { get { return totalBytes; } }
        internal static ulong AllocatedBytes { get { return allocatedBytes; } }
        internal static ulong FreeBytes { get { return totalBytes - allocatedBytes; } }
        internal static ulong HighestAddress { get { return highestAddress; } }
        /// <summary>Bytes given back by FreePages since boot.</summary>
        internal static ulong FreedBytes { get { return freedBytes; } }
        /// <summary>Bytes FreePages could not take back (no slot left in the range table): not handed out again.</summary>
        internal static ulong LostBytes { get { return lostBytes; } }
        internal static int RangeCount { get { return rangeCount; } }
        internal static int RangesDropped { get { return rangesDropped; } }
        internal static ulong ReachableEnd { get { return reachableEnd; } }

        // Called by Paging once the tables it loaded map every usable range
        // up to `end`.
        internal static void SetReachableEnd(ulong end) { reachableEnd = end; }

        // Adds the usable regions, then cuts out each reserved span.
        internal static void Initialize(MemoryRegion* regions, int count, ulong* reservedStart, ulong* reservedEnd, int reservedCount)
        {
            rangeCount = 0;
            for (int i = 0; i < count; i++)
            {
                ulong end = regions[i].Base + regions[i].Length;
                if (end > highestAddress) highestAddress = end;
                if (regions[i].Type != MemoryType.Usable) continue;
                ulong s = (regions[i].Base + PageSize - 1) & ~(PageSize - 1);
                ulong e = end & ~(PageSize - 1);
                if (s < 0x100000) s = 0x100000;       // leave real-mode memory alone
                if (e > s) AddRange(s, e);
            }
            for (int r = 0; r < reservedCount; r++)
                Exclude(reservedStart[r] & ~(PageSize - 1), (reservedEnd[r] + PageSize - 1) & ~(PageSize - 1));
            totalBytes = 0;
            for (int i = 0; i < rangeCount; i++) totalBytes += ranges.End[i] - ranges.Start[i];
        }

        private static void AddRange(ulong s, ulong e)
        {
            if (rangeCount == MaxRanges) { rangesDropped++; return; }  // further fragments are ignored (and counted), not corrupted
            ranges.Start[rangeCount] = s;
            ranges.End[rangeCount] = e;
            rangeCount++;
        }

        private static void Exclude(ulong s, ulong e)
        {
            for (int i = 0; i < rangeCount; i++)
            {
                ulong rs = ranges.Start[i], re = ranges.End[i];
                if (e <= rs || s >= re) continue;
                if (s <= rs && e >= re) { ranges.Start[i] = ranges.End[i] = 0; continue; }
                if (s <= rs) { ranges.Start[i] = e; continue; }
                if (e >= re) { ranges.End[i] = s; continue; }
                ranges.End[i] = s;                  // split: keep the low part here
                AddRange(e, re);                    // and the high part as a new range
            }
        }

        // `count` contiguous pages aligned to `alignment` bytes (a power of
        // two, at least a page). Returns 0 when nothing fits: callers panic
        // with the request in their own words.
        //
        // The frame lock (interrupts off) is held while a range is cut: a thread preempted between
        // reading a range's start and advancing it would hand the same frames
        // to the thread that ran meanwhile (a more urgent thread creating a
        // thread, refilling the heap or mapping a page) and then to its own
        // caller (memory.frames_under_preemption). The section is one pass
        // over at most MaxRanges ranges; nothing in it blocks.
        internal static ulong AllocatePages(ulong count, ulong alignment)
        {
            if (alignment < PageSize) alignment = PageSize;
            ulong bytes = count * PageSize;
            ulong flags = frameLock.Acquire();
            for (int i = 0; i < rangeCount; i++)
            {
                ulong s = (ranges.Start[i] + alignment - 1) & ~(alignment - 1);
                if (s < ranges.Start[i] || s + bytes > ranges.End[i] || s + bytes < s) continue;
                if (s + bytes > reachableEnd) continue;       // not mapped yet
                ulong skipped = s - ranges.Start[i];
                if (skipped != 0) { AddRange(ranges.Start[i], s); }   // keep the alignment gap usable
                ranges.Start[i] = s + bytes;
                allocatedBytes += bytes;
                frameLock.Release(flags);
                return s;
            }
            frameLock.Release(flags);
            return 0;
        }

        // Gives back `count` pages at `pa` (page-aligned, taken from
        // AllocatePages and no longer used by anyone: the caller's contract).
        // The block joins the free range that ends at pa and the one that
        // starts at its end when there are such, else it takes a new slot;
        // with no slot left it is counted in LostBytes and stays allocated
        // (false). A block that overlaps a free range is refused (false,
        // nothing changes): a double free names itself instead of handing the
        // same frames out twice. One pass over at most MaxRanges ranges under
        // the frame lock.
        internal static bool FreePages(ulong pa, ulong count)
        {
            if (count == 0) return true;
            ulong bytes = count * PageSize;
            ulong end = pa + bytes;
            if ((pa & (PageSize - 1)) != 0 || end < pa) return false;
            ulong flags = frameLock.Acquire();
            int below = -1, above = -1;
            for (int i = 0; i < rangeCount; i++)
            {
                ulong rs = ranges.Start[i], re = ranges.End[i];
                if (rs >= re) continue;                          // an emptied range
                if (pa < re && end > rs) { frameLock.Release(flags); return false; }   // already free
                if (re == pa) below = i;
                if (rs == end) above = i;
            }
            bool ok = true;
            if (below >= 0 && above >= 0)
            {
                ranges.End[below] = ranges.End[above];
                ranges.Start[above] = ranges.End[above] = 0;     // emptied: its slot is reused below
            }
            else if (below >= 0) ranges.End[below] = end;
            else if (above >= 0) ranges.Start[above] = pa;
            else
            {
                int slot = -1;
                for (int i = 0; i < rangeCount; i++) if (ranges.Start[i] >= ranges.End[i]) { slot = i; break; }
                if (slot < 0 && rangeCount < MaxRanges) slot = rangeCount++;
                if (slot < 0) ok = false;
                else { ranges.Start[slot] = pa; ranges.End[slot] = end; }
            }
            if (ok) { allocatedBytes -= bytes; freedBytes += bytes; }
            else lostBytes += bytes;
            frameLock.Release(flags);
            return ok;
        }

        // Guards the free-range table and the counters.
        private static SpinLock frameLock;
        // Times a CPU found the lock held (the smp self-tests report it).
        internal static long LockContended { get { return frameLock.Contended; } }

        // Free range i (0 <= i < RangeCount; an emptied range has start ==
        // end), for self-tests.
        internal static void RangeAt(int i, out ulong start, out ulong end)
        {
            ulong flags = frameLock.Acquire();
            start = ranges.Start[i];
            end = ranges.End[i];
            frameLock.Release(flags);
        }

        internal static ulong LargestFreeRange()
        {
            ulong flags = frameLock.Acquire();               // a consistent view of the table
            ulong best = 0;
            for (int i = 0; i < rangeCount; i++) if (ranges.End[i] - ranges.Start[i] > best) best = ranges.End[i] - ranges.Start[i];
            frameLock.Release(flags);
            return best;
        }
    }
}
