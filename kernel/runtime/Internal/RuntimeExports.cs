using System;
using System.Runtime;
using Internal.Runtime;

namespace System.Runtime
{
    // Boxing and unboxing helpers the compiler calls by name.
    internal static unsafe class RuntimeExports
    {
        [RuntimeExport("RhBox")]
        public static object RhBox(MethodTable* type, ref byte data)
        {
            byte* obj = (byte*)Osprey.Kernel.Memory.Heap.AllocateObject(type->BaseSize, type);
            *(MethodTable**)obj = type;
            fixed (byte* src = &data)
            {
                uint size = type->BaseSize - 16;
                for (uint i = 0; i < size; i++) obj[8 + i] = src[i];
            }
            return RawCasts.PointerToObject(obj);
        }

        [RuntimeExport("RhUnbox2")]
        public static ref byte RhUnbox2(MethodTable* type, object obj)
        {
            if (obj == null) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowNullReferenceException();
            if (obj.GetMethodTable() != type) Osprey.Kernel.Panic.Fail("invalid unbox");
            return ref RawCasts.PointerToByteRef((byte*)RawCasts.ObjectToPointer(obj) + 8);
        }

        [RuntimeExport("RhUnboxNullable")]
        public static void RhUnboxNullable(ref byte data, MethodTable* type, object obj)
        {
            Osprey.Kernel.Panic.Fail("Nullable<T> is not supported by the kernel runtime");
        }
    }
}

namespace System
{
    internal static class Buffer
    {
        internal static unsafe void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount)
        {
            fixed (byte* d = &destination)
            fixed (byte* s = &source)
                Osprey.Kernel.Machine.MemMove(d, s, (ulong)byteCount);
        }
    }
}

namespace Internal.Runtime.CompilerHelpers
{
    // Targets of the compiler's implicit checks; each is a panic naming the fault.
    internal static class ThrowHelpers
    {
        internal static void ThrowIndexOutOfRangeException() { Osprey.Kernel.Panic.Fail("index out of range"); }
        internal static void ThrowNullReferenceException() { Osprey.Kernel.Panic.Fail("null reference"); }
        internal static void ThrowDivideByZeroException() { Osprey.Kernel.Panic.Fail("divide by zero"); }
        internal static void ThrowOverflowException() { Osprey.Kernel.Panic.Fail("arithmetic overflow"); }
        internal static void ThrowPlatformNotSupportedException() { Osprey.Kernel.Panic.Fail("platform not supported"); }
        internal static void ThrowTypeLoadException() { Osprey.Kernel.Panic.Fail("type load"); }
        internal static void ThrowArrayTypeMismatchException() { Osprey.Kernel.Panic.Fail("array type mismatch"); }
        internal static void ThrowInvalidCastException() { Osprey.Kernel.Panic.Fail("invalid cast"); }
        internal static void ThrowArgumentException() { Osprey.Kernel.Panic.Fail("bad argument"); }
        internal static void ThrowArgumentOutOfRangeException() { Osprey.Kernel.Panic.Fail("argument out of range"); }
        internal static void ThrowNotImplementedException() { Osprey.Kernel.Panic.Fail("not implemented"); }
        internal static void ThrowNotSupportedException() { Osprey.Kernel.Panic.Fail("not supported"); }
        internal static void ThrowFeatureBodyRemoved() { Osprey.Kernel.Panic.Fail("feature body removed by the compiler"); }
        internal static void ThrowTypeLoadExceptionWithArgument(int id, string className, string typeName) { Osprey.Kernel.Panic.Fail("type load"); }
        internal static void ThrowBodyRemoved() { Osprey.Kernel.Panic.Fail("method body removed by the compiler"); }
        internal static void ThrowUnavailableType() { Osprey.Kernel.Panic.Fail("unavailable type"); }
        internal static void ThrowMissingMethodException(int id, string methodName) { Osprey.Kernel.Panic.Fail("missing method"); }
        internal static void ThrowMissingFieldException(int id, string fieldName) { Osprey.Kernel.Panic.Fail("missing field"); }
        internal static void ThrowFileNotFoundException(int id, string fileName) { Osprey.Kernel.Panic.Fail("file not found"); }
        internal static void ThrowInvalidProgramException(int id) { Osprey.Kernel.Panic.Fail("invalid program"); }
        internal static void ThrowInvalidProgramExceptionWithArgument(int id, string methodName) { Osprey.Kernel.Panic.Fail("invalid program"); }
        internal static void ThrowBadImageFormatException(int id) { Osprey.Kernel.Panic.Fail("bad image format"); }
        internal static void ThrowMarshalDirectiveException(int id) { Osprey.Kernel.Panic.Fail("marshal directive"); }
        internal static void ThrowAmbiguousMatchException(int id) { Osprey.Kernel.Panic.Fail("ambiguous match"); }
    }
}

namespace Internal.Runtime
{
    // Runtime entry points that must exist but do nothing in this kernel.
    internal static unsafe class RuntimeStubs
    {
        [RuntimeExport("RhpGcPoll")] private static void RhpGcPoll() { }
        [RuntimeExport("RhpPInvoke")] private static void RhpPInvoke(void* frame) { }
        [RuntimeExport("RhpPInvokeReturn")] private static void RhpPInvokeReturn(void* frame) { }
        [RuntimeExport("RhpReversePInvoke")] private static void RhpReversePInvoke(void* frame) { }
        [RuntimeExport("RhpReversePInvokeReturn")] private static void RhpReversePInvokeReturn(void* frame) { }
        [RuntimeExport("RhpFallbackFailFast")] private static void RhpFallbackFailFast() { Osprey.Kernel.Panic.Fail("runtime fail-fast"); }

        // `throw`: there is no unwinder, so a throw is a panic that names the
        // exception's type (from the kernel symbol table) and its message.
        [RuntimeExport("RhpThrowEx")]
        private static void RhpThrowEx(Exception ex)
        {
            Osprey.Kernel.Panic.Exception(ex);
        }

        [RuntimeExport("RhpRethrow")]
        private static void RhpRethrow() { Osprey.Kernel.Panic.Fail("rethrow"); }
    }
}
