using Osprey.Kernel.Arch;

namespace Osprey.Kernel.Memory
{
    // The kernel heap behind `new`: chunks of page frames taken from
    // PhysicalMemory and handed out by a bump pointer, 16-byte aligned and
    // zeroed (the boot loader leaves data in RAM). There is no collector;
    // objects live for the whole run, so long-running code allocates only at
    // setup. Exhaustion is a panic naming the request. Works before statics
    // are initialized: its state is plain static data.
    internal static unsafe class Heap
    {
        private const ulong ChunkBytes = 4UL << 20;

        private static byte* current;
        private static byte* limit;
        private static ulong allocatedBytes;
        private static ulong reservedBytes;
        private static ulong allocationCount;

        internal static ulong AllocatedBytes { get { return allocatedBytes; } }
        internal static ulong ReservedBytes { get { return reservedBytes; } }
        internal static ulong AllocationCount { get { return allocationCount; } }

        // Object memory, with the type named in a panic if none is left.
        internal static void* AllocateObject(uint size, Internal.Runtime.MethodTable* type)
        {
            void* p = TryAllocate(size);
            if (p == null) Panic.OutOfMemory(size, type);
            return p;
        }

        internal static void* Allocate(ulong size)
        {
            void* p = TryAllocate(size);
            if (p == null) Panic.OutOfMemory(size, null);
            return p;
        }

        // The heap lock (interrupts off) is held while the bump pointer moves: a thread that a
        // timer interrupt preempts between reading and advancing it would
        // otherwise hand the same block to the thread that runs next and
        // allocates (threads.heap_allocation_under_preemption). Each block
        // is zeroed as it is handed out, so interrupts stay off for a time
        // proportional to the request, never for a whole 4 MiB chunk (that
        // took milliseconds: a timer release due meanwhile came that late).
        // Guards the bump pointer, its chunk and the counters.
        private static SpinLock heapLock;

        internal static void* TryAllocate(ulong size)
        {
            ulong flags = heapLock.Acquire();
            void* p = Bump(size);
            heapLock.Release(flags);
            return p;
        }

        private static void* Bump(ulong size)
        {
            size = (size + 15) & ~15UL;
            if (size == 0) size = 16;
            if (current == null || (ulong)(limit - current) < size)
            {
                ulong chunk = size > ChunkBytes ? (size + PhysicalMemory.PageSize - 1) & ~(PhysicalMemory.PageSize - 1) : ChunkBytes;
                ulong phys = PhysicalMemory.AllocatePages(chunk / PhysicalMemory.PageSize, PhysicalMemory.PageSize);
                if (phys == 0)
                {
                    // Fall back to whatever the largest free range still holds.
                    if (chunk > size)
                    {
                        chunk = (size + PhysicalMemory.PageSize - 1) & ~(PhysicalMemory.PageSize - 1);
                        phys = PhysicalMemory.AllocatePages(chunk / PhysicalMemory.PageSize, PhysicalMemory.PageSize);
                    }
                    if (phys == 0) return null;
                }
                reservedBytes += chunk;
                current = (byte*)phys;
                limit = current + chunk;
            }
            byte* result = current;
            Machine.MemSet(result, 0, size);
            current += size;
            allocatedBytes += size;
            allocationCount++;
            return result;
        }
    }
}
