namespace Osprey.Kernel.Arch
{
    // The boot CPU's block: a static record (non-GC static data, in the
    // image), installed as the first act of kmain so that CpuIndex and the
    // spin locks work before the heap and the runtime's statics exist.
    // Blocks of other CPUs come from CpuBlock.Create; every block is
    // registered here by its index (sums over CPUs, TLB shootdown targets).
    internal static unsafe class CpuBlocks
    {
        internal const int Max = 256;

        private static CpuBlock boot;
        // Blocks by index, a fixed table (non-GC static data: usable before
        // the heap). Written once per CPU, on the boot CPU, before that CPU
        // runs.
        private struct Table { internal fixed ulong Block[Max]; }
        private static Table table;
        private static int bound;      // 1 + the highest registered index

        internal static CpuBlock* InstallBoot()
        {
            fixed (CpuBlock* b = &boot)
            {
                b->Self = (ulong)b;
                b->Index = 0;
                CpuBlock.Install(b);
                Register(b);
                return b;
            }
        }

        internal static void Register(CpuBlock* b)
        {
            if (b->Index < 0 || b->Index >= Max) Panic.Fail("CPU index " + b->Index + " beyond the " + Max + " per-CPU blocks the arch layer keeps");
            fixed (Table* t = &table) t->Block[b->Index] = (ulong)b;
            if (b->Index + 1 > bound) bound = b->Index + 1;
        }

        // 1 + the highest index with a block.
        internal static int Bound { get { return bound; } }

        // The block of CPU `index` (null: none).
        internal static CpuBlock* Of(int index)
        {
            if (index < 0 || index >= bound) return null;
            fixed (Table* t = &table) return (CpuBlock*)t->Block[index];
        }
    }
}
