namespace Osprey.Kernel.Smp
{
    // One started CPU as the start-up code and the smp self-tests see it:
    // index 0 is the boot CPU, then the application processors in the
    // MADT's order. The boot CPU allocates every field before the AP runs
    // (the AP allocates nothing). Fields an AP writes and the boot CPU reads
    // (or the reverse) are volatile; each has one writer.
    internal sealed unsafe class Processor
    {
        internal int Index;
        internal uint ApicId;
        internal volatile bool Started;      // written by the AP when it checked in
        internal long SipiNs;                // boot CPU: the first SIPI
        internal long ArrivedNs;             // AP: first C# instruction (Clock)
        internal long ApicHz;                // AP: its local APIC timer rate, against the TSC
        internal uint SeenApicId;            // AP: the id its local APIC reports
        internal ulong* Gdt;
        internal byte* Tss;
        internal Threading.Stack Stack;

        // The boot CPU's requests to an idle AP (SmpCommands), one at a time:
        // the boot CPU writes the arguments, then Command; the AP clears
        // Command when done.
        internal volatile int Command;
        internal long Arg0, Arg1;
        internal long Result0, Result1;

        // Interrupt counts, each written by one CPU's handler.
        internal volatile int TimerInterrupts;   // AP: its test one-shots
        internal volatile int PingsReceived;     // AP: fixed IPIs from the boot CPU
        internal volatile int PongsSent;         // AP: answers sent back
    }
}
