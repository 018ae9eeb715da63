using Osprey.Kernel.Memory;

namespace Osprey.Kernel.Arch
{
    // The kernel's GDT: null, 64-bit code (0x08), data (0x10) and a 64-bit
    // TSS (0x18, two slots) whose interrupt stack table gives double fault,
    // NMI and machine check stacks of their own, so they are handled even
    // when the current stack is broken (Intel SDM vol. 3A 3.4.5, 7.14.5,
    // 9.7, figure 9-11 for the TSS layout).
    internal static unsafe class Gdt
    {
        internal const ushort CodeSelector = 0x08;
        internal const ushort DataSelector = 0x10;
        internal const ushort TssSelector = 0x18;
        internal const int IstDoubleFault = 1, IstNmi = 2, IstMachineCheck = 3;
        private const ulong IstStackBytes = 16384;

        private static ulong* table;
        private static byte* tss;

        internal static ulong IstTop(int index) { return *(ulong*)(tss + 36 + (index - 1) * 8); }

        internal static void Initialize()
        {
            Build(out table, out tss);
            Load(table);
        }

        // A GDT and TSS with their own IST stacks, for one CPU (the boot CPU
        // or an application processor: each needs its own TSS, since a busy
        // TSS cannot be loaded twice, and its own IST stacks). Allocates:
        // the boot CPU builds the APs' tables before starting them.
        internal static void Build(out ulong* gdt, out byte* taskState)
        {
            gdt = (ulong*)Heap.Allocate(8 * 5);
            taskState = (byte*)Heap.Allocate(104);
            gdt[0] = 0;
            gdt[1] = 0x00AF9A000000FFFF;   // present, ring 0, code, long mode (L=1)
            gdt[2] = 0x00CF92000000FFFF;   // present, ring 0, data, writable
            for (int i = 1; i <= 3; i++)
            {
                byte* stack = (byte*)Heap.Allocate(IstStackBytes);
                *(ulong*)(taskState + 36 + (i - 1) * 8) = (ulong)(stack + IstStackBytes);  // IST1..IST3
            }
            *(ushort*)(taskState + 102) = 104;      // I/O map base beyond the limit: no I/O bitmap
            ulong b = (ulong)taskState;
            ulong limit = 103;
            // 16-byte system descriptor, type 0x9 (available 64-bit TSS), present.
            gdt[3] = (limit & 0xFFFF) | ((b & 0xFFFFFF) << 16) | (0x89UL << 40) | (((limit >> 16) & 0xF) << 48) | (((b >> 24) & 0xFF) << 56);
            gdt[4] = b >> 32;
        }

        // Loads a table made by Build on the calling CPU, then its TSS.
        internal static void Load(ulong* gdt)
        {
            ulong* descriptor = stackalloc ulong[2];
            *(ushort*)descriptor = 8 * 5 - 1;
            *(ulong*)((byte*)descriptor + 2) = (ulong)gdt;
            Cpu.LoadGdt(descriptor, CodeSelector, DataSelector);
            Cpu.LoadTaskRegister(TssSelector);
        }

        // The stack the CPU switches to for interrupts arriving in ring 0 is
        // the current one; RSP0 is only used from ring 3 (unused here).
        internal static void SetKernelStack(ulong top) { *(ulong*)(tss + 4) = top; }
    }
}
