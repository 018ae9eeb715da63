namespace Osprey.Sched
{
    /// <summary>The task model of a policy (Scheduler.Model).</summary>
    public enum TaskModel { FixedPriority = 0, Deadline = 1, DeadlineWithServers = 2 }

    /// <summary>
    /// The scheduler operation table (RTEMS Scheduler_Operations) as an
    /// abstract class: each operation is a virtual method whose default does
    /// the sensible minimum, so a policy overrides only what it needs.
    ///
    /// Contract with SchedCore:
    ///  - The ready set contains every thread whose State is Ready, including
    ///    the executing thread (if ready); the idle thread is never in it.
    ///  - Unblock/Block/Yield/UpdatePriority are called by the core only on
    ///    state transitions (Unblock: became ready; Block: stopped being ready;
    ///    UpdatePriority: effective priority changed while ready or queued).
    ///  - Every operation that may change the choice ends by calling
    ///    Schedule, which hands the most urgent ready thread to Core.SetHeir.
    ///    Keeping the executing thread at the head of its equals is what makes
    ///    preemption happen only for a strictly more urgent thread.
    /// </summary>
    public abstract class Scheduler
    {
        /// <summary>Instance name, as selected by configuration ("priority", "edf", "cbs").</summary>
        public string Name;
        /// <summary>Largest base priority this instance accepts.</summary>
        public int MaxPriority = SchedThread.MaxPriority;
        protected SchedCore Core;

        public SchedCore Context { get { return Core; } }

        /// <summary>A fresh, uninitialized instance of the same policy (used by SchedulerTable).</summary>
        public abstract Scheduler CreateInstance();

        /// <summary>Bind to a core; allocate nothing after this.</summary>
        public virtual void Initialize(SchedCore core) { Core = core; }

        /// <summary>Most urgent ready thread, or null when the ready set is empty.</summary>
        public virtual SchedThread Highest() { return null; }

        /// <summary>Recompute the heir (RTEMS schedule).</summary>
        public virtual void Schedule(SchedThread thread) { Core.SetHeir(Highest()); }

        /// <summary>The executing thread gives up the CPU to its equals.</summary>
        public virtual void Yield(SchedThread thread) { Schedule(thread); }

        /// <summary>thread stopped being ready: remove it from the ready set.</summary>
        public virtual void Block(SchedThread thread) { Schedule(thread); }

        /// <summary>thread became ready: add it to the ready set.</summary>
        public virtual void Unblock(SchedThread thread) { Schedule(thread); }

        /// <summary>thread's effective priority changed: re-sort it.</summary>
        public virtual void UpdatePriority(SchedThread thread) { Schedule(thread); }

        /// <summary>User priority 0..255 to the scheduler's priority value space.</summary>
        public virtual long MapPriority(int priority) { return priority; }

        /// <summary>Inverse of MapPriority (values that are not mapped priorities give 0).</summary>
        public virtual int UnmapPriority(long value)
        {
            if (value < 0) return 0;
            if (value > SchedThread.MaxPriority) return SchedThread.MaxPriority;
            return (int)value;
        }

        public virtual void NodeInitialize(SchedThread thread)
        {
            thread.Node.Owner = this;
            thread.Node.Queued = false;
        }

        public virtual void NodeDestroy(SchedThread thread) { thread.Node.Owner = null; }

        /// <summary>A job of thread is released with an absolute deadline, carried by node. No-op for fixed priority.</summary>
        public virtual void ReleaseJob(SchedThread thread, PriorityNode node, long absoluteDeadline) { }

        /// <summary>The job carried by node ends without a successor. No-op for fixed priority.</summary>
        public virtual void CancelJob(SchedThread thread, PriorityNode node) { }

        /// <summary>idle becomes the CPU's idle thread (never in the ready set).</summary>
        public virtual void StartIdle(SchedThread idle) { }

        /// <summary>Budget hook (only for a policy with TracksBudgets): the CPU switched from prev to next at now.</summary>
        public virtual void OnDispatch(SchedThread prev, SchedThread next, long now) { }

        /// <summary>
        /// True for a policy that keeps budgets (CBS servers, guest-core
        /// slices), whose decisions depend on the CPU time consumed up to each
        /// decision: the core then charges the executing thread at every
        /// entry point and calls OnCharge and OnDispatch. False (the
        /// default): the core charges at switches and timer expiries only and
        /// calls neither hook, so a switch costs no virtual calls that do
        /// nothing. A policy that overrides OnCharge or OnDispatch must return
        /// true (a host test checks every table entry).
        /// </summary>
        public virtual bool TracksBudgets { get { return false; } }

        /// <summary>
        /// The task model the policy gives threads, for the workload runner
        /// (which job releases and analysis to use): fixed priorities (the
        /// default), deadlines (EDF; the vcore policy's host threads), or
        /// deadlines with CBS servers.
        /// </summary>
        public virtual TaskModel Model { get { return TaskModel.FixedPriority; } }

        /// <summary>True for a policy that runs guest cores beside its host threads (vcore).</summary>
        public virtual bool RunsGuestCores { get { return false; } }

        /// <summary>Budget hook (only for a policy with TracksBudgets): thread ran for deltaNs more, up to now.</summary>
        public virtual void OnCharge(SchedThread thread, long deltaNs, long now) { }

        /// <summary>Number of threads in the ready set.</summary>
        public virtual int ReadyCount { get { return 0; } }

        /// <summary>Structural invariants of the ready set; null when sound (tests, debug builds).</summary>
        public virtual string CheckInvariants() { return null; }
    }
}
