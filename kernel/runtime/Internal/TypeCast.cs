using System;
using System.Runtime;
using Internal.Runtime;

namespace System.Runtime
{
    // Casting helpers the compiler calls for `is`, `as`, casts and array stores.
    // No variance or generic-interface casting rules beyond exact identity.
    internal static unsafe class TypeCast
    {
        internal static bool IsAssignable(MethodTable* source, MethodTable* target)
        {
            if (source == target) return true;
            if (target->IsInterface)
            {
                for (MethodTable* t = source; t != null; t = t->BaseType)
                {
                    MethodTable** list = t->InterfaceList;
                    for (int i = 0; i < t->NumInterfaces; i++) if (list[i] == target) return true;
                }
                return false;
            }
            if (source->IsParameterized) return false;
            for (MethodTable* t = source->BaseType; t != null; t = t->BaseType)
                if (t == target) return true;
            return false;
        }

        private static object IsInstanceOfAny(MethodTable* target, object obj)
        {
            if (obj == null) return null;
            return IsAssignable(obj.GetMethodTable(), target) ? obj : null;
        }

        private static object CheckCastAny(MethodTable* target, object obj)
        {
            if (obj == null) return null;
            if (!IsAssignable(obj.GetMethodTable(), target))
                Osprey.Kernel.Panic.Fail("invalid cast");
            return obj;
        }

        private static object IsInstanceOfClass(MethodTable* target, object obj) { return IsInstanceOfAny(target, obj); }
        private static object IsInstanceOfInterface(MethodTable* target, object obj) { return IsInstanceOfAny(target, obj); }
        private static object CheckCastClass(MethodTable* target, object obj) { return CheckCastAny(target, obj); }
        private static object CheckCastInterface(MethodTable* target, object obj) { return CheckCastAny(target, obj); }
        private static object CheckCastClassSpecial(MethodTable* target, object obj) { return CheckCastAny(target, obj); }
        private static object IsInstanceOfException(MethodTable* target, object obj) { return IsInstanceOfAny(target, obj); }

        private static void StelemRef(object[] array, nint index, object obj)
        {
            if ((ulong)index >= (ulong)(uint)array.Length) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
            if (obj != null)
            {
                MethodTable* element = array.GetMethodTable()->RelatedType;
                if (!IsAssignable(obj.GetMethodTable(), element))
                    Osprey.Kernel.Panic.Fail("array type mismatch");
            }
            // A plain element store here would call StelemRef again.
            byte* data = (byte*)RawCasts.ObjectToPointer(array) + 16;
            *(void**)(data + index * 8) = RawCasts.ObjectToPointer(obj);
        }

        private static ref object LdelemaRef(object[] array, nint index, MethodTable* elementType)
        {
            if ((ulong)index >= (ulong)(uint)array.Length) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
            MethodTable* actual = array.GetMethodTable()->RelatedType;
            if (actual != elementType) Osprey.Kernel.Panic.Fail("array type mismatch");
            byte* data = (byte*)RawCasts.ObjectToPointer(array) + 16;
            return ref RawCasts.PointerToRef(data + index * 8);
        }
    }
}
