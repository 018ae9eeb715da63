namespace Osprey.Sched.Workload
{
    /// <summary>
    /// The work of each job of a workload task: Wcet, or with jitter a value
    /// drawn uniformly from [Wcet - Jitter, Wcet] by a SplitMix64 stream
    /// seeded from the file's seed, the CPU and the task's index, so the
    /// simulator and the kernel draw the same sequence. Portable.
    /// </summary>
    public static class JobWork
    {
        /// <summary>Background task with no wcet: runs for ever.</summary>
        public const long Forever = long.MaxValue / 4;

        public static ulong Seed(ulong fileSeed, int cpu, int taskIndex)
        {
            return fileSeed * 0x100000001B3UL + (ulong)(cpu * 1000 + taskIndex + 1) * 0x9E3779B97F4A7C15UL;
        }

        /// <summary>SplitMix64 step.</summary>
        public static ulong Next(ref ulong state)
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public static long Draw(TaskSpec spec, ref ulong state)
        {
            long w = spec.Wcet;
            if (spec.Kind == TaskKind.Background && w == 0) return Forever;
            if (spec.Jitter > 0) w -= (long)(Next(ref state) % (ulong)(spec.Jitter + 1));
            return w;
        }
    }
}
