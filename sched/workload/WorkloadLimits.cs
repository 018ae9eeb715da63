using Osprey.Sched.Analysis;

namespace Osprey.Sched.Workload
{
    /// <summary>
    /// What a workload file may ask for (sched/README.md, "Limits and floors"). One
    /// set of constants for the parser, the simulator and the kernel: what the parser
    /// accepts the kernel can hold in memory (one thread with a 32 KiB stack per host
    /// task, one per guest core, 8 bytes per arrival) and the analysis can answer in
    /// bounded time.
    /// </summary>
    public static class WorkloadLimits
    {
        /// <summary>Task lines in one file, host and guest tasks together.</summary>
        public const int MaxTasks = 256;
        /// <summary>Arrival times of one aperiodic task.</summary>
        public const int MaxArrivalsPerTask = 10000;
        /// <summary>Arrival times of all aperiodic tasks of the file.</summary>
        public const int MaxArrivals = 50000;
        /// <summary>Guest cores ('vcore' lines) in one file: the kernel's and the simulator's limit.</summary>
        public const int MaxGuestCores = 256;
        /// <summary>Tasks with a CBS budget on one CPU (the CBS scheduler's server table).</summary>
        public const int MaxCbsServers = 64;
        /// <summary>remove/add times of one guest core, together.</summary>
        public const int MaxCoreEvents = 2000;
        /// <summary>A task's jobs=N.</summary>
        public const long MaxJobs = 1000000000L;
        /// <summary>Largest time value in a file (2^60 ns, about 36 years). Any sum of three such
        /// values (start + phase + deadline) stays below the clock's range 2^62 ns
        /// (EdfScheduler.MaxDeadline), with 2^60 ns left for the instant the run starts.</summary>
        public const long MaxTime = 1L << 60;
    }

    /// <summary>
    /// Floors the parser applies (sched/README.md, "Limits and floors"). The defaults are
    /// conservative figures from the kernel's costs under -icount (README.md, bench table:
    /// a thread switch about 420 ns, an interrupt to a thread about 550 ns, a scheduling
    /// decision 230-430 ns): a periodic job costs a timer interrupt, a release and two
    /// switches, about 2 us, so a 10 us period floor keeps that below a fifth of the
    /// period; a budget is enforced by a timer interrupt and a switch (about 1 us), so a
    /// budget floor of 2 us leaves the server at least as much work as enforcement.
    /// The kernel may pass the overheads it measured instead.
    /// Guest cores have their floors at admission (VcoreLimits: period 100 us, slice 10 us
    /// of host time, refused with line and field).
    /// </summary>
    public sealed class ParseOptions
    {
        public const long DefaultMinPeriodNs = 10000;     // 10 us
        public const long DefaultMinBudgetNs = 2000;      // 2 us

        /// <summary>Smallest period of a periodic task or CBS server (host time; a guest's task
        /// is compared after its dilation).</summary>
        public long MinPeriodNs = DefaultMinPeriodNs;
        /// <summary>Smallest CBS budget.</summary>
        public long MinBudgetNs = DefaultMinBudgetNs;

        public static ParseOptions Defaults() { return new ParseOptions(); }
    }
}
