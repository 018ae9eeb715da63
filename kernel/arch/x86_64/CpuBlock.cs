using System.Runtime.InteropServices;
using Osprey.Kernel.Memory;

namespace Osprey.Kernel.Arch
{
    // One CPU's native record, reached through GS: IA32_GS_BASE (MSR
    // C000_0101h, Intel SDM vol. 3A 3.4.4 "Segment Loading Instructions in
    // IA-32e Mode", AMD APM vol. 2 4.5.3) holds its address, and its first
    // field is that address again, so `mov rax, gs:[0]` yields a normal
    // pointer (osprey_cpu_block). The kernel never moves objects (no moving
    // collector), so Object is a plain address of the CPU's managed
    // per-CPU object, read in one GS load by osprey_cpu_object.
    //
    // The offsets of Self (0) and Object (8) are used by cpu.asm.
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct CpuBlock
    {
        internal ulong Self;        // gs:[0]: this block's address
        internal ulong Object;      // gs:[8]: the kernel's per-CPU object (Threading.PerCpu)
        internal int Index;         // 0 = the boot CPU, then the MADT's order
        internal uint ApicId;       // the local APIC id of the CPU it is installed on
        internal ulong Reserved0, Reserved1;

        // TLB shootdown (Tlb): the generation of the last request this CPU
        // carried out (written by this CPU only, read by the initiator),
        // whether it takes part, and its counts.
        internal volatile uint TlbHandled;
        internal volatile int TlbJoined;
        internal long TlbInitiated, TlbIpisSent, TlbHandledRequests, TlbFullFlushes;
        // Its local APIC mode as this CPU set it (ApicModeX/ApicModeX2; 0 unknown).
        internal int ApicMode;
        // Interrupt statistics of this CPU, written only by this CPU
        // (InterruptDispatch); readers on other CPUs may see a count one
        // behind.
        internal long SpuriousInterrupts, UnhandledInterrupts;
        internal fixed long InterruptCounts[256];
        // This CPU's expected-fault state (Faults.Catch).
        internal FaultState Faults;

        internal const int ApicModeX = 1, ApicModeX2 = 2;
        internal const uint MsrGsBase = 0xC0000101;

        // A zeroed block for CPU `index` (not installed anywhere yet).
        internal static CpuBlock* Create(int index, uint apicId, object perCpu)
        {
            CpuBlock* b = (CpuBlock*)Heap.Allocate((ulong)sizeof(CpuBlock));
            b->Self = (ulong)b;
            b->Object = (ulong)Internal.Runtime.RawCasts.ObjectToPointer(perCpu);
            b->Index = index;
            b->ApicId = apicId;
            CpuBlocks.Register(b);
            return b;
        }

        // Points this CPU's GS base at b. After any GDT load: a null
        // selector load into GS may clear the base (osprey_lgdt loads one).
        internal static void Install(CpuBlock* b)
        {
            Cpu.WriteMsr(MsrGsBase, (ulong)b);
        }
    }
}
