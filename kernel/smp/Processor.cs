namespace Osprey.Kernel.Smp
{
    // One CPU as the start-up code and the smp self-tests see it, at the
    // index of its PerCpu (0 the boot CPU, then the MADT's order). The boot
    // CPU fills it before the CPU runs. Fields one CPU writes and another
    // reads are volatile; each has one writer.
    internal sealed class Processor
    {
        internal int Index;
        internal uint ApicId;
        internal volatile bool Started;      // the CPU runs its scheduler (written by that CPU)
        internal long SipiNs;                // its first SIPI (clock)
        internal long ArrivedNs;             // its first C# instruction (clock)
        internal long ApicHz;                // its local APIC timer rate, measured against the TSC
        internal string Error;               // why it was left out (null: started)
        internal Threading.Stack Stack;      // its boot stack (becomes its main thread's)

        // The boot CPU's requests to the CPU's main thread (SmpCommands), one
        // at a time: the boot CPU writes the arguments, then Command, then
        // sends Smp.WakeVector; the CPU clears Command when done.
        internal volatile int Command;
        internal long Arg0, Arg1;
        internal long Result0, Result1;
        internal string Text;                // a command's text argument (SwitchPolicy: the policy)
        internal string TextResult;          // a command's text answer (SwitchPolicy: why refused, null: done)

        // Interrupt counts, each written by one CPU's handler.
        internal volatile int PingsReceived;     // fixed IPIs from the boot CPU
        internal volatile int PongsSent;         // answers sent back
    }
}
