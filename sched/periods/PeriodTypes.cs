namespace Osprey.Sched
{
    /// <summary>Result of every period operation; each misuse has its own code.</summary>
    public enum PeriodStatus
    {
        /// <summary>Done (for Run on an active period: the owner is now blocked until the period ends).</summary>
        Successful = 0,
        /// <summary>Run found the period expired or with postponed jobs: the job was late (counted missed); a postponed job was released at once.</summary>
        Timeout,
        /// <summary>The caller is not the period's owner.</summary>
        NotOwner,
        /// <summary>Length is zero, negative or beyond the clock range.</summary>
        InvalidLength,
        /// <summary>The period was deleted.</summary>
        Deleted,
        /// <summary>Cancel on a period that is not running.</summary>
        NotActive,
        /// <summary>The owner is already blocked waiting for this period to end.</summary>
        AlreadyWaiting,
        /// <summary>Null caller.</summary>
        NullCaller,
        /// <summary>The owner does not belong to this period's core.</summary>
        WrongCore,
        /// <summary>A thread-only call made from an interrupt handler (kernel wrapper).</summary>
        CalledFromInterrupt,
        /// <summary>Relative deadline is zero, negative or longer than the period length.</summary>
        InvalidDeadline,
        /// <summary>StartAt on a period that is already running.</summary>
        AlreadyActive,
    }

    public enum PeriodState
    {
        Inactive = 0,
        Active = 1,
        Expired = 2,
    }

    /// <summary>Snapshot returned by RatePeriod.GetStatus; times are zero when inactive.</summary>
    public struct PeriodInfo
    {
        public SchedThread Owner;
        public PeriodState State;
        /// <summary>Wall time since the current job was released, ns.</summary>
        public long SinceStartNs;
        /// <summary>CPU time the owner consumed since the current job was released, ns.</summary>
        public long CpuNs;
        public uint PostponedJobs;
        /// <summary>Absolute deadline of the current job: its release + the relative deadline (0 when inactive).</summary>
        public long DeadlineNs;
    }

    /// <summary>Per-period job statistics (RTEMS rtems_rate_monotonic_period_statistics).</summary>
    public struct PeriodStatistics
    {
        /// <summary>Finished jobs (each Run after the first).</summary>
        public long Count;
        /// <summary>Jobs that completed after their deadline, or whose period ended before they completed.</summary>
        public long MissedCount;
        public long MinCpuNs;
        public long MaxCpuNs;
        public long TotalCpuNs;
        public long MinWallNs;
        public long MaxWallNs;
        public long TotalWallNs;

        public long MeanCpuNs { get { return Count == 0 ? 0 : TotalCpuNs / Count; } }
        public long MeanWallNs { get { return Count == 0 ? 0 : TotalWallNs / Count; } }

        internal void Record(long cpu, long wall, bool missed)
        {
            if (Count == 0 || cpu < MinCpuNs) MinCpuNs = cpu;
            if (Count == 0 || wall < MinWallNs) MinWallNs = wall;
            if (cpu > MaxCpuNs) MaxCpuNs = cpu;
            if (wall > MaxWallNs) MaxWallNs = wall;
            TotalCpuNs += cpu;
            TotalWallNs += wall;
            Count++;
            if (missed) MissedCount++;
        }
    }
}
