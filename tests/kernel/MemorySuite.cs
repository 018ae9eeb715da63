using Osprey.Kernel.Arch;
using Osprey.Kernel.Memory;
using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // Frames, heap and page tables.
    internal sealed unsafe class MemorySuite : Suite
    {
        internal override string Name { get { return "memory"; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] {
                    "heap_returns_zeroed_aligned_memory", "heap_blocks_do_not_overlap", "large_allocation",
                    "frames_avoid_kernel_image", "frames_are_page_aligned", "identity_map_covers_usable_ram",
                    "map_device_then_unmap_page", "array_allocation_sizes",
                    "frames_under_preemption", "page_tables_under_preemption",
                    "free_frames_all_mapped", "ram_above_4gib_mapped_and_writable",
                    "freed_frames_merge_and_come_back",
                };
            }
        }

        private static int[] kept;

        internal override void Run(int index, Check t)
        {
            switch (index)
            {
                case 0:
                {
                    byte* p = (byte*)Heap.Allocate(1000);
                    t.Equal(0, (long)((ulong)p & 15), "16-byte aligned");
                    bool zero = true;
                    for (int i = 0; i < 1000; i++) if (p[i] != 0) zero = false;
                    t.True(zero, "zeroed");
                    break;
                }
                case 1:
                {
                    byte* a = (byte*)Heap.Allocate(24);
                    byte* b = (byte*)Heap.Allocate(24);
                    t.True(b >= a + 24 || a >= b + 24, "distinct blocks");
                    for (int i = 0; i < 24; i++) a[i] = 0xAA;
                    bool clean = true;
                    for (int i = 0; i < 24; i++) if (b[i] != 0) clean = false;
                    t.True(clean, "writing one does not touch the other");
                    break;
                }
                case 2:
                {
                    ulong before = Heap.AllocatedBytes;
                    byte* p = (byte*)Heap.Allocate(6UL << 20);
                    p[(6 << 20) - 1] = 1;
                    t.True(Heap.AllocatedBytes >= before + (6UL << 20), "accounted");
                    t.True(Paging.IsMapped((ulong)p + (6UL << 20) - 1), "mapped to the end");
                    break;
                }
                case 3:
                {
                    ulong f = PhysicalMemory.AllocatePages(1, 4096);
                    t.True(f != 0, "a frame");
                    t.True(f >= (ulong)Image.End() || f + 4096 <= (ulong)Image.Start(), "outside the image");
                    t.True(f >= 0x100000, "above the first megabyte");
                    break;
                }
                case 4:
                {
                    ulong f = PhysicalMemory.AllocatePages(3, 1UL << 16);
                    t.Equal(0, (long)(f & 0xFFFF), "64 KiB alignment honoured");
                    ulong g = PhysicalMemory.AllocatePages(1, 4096);
                    t.True(g >= f + 3 * 4096 || g + 4096 <= f, "no overlap with the previous run");
                    break;
                }
                case 5:
                {
                    var b = KernelMain.Boot;
                    bool all = true;
                    for (int i = 0; i < b.RegionCount; i++)
                    {
                        if (b.Regions[i].Type != Boot.MemoryType.Usable || b.Regions[i].Length < 8192) continue;
                        ulong a = (b.Regions[i].Base + 4095) & ~4095UL;
                        if (a == 0) a = 4096;
                        if (!Paging.IsMapped(a) || !Paging.IsMapped(b.Regions[i].End - 1)) all = false;
                    }
                    t.True(all, "both ends of every usable region mapped");
                    break;
                }
                case 6:
                {
                    ulong a = 0xFEBF0000;   // just below the I/O APIC's usual page
                    bool was = Paging.IsMapped(a);
                    Paging.MapDevice(a, 4096);
                    t.True(Paging.IsMapped(a), "device page mapped");
                    Paging.UnmapPage(a);
                    t.False(Paging.IsMapped(a), "unmapped again");
                    if (was) Paging.MapRange(a, 4096, Paging.Present | Paging.Writable);
                    break;
                }
                case 7:
                {
                    ulong before = Heap.AllocatedBytes;
                    int[] x = new int[100];
                    kept = x;        // escapes, so the compiler cannot place it on the stack
                    ulong used = Heap.AllocatedBytes - before;
                    t.Equal(100, x.Length, "length");
                    t.InRange(400, 448, (long)used, "bytes for int[100]");
                    long[] y = new long[0];
                    t.Equal(0, y.Length, "empty array");
                    break;
                }
                case 8: FramesUnderPreemption(t); break;
                case 12: FreedFrames(t); break;
                case 9: PageTablesUnderPreemption(t); break;
                case 10:
                {
                    // Every frame the allocator can still hand out lies below
                    // the end of what the loaded page tables map, and both
                    // ends of each free range are mapped.
                    int unmapped = 0, beyond = 0, nonEmpty = 0;
                    for (int i = 0; i < PhysicalMemory.RangeCount; i++)
                    {
                        ulong s, e;
                        PhysicalMemory.RangeAt(i, out s, out e);
                        if (e <= s) continue;
                        nonEmpty++;
                        if (!Paging.IsMapped(s) || !Paging.IsMapped(e - 1)) unmapped++;
                        if (e > PhysicalMemory.ReachableEnd) beyond++;
                    }
                    t.True(nonEmpty > 0, "free ranges left (" + nonEmpty + ")");
                    t.Equal(0, unmapped, "free ranges with an unmapped end");
                    t.Equal(0, beyond, "free ranges past the reachable end");
                    break;
                }
                case 11:
                {
                    // With RAM above 4 GiB (QEMU -m 4G and more), the boot
                    // tables did not map it but the kernel's do: write and read
                    // back a word in the last free page above 4 GiB (free, so
                    // nobody else uses it; the allocator zeroes what it hands out).
                    ulong high = 0;
                    for (int i = 0; i < PhysicalMemory.RangeCount; i++)
                    {
                        ulong s, e;
                        PhysicalMemory.RangeAt(i, out s, out e);
                        if (e > s && s >= PhysicalMemory.BootMappedEnd && e - 4096 > high) high = e - 4096;
                    }
                    if (high == 0) { t.Skip("no free RAM above 4 GiB on this machine"); break; }
                    t.True(Paging.IsMapped(high), "page at 0x" + Boot.MultibootParser.Hex(high) + " mapped");
                    ulong* w = (ulong*)(high + 4096 - 8);
                    ulong old = *w;
                    *w = 0x0123456789ABCDEFUL;
                    t.EqualHex(0x0123456789ABCDEFUL, *w, "written and read back");
                    *w = old;
                    break;
                }
            }
        }

        // Non-empty free ranges, and whether one holds [s, e) whole.
        private static int FreeRanges(ulong s, ulong e, out bool holds)
        {
            int n = 0;
            holds = false;
            for (int i = 0; i < PhysicalMemory.RangeCount; i++)
            {
                ulong rs, re;
                PhysicalMemory.RangeAt(i, out rs, out re);
                if (re <= rs) continue;
                n++;
                if (rs <= s && re >= e) holds = true;
            }
            return n;
        }

        // PhysicalMemory.FreePages: three blocks taken (normally side by
        // side at the front of a free range), the middle one given back (a
        // range of its own), again (refused: a double free), a page inside
        // it (refused), then the first (joins it) and the last (joins both
        // sides): one range holds all six pages again, the free count and
        // the number of ranges are back where they were.
        private static void FreedFrames(Check t)
        {
            const ulong P = PhysicalMemory.PageSize;
            ulong free0 = PhysicalMemory.FreeBytes, lost0 = PhysicalMemory.LostBytes;
            ulong a = PhysicalMemory.AllocatePages(3, P), b = PhysicalMemory.AllocatePages(2, P), c = PhysicalMemory.AllocatePages(1, P);
            if (!t.True(a != 0 && b != 0 && c != 0, "three blocks")) return;
            bool front;
            int ranges0 = FreeRanges(c + P, c + 2 * P, out front);
            bool side = b == a + 3 * P && c == b + 2 * P;
            t.Equal((long)(free0 - 6 * P), (long)PhysicalMemory.FreeBytes, "six pages taken");
            t.True(PhysicalMemory.FreePages(b, 2), "the middle block given back");
            t.False(PhysicalMemory.FreePages(b, 2), "given back twice: refused");
            t.False(PhysicalMemory.FreePages(b + P, 1), "a page inside a free block: refused");
            t.Equal((long)(free0 - 4 * P), (long)PhysicalMemory.FreeBytes, "the refusals changed nothing");
            t.True(PhysicalMemory.FreePages(a, 3), "the first block given back");
            t.True(PhysicalMemory.FreePages(c, 1), "the last block given back");
            t.Equal((long)free0, (long)PhysicalMemory.FreeBytes, "the free count back to its start");
            t.Equal((long)lost0, (long)PhysicalMemory.LostBytes, "nothing lost");
            if (!side || !front)
            {
                t.Note("the blocks were not side by side at a range's front (another CPU allocated meanwhile): merging not checked");
                return;
            }
            bool whole;
            int ranges1 = FreeRanges(a, c + 2 * P, out whole);
            t.True(whole, "one free range holds the six pages and the range after them (merged both ways)");
            t.Equal(ranges0, ranges1, "no range left behind");
        }

        // The pattern of threads.heap_allocation_under_preemption, for the
        // frame allocator and the page tables: a less urgent thread repeats
        // the operation in a loop while a more urgent one, woken every 20 us
        // by the timer, does it too; main waits behind both and then checks
        // that no update was lost.
        private const int Main = KernelMain.MainPriority;
        private const int UrgentRounds = 200;
        private static bool urgentDone;
        private static int bgCount, hiCount;

        // Frames and mapped bytes when both threads had been created (their
        // stacks and guard pages are not the test's).
        private static ulong framesBefore, mappedBefore;

        private static void RunPair(delegate*<object, void> background, delegate*<object, void> urgent)
        {
            urgentDone = false;
            bgCount = 0;
            hiCount = 0;
            Contention.Run("race", background, urgent, &TakeBaselines);
        }

        private static void TakeBaselines()
        {
            framesBefore = PhysicalMemory.AllocatedBytes;
            mappedBefore = Paging.MappedBytes;
        }

        // --- frames: each one handed out once --------------------------------

        private static ulong[] bgFrames, hiFrames;

        private static void FrameBackground(object o)
        {
            while (!urgentDone && bgCount < bgFrames.Length) bgFrames[bgCount++] = PhysicalMemory.AllocatePages(1, 4096);
        }

        private static void FrameUrgent(object o)
        {
            for (int i = 0; i < UrgentRounds; i++)
            {
                Threads.SleepFor(20000);
                hiFrames[hiCount++] = PhysicalMemory.AllocatePages(1, 4096);
            }
            urgentDone = true;
        }

        private static void FramesUnderPreemption(Check t)
        {
            // At most 16 MiB of frames, and at most a quarter of what is free
            // (frames are never returned: a small machine keeps enough for
            // the suites after this one).
            long quarter = (long)(PhysicalMemory.FreeBytes / PhysicalMemory.PageSize / 4);
            bgFrames = new ulong[quarter < 4096 ? (int)quarter : 4096];
            hiFrames = new ulong[UrgentRounds];
            RunPair(&FrameBackground, &FrameUrgent);
            ulong accounted = PhysicalMemory.AllocatedBytes - framesBefore;
            // Duplicates found by sorting the frames handed out (no table
            // sized from the memory map: its highest address can be far
            // above the RAM).
            int total = bgCount + hiCount;
            ulong[] all = new ulong[total];
            for (int k = 0; k < total; k++) all[k] = k < bgCount ? bgFrames[k] : hiFrames[k - bgCount];
            HeapSort(all, total);
            int zero = 0, twice = 0;
            for (int k = 0; k < total; k++)
            {
                if (all[k] == 0) { zero++; continue; }
                if (k > 0 && all[k] == all[k - 1]) twice++;
            }
            t.True(bgCount > 0, "the background thread allocated (" + bgCount + " frames)");
            t.Equal(UrgentRounds, hiCount, "the urgent thread allocated in every round");
            t.Equal(0, zero, "allocations that failed");
            t.Equal(0, twice, "frames handed out twice");
            t.Equal((long)(bgCount + hiCount) * 4096, (long)accounted, "bytes the allocator accounted");
        }

        private static void HeapSort(ulong[] a, int n)
        {
            for (int i = n / 2 - 1; i >= 0; i--) SiftDown(a, i, n);
            for (int end = n - 1; end > 0; end--)
            {
                ulong x = a[0]; a[0] = a[end]; a[end] = x;
                SiftDown(a, 0, end);
            }
        }

        private static void SiftDown(ulong[] a, int i, int n)
        {
            while (true)
            {
                int c = 2 * i + 1;
                if (c >= n) return;
                if (c + 1 < n && a[c + 1] > a[c]) c++;
                if (a[i] >= a[c]) return;
                ulong x = a[i]; a[i] = a[c]; a[c] = x;
                i = c;
            }
        }

        // --- page tables: no mapping lost ----------------------------------
        // Pages far above RAM (never accessed) in fresh 2 MiB slots: the
        // first map of each slot creates its page table, the window in which
        // a preempted Walk would overwrite a table the urgent thread made.

        private const ulong RaceBase = 0x80_0000_0000UL;     // 512 GiB: nothing is mapped here
        private const ulong Slot = 1UL << 21;
        private const int Slots = 400;
        private static int currentSlot;
        private static ulong[] hiPages;

        private static void PageBackground(object o)
        {
            for (int i = 0; i < Slots; i++)
            {
                currentSlot = i;
                Paging.MapRange(RaceBase + (ulong)i * Slot, 4096, Paging.Present | Paging.NoExecute);
                bgCount++;
            }
            currentSlot = -1;
        }

        private static void PageUrgent(object o)
        {
            for (int i = 0; i < UrgentRounds; i++)
            {
                Threads.SleepFor(20000);
                int s = currentSlot;
                if (s < 0) break;
                ulong a = RaceBase + (ulong)s * Slot + 4096UL * (ulong)(1 + i % 511);
                Paging.MapRange(a, 4096, Paging.Present | Paging.NoExecute);
                hiPages[hiCount++] = a;
            }
            urgentDone = true;
        }

        private static void PageTablesUnderPreemption(Check t)
        {
            hiPages = new ulong[UrgentRounds];
            currentSlot = 0;
            RunPair(&PageBackground, &PageUrgent);
            ulong accounted = Paging.MappedBytes - mappedBefore;
            int lost = 0;
            for (int i = 0; i < Slots; i++) if (!Paging.IsMapped(RaceBase + (ulong)i * Slot)) lost++;
            for (int i = 0; i < hiCount; i++) if (!Paging.IsMapped(hiPages[i])) lost++;
            t.Equal(Slots, bgCount, "the background thread mapped every slot");
            t.True(hiCount > 0, "the urgent thread mapped pages in slots being made (" + hiCount + ")");
            t.Equal(0, lost, "mappings lost");
            t.Equal((long)(bgCount + hiCount) * 4096, (long)accounted, "bytes the page tables account");
            for (int i = 0; i < Slots; i++) Paging.UnmapPage(RaceBase + (ulong)i * Slot);
            for (int i = 0; i < hiCount; i++) Paging.UnmapPage(hiPages[i]);
        }
    }
}
