using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Osprey.Kernel
{
    // A ticket spin lock (fair: CPUs get it in the order they asked) held
    // with interrupts off on this CPU, so an interrupt handler on the
    // holder's CPU can never spin on it:
    //
    //     ulong f = frameLock.Acquire(); ... frameLock.Release(f);
    //
    // Acquire returns the interrupt state Release gives back. Not
    // recursive: taking a lock this CPU holds already panics (it would spin
    // forever). A value type with no references, so a lock can be a static
    // field usable before the runtime's reference statics exist (heap,
    // frames); keep it in a field (never copy it) and name the field after
    // what it guards (kernel/README.md, "Locks"). Each operation is one
    // assembly call (cpu.asm, osprey_spin_acquire/_release: PUSHF/CLI,
    // LOCK XADD, PAUSE), which uses the field offsets below.
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SpinLock
    {
        private uint next;                  // +0: next ticket to hand out
        private uint serving;               // +4: ticket served
        private ulong holder;               // +8: the holder's CpuBlock address, 0 free
        internal long Acquisitions;         // +16: times taken
        internal long Contended;            // +24: of those, times it was held already

        internal bool HeldHere { get { return holder == (ulong)Machine.CurrentCpuBlock(); } }

        // Nobody holds it and every ticket handed out was served (a release
        // by a CPU that did not hold it leaves `serving` ahead of `next`).
        // Meaningful only while no CPU can take it (tests).
        internal bool Idle { get { return holder == 0 && next == serving; } }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal ulong Acquire()
        {
            ulong flags;
            fixed (uint* p = &next) flags = Arch.Cpu.SpinAcquire(p);
            if (flags == ulong.MaxValue) Recursive();
            Acquisitions++;
            return flags;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void Release(ulong flags)
        {
            fixed (uint* p = &next) Arch.Cpu.SpinRelease(p, flags);
        }

        private static void Recursive()
        {
            Panic.Fail("spin lock taken twice on CPU " + Machine.CpuIndex + " (not recursive)");
        }
    }
}
