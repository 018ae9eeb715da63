namespace Osprey.Sched
{
    public enum CbsMode
    {
        /// <summary>On exhaustion the thread is throttled until its server period ends, then replenished (Linux SCHED_DEADLINE).</summary>
        Hard = 0,
        /// <summary>On exhaustion the thread is demoted to background until its next job release (RTEMS CBS).</summary>
        Soft = 1,
    }

    public enum CbsStatus
    {
        Ok = 0,
        /// <summary>Budget or period not positive, or budget &gt; period.</summary>
        InvalidParameters,
        /// <summary>Bandwidth bound would be exceeded; see CbsAdmission.</summary>
        AdmissionRejected,
        /// <summary>The thread already has a server, or the server a thread.</summary>
        AlreadyAttached,
        /// <summary>The thread has no server.</summary>
        NotAttached,
        /// <summary>Server table full.</summary>
        TooManyServers,
        /// <summary>Null thread or server.</summary>
        NullArgument,
        /// <summary>The thread belongs to a core whose scheduler is not CBS.</summary>
        NotCbsScheduler,
        /// <summary>Bound must be a positive fraction num/den.</summary>
        InvalidBound,
    }

    /// <summary>
    /// Result of an admission decision. Asked and left are exact fractions
    /// (Exact false means the sum overflowed and the conservative 2^-40
    /// fixed-point test decided; Left is then approximate). Message is set on
    /// rejection only (admission is not a hot path).
    /// </summary>
    public struct CbsAdmission
    {
        public CbsStatus Status;
        public int ServerId;
        public long AskedNum;
        public long AskedDen;
        public long LeftNum;
        public long LeftDen;
        public long AskedPpm;
        public long LeftPpm;
        public bool Exact;
        public string Message;
    }

    /// <summary>
    /// A constant bandwidth server: BudgetNs of CPU time in every PeriodNs.
    /// Allocate one per served thread at setup; override OnOverrun to be told
    /// of budget overruns (no delegates).
    /// </summary>
    public class CbsServer
    {
        public int Id;
        public long BudgetNs;
        public long PeriodNs;
        public CbsMode Mode;

        /// <summary>Served thread (set by Attach).</summary>
        public SchedThread Thread;
        /// <summary>Budget left in the current job; may dip below zero by a late timer.</summary>
        public long RemainingNs;
        /// <summary>Absolute deadline of the current server job.</summary>
        public long DeadlineNs;
        public bool JobActive;
        public bool Throttled;
        public bool Demoted;

        public long Jobs;
        public long OverrunCount;
        public long ThrottleCount;
        public long DemoteCount;
        public long ReplenishCount;

        /// <summary>Node carrying the current job's deadline (a period's node, or OwnNode for aperiodic use).</summary>
        internal PriorityNode JobNode;
        internal readonly PriorityNode OwnNode = new PriorityNode();
        public readonly CbsBudgetTimer BudgetTimer;
        public readonly CbsReplenishTimer ReplenishTimer;
        internal CbsScheduler Owner;

        public CbsServer(int id, long budgetNs, long periodNs, CbsMode mode)
        {
            Id = id;
            BudgetNs = budgetNs;
            PeriodNs = periodNs;
            Mode = mode;
            BudgetTimer = new CbsBudgetTimer(this);
            ReplenishTimer = new CbsReplenishTimer(this);
        }

        /// <summary>Called when the budget of a job is exhausted, before throttling or demotion.</summary>
        public virtual void OnOverrun(long now) { }

        public bool IsAttached { get { return Thread != null; } }
    }

    /// <summary>Fires when the executing server's budget reaches zero.</summary>
    public sealed class CbsBudgetTimer : Watchdog
    {
        readonly CbsServer server;
        public CbsBudgetTimer(CbsServer s) { server = s; }
        public override void Fire(long now)
        {
            if (server.Owner != null) server.Owner.BudgetExpired(server, now);
        }
    }

    /// <summary>Fires at the end of a throttled (hard) server's period.</summary>
    public sealed class CbsReplenishTimer : Watchdog
    {
        readonly CbsServer server;
        public CbsReplenishTimer(CbsServer s) { server = s; }
        public override void Fire(long now)
        {
            if (server.Owner != null) server.Owner.Replenish(server, now);
        }
    }
}
