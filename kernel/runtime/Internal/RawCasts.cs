using System.Runtime;
using System.Runtime.CompilerServices;

namespace Internal.Runtime
{
    // Reinterpretations between object references and addresses. There is no
    // moving collector, so an object's address is stable for its lifetime.
    // Implemented in kernel/arch/x86_64/runtime.asm as `mov rax, rdi; ret`.
    internal static unsafe class RawCasts
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_identity")]
        internal static extern void* ObjectToPointer(object o);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_identity")]
        internal static extern object PointerToObject(void* p);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_identity")]
        internal static extern ref object PointerToRef(void* p);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_identity")]
        internal static extern ref byte PointerToByteRef(void* p);

        internal static T As<T>(void* p) where T : class { return (T)PointerToObject(p); }
    }
}
