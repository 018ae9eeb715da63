namespace Osprey.Sched
{
    /// <summary>
    /// The only thing the scheduling core knows about the machine it runs on.
    /// The kernel implements it over the local APIC timer and its context
    /// switch; the host simulator over a virtual clock. An abstract class, not
    /// an interface, so hot paths use ordinary virtual dispatch.
    /// All times are absolute nanoseconds on one monotonic clock.
    /// </summary>
    public abstract class Platform
    {
        /// <summary>Current monotonic time in nanoseconds.</summary>
        public abstract long Now();

        /// <summary>
        /// Program the one-shot timer for the earliest pending event at
        /// <paramref name="absoluteNs"/>, replacing any previous request.
        /// long.MaxValue means "no event pending" (disarm). When it fires the
        /// platform calls <see cref="SchedCore.TimerFired"/>. Firing late is
        /// allowed; firing early is harmless (nothing is due yet).
        /// </summary>
        public abstract void ArmTimer(long absoluteNs);

        /// <summary>
        /// The heir differs from the executing thread: switch at the next
        /// opportunity by calling <see cref="SchedCore.Dispatch"/>.
        /// </summary>
        public abstract void RequestSwitch();

        /// <summary>
        /// A shared sync object's operation took t, a thread of this
        /// platform's core, out of a wait queue (t.WaitResult holds its final
        /// status) in a context that may not run this core's operations (on
        /// another CPU). Return true after arranging that this platform's CPU
        /// calls SyncOps.EndWait(t) on its own core soon (a request and an
        /// interrupt); false when the calling context may run this core's
        /// operations, and the caller ends the wait at once. The default
        /// (one CPU, the simulator) is false.
        /// </summary>
        public virtual bool HandOffWake(SchedThread t) { return false; }

        /// <summary>
        /// Whether the code now calling into <paramref name="core"/> runs in
        /// an interrupt handler (the blocking calls refuse then). By default
        /// the core's own nesting count. Under global scheduling a thread on
        /// another CPU of the core's cluster calls into it while this core's
        /// CPU may be inside a handler of its own: a platform with several
        /// CPUs answers for the calling CPU.
        /// </summary>
        public virtual bool InInterrupt(SchedCore core) { return core.InterruptNesting > 0; }

        /// <summary>
        /// The ring an event of <paramref name="core"/> is recorded in, called
        /// only while core.Trace is set and the core is shared by several CPUs
        /// (SchedCore.SharedByCpus; the core's hooks, periods, CBS). By
        /// default the core's own ring. Under global scheduling a thread on
        /// one CPU of a cluster calls into another CPU's core (the thread's
        /// home core): a platform with several CPUs answers with the calling
        /// CPU's ring, so each CPU records only into its own ring (rings are
        /// not synchronized) and an event is shown on the CPU it happened on.
        /// Null: not recorded.
        /// </summary>
        public virtual Tracing.TraceRing CallerTrace(SchedCore core) { return core.Trace; }
    }
}
