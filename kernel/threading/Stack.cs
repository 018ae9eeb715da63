using Osprey.Kernel.Memory;

namespace Osprey.Kernel.Threading
{
    // A thread stack: whole pages from the frame allocator (identity-mapped)
    // with the lowest page unmapped as a guard, so an overflow faults on the
    // guard instead of corrupting the memory below. Stacks of exited and
    // joined threads go back to a free list and are reused by size.
    internal sealed class Stack
    {
        internal const ulong PageSize = 4096;
        internal const ulong MinimumBytes = 8192;

        internal ulong Guard;        // the unmapped page
        internal ulong Bottom;       // lowest usable address (Guard + 4096)
        internal ulong Top;          // one past the highest usable address
        internal ulong Bytes { get { return Top - Bottom; } }
        private Stack nextFree;

        private static Stack free;
        // Guards free and the nextFree links: threads of every CPU create
        // and join threads (a field, never copied).
        private static SpinLock freeLock;
        internal static long Allocated, Reused;
        // Bytes of frames taken for stacks since boot (they stay with the free list).
        internal static ulong FrameBytes;

        // A stack with at least `bytes` usable (rounded up to pages), or null
        // when memory is exhausted.
        internal static Stack Allocate(ulong bytes)
        {
            if (bytes < MinimumBytes) bytes = MinimumBytes;
            bytes = (bytes + PageSize - 1) & ~(PageSize - 1);
            Stack prev = null;
            ulong f = freeLock.Acquire();
            for (Stack s = free; s != null; prev = s, s = s.nextFree)
            {
                if (s.Bytes == bytes)
                {
                    if (prev == null) free = s.nextFree; else prev.nextFree = s.nextFree;
                    s.nextFree = null;
                    Reused++;
                    freeLock.Release(f);
                    return s;
                }
            }
            freeLock.Release(f);
            ulong pages = bytes / PageSize + 1;
            ulong b = PhysicalMemory.AllocatePages(pages, PageSize);
            if (b == 0) return null;
            Machine.UnmapPage(b);
            Stack st = new Stack();
            st.Guard = b;
            st.Bottom = b + PageSize;
            st.Top = b + pages * PageSize;
            f = freeLock.Acquire();
            Allocated++;
            FrameBytes += pages * PageSize;
            freeLock.Release(f);
            return st;
        }

        // The boot stack, adopted by the main thread (boot/entry.asm: 64 KiB,
        // page-aligned); its lowest page becomes the guard.
        internal static Stack Adopt(ulong bottom, ulong top)
        {
            Machine.UnmapPage(bottom);
            Stack st = new Stack();
            st.Guard = bottom;
            st.Bottom = bottom + PageSize;
            st.Top = top;
            return st;
        }

        internal static void Release(Stack s)
        {
            ulong f = freeLock.Acquire();
            s.nextFree = free;
            free = s;
            freeLock.Release(f);
        }

        internal bool GuardContains(ulong address) { return address >= Guard && address < Guard + PageSize; }
    }
}
