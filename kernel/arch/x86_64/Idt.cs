using System.Runtime;
using System.Runtime.CompilerServices;
using Osprey.Kernel.Memory;

namespace Osprey.Kernel.Arch
{
    // 256 interrupt gates pointing at the stubs of interrupts.asm (Intel SDM
    // vol. 3A 7.14.1, figure 7-8: 64-bit interrupt gate). Interrupt gates
    // clear IF on entry, so handlers run with interrupts off.
    internal static unsafe class Idt
    {
        private static ulong* table;

        internal static void Initialize()
        {
            table = (ulong*)Heap.Allocate(16 * 256);
            ulong* stubs = IsrTable();
            for (int v = 0; v < 256; v++)
            {
                int ist = 0;
                if (v == 8) ist = Gdt.IstDoubleFault;
                else if (v == 2) ist = Gdt.IstNmi;
                else if (v == 18) ist = Gdt.IstMachineCheck;
                SetGate(v, stubs[v], ist);
            }
            Load();
        }

        // Loads the one table on the calling CPU (every CPU shares it; the
        // IST indexes select stacks in each CPU's own TSS).
        internal static void Load()
        {
            ulong* descriptor = stackalloc ulong[2];
            *(ushort*)descriptor = 16 * 256 - 1;
            *(ulong*)((byte*)descriptor + 2) = (ulong)table;
            Cpu.LoadIdt(descriptor);
        }

        private static void SetGate(int vector, ulong handler, int ist)
        {
            ulong low = (handler & 0xFFFF)
                | ((ulong)Gdt.CodeSelector << 16)
                | ((ulong)(ist & 7) << 32)
                | (0x8EUL << 40)                       // present, DPL 0, type 0xE interrupt gate
                | (((handler >> 16) & 0xFFFF) << 48);
            table[vector * 2] = low;
            table[vector * 2 + 1] = handler >> 32;
        }

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_isr_table_address")]
        private static extern ulong* IsrTable();
    }
}
