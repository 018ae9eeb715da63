using Osprey.Kernel.Threading;
using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.Workload
{
    // One workload task as a kernel thread: its spec, what it measured, and
    // its job state. Times are absolute clock values.
    internal sealed class WorkloadTask
    {
        internal TaskSpec Spec;
        internal int Index;
        internal TaskStats Stats;
        internal Thread Thread;
        internal RatePeriod Period;
        internal CbsServer Server;
        internal readonly PriorityNode JobNode = new PriorityNode();
        internal ulong Rng;
        // Periodic: the time the first period() call activated the period
        // (job k is released at Activation + k * Period); -1 before.
        internal long Activation = -1;
        // Jobs 0 .. Completed-1 are done (jobs complete in order).
        internal long Completed;
        internal bool Finished;

        internal long Release(long k, long runStart)
        {
            if (Spec.Kind == TaskKind.Aperiodic) return runStart + Spec.Arrivals[(int)k];
            if (Spec.Kind == TaskKind.Background) return runStart;
            return Activation + k * Spec.Period;
        }

        internal long Deadline(long k, long runStart)
        {
            if (Spec.Kind == TaskKind.Aperiodic) return Spec.Deadline > 0 ? runStart + Spec.Arrivals[(int)k] + Spec.Deadline : long.MaxValue;
            if (Spec.Kind == TaskKind.Background) return long.MaxValue;
            return Release(k, runStart) + Spec.Deadline;
        }
    }
}
