namespace Osprey.Kernel
{
    // A named ticket spin lock object (the lock is a TicketLock: interrupts
    // off while held, fair, not recursive):
    //
    //     readonly SpinLock guard = new SpinLock("what it guards");
    //     ulong f = guard.Acquire(); ... guard.Release(f);
    //
    // For locks that live in objects or are made at run time. A static lock
    // needed before the runtime's reference statics exist (heap, frames,
    // page tables) is a TicketLock field instead.
    internal sealed class SpinLock
    {
        private TicketLock ticket;
        internal readonly string Name;      // what it guards (panics name it)

        internal SpinLock(string name) { Name = name; }

        internal bool HeldHere { get { return ticket.HeldHere; } }
        internal long Acquisitions { get { return ticket.Acquisitions; } }
        internal long Contended { get { return ticket.Contended; } }

        internal ulong Acquire()
        {
            ulong flags = ticket.TryAcquire();
            if (flags == ulong.MaxValue) TicketLock.Recursive(Name);
            return flags;
        }

        internal void Release(ulong flags) { ticket.Release(flags); }
    }
}
