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

        internal static void Reset() { WorstLateNs = 0; Wakes = 0; }

        // Sleeps until `end`, waking every StepNs; a wake-up that comes past
        // the next step sleeps a whole step from where it woke.
        internal static void SleepUntil(long end)
        {
            long next = Machine.Now() + StepNs;
            while (true)
            {
                long target = next < end ? next : end;
                Threads.SleepUntil(target);
                long now = Machine.Now();
                if (now - target > WorstLateNs) WorstLateNs = now - target;
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
