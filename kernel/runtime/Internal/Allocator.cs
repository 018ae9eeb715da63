using System;
using System.Runtime;

namespace Internal.Runtime
{
    // Object allocation entry points the compiled code calls. Memory comes
    // from the kernel heap, which returns zeroed blocks or panics naming the
    // request (there is no garbage collector: objects live forever).
    internal static unsafe class Allocator
    {
        [RuntimeExport("RhpNewFast")]
        private static void* RhpNewFast(MethodTable* type)
        {
            void* obj = Osprey.Kernel.Memory.Heap.AllocateObject(type->BaseSize, type);
            *(MethodTable**)obj = type;
            return obj;
        }

        [RuntimeExport("RhpNewFinalizable")]
        private static void* RhpNewFinalizable(MethodTable* type) { return RhpNewFast(type); }

        [RuntimeExport("RhpNewArrayFast")]
        private static void* RhpNewArrayFast(MethodTable* type, int length)
        {
            if (length < 0) Osprey.Kernel.Panic.Fail("negative array length");
            ulong size = (ulong)type->BaseSize + (ulong)type->ComponentSize * (ulong)(uint)length;
            size = (size + 7) & ~7UL;
            if (size > 0xFFFFFFFFUL) Osprey.Kernel.Panic.Fail("array too large");
            void* obj = Osprey.Kernel.Memory.Heap.AllocateObject((uint)size, type);
            *(MethodTable**)obj = type;
            *(int*)((byte*)obj + 8) = length;
            return obj;
        }

        [RuntimeExport("RhpNewArray")]
        private static void* RhpNewArray(MethodTable* type, int length) { return RhpNewArrayFast(type, length); }

        [RuntimeExport("RhpNewPtrArrayFast")]
        private static void* RhpNewPtrArrayFast(MethodTable* type, int length) { return RhpNewArrayFast(type, length); }

        [RuntimeExport("RhNewString")]
        private static void* RhNewString(MethodTable* type, int length) { return RhpNewArrayFast(type, length); }

        internal static string NewString(int length)
        {
            MethodTable* stringType = "".GetMethodTable();
            void* s = RhpNewArrayFast(stringType, length);
            return (string)RawCasts.PointerToObject(s);
        }
    }
}
