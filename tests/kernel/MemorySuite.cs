using Osprey.Kernel.Arch;
using Osprey.Kernel.Memory;

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
            }
        }
    }
}
