namespace Osprey.Sched.Workload
{
    /// <summary>
    /// Limits of a workload file that the kernel and the simulator share.
    /// MaxGuestCores: guest cores (vcore lines) of one file; the kernel
    /// preallocates its core tables and the vcore scheduler's for this many,
    /// and refuses a core past it with the line and field of its vcore line.
    /// </summary>
    public static class WorkloadLimits
    {
        public const int MaxGuestCores = 256;
    }
}
