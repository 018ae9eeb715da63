using System.Runtime;

namespace Internal.Runtime
{
    // Interface calls. A call site does `lea r11, [cell]; call [r11]`; the
    // cell's stub is RhpInitialDynamicInterfaceDispatch (runtime.asm), which
    // calls Resolve(this, cell) and jumps to the result. Layout read from
    // ILCompiler 10.0.12 output (pinned):
    //   cell:       { void* stub; long cache; }  cache = relative pointer
    //               (from the cache field) to the interface MethodTable,
    //               low two bits 3 = "interface relative pointer";
    //   terminator: { 0; slot } after the cells of one call site, the
    //               interface method's slot in its low 16 bits.
    // Resolution walks the object's type and its bases: each type's dispatch
    // map has (interface index, interface slot, implementation slot)
    // entries; a slot below the vtable size indexes the object's own vtable
    // (so overrides in derived types win), past it the type's sealed slots.
    // No cache: interfaces stay off hot paths (see PORTABLE.md).
    internal static unsafe class InterfaceDispatch
    {
        internal static long Resolutions;

        [RuntimeExport("osprey_resolve_interface")]
        private static void* Resolve(object obj, byte* cell)
        {
            if (obj == null) Osprey.Kernel.Panic.Fail("null reference in interface call");
            long cache = *(long*)(cell + 8);
            if ((cache & 3) != 3) Osprey.Kernel.Panic.Fail("unsupported interface dispatch cell");
            MethodTable* itf = (MethodTable*)((long)(cell + 8) + (cache & ~3L));
            byte* terminator = cell;
            while (*(long*)terminator != 0) terminator += 16;
            ushort slot = (ushort)*(long*)(terminator + 8);
            Resolutions++;
            MethodTable* type = obj.GetMethodTable();
            void* target = FindImplementation(type, itf, slot);
            if (target == null) Osprey.Kernel.Panic.Fail("interface method not implemented");
            return target;
        }

        internal static void* FindImplementation(MethodTable* objectType, MethodTable* itf, ushort slot)
        {
            // Standard entries first over the whole hierarchy, then defaults.
            for (int pass = 0; pass < 2; pass++)
            {
                for (MethodTable* t = objectType; t != null; t = t->BaseType)
                {
                    byte* map = t->DispatchMap;
                    if (map == null) continue;
                    int standard = *(ushort*)map;
                    int defaults = *(ushort*)(map + 2);
                    byte* entries = map + 8;
                    int first = pass == 0 ? 0 : standard;
                    int last = pass == 0 ? standard : standard + defaults;
                    MethodTable** interfaces = t->InterfaceList;
                    for (int i = first; i < last; i++)
                    {
                        ushort* e = (ushort*)(entries + i * 6);
                        if (e[0] >= t->NumInterfaces || interfaces[e[0]] != itf || e[1] != slot) continue;
                        ushort impl = e[2];
                        if (impl < t->NumVtableSlots) return objectType->Vtable[impl];
                        return t->SealedVirtualSlot(impl - t->NumVtableSlots);
                    }
                }
            }
            return null;
        }
    }
}
