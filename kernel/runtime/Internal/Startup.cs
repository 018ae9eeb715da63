using System;
using System.Runtime;

namespace Internal.Runtime.CompilerHelpers
{
    // Runtime-data setup done once at boot, before any managed code that
    // touches statics: the compiler's module header lists the GC static
    // region, whose blocks must become real objects.
    internal static unsafe class StartupCodeHelpers
    {
        // ReadyToRun section ids (NativeAOT module header).
        private const int GCStaticRegion = 201;
        private const int EagerCctor = 205;

        internal static int GcStaticBlocks;

        // `modulesStart`..`modulesEnd` bracket the linker's __modules section,
        // which holds pointers to each module's ReadyToRun header.
        internal static void Initialize(void** modulesStart, void** modulesEnd)
        {
            for (void** m = modulesStart; m < modulesEnd; m++)
            {
                byte* header = (byte*)*m;
                if (header == null) continue;
                if (*(uint*)header != 0x00525452) Osprey.Kernel.Panic.Fail("bad ReadyToRun header signature");
                int count = *(ushort*)(header + 12);
                int entrySize = header[14];
                byte* rows = header + 16;
                for (int i = 0; i < count; i++)
                {
                    byte* row = rows + i * entrySize;
                    int id = *(int*)row;
                    byte* start = *(byte**)(row + 8);
                    byte* end = *(byte**)(row + 16);
                    if (id == GCStaticRegion) InitializeGcStatics(start, end);
                }
            }
        }

        // Each entry is a 32-bit relative pointer to a block. A block's first
        // relative pointer names the statics type with flag bits (1 =
        // uninitialized, 2 = has preinitialized data, next relative pointer);
        // once initialized the block's first 8 bytes hold the object.
        private static void InitializeGcStatics(byte* start, byte* end)
        {
            for (byte* entry = start; entry < end; entry += 4)
            {
                long* block = (long*)MethodTable.ReadRelPtr32(entry);
                long typeAndFlags = (long)MethodTable.ReadRelPtr32(block);
                if ((typeAndFlags & 1) == 0) continue;
                MethodTable* type = (MethodTable*)(typeAndFlags & ~3L);
                byte* obj = (byte*)Osprey.Kernel.Memory.Heap.AllocateObject(type->BaseSize, type);
                *(MethodTable**)obj = type;
                if ((typeAndFlags & 2) != 0)
                {
                    byte* data = (byte*)MethodTable.ReadRelPtr32((int*)block + 1);
                    uint size = type->BaseSize - 16;
                    for (uint i = 0; i < size; i++) obj[8 + i] = data[i];
                }
                *block = (long)obj;
                GcStaticBlocks++;
            }
        }
    }

}

namespace System.Runtime.CompilerServices
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    public struct StaticClassConstructionContext
    {
        // Code address of the static constructor; zeroed once it has run.
        public IntPtr cctorMethodAddress;
    }

    internal static unsafe class ClassConstructorRunner
    {
        // Guards taking a constructor's address and clearing it (run once).
        private static Osprey.Kernel.SpinLock cctorLock;

        private static void EnsureRun(StaticClassConstructionContext* context)
        {
            if ((void*)context->cctorMethodAddress == null) return;
            // Taken and cleared under cctorLock (interrupts off): a thread preempted
            // between reading the address and clearing it would run the
            // constructor a second time after the thread that ran meanwhile
            // had run it (and used the statics it made), resetting them.
            // Cleared before the call, so a recursive access during the
            // constructor sees the (partially built) statics, as .NET does;
            // so does another thread that preempts the constructor (there is
            // no waiting here: a class whose statics threads race for first
            // is initialized before the threads start).
            ulong flags = cctorLock.Acquire();
            void* cctor = (void*)context->cctorMethodAddress;
            context->cctorMethodAddress = default(IntPtr);
            cctorLock.Release(flags);
            if (cctor != null) ((delegate*<void>)cctor)();
        }

        private static IntPtr CheckStaticClassConstructionReturnNonGCStaticBase(StaticClassConstructionContext* context, IntPtr nonGcStaticBase)
        {
            EnsureRun(context);
            return nonGcStaticBase;
        }

        private static object CheckStaticClassConstructionReturnGCStaticBase(StaticClassConstructionContext* context, object gcStaticBase)
        {
            EnsureRun(context);
            return gcStaticBase;
        }

        private static IntPtr CheckStaticClassConstructionReturnThreadStaticBase(StaticClassConstructionContext* context, IntPtr threadStaticBase)
        {
            EnsureRun(context);
            return threadStaticBase;
        }
    }

    public static class RuntimeHelpers
    {
        public static int OffsetToStringData { get { return 12; } }
    }
}
