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
    // what it guards (kernel/README.md, "Locks"). The two ticket words are
    // adjacent for the assembly (cpu.asm, osprey_ticket_acquire/_release:
    // LOCK XADD, PAUSE).
    internal unsafe struct SpinLock
    {
        private uint next, serving;         // offsets 0 and 4: next ticket, ticket served
        private int ownerPlusOne;           // CPU index + 1 of the holder, 0 free
        internal long Acquisitions;         // times taken
        internal long Contended;            // of those, times another CPU held it

        internal bool HeldHere { get { return ownerPlusOne == Machine.CpuIndex + 1; } }

        internal ulong Acquire()
        {
            ulong flags = Arch.Cpu.SaveFlagsAndDisable();
            int me = Machine.CpuIndex + 1;
            if (ownerPlusOne == me) Panic.Fail("spin lock taken twice on CPU " + (me - 1) + " (not recursive)");
            fixed (uint* t = &next)
            {
                if (t[0] != t[1]) Contended++;
                Arch.Cpu.TicketAcquire(t);
            }
            ownerPlusOne = me;
            Acquisitions++;
            return flags;
        }

        internal void Release(ulong flags)
        {
            ownerPlusOne = 0;
            fixed (uint* t = &next) Arch.Cpu.TicketRelease(t);
            Arch.Cpu.RestoreFlags(flags);
        }
    }
}
