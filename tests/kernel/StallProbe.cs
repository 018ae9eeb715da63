using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // The timer latency one attempt of a plain-clock test saw. The calling
    // thread, the most urgent one while the attempt runs, sleeps until the
    // attempt's end in steps of StepNs and keeps the worst lateness of its
    // wake-ups (timer interrupt, decision and switch included). A host stall
    // of D (QEMU's threads descheduled under plain emulation; an SMI or a
    // long interrupt on a real machine) delays the next wake-up by at least
    // D - StepNs. Every timer event of the attempt is taken from the same
    // timer queue in expiry order, so it is handled within
    // StepNs + WorstLateNs of its expiry: the bound EventBound gives, with
    // the overheads measured at boot for handling it and switching.
    internal static class StallProbe
    {
        internal const long StepNs = 500000;
        internal static long WorstLateNs;
        internal static long Wakes;
        // Stalled time per window of WindowNs from the start: a wake-up more
        // than StepNs late stands for a stall of up to its lateness + StepNs
        // (shorter lateness is the timer's own jitter). The worst window's
        // sum bounds the time stalls took from a reservation period.
        internal const long WindowNs = 100000000;
        private const int Windows = 64;
        private static readonly long[] stalled = new long[Windows];
        private static long start;
        internal static long WorstWindowStallNs;

        internal static void Reset()
        {
            WorstLateNs = 0; Wakes = 0; WorstWindowStallNs = 0;
            for (int i = 0; i < Windows; i++) stalled[i] = 0;
        }

        // Sleeps until `end`, waking every StepNs; a wake-up that comes past
        // the next step sleeps a whole step from where it woke.
        internal static void SleepUntil(long end)
        {
            start = Machine.Now();
            long next = start + StepNs;
            while (true)
            {
                long target = next < end ? next : end;
                Threads.SleepUntil(target);
                long now = Machine.Now();
                long late = now - target;
                if (late > WorstLateNs) WorstLateNs = late;
                if (late > StepNs)
                {
                    long w = (target - start) / WindowNs;
                    int i = w < Windows ? (int)w : Windows - 1;
                    stalled[i] += late + StepNs;
                    if (stalled[i] > WorstWindowStallNs) WorstWindowStallNs = stalled[i];
                }
                Wakes++;
                if (target == end) return;
                next = target + StepNs;
                if (next <= now) next = now + StepNs;
            }
        }

        // The latest a timer event of the attempt was handled after its
        // expiry, plus one reservation's measured overheads (two timer
        // interrupts and a switch pair, with the analysis' margin) for
        // charging it and switching the thread it concerns in or out.
        internal static long EventBound(string policy)
        {
            return StepNs + WorstLateNs + OverheadProbe.For(policy, true).PerReservationNs;
        }
    }
}
