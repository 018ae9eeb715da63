using System.Runtime;

namespace Osprey.Kernel.Arch
{
    // A handler for one interrupt vector: a C# object, registered per vector.
    internal abstract unsafe class InterruptHandler
    {
        internal abstract void Handle(InterruptFrame* frame);
    }

    // Where every interrupt lands (called from interrupts.asm with IF clear):
    // exceptions go to Exceptions, spurious PIC interrupts are counted and
    // dropped, TLB shootdown requests go to Tlb, other vectors to their
    // registered handler. Every count is the running CPU's (its CpuBlock:
    // per-vector counts, spurious, unhandled), written by that CPU only, so
    // no count is lost to two CPUs incrementing one word; the sums below
    // add every CPU's.
    internal static unsafe class InterruptDispatch
    {
        private static InterruptHandler[] handlers;

        // Interrupts of `vector` counted on CPU `index` (0: no such CPU).
        internal static long CountOn(int index, int vector)
        {
            CpuBlock* b = CpuBlocks.Of(index);
            if (b == null || vector < 0 || vector > 255) return 0;
            return b->InterruptCounts[vector];
        }

        // Summed over every CPU.
        internal static long Count(int vector)
        {
            long n = 0;
            for (int i = 0; i < CpuBlocks.Bound; i++) n += CountOn(i, vector);
            return n;
        }

        internal static long SpuriousOn(int index) { CpuBlock* b = CpuBlocks.Of(index); return b == null ? 0 : b->SpuriousInterrupts; }
        internal static long UnhandledOn(int index) { CpuBlock* b = CpuBlocks.Of(index); return b == null ? 0 : b->UnhandledInterrupts; }
        internal static long SpuriousCount { get { long n = 0; for (int i = 0; i < CpuBlocks.Bound; i++) n += SpuriousOn(i); return n; } }
        internal static long UnhandledCount { get { long n = 0; for (int i = 0; i < CpuBlocks.Bound; i++) n += UnhandledOn(i); return n; } }
        // The kernel's up-calls around every registered handler (Machine.SetInterruptUpcalls).
        private static delegate*<int, void> enter, exit;

        internal static void SetUpcalls(delegate*<int, void> onEnter, delegate*<int, void> onExit)
        {
            enter = onEnter;
            exit = onExit;
        }

        internal static void Initialize()
        {
            handlers = new InterruptHandler[256];
        }

        internal static void Register(int vector, InterruptHandler handler)
        {
            if (vector < 32 || vector > 255) Panic.Fail("interrupt handler for a reserved vector");
            handlers[vector] = handler;
        }

        internal static void Unregister(int vector) { handlers[vector] = null; }

        [RuntimeExport("osprey_interrupt_dispatch")]
        private static void Dispatch(InterruptFrame* f)
        {
            ulong v = f->Vector;
            if (v < 32) { Exceptions.Handle(f); return; }
            CpuBlock* me = Cpu.CurrentBlock();
            me->InterruptCounts[(int)v]++;
            if (v == Tlb.Vector) { Tlb.HandleInterrupt(me); return; }
            // PIC lines 7 and 15 (vectors 39, 47) deliver spurious interrupts.
            if (v == Pic.VectorBase + 7 || v == Pic.VectorBase + 15)
            {
                int irq = (int)v - Pic.VectorBase;
                if (Pic.IsSpurious(irq))
                {
                    me->SpuriousInterrupts++;
                    if (irq == 15) Pic.EndOfInterrupt(7);   // the master still saw IRQ 2
                    return;
                }
            }
            if (v == 0xFF) { me->SpuriousInterrupts++; return; }     // local APIC spurious vector: no EOI
            InterruptHandler h = handlers == null ? null : handlers[(int)v];
            if (h != null)
            {
                // A handler may make a thread ready; the kernel's exit
                // up-call switches after the handler's EOI.
                if (enter != null) enter((int)v);
                h.Handle(f);
                if (exit != null) exit((int)v);
                return;
            }
            me->UnhandledInterrupts++;
            if (v >= Pic.VectorBase && v < Pic.VectorBase + 16) Pic.EndOfInterrupt((int)v - Pic.VectorBase);
        }
    }
}
