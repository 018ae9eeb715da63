using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // Rate-monotonic periods for threads: the portable RatePeriod (sched/
    // periods) on the real timer. Each call disables interrupts around the
    // period operation and ends at the switch point, so a Run that blocks
    // its owner returns only when the next period has begun. Run, Cancel and
    // Create are thread calls (refused from interrupt handlers, since an
    // interrupt has no owner thread of its own); the status and statistics
    // queries may be made from anywhere.
    internal static class Periods
    {
        private static int nextId = 1;

        internal static RatePeriod Create(Thread owner)
        {
            ulong f = Machine.DisableInterrupts();
            RatePeriod p = new RatePeriod(Scheduling.Core, owner, nextId++);
            Machine.RestoreInterrupts(f);
            return p;
        }

        // rtems_rate_monotonic_period: see RatePeriod.Run for the three paths.
        internal static PeriodStatus Run(RatePeriod p, long length)
        {
            if (p == null) return PeriodStatus.NullCaller;
            if (Scheduling.InterruptNesting > 0) return PeriodStatus.CalledFromInterrupt;
            ulong f = Machine.DisableInterrupts();
            PeriodStatus s = p.Run(Scheduling.Current, length);
            Scheduling.Preempt();
            Machine.RestoreInterrupts(f);
            return s;
        }

        // Run with a constrained deadline (the jobs' EDF key and miss rule).
        internal static PeriodStatus Run(RatePeriod p, long length, long deadline)
        {
            if (p == null) return PeriodStatus.NullCaller;
            if (Scheduling.InterruptNesting > 0) return PeriodStatus.CalledFromInterrupt;
            ulong f = Machine.DisableInterrupts();
            PeriodStatus s = p.Run(Scheduling.Current, length, deadline);
            Scheduling.Preempt();
            Machine.RestoreInterrupts(f);
            return s;
        }

        // Set-up: activate p so its first job is released by the period
        // timer at the absolute time start (RatePeriod.StartAt); any thread
        // may call it, the owner waits until then.
        internal static PeriodStatus StartAt(RatePeriod p, long start, long length, long deadline)
        {
            if (p == null) return PeriodStatus.NullCaller;
            ulong f = Machine.DisableInterrupts();
            PeriodStatus s = p.StartAt(start, length, deadline);
            Scheduling.Preempt();
            Machine.RestoreInterrupts(f);
            return s;
        }

        internal static PeriodStatus Cancel(RatePeriod p)
        {
            if (Scheduling.InterruptNesting > 0) return PeriodStatus.CalledFromInterrupt;
            ulong f = Machine.DisableInterrupts();
            PeriodStatus s = p.Cancel(Scheduling.Current);
            Scheduling.Preempt();
            Machine.RestoreInterrupts(f);
            return s;
        }

        internal static PeriodStatus Delete(RatePeriod p)
        {
            ulong f = Machine.DisableInterrupts();
            PeriodStatus s = p.Delete();
            Scheduling.Preempt();
            Machine.RestoreInterrupts(f);
            return s;
        }

        internal static PeriodStatus Status(RatePeriod p, out PeriodInfo info)
        {
            ulong f = Machine.DisableInterrupts();
            PeriodStatus s = p.GetStatus(out info);
            Machine.RestoreInterrupts(f);
            return s;
        }

        internal static PeriodStatus Statistics(RatePeriod p, out PeriodStatistics stats)
        {
            ulong f = Machine.DisableInterrupts();
            PeriodStatus s = p.GetStatistics(out stats);
            Machine.RestoreInterrupts(f);
            return s;
        }

        internal static PeriodStatus ResetStatistics(RatePeriod p)
        {
            ulong f = Machine.DisableInterrupts();
            PeriodStatus s = p.ResetStatistics();
            Machine.RestoreInterrupts(f);
            return s;
        }
    }
}
