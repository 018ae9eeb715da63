namespace Osprey.Sched.Workload
{
    /// <summary>What one workload task did in a run: filled in by the host simulator and by the
    /// kernel's workload runner alike, and printed by RunReport in one format.</summary>
    public sealed class TaskStats
    {
        public string Name;
        public TaskKind Kind;
        public int Cpu;
        public int Priority;
        /// <summary>Jobs released (periodic: period releases incl. the first; aperiodic: arrivals).</summary>
        public long Released;
        /// <summary>Jobs completed.</summary>
        public long Jobs;
        /// <summary>Jobs whose deadline passed before they completed (counted at the deadline).</summary>
        public long Misses;
        public long RespMin = long.MaxValue;
        public long RespMax;
        public long RespSum;
        /// <summary>Largest postponed-job count the period reached, and its value at the end.</summary>
        public long MaxPostponed;
        public long EndPostponed;
        /// <summary>The core's rate-monotonic statistics (jobs counted missed by the period object).</summary>
        public long PeriodCount;
        public long PeriodMissed;
        public long CpuTimeNs;
        public long Overruns;
        /// <summary>Dispatches on another CPU than the previous one (global scheduling).</summary>
        public long Migrations;
        public long FirstMissAt = -1;

        public long RespMean { get { return Jobs == 0 ? 0 : RespSum / Jobs; } }

        /// <summary>The period object's own figures at the end of a run: its statistics and the jobs still postponed.</summary>
        public void TakePeriod(RatePeriod p)
        {
            PeriodStatistics ps;
            p.GetStatistics(out ps);
            PeriodCount = ps.Count;
            PeriodMissed = ps.MissedCount;
            EndPostponed = p.PostponedJobs;
            if (p.MaxPostponedJobs > MaxPostponed) MaxPostponed = p.MaxPostponedJobs;
            if (EndPostponed > MaxPostponed) MaxPostponed = EndPostponed;
        }

        public void Response(long r)
        {
            if (r < RespMin) RespMin = r;
            if (r > RespMax) RespMax = r;
            RespSum += r;
            Jobs++;
        }
    }
}
