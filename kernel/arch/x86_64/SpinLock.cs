namespace Osprey.Kernel
{
    // A ticket spin lock (fair: CPUs get it in the order they asked) held
    // with interrupts off on this CPU, so an interrupt handler on the
    // holder's CPU can never spin on it. Acquire returns the interrupt
    // state to give back to Release. Not recursive: taking a lock this CPU
    // holds already panics (it would spin forever). The two ticket words
    // are a struct so the assembly sees them adjacent (cpu.asm,
    // osprey_ticket_acquire/_release: LOCK XADD, PAUSE).
    internal sealed unsafe class SpinLock
    {
        private struct Tickets { internal uint Next, Serving; }

        private Tickets tickets;
        private int owner = -1;             // CPU index of the holder, -1 free
        internal readonly string Name;      // what it guards (for panics and the README)
        internal long Acquisitions, Contended;

        internal SpinLock(string name) { Name = name; }

        internal bool HeldHere { get { return owner == Machine.CpuIndex; } }

        internal ulong Acquire()
        {
            ulong flags = Arch.Cpu.SaveFlagsAndDisable();
            int me = Machine.CpuIndex;
            if (owner == me) Panic.Fail("spin lock '" + Name + "' taken twice on CPU " + me);
            fixed (Tickets* t = &tickets)
            {
                if (t->Next != t->Serving) Contended++;
                Arch.Cpu.TicketAcquire(&t->Next);
            }
            owner = me;
            Acquisitions++;
            return flags;
        }

        internal void Release(ulong flags)
        {
            owner = -1;
            fixed (Tickets* t = &tickets) Arch.Cpu.TicketRelease(&t->Next);
            Arch.Cpu.RestoreFlags(flags);
        }
    }
}
