using Osprey.Kernel.Arch;
using Osprey.Kernel.Boot;

namespace Osprey.Kernel.Memory
{
    // Physical page frames: the usable RAM of the firmware memory map minus
    // the first megabyte, the kernel image, the boot information and the
    // boot modules. Frames are handed out from the front of each free range
    // and never returned (kernel objects live for the whole run). Works before
    // the heap exists: its state is plain static data.
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

        // Guards the free-range table and the counters.
        private static SpinLock frameLock;

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
