using Osprey.Kernel.Arch;
using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // The local APIC timer interrupt: fire every due watchdog; the one-shot
    // ends armed for the earliest remaining one (the hardware shot is spent
    // even when it fired early and nothing was due).
    //
    // Livelock bound: a watchdog that fell due while this handler ran (so
    // the next interrupt would come at once) is fired no sooner than the
    // time this handler took, and at least MinGapNs, after its end. Timer
    // interrupts then take at most about half of the CPU whatever the timer
    // queue holds (periods of 1 ns included), so threads always progress.
    // Watchdogs due later than the handler's end are not moved.
    internal sealed unsafe class TimerInterrupt : InterruptHandler
    {
        internal const long MinGapNs = 1000;
        // Shots pushed out by the livelock bound on this CPU.
        internal static long Deferred { get { return PerCpu.Current.TimerDeferred; } }

        internal override void Handle(InterruptFrame* frame)
        {
            PerCpu cpu = PerCpu.Current;
            cpu.TimerInterrupts++;
            SchedCore core = cpu.Core;
            KernelPlatform p = cpu.Platform;
            long entry = Machine.Now();
            ulong f = Scheduling.Lock();         // the cluster's cores (global scheduling)
            p.DeferArm = true;
            core.TimerFired(entry);
            p.DeferArm = false;
            // The hardware shot is spent: arm it once, for the earliest
            // watchdog left (or later, see the livelock bound).
            long next = core.Timers.NextExpiry;
            if (next != long.MaxValue)
            {
                long end = Machine.Now();
                if (next <= end)
                {
                    long gap = end - entry;
                    if (gap < MinGapNs) gap = MinGapNs;
                    next = end + gap;
                    cpu.TimerDeferred++;
                }
            }
            p.ArmTimer(next);
            Scheduling.Unlock(f);
            Machine.EndOfInterrupt();
        }
    }
}
