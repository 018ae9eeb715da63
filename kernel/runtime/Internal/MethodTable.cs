using System.Runtime.InteropServices;

namespace Internal.Runtime
{
    // The compiler's type descriptor (NativeAOT, ILCompiler 10.0.12). Layout:
    // flags|component size, base size, related type, vtable slot count,
    // interface count, hash code; then the vtable (pointers), the interface
    // list (pointers), then optional fields as 32-bit relative pointers:
    // type-manager cell, writable data, dispatch map (when flagged), finalizer
    // (when flagged), sealed virtual slots (when flagged).
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct MethodTable
    {
        internal ushort ComponentSize;
        internal ushort Flags;
        internal uint BaseSize;
        internal MethodTable* RelatedType;
        internal ushort NumVtableSlots;
        internal ushort NumInterfaces;
        internal uint HashCode;

        // Upper 16 bits of the combined flags word, shifted down by 16.
        internal const ushort KindMask = 0x0003;            // 0 canonical, 1 function pointer, 2 parameterized, 3 generic definition
        internal const ushort HasDispatchMapFlag = 0x0004;
        internal const ushort IsDynamicTypeFlag = 0x0008;
        internal const ushort HasFinalizerFlag = 0x0010;
        internal const ushort HasSealedVTableEntriesFlag = 0x0040;
        internal const ushort HasComponentSizeFlag = 0x8000;
        internal const ushort ElementTypeMask = 0x7C00;     // bits 26..30 of the word
        internal const int ElementTypeShift = 10;
        internal const int ElementTypeInterface = 0x18;

        internal bool HasComponentSize { get { return (Flags & HasComponentSizeFlag) != 0; } }
        internal bool IsInterface { get { return ((Flags & ElementTypeMask) >> ElementTypeShift) == ElementTypeInterface; } }
        internal bool IsParameterized { get { return (Flags & KindMask) == 2; } }
        internal bool IsArray { get { int et = (Flags & ElementTypeMask) >> ElementTypeShift; return et == 0x14 || et == 0x15; } }

        // Base type for classes; element type for arrays.
        internal MethodTable* BaseType { get { return IsParameterized ? null : RelatedType; } }

        internal MethodTable** InterfaceList
        {
            get
            {
                fixed (MethodTable* self = &this)
                    return (MethodTable**)((byte*)self + sizeof(MethodTable) + 8 * NumVtableSlots);
            }
        }

        internal void** Vtable { get { fixed (MethodTable* self = &this) return (void**)((byte*)self + sizeof(MethodTable)); } }

        private byte* OptionalFields
        {
            get { fixed (MethodTable* self = &this) return (byte*)InterfaceList + 8 * NumInterfaces; }
        }

        internal static void* ReadRelPtr32(void* address) { return (byte*)address + *(int*)address; }

        internal byte* DispatchMap
        {
            get
            {
                if ((Flags & HasDispatchMapFlag) == 0) return null;
                // type manager cell (4), writable data (4), then the dispatch map
                return (byte*)ReadRelPtr32(OptionalFields + 8);
            }
        }

        internal void* SealedVirtualSlot(int index)
        {
            byte* p = OptionalFields + 8;
            if ((Flags & HasDispatchMapFlag) != 0) p += 4;
            if ((Flags & HasFinalizerFlag) != 0) p += 4;
            int* table = (int*)ReadRelPtr32(p);
            return ReadRelPtr32(&table[index]);
        }
    }
}
