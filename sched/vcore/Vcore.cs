// A guest's virtual core: its reservation, period state, virtual
// clock and one-shot virtual timer, counters, and the step protocol the
// thread that runs it calls. Portable; nothing here allocates after
// construction. See sched/README.md, "Guest cores".
using Osprey.Sched.Analysis;

namespace Osprey.Sched
{
    /// <summary>
    /// A virtual core. It is attached to one SchedThread of a core whose
    /// scheduler is a VcoreScheduler (the kernel's own thread object, or a
    /// VcoreThread in the simulator and the tests); the thread's body runs the
    /// guest by calling Step in a loop (see Step and the README's kernel
    /// contract).
    ///
    /// Reservation: PeriodGuestNs and SliceGuestNs are in the guest's time,
    /// like every time inside a guest block of the workload file. With
    /// dilation num/den (guest time = host time x num / den) the core's
    /// periods are the guest's periods seen on the host clock: period j
    /// ends at the first host instant at which the guest clock has reached
    /// (j+1) x PeriodGuestNs, i.e. HostBase + ceil((j+1) x P x den / num);
    /// the host CPU time reserved in every period is
    /// SliceNs = floor(S x den / num). The admitted share of the host CPU is
    /// exactly SliceNs x num / (P x den) (= S / P whenever S x den is a
    /// multiple of num): dilation scales both the slice and the period.
    ///
    /// Virtual time: VirtualAt(h) = floor((h - HostBaseNs) x num / den); the
    /// virtual clock starts at 0 when the core starts and runs whether the
    /// core runs or not (like a guest's TSC). The guest arms one one-shot
    /// virtual timer (ArmTimer, absolute virtual ns); the interrupt becomes
    /// pending at the first host instant at which the virtual clock has
    /// reached the deadline and is delivered (GuestProgram.TimerInterrupt)
    /// inside the next Step, i.e. when the core executes.
    /// </summary>
    public sealed class Vcore
    {
        /// <summary>Step result: the core halted; the thread must switch away (it is blocked) and call Step(0) when it runs again.</summary>
        public const long Halted = 0;
        /// <summary>Step result: the core was removed (or never started): the thread body ends.</summary>
        public const long Detached = -1;
        /// <summary>"Run for ever" (a runaway guest), and the distance of an unarmed virtual timer.</summary>
        public const long Forever = long.MaxValue / 4;
        /// <summary>Virtual interrupts delivered in one Step at most (a guest that keeps arming deadlines already past).</summary>
        public const int MaxDeliveriesPerStep = 8;
        /// <summary>What a Step runs when the guest asked to halt but an interrupt is due again after MaxDeliveriesPerStep.</summary>
        public const long MinRunNs = 1000;

        // ------------------------------------------------------------ identity

        public readonly string GuestName;
        public readonly int VcpuId;
        public readonly string Name;
        /// <summary>Number of the core on its CPU (1, 2, ... in order of attachment): the trace's vcore id.</summary>
        public int Id;
        /// <summary>Physical CPU the core is placed on (from the workload file).</summary>
        public int Cpu;
        /// <summary>Line of the workload file's vcore line (0 = none): admission messages name it.</summary>
        public int Line;
        public readonly GuestProgram Program;
        public readonly long DilationNum;
        public readonly long DilationDen;

        // ------------------------------------------------------------ reservation

        long periodGuest, sliceGuest;
        bool extra;
        /// <summary>Host CPU ns reserved per period (floor(slice x den / num)), set at admission.</summary>
        public long SliceNs;
        /// <summary>Admitted share of the host CPU, exact (reduced fraction).</summary>
        public long ShareNum, ShareDen = 1;
        // A reservation change waits for the next period boundary.
        long nextPeriodGuest, nextSliceGuest, nextSliceHost;
        bool changePending;

        public long PeriodGuestNs { get { return periodGuest; } }
        public long SliceGuestNs { get { return sliceGuest; } }
        public bool ExtraEligible { get { return extra; } }
        /// <summary>Nominal host period (P x den / num rounded down; actual periods alternate by at most 1 ns).</summary>
        public long PeriodNs { get { return ShareMath.Scale(periodGuest, DilationDen, DilationNum, false); } }

        // ------------------------------------------------------------ attachment

        internal VcoreScheduler owner;
        public SchedThread Thread;
        public VcoreScheduler Owner { get { return owner; } }
        public bool Started;
        public bool Removed;

        // ------------------------------------------------------------ period state

        long origin;        // host time of period index 0 of the current parameters
        long index;         // periods since origin
        /// <summary>Host time the current period began.</summary>
        public long PeriodStartNs;
        /// <summary>Host time the current period ends: the core's EDF deadline while it has slice left.</summary>
        public long DeadlineNs;
        /// <summary>Slice left in the current period (host ns); &lt;= 0 once used up.</summary>
        public long RemainingNs;
        /// <summary>Slice used up, extra time allowed: the core runs in the background band.</summary>
        public bool InExtra;
        /// <summary>Slice used up, no extra time: blocked (ThreadState.Throttled) until the period ends.</summary>
        public bool Throttled;
        /// <summary>The guest halted: blocked (ThreadState.Sleeping) until its next virtual interrupt.</summary>
        public bool IsHalted;
        /// <summary>Carries DeadlineNs in the thread's priority aggregation while the core has slice left.</summary>
        public readonly PriorityNode ReservationNode = new PriorityNode();
        long periodCpu;

        // ------------------------------------------------------------ virtual time

        /// <summary>Host time at which the virtual clock read 0 (the core's start).</summary>
        public long HostBaseNs;
        bool timerArmed;
        long timerDeadline;
        /// <summary>The virtual timer's deadline has passed; the interrupt waits for the core to execute.</summary>
        public bool InterruptPending;
        long spinTarget;

        // ------------------------------------------------------------ counters

        /// <summary>Periods that ended while the core was demanding (ready) with slice left.</summary>
        public long Misses;
        /// <summary>Slice left unused in those periods, host ns.</summary>
        public long MissedNs;
        /// <summary>CPU time charged beyond the slice before the budget timer stopped it (exact timer: 0).</summary>
        public long OveruseNs;
        public long OveruseEvents;
        public long MaxOveruseNs;
        /// <summary>CPU time received beyond the slice (extra time).</summary>
        public long ExtraNs;
        /// <summary>CPU time received within the slice.</summary>
        public long SliceUsedNs;
        /// <summary>All CPU time received.</summary>
        public long TotalNs;
        /// <summary>Completed periods and the CPU time received in each (slice and extra), min/max.</summary>
        public long Periods;
        public long PeriodCpuMin = long.MaxValue;
        public long PeriodCpuMax;
        /// <summary>Slices used up (budget timer), throttles (no extra time), extra-time quanta ended.</summary>
        public long Exhaustions, Throttles, ExtraQuanta;
        /// <summary>Halts, wake-ups, and slice forfeited at wake-ups by the bandwidth rule.</summary>
        public long Halts, Wakes, WakeClipNs;
        /// <summary>Steps taken by the thread body.</summary>
        public long Steps;
        /// <summary>Virtual timer: armed, became pending, delivered; delivery error (virtual ns) min/max/sum.</summary>
        public long IrqArmed, IrqRaised, IrqDelivered;
        public long IrqErrorMin = long.MaxValue, IrqErrorMax, IrqErrorSum;

        // ------------------------------------------------------------ watchdogs

        public readonly VcoreBudgetTimer BudgetTimer;
        public readonly VcorePeriodTimer PeriodTimer;
        public readonly VcoreVirtualTimer VirtualTimer;

        /// <summary>
        /// A core of guest guestName with reservation slice per period (guest
        /// time), extra-time flag and dilation num/den, running program.
        /// Allocate at setup; admission happens in VcoreScheduler.Attach.
        /// </summary>
        public Vcore(string guestName, int vcpuId, long periodGuestNs, long sliceGuestNs, bool extraTime,
            long dilationNum, long dilationDen, GuestProgram program)
        {
            GuestName = guestName == null ? "guest" : guestName;
            VcpuId = vcpuId;
            Name = GuestName + "/" + vcpuId.ToString();
            periodGuest = periodGuestNs;
            sliceGuest = sliceGuestNs;
            extra = extraTime;
            DilationNum = dilationNum;
            DilationDen = dilationDen;
            Program = program;
            BudgetTimer = new VcoreBudgetTimer(this);
            PeriodTimer = new VcorePeriodTimer(this);
            VirtualTimer = new VcoreVirtualTimer(this);
        }

        // ================================================================ guest-facing API

        /// <summary>Host clock of the core's CPU (0 before attachment; once removed, the instant of the
        /// removal, so a removed core's guest clock stays where the removal stopped it).</summary>
        public long HostNow()
        {
            VcoreScheduler s = owner;
            if (s == null) return Removed ? RemovedAtHostNs : 0;
            return s.Context.Now();
        }

        /// <summary>Host time of the removal (VcoreScheduler.Remove); meaningful once Removed.</summary>
        public long RemovedAtHostNs;

        /// <summary>The guest's clock now (virtual ns since the core started).</summary>
        public long VirtualNow() { return VirtualAt(HostNow()); }

        /// <summary>Virtual clock at host time h: floor((h - HostBaseNs) x num / den), 0 before the start.</summary>
        public long VirtualAt(long hostNs)
        {
            return ShareMath.Scale(hostNs - HostBaseNs, DilationNum, DilationDen, false);
        }

        /// <summary>First host time at which the virtual clock reads at least virtualNs.</summary>
        public long HostTimeOf(long virtualNs)
        {
            long d = ShareMath.Scale(virtualNs, DilationDen, DilationNum, true);
            long h = HostBaseNs + d;
            return (h < HostBaseNs || h > EdfScheduler.MaxDeadline) ? EdfScheduler.MaxDeadline : h;
        }

        /// <summary>Guest ns that pass while hostNs of host time pass (rounded down).</summary>
        public long GuestNsOf(long hostNs) { return ShareMath.Scale(hostNs, DilationNum, DilationDen, false); }

        /// <summary>Host ns needed for guestNs of guest time (rounded up): a guest job of guestNs runs this long on the CPU.</summary>
        public long HostNsOf(long guestNs) { return ShareMath.Scale(guestNs, DilationDen, DilationNum, true); }

        public bool TimerArmed { get { return timerArmed; } }
        public long TimerDeadline { get { return timerDeadline; } }

        /// <summary>
        /// Arm the one-shot virtual timer for absolute virtual time
        /// virtualDeadline (replacing an earlier one). A deadline already
        /// reached is delivered at once (in this Step, or the next).
        /// </summary>
        public void ArmTimer(long virtualDeadline)
        {
            if (virtualDeadline < 0) virtualDeadline = 0;
            timerArmed = true;
            timerDeadline = virtualDeadline;
            InterruptPending = false;
            IrqArmed++;
            VcoreScheduler s = owner;
            if (s != null && Started) s.Context.Timers.Insert(VirtualTimer, HostTimeOf(virtualDeadline));
        }

        /// <summary>Arm the virtual timer virtualDelta after the virtual clock's current reading.</summary>
        public void ArmTimerAfter(long virtualDelta) { ArmTimer(VirtualNow() + virtualDelta); }

        public void CancelTimer()
        {
            timerArmed = false;
            InterruptPending = false;
            VcoreScheduler s = owner;
            if (s != null) s.Context.Timers.Cancel(VirtualTimer);
        }

        // ================================================================ the thread body's protocol

        /// <summary>
        /// One step of the guest, called by the thread that runs this core,
        /// while it executes, with interrupts disabled. ranNs is the CPU time
        /// the thread spent executing the guest since the previous Step
        /// returned (0 after a halt). In order: the guest is told what it
        /// executed; a due virtual interrupt is delivered; the guest says what
        /// it does next. Returns:
        ///  - n &gt; 0: execute the guest for n ns of this thread's CPU time,
        ///    but return to Step as soon as InterruptPending is set
        ///    (KeepRunning says when to stop); preemption may pause it;
        ///  - Halted (0): the guest halted; the thread is blocked now and the
        ///    body must switch away; when it runs again it calls Step(0);
        ///  - Detached (-1): the core was removed; the body ends.
        /// </summary>
        public long Step(long ranNs)
        {
            VcoreScheduler s = owner;
            if (s == null || !Started || Removed) return Detached;
            Steps++;
            if (ranNs > 0) Program.Executed(this, ranNs);
            long now = s.Context.Now();
            long n = 0;
            for (int round = 0; round < MaxDeliveriesPerStep; round++)
            {
                if (Due(now)) Deliver(now);
                n = Program.Run(this, UntilInterrupt(now));
                if (!Due(now)) break;
            }
            if (n <= 0)
            {
                if (!Due(now))
                {
                    spinTarget = 0;
                    s.Halt(this, now);
                    return Halted;
                }
                n = MinRunNs;
            }
            long until = UntilInterrupt(now);
            if (n > until) n = until;
            if (n < 1) n = 1;
            spinTarget = n;
            return n;
        }

        /// <summary>
        /// The body's spin condition after Step returned n: keep executing the
        /// guest while it has executed less than n and no virtual interrupt
        /// is pending. Call it (a method call, so the flag is read anew) in
        /// the spin loop.
        /// </summary>
        public bool KeepRunning(long ranNs)
        {
            return !InterruptPending && ranNs < spinTarget && owner != null;
        }

        /// <summary>What the last Step asked to execute (0 after a halt).</summary>
        public long SpinTarget { get { return spinTarget; } }

        bool Due(long now)
        {
            return timerArmed && VirtualAt(now) >= timerDeadline;
        }

        long UntilInterrupt(long now)
        {
            if (!timerArmed) return Forever;
            long d = HostTimeOf(timerDeadline) - now;
            return d < 1 ? 1 : d;
        }

        void Deliver(long now)
        {
            long err = VirtualAt(now) - timerDeadline;
            timerArmed = false;
            InterruptPending = false;
            owner.Context.Timers.Cancel(VirtualTimer);
            IrqDelivered++;
            IrqErrorSum += err;
            if (err < IrqErrorMin) IrqErrorMin = err;
            if (err > IrqErrorMax) IrqErrorMax = err;
            Program.TimerInterrupt(this);
        }

        // ================================================================ scheduler side (VcoreScheduler)

        /// <summary>Host time of the end of period j of the current parameters.</summary>
        long Boundary(long j)
        {
            if (j > 0 && periodGuest > EdfScheduler.MaxDeadline / j) return EdfScheduler.MaxDeadline;
            long b = origin + ShareMath.Scale(j * periodGuest, DilationDen, DilationNum, true);
            return (b < origin || b > EdfScheduler.MaxDeadline) ? EdfScheduler.MaxDeadline : b;
        }

        internal void Begin(long now)
        {
            HostBaseNs = now;
            origin = now;
            index = 0;
            PeriodStartNs = now;
            DeadlineNs = Boundary(1);
            RemainingNs = SliceNs;
            InExtra = false;
            Throttled = false;
            IsHalted = false;
            periodCpu = 0;
            Started = true;
            Removed = false;
        }

        internal void SetReservation(long periodGuestNs, long sliceGuestNs, long sliceHost, bool extraTime)
        {
            nextPeriodGuest = periodGuestNs;
            nextSliceGuest = sliceGuestNs;
            nextSliceHost = sliceHost;
            changePending = true;
            extra = extraTime;
            if (!Started)
            {
                ApplyChange();
                RemainingNs = SliceNs;
            }
        }

        void ApplyChange()
        {
            periodGuest = nextPeriodGuest;
            sliceGuest = nextSliceGuest;
            SliceNs = nextSliceHost;
            changePending = false;
        }

        public bool ChangePending { get { return changePending; } }

        /// <summary>Charge deltaNs of CPU time (the core charges the executing thread at every entry point).</summary>
        internal void Account(long deltaNs, bool ready)
        {
            TotalNs += deltaNs;
            periodCpu += deltaNs;
            if (!ready) return;
            if (InExtra)
            {
                ExtraNs += deltaNs;
                return;
            }
            long r = RemainingNs;
            if (r >= deltaNs)
            {
                RemainingNs = r - deltaNs;
                SliceUsedNs += deltaNs;
                return;
            }
            long inSlice = r > 0 ? r : 0;
            long over = deltaNs - inSlice;
            SliceUsedNs += inSlice;
            OveruseNs += over;
            OveruseEvents++;
            if (over > MaxOveruseNs) MaxOveruseNs = over;
            RemainingNs = r - deltaNs;
        }

        /// <summary>
        /// End every period whose end has passed (normally one) and begin the
        /// current one: slice renewed, deadline one period later, pending
        /// reservation change applied. demanding: the core was ready at the
        /// end (a period ending with slice left while demanding is a miss).
        /// </summary>
        internal void EndPeriods(long now, bool demanding)
        {
            int guard = 0;
            while (now >= DeadlineNs && DeadlineNs < EdfScheduler.MaxDeadline)
            {
                Periods++;
                if (periodCpu < PeriodCpuMin) PeriodCpuMin = periodCpu;
                if (periodCpu > PeriodCpuMax) PeriodCpuMax = periodCpu;
                if (!InExtra && RemainingNs > 0 && demanding)
                {
                    Misses++;
                    MissedNs += RemainingNs;
                }
                periodCpu = 0;
                PeriodStartNs = DeadlineNs;
                if (changePending)
                {
                    ApplyChange();
                    origin = DeadlineNs;
                    index = 0;
                }
                else
                {
                    index++;
                }
                DeadlineNs = Boundary(index + 1);
                RemainingNs = SliceNs;
                InExtra = false;
                // A timer late by many periods: the skipped ones are counted, bounded work.
                if (++guard > 1000000) break;
            }
        }

        /// <summary>
        /// The bandwidth rule at a wake-up (or a shrink): from now to the end
        /// of the period the core may use at most its share of the time left,
        /// floor((DeadlineNs - now) x SliceNs / period length), so a core that
        /// halted cannot bunch its slice against the other reservations. The
        /// forfeited part is counted in WakeClipNs.
        /// </summary>
        internal void ClipToBandwidth(long now, long sliceHost, long periodGuestNs)
        {
            if (InExtra || RemainingNs <= 0) return;
            long left = DeadlineNs - now;
            if (left <= 0) return;
            // allowed = left x sliceHost x num / (periodGuest x den)
            long allowed;
            ulong q;
            ulong hi, lo;
            WideMath.Mul((ulong)sliceHost, (ulong)DilationNum, out hi, out lo);
            ulong per;
            ulong phi;
            WideMath.Mul((ulong)periodGuestNs, (ulong)DilationDen, out phi, out per);
            if (hi != 0 || phi != 0 || per == 0) return;
            if (!WideMath.MulDiv((ulong)left, lo, per, false, out q) || q > (ulong)long.MaxValue) return;
            allowed = (long)q;
            if (sliceHost < allowed) allowed = sliceHost;
            if (RemainingNs > allowed)
            {
                WakeClipNs += RemainingNs - allowed;
                RemainingNs = allowed;
            }
        }

        internal void ClipToBandwidth(long now) { ClipToBandwidth(now, SliceNs, periodGuest); }

        internal void VirtualTimerFired(long now)
        {
            if (!timerArmed || owner == null) return;
            InterruptPending = true;
            IrqRaised++;
            if (IsHalted) owner.Wake(this, now);
        }

        internal void ArmVirtualWatchdog()
        {
            if (timerArmed && owner != null) owner.Context.Timers.Insert(VirtualTimer, HostTimeOf(timerDeadline));
        }

        /// <summary>CPU time received in the period running now.</summary>
        public long CurrentPeriodCpuNs { get { return periodCpu; } }

        /// <summary>Mean delivery error of the virtual interrupts, virtual ns (0 when none).</summary>
        public long IrqErrorMean { get { return IrqDelivered == 0 ? 0 : IrqErrorSum / IrqDelivered; } }
    }

    /// <summary>Fires when the executing core's slice is used up (or its extra-time quantum ends).</summary>
    public sealed class VcoreBudgetTimer : Watchdog
    {
        readonly Vcore vcore;
        public VcoreBudgetTimer(Vcore v) { vcore = v; }
        public override void Fire(long now)
        {
            VcoreScheduler s = vcore.Owner;
            if (s != null) s.BudgetExpired(vcore, now);
        }
    }

    /// <summary>Fires at the end of the core's period: renewal.</summary>
    public sealed class VcorePeriodTimer : Watchdog
    {
        readonly Vcore vcore;
        public VcorePeriodTimer(Vcore v) { vcore = v; }
        public override void Fire(long now)
        {
            VcoreScheduler s = vcore.Owner;
            if (s != null) s.PeriodExpired(vcore, now);
        }
    }

    /// <summary>Fires when the core's virtual clock reaches the virtual timer's deadline.</summary>
    public sealed class VcoreVirtualTimer : Watchdog
    {
        readonly Vcore vcore;
        public VcoreVirtualTimer(Vcore v) { vcore = v; }
        public override void Fire(long now) { vcore.VirtualTimerFired(now); }
    }
}
