using System.Runtime;
using System.Runtime.CompilerServices;

namespace Osprey.Kernel.Arch
{
    // One CPU's expected-fault state (CpuBlock.Faults): the armed catch and
    // the last fault caught there. Only its own CPU reads or writes it: a
    // CPU exception is taken on the CPU that raised it, and Catch keeps
    // interrupts off from arming to disarming, so no other thread of this
    // CPU (and no migration to another CPU) comes in between.
    internal unsafe struct FaultState
    {
        internal Faults.CatchBuffer* Armed;
        internal ulong LastVector, LastError, LastRip, LastCr2, LastRsp;
        internal long Caught;
        internal bool Quiet;
        internal ulong ProbeValue;
    }

    // Expected faults: Catch(fn, arg) runs fn(arg); if it raises a CPU
    // exception, the exception is recorded and reported, and Catch returns
    // true instead of the kernel panicking (the same idea as an exception
    // fix-up table). One level deep per CPU; the state is the running
    // CPU's (FaultState), so CPUs catching faults at the same time never see
    // each other's. fn runs with interrupts off: it must not block, and it
    // must not wait for another CPU's progress that needs an interrupt here
    // (a TLB shootdown to this CPU is one: Tlb).
    internal static unsafe class Faults
    {
        internal struct CatchBuffer { internal ulong Rbx, Rbp, R12, R13, R14, R15, Rsp; }

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_catch_call")]
        private static extern ulong CatchCall(delegate*<ulong, void> fn, ulong arg, CatchBuffer* buffer);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_catch_recover_address")]
        private static extern ulong RecoverAddress();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_read64")] internal static extern ulong Read64(ulong address);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_write64")] internal static extern void Write64(ulong address, ulong value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_trigger_ud")] internal static extern void TriggerInvalidOpcode(ulong unused);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_trigger_int3")] internal static extern void TriggerBreakpoint(ulong unused);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_trigger_de")] internal static extern void TriggerDivideError(ulong dividend);

        // The running CPU's state.
        private static FaultState* Here { [MethodImpl(MethodImplOptions.AggressiveInlining)] get { return &Cpu.CurrentBlock()->Faults; } }

        // The last fault caught on this CPU.
        internal static ulong LastVector { get { return Here->LastVector; } }
        internal static ulong LastError { get { return Here->LastError; } }
        internal static ulong LastRip { get { return Here->LastRip; } }
        internal static ulong LastCr2 { get { return Here->LastCr2; } }
        internal static ulong LastRsp { get { return Here->LastRsp; } }
        // Faults caught on this CPU since boot.
        internal static long Caught { get { return Here->Caught; } }
        // Faults caught on CPU `index` (0 for a CPU without a block).
        internal static long CaughtOn(int index) { CpuBlock* b = CpuBlocks.Of(index); return b == null ? 0 : b->Faults.Caught; }
        // Set by callers that probe memory on this CPU: a caught fault is not logged.
        internal static bool Quiet { get { return Here->Quiet; } set { Here->Quiet = value; } }

        internal static bool Catch(delegate*<ulong, void> fn, ulong arg)
        {
            CatchBuffer buffer;
            ulong flags = Cpu.SaveFlagsAndDisable();
            FaultState* s = Here;
            CatchBuffer* previous = s->Armed;
            s->Armed = &buffer;
            s->LastVector = ulong.MaxValue;
            ulong faulted = CatchCall(fn, arg, &buffer);
            s->Armed = previous;
            Cpu.RestoreFlags(flags);
            return faulted != 0;
        }

        // From Exceptions.Handle, on the CPU that raised the exception.
        internal static bool TryRecover(InterruptFrame* f, ulong cr2)
        {
            FaultState* s = Here;
            if (s->Armed == null) return false;
            s->LastVector = f->Vector;
            s->LastError = f->ErrorCode;
            s->LastRip = f->Rip;
            s->LastCr2 = cr2;
            s->LastRsp = f->Rsp;
            s->Caught++;
            if (!s->Quiet)
            {
                Log.Write("    # expected fault on cpu ");
                Log.Dec(Cpu.CurrentBlock()->Index);
                Log.Write(": ");
                Exceptions.Dump(f, cr2);
            }
            CatchBuffer* b = s->Armed;
            s->Armed = null;
            f->Rip = RecoverAddress();
            f->Rdi = (ulong)b;
            f->Rsp = b->Rsp;
            return true;
        }

        // Reads 8 bytes at `address` if it is mapped on this CPU; false if it faults.
        internal static bool TryRead(ulong address, out ulong value)
        {
            ulong flags = Cpu.SaveFlagsAndDisable();
            FaultState* s = Here;
            s->ProbeValue = 0;
            bool oldQuiet = s->Quiet;
            s->Quiet = true;
            bool faulted = Catch(&ProbeRead, address);
            s->Quiet = oldQuiet;
            value = s->ProbeValue;
            Cpu.RestoreFlags(flags);
            return !faulted;
        }

        private static void ProbeRead(ulong address) { Here->ProbeValue = Read64(address); }
    }
}
