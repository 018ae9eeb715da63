using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.Smp
{
    // A mutex for threads of different CPUs (sched/sync's Mutex serves the
    // threads of one core). The protocol, its blocking bound and its rules
    // are in kernel/README.md, "Mutexes across CPUs"; in short:
    //  - a thread asking for it first runs at its CPU's ceiling (a priority
    //    node on its own core: no thread of that CPU at or below the ceiling
    //    preempts it), then takes a FIFO ticket and spins, interrupts on,
    //    until served; it keeps the ceiling until it unlocks;
    //  - the default ceiling on every CPU is the top (mapped value 0, the
    //    most urgent value of every policy), so a holder or spinner is never
    //    preempted by a thread, only interrupted by handlers: each request
    //    waits for at most one critical section per other CPU;
    //  - SetCeiling lowers a CPU's ceiling; a thread of that CPU more urgent
    //    than the ceiling may then preempt the holder (no helping or
    //    migration here), and that thread's run adds to every waiter's bound;
    //    a caller more urgent than its CPU's ceiling is refused
    //    (InvalidCaller), so the per-CPU node is never in use twice.
    // Rules: no blocking call while spinning or holding (the wait is then
    // unbounded); one global mutex at a time per thread (nested requests
    // would spin in a cycle: refused with WouldDeadlock); not from an
    // interrupt handler; unlock on the CPU that locked (threads do not
    // migrate while started).
    internal sealed unsafe class GlobalMutex
    {
        // FIFO ticket lock: `next` handed out atomically (Machine.TakeTicket),
        // `serving` written only by the holder. The object never moves (no
        // collector), so the field's address is stable.
        private uint next;
        private volatile uint serving;
        private volatile Thread owner;

        // Per CPU: the ceiling (a base priority 0..255, or -1 for the top)
        // and the node a thread of that CPU carries while it spins or holds.
        private readonly int[] ceiling;
        private readonly PriorityNode[] nodes;

        // Written by the holder only, inside the critical section.
        internal long Acquisitions;             // locks granted
        internal long Contended;                // of those, the ticket was not served at once
        internal long LongestSpinNs;            // the longest spin before being served

        internal GlobalMutex()
        {
            int cpus = PerCpu.Count;
            ceiling = new int[cpus];
            nodes = new PriorityNode[cpus];
            for (int i = 0; i < cpus; i++) { ceiling[i] = -1; nodes[i] = new PriorityNode(); }
        }

        internal Thread Owner { get { return owner; } }

        // CPU `cpu`'s ceiling: a base priority 0..255, or -1 for the top.
        // Setup time, while nobody locks the mutex. False when cpu or
        // priority is out of range.
        internal bool SetCeiling(int cpu, int priority)
        {
            if (cpu < 0 || cpu >= ceiling.Length || priority < -1 || priority > SchedThread.MaxPriority) return false;
            ceiling[cpu] = priority;
            return true;
        }

        internal int CeilingOf(int cpu) { return ceiling[cpu]; }

        // Lock: Successful once the caller owns it; CalledFromInterrupt;
        // InvalidCaller (no thread, the idle thread, a CPU the mutex was not
        // sized for, or a caller more urgent than its CPU's ceiling);
        // AlreadyOwner; WouldDeadlock (the caller holds another one).
        internal SyncStatus Lock()
        {
            PerCpu cpu = PerCpu.Current;
            if (cpu.InterruptNesting > 0) return SyncStatus.CalledFromInterrupt;
            Thread me = cpu.CurrentThread;
            int c = cpu.Index;
            if (me == null || me == cpu.Idle || c >= nodes.Length) return SyncStatus.InvalidCaller;
            if (owner == me) return SyncStatus.AlreadyOwner;
            if (me.HeldGlobal != null) return SyncStatus.WouldDeadlock;
            ulong f = Machine.DisableInterrupts();
            SchedCore core = cpu.Core;
            // Value 0 is the most urgent of every policy: priority 0 under
            // fixed priority, an absolute deadline at time 0 under EDF/CBS.
            long value = ceiling[c] < 0 ? 0 : core.Scheduler.MapPriority(ceiling[c]);
            if (me.EffectivePriority < value) { Machine.RestoreInterrupts(f); return SyncStatus.InvalidCaller; }
            // Raising the running thread's priority never asks for a switch.
            core.SetPriorityNode(me, nodes[c], value);
            me.HeldGlobal = this;
            Machine.RestoreInterrupts(f);
            uint ticket;
            fixed (uint* p = &next) ticket = Machine.TakeTicket(p);
            long spin = 0;
            if (serving != ticket)
            {
                long t0 = Machine.Now();
                while (serving != ticket) Machine.SpinWaitHint();
                spin = Machine.Now() - t0;
                Contended++;
            }
            owner = me;
            Acquisitions++;
            if (spin > LongestSpinNs) LongestSpinNs = spin;
            return SyncStatus.Successful;
        }

        // Unlock: the next ticket is served (the next CPU in FIFO order
        // owns it), then the caller drops its ceiling and yields to what
        // became more urgent meanwhile. NotOwner; CalledFromInterrupt.
        internal SyncStatus Unlock()
        {
            PerCpu cpu = PerCpu.Current;
            if (cpu.InterruptNesting > 0) return SyncStatus.CalledFromInterrupt;
            Thread me = cpu.CurrentThread;
            if (me == null || owner != me) return SyncStatus.NotOwner;
            owner = null;
            // The holder is the only writer of `serving`; x86 does not
            // reorder a store with older stores (Intel SDM vol. 3A 10.2.2),
            // so the critical section's writes are visible to the next
            // holder before it sees its ticket served.
            serving = serving + 1;
            ulong f = Machine.DisableInterrupts();
            me.HeldGlobal = null;
            cpu.Core.RemovePriority(me, nodes[cpu.Index]);
            Scheduling.Preempt();
            Machine.RestoreInterrupts(f);
            return SyncStatus.Successful;
        }
    }
}
