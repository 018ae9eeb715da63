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
            ulong f = Scheduling.Lock();
            RatePeriod p = new RatePeriod(Scheduling.Core, owner, nextId++);
            Scheduling.Unlock(f);
            return p;
        }

        // rtems_rate_monotonic_period: see RatePeriod.Run for the three paths.
        internal static PeriodStatus Run(RatePeriod p, long length)
        {
            if (p == null) return PeriodStatus.NullCaller;
            if (Scheduling.InterruptNesting > 0) return PeriodStatus.CalledFromInterrupt;
            ulong f = Scheduling.Lock();
            PeriodStatus s = p.Run(Scheduling.Current, length);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return s;
        }

        // Run with a constrained deadline (the jobs' EDF key and miss rule).
        internal static PeriodStatus Run(RatePeriod p, long length, long deadline)
        {
            if (p == null) return PeriodStatus.NullCaller;
            if (Scheduling.InterruptNesting > 0) return PeriodStatus.CalledFromInterrupt;
            ulong f = Scheduling.Lock();
            PeriodStatus s = p.Run(Scheduling.Current, length, deadline);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return s;
        }

        // Set-up: activate p so its first job is released by the period
        // timer at the absolute time start (RatePeriod.StartAt); any thread
        // may call it, the owner waits until then.
        internal static PeriodStatus StartAt(RatePeriod p, long start, long length, long deadline)
        {
            if (p == null) return PeriodStatus.NullCaller;
            ulong f = Scheduling.Lock();
            PeriodStatus s = p.StartAt(start, length, deadline);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return s;
        }

        internal static PeriodStatus Cancel(RatePeriod p)
        {
            if (Scheduling.InterruptNesting > 0) return PeriodStatus.CalledFromInterrupt;
            ulong f = Scheduling.Lock();
            PeriodStatus s = p.Cancel(Scheduling.Current);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return s;
        }

        internal static PeriodStatus Delete(RatePeriod p)
        {
            ulong f = Scheduling.Lock();
            PeriodStatus s = p.Delete();
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            return s;
        }

        internal static PeriodStatus Status(RatePeriod p, out PeriodInfo info)
        {
            ulong f = Scheduling.Lock();
            PeriodStatus s = p.GetStatus(out info);
            Scheduling.Unlock(f);
            return s;
        }

        internal static PeriodStatus Statistics(RatePeriod p, out PeriodStatistics stats)
        {
            ulong f = Scheduling.Lock();
            PeriodStatus s = p.GetStatistics(out stats);
            Scheduling.Unlock(f);
            return s;
        }

        internal static PeriodStatus ResetStatistics(RatePeriod p)
        {
            ulong f = Scheduling.Lock();
            PeriodStatus s = p.ResetStatistics();
            Scheduling.Unlock(f);
            return s;
        }
    }
}
