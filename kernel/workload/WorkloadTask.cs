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
        // The CPU part of the run this task runs on (its `cpu`; CPU 0's under
        // gedf); null when refused.
        internal RunCpu Home;
        // Why it does not run (its CPU is not started), or null.
        internal string Refusal;
        internal RatePeriod Period;
        internal CbsServer Server;
        internal readonly PriorityNode JobNode = new PriorityNode();
        internal ulong Rng;
        // Periodic: the release of job 0, t0 + start + phase (job k is released at
        // Activation + k * Period); -1 when the period did not start.
        internal long Activation = -1;
        // Jobs 0 .. Completed-1 are done (jobs complete in order).
        internal long Completed;
        internal bool Finished;
        // Periodic: delay from each job's release to its first instruction.
        internal long Starts, StartLagSum, StartLagMin = long.MaxValue, StartLagMax;

        internal void NoteStart(long lag)
        {
            if (lag < 0) lag = 0;
            Starts++;
            StartLagSum += lag;
            if (lag < StartLagMin) StartLagMin = lag;
            if (lag > StartLagMax) StartLagMax = lag;
        }

        internal long Release(long k, long runStart)
        {
            if (Spec.Kind == TaskKind.Aperiodic) return runStart + Spec.Arrivals[(int)k];
            if (Spec.Kind == TaskKind.Background) return runStart + Spec.Start;
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
