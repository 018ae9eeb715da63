namespace Osprey.Kernel.Arch
{
    // The boot CPU's block: a static record (non-GC static data, in the
    // image), installed as the first act of kmain so that CpuIndex and the
    // spin locks work before the heap and the runtime's statics exist.
    // Blocks of other CPUs come from CpuBlock.Create.
    internal static unsafe class CpuBlocks
    {
        private static CpuBlock boot;

        internal static CpuBlock* InstallBoot()
        {
            fixed (CpuBlock* b = &boot)
            {
                b->Self = (ulong)b;
                b->Index = 0;
                CpuBlock.Install(b);
                return b;
            }
        }
    }
}
