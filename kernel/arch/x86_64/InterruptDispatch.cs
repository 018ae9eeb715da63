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
    // dropped, other vectors to their registered handler.
    internal static unsafe class InterruptDispatch
    {
        private static InterruptHandler[] handlers;
        internal static long SpuriousCount;
        internal static long UnhandledCount;
        internal static long[] Counts;
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
            Counts = new long[256];
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
            if (Counts != null) Counts[(int)v]++;
            // PIC lines 7 and 15 (vectors 39, 47) deliver spurious interrupts.
            if (v == Pic.VectorBase + 7 || v == Pic.VectorBase + 15)
            {
                int irq = (int)v - Pic.VectorBase;
                if (Pic.IsSpurious(irq))
                {
                    SpuriousCount++;
                    if (irq == 15) Pic.EndOfInterrupt(7);   // the master still saw IRQ 2
                    return;
                }
            }
            if (v == 0xFF) { SpuriousCount++; return; }     // local APIC spurious vector: no EOI
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
            UnhandledCount++;
            if (v >= Pic.VectorBase && v < Pic.VectorBase + 16) Pic.EndOfInterrupt((int)v - Pic.VectorBase);
        }
    }
}
