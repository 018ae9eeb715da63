using Osprey.Sched;
using Osprey.Sched.Tracing;

namespace Osprey.Kernel.Threading
{
    // The kernel's side of every device interrupt, registered with
    // Machine.SetInterruptUpcalls: arch calls Enter before the vector's
    // handler and Exit after it, interrupts off. Enter records irq_entry
    // and raises this CPU's nesting count (the core's InterruptNesting,
    // the one copy); Exit records irq_exit, lowers it, and at the outermost
    // level switches if the handler made another thread the heir (after the
    // handler's EOI, so the interrupted thread resumes here and returns
    // through iretq). Before the scheduler runs there is no core: nothing
    // is counted and nothing switches.
    internal static unsafe class InterruptEntry
    {
        internal static void Enter(int vector)
        {
            PerCpu cpu = PerCpu.Current;
            if (cpu == null) return;
            TraceRing tr = cpu.Trace;
            if (tr != null) KernelTrace.Interrupt(cpu, tr, TraceEventKind.IrqEntry, vector);
            SchedCore core = cpu.Core;
            if (core != null) core.InterruptNesting++;
        }

        internal static void Exit(int vector)
        {
            PerCpu cpu = PerCpu.Current;
            if (cpu == null) return;
            TraceRing tr = cpu.Trace;
            if (tr != null) KernelTrace.Interrupt(cpu, tr, TraceEventKind.IrqExit, vector);
            SchedCore core = cpu.Core;
            if (core == null) return;
            core.InterruptNesting--;
            if (cpu.SwitchPending && core.InterruptNesting == 0)
            {
                ulong f = Scheduling.Lock();
                Scheduling.Reschedule();
                Scheduling.Unlock(f);
            }
        }
    }
}
