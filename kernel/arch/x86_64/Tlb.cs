namespace Osprey.Kernel.Arch
{
    // TLB shootdown: a change that removes or restricts a translation in
    // the shared page tables is carried to every CPU that may cache it
    // before the change's caller goes on (Intel SDM vol. 3A 4.10.5
    // "Propagation of Paging-Structure Changes to Multiple Processors": the
    // hardware keeps no TLB coherent with another CPU's stores, so software
    // interrupts the others and each invalidates its own; AMD APM vol. 2
    // 5.5.2 "TLB Management": INVLPG acts on the executing CPU only).
    //
    // Protocol. The initiator has stored its page-table entries (and
    // invalidated its own TLB). It takes the shootdown ticket, writes the
    // request (first page, page count), publishes it by advancing
    // `generation`, sends the shootdown vector to every other CPU that
    // joined, and spins until each of them has stored that generation in
    // its block's TlbHandled. A CPU handles a request in the vector's
    // handler, or while it spins in Shootdown itself (waiting for the
    // ticket): so two CPUs shooting at each other, each with interrupts
    // off, both finish; loops that wait for another CPU with interrupts off
    // poll for requests too (Poll, through Machine.SpinWaitHint). One
    // request at a time (the ticket): the request
    // words change only once every target acknowledged.
    //
    // Joining. A CPU takes part once it can take the vector (its IDT and
    // local APIC are set up, ApStartup); it joins with a full fence, then
    // flushes its whole TLB. An initiator fences between its entry stores
    // and reading who joined. So either the initiator sees the joiner (and
    // waits for it), or the joiner's flush comes after the entry stores are
    // globally visible (it reloads nothing stale). Before any other CPU
    // joined, a shootdown costs a fence and a compare: no IPI, no lock.
    //
    // Invariant for callers: the initiator holds no SpinLock (a target
    // spinning on it with interrupts off never acknowledges) and does not
    // run where a target waits for it with interrupts off. A target that
    // does not acknowledge within AckTimeoutNs is a kernel bug: panic,
    // naming it.
    internal static unsafe class Tlb
    {
        internal const int Vector = 0xED;
        // Above this many pages a target reloads CR3 (flushes every
        // non-global entry; the kernel sets no global pages) instead of one
        // INVLPG per page.
        internal const ulong FullFlushPages = 32;
        internal const long AckTimeoutNs = 5000000000;
        private const ulong PageSize = 4096;

        private static uint nextTicket;              // the next ticket to hand out (LOCK XADD)
        private static volatile uint serving;        // the ticket that may shoot now
        private static volatile uint generation;     // the request published last
        private static ulong requestStart, requestPages;
        private static volatile int joined;          // CPUs that joined

        internal static int JoinedCount { get { return joined; } }

        // Makes the running CPU (block b) a shootdown target; then flushes
        // its TLB (see "Joining"). Interrupts off. Idempotent.
        internal static void Join(CpuBlock* b)
        {
            if (b->TlbJoined != 0) return;
            b->TlbHandled = generation;
            b->TlbJoined = 1;
            // LOCK XADD: the count, and a full fence before the flush.
#pragma warning disable 420     // an atomic instruction on the volatile field: intended
            fixed (int* p = &joined) Cpu.TakeTicket((uint*)p);
#pragma warning restore 420
            Cpu.MemoryFence();
            Cpu.WriteCr3(Cpu.ReadCr3());
        }

        // Takes a CPU that never started out again (ApStartup: it joined,
        // then did not check in in time and was sent INIT): no shootdown
        // waits for it any more. On the boot CPU.
        internal static void Leave(CpuBlock* b)
        {
            if (b->TlbJoined == 0) return;
            b->TlbJoined = 0;
#pragma warning disable 420     // an atomic instruction on the volatile field: intended
            fixed (int* p = &joined) Cpu.AtomicAdd((uint*)p, 0xFFFFFFFFu);
#pragma warning restore 420
        }

        // Every other joined CPU has invalidated [start, start + pages *
        // 4096) when this returns; the caller invalidated its own TLB
        // already. Any interrupt state; interrupts are off inside.
        internal static void Shootdown(ulong start, ulong pages)
        {
            if (pages == 0) return;
            // The entry stores before the read of `joined` (see "Joining").
            Cpu.MemoryFence();
            if (joined <= 1) return;
            ulong flags = Cpu.SaveFlagsAndDisable();
            CpuBlock* me = Cpu.CurrentBlock();
            me->TlbInitiated++;
            uint ticket;
            fixed (uint* t = &nextTicket) ticket = Cpu.TakeTicket(t);
            while (serving != ticket)
            {
                Service(me);
                Cpu.Pause();
            }
            requestStart = start & ~(PageSize - 1);
            requestPages = pages;
            uint g = generation + 1;
            generation = g;
            // This CPU's own mark: it changed the tables itself.
            me->TlbHandled = g;
            int bound = CpuBlocks.Bound;
            for (int i = 0; i < bound; i++)
            {
                CpuBlock* b = CpuBlocks.Of(i);
                if (b == null || b == me || b->TlbJoined == 0) continue;
                string error;
                // The request stores above are visible before the IPI: xAPIC
                // ICR writes are uncached stores, ordered after earlier
                // stores; the x2APIC ICR write is fenced (LocalApic.SendIcr).
                if (!LocalApic.SendFixed(b->ApicId, Vector, out error)) Panic.Fail("TLB shootdown: IPI to cpu " + i + " failed: " + error);
                me->TlbIpisSent++;
            }
            long start0 = Time.Clock.Now();
            for (int i = 0; i < bound; i++)
            {
                CpuBlock* b = CpuBlocks.Of(i);
                if (b == null || b == me || b->TlbJoined == 0) continue;
                while (b->TlbHandled != g && b->TlbJoined != 0)
                {
                    if (Time.Clock.Now() - start0 > AckTimeoutNs)
                        Panic.Fail("TLB shootdown: cpu " + i + " did not acknowledge within " + (AckTimeoutNs / 1000000) + " ms (interrupts off there that long, or it spins on a lock cpu " + me->Index + " holds)");
                    Cpu.Pause();
                }
            }
            serving = ticket + 1;
            Cpu.RestoreFlags(flags);
        }

        // Carries out a pending request for this CPU, if any: for loops
        // that wait with interrupts off (Machine.SpinWaitHint). A load and
        // a compare when no other CPU joined.
        internal static void Poll()
        {
            if (joined <= 1) return;
            // Interrupts off while at it: the block stays this CPU's (no
            // migration), and the vector's handler cannot carry out the
            // same request in the middle.
            ulong flags = Cpu.SaveFlagsAndDisable();
            Service(Cpu.CurrentBlock());
            Cpu.RestoreFlags(flags);
        }

        // The shootdown vector's handler (InterruptDispatch; interrupts off).
        internal static void HandleInterrupt(CpuBlock* me)
        {
            Service(me);
            if (!Paravirt.Active) LocalApic.EndOfInterrupt();
        }

        // Carries out the published request if this CPU has not yet.
        // Interrupts off.
        private static void Service(CpuBlock* me)
        {
            uint g = generation;
            if (me->TlbHandled == g) return;
            // Read after the generation: the initiator wrote them before it
            // (stores in order, loads in order: Intel SDM vol. 3A 10.2.2)
            // and changes them only after every target stored g.
            ulong start = requestStart, pages = requestPages;
            if (pages > FullFlushPages)
            {
                Cpu.WriteCr3(Cpu.ReadCr3());
                me->TlbFullFlushes++;
            }
            else
            {
                for (ulong p = 0; p < pages; p++) Cpu.InvalidatePage((void*)(start + p * PageSize));
            }
            me->TlbHandledRequests++;
            // INVLPG and MOV to CR3 are serializing (SDM vol. 3A 10.3): the
            // acknowledgement is stored after the invalidation.
            me->TlbHandled = g;
        }
    }
}
