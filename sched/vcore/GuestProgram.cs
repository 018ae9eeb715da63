namespace Osprey.Sched
{
    /// <summary>
    /// What a guest core executes, as a deterministic step machine driven by
    /// Vcore.Step (the kernel's vcore thread body and the simulator drive it
    /// alike; no threads inside). Per Step, in this order:
    ///  1. Executed(v, ran): the guest executed ran ns of host CPU since the
    ///     previous Run returned (possibly less than it asked for: a virtual
    ///     interrupt became pending, or the slice ran out and the core waited);
    ///  2. TimerInterrupt(v): the virtual timer's interrupt is delivered (only
    ///     when it is due; the timer is disarmed first, so re-arm it here);
    ///  3. Run(v, untilInterruptNs): how many host ns of CPU to execute next
    ///     (&gt; 0), or Halt (0) to halt until the next virtual interrupt.
    /// Times the guest sees are virtual (v.VirtualNow, v.ArmTimer); the
    /// CPU work it asks for is host ns (v.HostNsOf converts guest work).
    /// Nothing here may allocate after Boot.
    /// </summary>
    public abstract class GuestProgram
    {
        /// <summary>Run's "halt until the next virtual interrupt".</summary>
        public const long Halt = 0;

        /// <summary>"hog", "idle", "runaway", "periodic".</summary>
        public string Kind = "guest";

        /// <summary>Once, when the core starts (virtual clock 0), before it first runs. May allocate.</summary>
        public virtual void Boot(Vcore v) { }

        /// <summary>The guest executed ranNs of host CPU time since the previous Run returned.</summary>
        public virtual void Executed(Vcore v, long ranNs) { }

        /// <summary>The virtual timer interrupt is delivered (the core is executing).</summary>
        public virtual void TimerInterrupt(Vcore v) { }

        /// <summary>Host ns of CPU to execute now (any amount; the step ends early at the next virtual interrupt), or Halt.</summary>
        public abstract long Run(Vcore v, long untilInterruptNs);

        /// <summary>Work done (host CPU ns) and timer ticks seen, for reports.</summary>
        public long WorkNs;
        public long Ticks;
    }

    /// <summary>
    /// A CPU hog: always computes, never halts; takes a virtual timer tick
    /// every TickNs of guest time (it counts them; a hog still takes its
    /// interrupts), so its share is what the reservation allows.
    /// </summary>
    public sealed class HogProgram : GuestProgram
    {
        public const long DefaultTickNs = 10000000;
        public long TickNs = DefaultTickNs;

        public HogProgram() { Kind = "hog"; }

        public override void Boot(Vcore v) { if (TickNs > 0) v.ArmTimer(TickNs); }

        public override void Executed(Vcore v, long ranNs) { WorkNs += ranNs; }

        public override void TimerInterrupt(Vcore v)
        {
            Ticks++;
            v.ArmTimer(NextTick(v.TimerDeadline, v.VirtualNow(), TickNs));
        }

        public override long Run(Vcore v, long untilInterruptNs) { return Vcore.Forever; }

        /// <summary>The next multiple of tick after 'now', counting from the last deadline (no drift).</summary>
        internal static long NextTick(long last, long now, long tick)
        {
            long next = last + tick;
            if (next <= now) next += ((now - next) / tick + 1) * tick;
            return next;
        }
    }

    /// <summary>
    /// A runaway guest: never halts, never arms its timer, never yields (a
    /// guest spinning with interrupts off). The reservation must cut it at
    /// the end of its slice in every period.
    /// </summary>
    public sealed class RunawayProgram : GuestProgram
    {
        public RunawayProgram() { Kind = "runaway"; }

        public override void Executed(Vcore v, long ranNs) { WorkNs += ranNs; }

        public override long Run(Vcore v, long untilInterruptNs) { return Vcore.Forever; }
    }

    /// <summary>
    /// A mostly idle guest: halts; its virtual timer ticks every TickNs of
    /// guest time; each tick it does WorkNs of guest-time work (host CPU
    /// v.HostNsOf(WorkNs)) and halts again. Ticks whose work was not done
    /// before the next tick add up (Backlog); ticks that passed while the
    /// core could not take them are counted in LostTicks.
    /// </summary>
    public sealed class IdleProgram : GuestProgram
    {
        public const long DefaultTickNs = 10000000;
        public const long DefaultWorkNs = 200000;
        public long TickNs = DefaultTickNs;
        public long WorkGuestNs = DefaultWorkNs;
        /// <summary>Host CPU ns of work still to do.</summary>
        public long Backlog;
        public long LostTicks;
        public long MaxBacklog;

        public IdleProgram() { Kind = "idle"; }

        public override void Boot(Vcore v) { if (TickNs > 0) v.ArmTimer(TickNs); }

        public override void Executed(Vcore v, long ranNs)
        {
            WorkNs += ranNs;
            Backlog -= ranNs;
            if (Backlog < 0) Backlog = 0;
        }

        public override void TimerInterrupt(Vcore v)
        {
            Ticks++;
            Backlog += v.HostNsOf(WorkGuestNs);
            if (Backlog > MaxBacklog) MaxBacklog = Backlog;
            long last = v.TimerDeadline;
            long next = HogProgram.NextTick(last, v.VirtualNow(), TickNs);
            LostTicks += (next - last) / TickNs - 1;
            v.ArmTimer(next);
        }

        public override long Run(Vcore v, long untilInterruptNs)
        {
            return Backlog > 0 ? Backlog : Halt;
        }
    }
}

namespace Osprey.Sched
{
    /// <summary>
    /// The simulator's model of a real guest image the VMM stops at its
    /// first slice (wild: a write outside its RAM; fault: a triple fault):
    /// it halts for good at once, arming no timer, so its reservation goes
    /// unused from the start.
    /// </summary>
    public sealed class StoppedProgram : GuestProgram
    {
        public StoppedProgram() { Kind = "stops"; }

        public override long Run(Vcore v, long untilInterruptNs) { return Halt; }
    }
}
