using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // Host stalls seen by the timer, for plain-clock tests that must tell a
    // host stall (QEMU's threads descheduled by a loaded host; an SMI or a
    // long interrupt on a real machine) from a scheduling error. A watchdog
    // fires every StepNs in the timer interrupt (no thread, no switch: the
    // cost is one timer interrupt per step) and logs each firing more than
    // ThresholdNs after its expiry as a stall [expiry, handled]. A stall of
    // D delays the next firing by at least D - StepNs, so every stall longer
    // than StepNs + ThresholdNs overlaps a logged one.
    internal static class StallLog
    {
        internal const long StepNs = 1000000;
        internal const long ThresholdNs = 500000;
        internal const int Max = 256;
        private static readonly long[] from = new long[Max], to = new long[Max];
        private static int count;
        internal static long WorstLateNs;
        internal static long Fires;
        private static bool running;
        private static readonly Tick tick = new Tick();

        private sealed class Tick : Watchdog
        {
            public override void Fire(long now)
            {
                long late = now - Expiry;
                Fires++;
                if (late > WorstLateNs) WorstLateNs = late;
                if (late > ThresholdNs)
                {
                    // A full table makes Reaches answer true for everything.
                    if (count < Max) { from[count] = Expiry; to[count] = now; count++; }
                }
                if (running) Scheduling.Core.Timers.Insert(this, (now > Expiry ? now : Expiry) + StepNs);
            }
        }

        // Starts logging (from the calling thread, interrupts enabled).
        internal static void Start()
        {
            ulong f = Machine.DisableInterrupts();
            count = 0; WorstLateNs = 0; Fires = 0;
            running = true;
            Scheduling.Core.Timers.Insert(tick, Machine.Now() + StepNs);
            Machine.RestoreInterrupts(f);
        }

        internal static void Stop()
        {
            ulong f = Machine.DisableInterrupts();
            running = false;
            // A tick overdue at the stop is a stall no firing saw yet (the
            // interrupt is still pending: a host stall just before the
            // stop); it counts like one that fired that late.
            long now = Machine.Now();
            if (tick.IsArmed && now - tick.Expiry > ThresholdNs)
            {
                long late = now - tick.Expiry;
                if (late > WorstLateNs) WorstLateNs = late;
                if (count < Max) { from[count] = tick.Expiry; to[count] = now; count++; }
            }
            Scheduling.Core.Timers.Cancel(tick);
            Machine.RestoreInterrupts(f);
        }

        internal static int Count { get { return count; } }

        // True when a logged stall may have delayed work due in [a, b]: a
        // stall [from, to] delays the releases and preemptions in it, and the
        // work they held back is made up only with the spare capacity, at the
        // rate 1 / recovery (recovery = 1 / (1 - U)); so it reaches up to
        // to + recovery x (to - from + StepNs) + extraNs (its unlogged part
        // included). Also true once the table overflowed.
        internal static bool Reaches(long a, long b, long recovery, long extraNs)
        {
            if (count == Max) return true;
            for (int i = 0; i < count; i++)
            {
                long end = to[i] + recovery * (to[i] - from[i] + StepNs) + extraNs;
                if (from[i] - StepNs <= b && end >= a) return true;
            }
            return false;
        }
    }
}
