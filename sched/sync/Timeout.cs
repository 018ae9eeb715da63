namespace Osprey.Sched
{
    /// <summary>
    /// Relative timeouts of the sync operations, in nanoseconds of the core's
    /// clock. Any value from 1 to long.MaxValue - 1 is a finite wait (a
    /// deadline beyond the end of the clock counts as Forever); negative
    /// values are InvalidArgument.
    /// </summary>
    public static class Timeout
    {
        /// <summary>Never block: return Unsatisfied when the resource is not available.</summary>
        public const long NoWait = 0;
        /// <summary>Wait without a time limit (long.MaxValue).</summary>
        public const long Forever = long.MaxValue;
    }
}
