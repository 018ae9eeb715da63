using System.Runtime;
using System.Runtime.CompilerServices;

namespace Osprey.Kernel.Arch
{
    // Expected faults: Catch(fn, arg) runs fn(arg); if it raises a CPU
    // exception, the exception is recorded and reported, and Catch returns
    // true instead of the kernel panicking (the same idea as an exception
    // fix-up table). One level deep; interrupts are not involved.
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

        private static CatchBuffer* armed;

        // The last caught fault.
        internal static ulong LastVector, LastError, LastRip, LastCr2, LastRsp;
        internal static long Caught;
        internal static bool Quiet;          // set by callers that probe memory

        internal static bool Catch(delegate*<ulong, void> fn, ulong arg)
        {
            CatchBuffer buffer;
            CatchBuffer* previous = armed;
            armed = &buffer;
            LastVector = ulong.MaxValue;
            ulong faulted = CatchCall(fn, arg, &buffer);
            armed = previous;
            return faulted != 0;
        }

        internal static bool TryRecover(InterruptFrame* f, ulong cr2)
        {
            if (armed == null) return false;
            LastVector = f->Vector;
            LastError = f->ErrorCode;
            LastRip = f->Rip;
            LastCr2 = cr2;
            LastRsp = f->Rsp;
            Caught++;
            if (!Quiet)
            {
                Log.Write("    # expected fault: ");
                Exceptions.Dump(f, cr2);
            }
            CatchBuffer* b = armed;
            armed = null;
            f->Rip = RecoverAddress();
            f->Rdi = (ulong)b;
            f->Rsp = b->Rsp;
            return true;
        }

        // Reads 8 bytes at `address` if it is mapped; false if it faults.
        internal static bool TryRead(ulong address, out ulong value)
        {
            probeValue = 0;
            bool oldQuiet = Quiet;
            Quiet = true;
            bool faulted = Catch(&ProbeRead, address);
            Quiet = oldQuiet;
            value = probeValue;
            return !faulted;
        }

        private static ulong probeValue;
        private static void ProbeRead(ulong address) { probeValue = Read64(address); }
    }
}
