using System.Runtime;
using Osprey.Sched.Tracing;

namespace Osprey.Kernel.Arch
{
    // A handler for one interrupt vector: a C# object, registered per vector.
    internal abstract unsafe class InterruptHandler
    {
        internal abstract void Handle(InterruptFrame* frame);

        // A handler that only counts or acknowledges on the CPU it runs on
        // (the application processors' start-up and test vectors, the APIC
        // error vector): it is called without the scheduler's interrupt
        // bookkeeping and trace, so it is safe on a CPU that runs no
        // scheduler.
        internal bool CpuLocal;
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
            if (h != null && h.CpuLocal)
            {
                h.Handle(f);
                return;
            }
            if (h != null)
            {
                // A handler may make a thread ready; the switch happens in
                // InterruptExit, after the handler's EOI (and after irq_exit
                // in the trace).
                TraceRing tr = Threading.KernelTrace.Ring;
                if (tr != null) Threading.KernelTrace.Interrupt(tr, TraceEventKind.IrqEntry, (int)v);
                Threading.Scheduling.InterruptEnter();
                h.Handle(f);
                if (tr != null) Threading.KernelTrace.Interrupt(tr, TraceEventKind.IrqExit, (int)v);
                Threading.Scheduling.InterruptExit();
                return;
            }
            UnhandledCount++;
            if (v >= Pic.VectorBase && v < Pic.VectorBase + 16) Pic.EndOfInterrupt((int)v - Pic.VectorBase);
        }
    }
}
