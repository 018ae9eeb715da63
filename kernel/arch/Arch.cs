using Osprey.Kernel.Arch;

namespace Osprey.Kernel
{
    // The arch contract: everything the thread and timer code needs from the
    // CPU, in one place. Another architecture would reimplement this file and
    // its arch/ folder; nothing in threading/ names a register or a port.
    internal static unsafe class Machine
    {
        // Interrupts off; returns the previous state for RestoreInterrupts.
        internal static ulong DisableInterrupts() { return Cpu.SaveFlagsAndDisable(); }
        internal static void RestoreInterrupts(ulong state)
        {
            Cpu.RestoreFlags(state);
            if (Paravirt.HasPending && (state & 0x200) != 0) Paravirt.DeliverPending();
        }
        internal static bool InterruptsEnabled(ulong state) { return (state & 0x200) != 0; }

        // Sleep until the next interrupt (the idle thread), atomically
        // enabling interrupts first.
        internal static void WaitForInterrupt()
        {
            if (Paravirt.HasPending) { Cpu.EnableInterrupts(); Paravirt.DeliverPending(); return; }
            Cpu.EnableInterruptsAndHalt();
        }

        // The monotonic clock in nanoseconds and the one-shot timer for it.
        internal static long Now() { return Time.Clock.Now(); }
        internal static void ArmTimer(long absoluteNs)
        {
            if (Paravirt.Active) Paravirt.ArmTimer(absoluteNs);
            else ApicTimer.Arm(absoluteNs);
        }
        internal const int TimerVector = ApicTimer.Vector;

        // Acknowledge the interrupt being handled (local APIC EOI; the
        // paravirtual platform's interrupts need none).
        internal static void EndOfInterrupt() { if (!Paravirt.Active) LocalApic.EndOfInterrupt(); }

        // Raise `vector` on this CPU (self-IPI; paravirtual: INT n).
        internal static void RaiseInterrupt(int vector)
        {
            if (Paravirt.Active) Paravirt.RaiseInterrupt(vector);
            else LocalApic.SendSelf(vector);
        }

        // Switch stacks: save this context's stack pointer in *save, resume
        // the context whose saved stack pointer is `next`. Interrupts off.
        internal static void Switch(ulong* save, ulong next) { Cpu.Switch(save, next); }

        // Build the first frame of a new context on the stack ending at
        // `top` so that Switch to the returned stack pointer calls
        // entry(argument) with interrupts enabled. Layout consumed by
        // osprey_switch: [mxcsr|fcw] r15 r14 r13 r12 rbx rbp ret.
        internal static ulong InitialContext(ulong top, ulong entry, ulong argument)
        {
            ulong* sp = (ulong*)(top & ~15UL);
            // The return slot sits at top - 8: after its ret the stack pointer
            // is 16-byte aligned, as the trampoline's call requires.
            *--sp = Cpu.ThreadStartAddress();           // ret
            *--sp = 0;                                  // rbp: end of frame chain
            *--sp = argument;                           // rbx
            *--sp = entry;                              // r12
            *--sp = 0;                                  // r13
            *--sp = 0;                                  // r14
            *--sp = 0;                                  // r15
            *--sp = 0x1F80UL | (0x037FUL << 32);        // MXCSR default (all masked), x87 FCW default
            return (ulong)sp;
        }
    }
}
