using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // The scheduling core's platform on real hardware: the TSC clock, the
    // local APIC one-shot, and a switch request that is honoured at the next
    // switch point (the end of the kernel call or of the interrupt handler).
    //
    // Under global scheduling a decision made on one CPU reaches another
    // CPU's core ("reschedule CPU k", sched/README.md "Many CPUs"): the
    // request is then CPU k's pending switch plus a reschedule IPI to its
    // local APIC (Remote.RescheduleVector); its handler's interrupt exit
    // switches. Likewise a timer of CPU k's queue armed from another CPU is
    // recorded and CPU k re-arms its own APIC timer on that IPI. No
    // allocation and no interface call on this path.
    internal sealed class KernelPlatform : Platform
    {
        internal long ArmedFor = long.MaxValue;
        // Set by the timer interrupt while it fires watchdogs: arming only
        // records the time, and the handler arms the hardware once at its
        // end. (An arm for a time already past would raise the interrupt at
        // once, and a later re-arm does not withdraw it: it stays pending in
        // the local APIC.)
        internal bool DeferArm;
        // ArmedFor was set from another CPU: this CPU arms it on the IPI.
        internal volatile bool RearmPending;
        // Reschedule IPIs sent to this CPU by other CPUs, and sends the local APIC refused.
        internal long KicksSent, KicksFailed;
        private readonly PerCpu cpu;           // the CPU whose core this platform serves

        internal KernelPlatform(PerCpu cpu) { this.cpu = cpu; }

        public override long Now() { return Machine.Now(); }

        public override void ArmTimer(long absoluteNs)
        {
            ArmedFor = absoluteNs;
            if (DeferArm) return;
            if (cpu != PerCpu.Current) { RearmPending = true; Kick(); return; }
            Machine.ArmTimer(absoluteNs);
        }

        public override void RequestSwitch()
        {
            cpu.SwitchPending = true;
            if (cpu != PerCpu.Current) Kick();
        }

        // A shared object's operation ended the wait of t, a thread of this
        // platform's core (sched/sync, WaitQueue.Extract). This CPU, or a
        // CPU of its global-EDF cluster (same ready set, same lock, held
        // by the caller): false, the caller ends the wait at once. Another
        // CPU: the wake goes to this CPU's hand-off list (and an IPI), and
        // this CPU ends it on its core.
        public override bool HandOffWake(SchedThread t)
        {
            PerCpu here = PerCpu.Current;
            if (here == cpu || (cpu.Cluster != null && cpu.Cluster == here.Cluster)) return false;
            Smp.WakeHandoff.Post(cpu.Index, (Thread)t);
            return true;
        }

        // A reschedule IPI to this platform's CPU. The flags above are
        // stored before the ICR write; a write to the local APIC's
        // uncacheable page is not reordered before earlier stores (Intel
        // SDM vol. 3A 11.3, UC memory type), so the handler sees them.
        private void Kick()
        {
            string error;
            KicksSent++;
            if (!Machine.SendIpi(Smp.Smp.Cpus[cpu.Index].ApicId, Smp.Remote.RescheduleVector, out error)) KicksFailed++;
        }

        // The nesting count of the CPU that calls, not of this platform's
        // CPU: in a cluster a thread on CPU j calls into CPU k's core (a
        // wait queue, semaphore or thread made there) while CPU k may be in
        // a handler, e.g. its timer interrupt waiting for the cluster's lock
        // the caller holds. Answering for CPU k refused such a join with
        // CalledFromInterrupt, and Threads.Join then reaped a thread still
        // running.
        public override bool InInterrupt(SchedCore core)
        {
            PerCpu c = PerCpu.Current;
            return c != null && c.Core != null && c.Core.InterruptNesting > 0;
        }

        // The ring of the CPU that calls: its own core's ring (core.Trace,
        // which a self-test may set directly), and for a core of another CPU
        // of its cluster (global EDF: the thread's home core) the calling
        // CPU's ring. A CPU writes only its own ring (with interrupts off),
        // so rings need no lock, and a block, unblock or release shows on
        // the CPU that made it.
        public override Osprey.Sched.Tracing.TraceRing CallerTrace(SchedCore core)
        {
            PerCpu c = PerCpu.Current;
            if (c == null || c.Core == core) return core.Trace;
            return c.Trace;
        }

        // On this CPU, in the reschedule IPI's handler, under its cluster's
        // lock: arm the one-shot another CPU asked for.
        internal void RearmIfAsked()
        {
            if (!RearmPending) return;
            RearmPending = false;
            cpu.RemoteArms++;
            Machine.ArmTimer(ArmedFor);
        }
    }
}
