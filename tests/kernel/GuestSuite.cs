using Osprey.Kernel.Threading;
using Osprey.Kernel.Workload;
using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.SelfTest
{
    // Guest cores on real threads and the hardware timer (on a vcore core):
    // a hog held to its share, extra time handed out without touching
    // another core's reservation, admission, time dilation, virtual
    // interrupt delivery, a runaway cut at its slice end, and a periodic
    // guest meeting or missing its deadlines with its reservation. Main is
    // the most urgent thread while cores run.
    //
    // On the exact clock (clock=exact under qemu -icount) every figure
    // repeats and the tests assert today's exact bounds. Elsewhere (plain
    // emulation on a loaded host, a real machine with its interrupts and
    // SMIs) they assert what holds whatever the host does: causality, the
    // accounting, the admission logic, the clock ratio between two reads,
    // and cuts and deliveries within the timer latency StallProbe measured
    // in the same attempt. The checks that a host stall can break (a miss,
    // a lost tick) apply only to an attempt with no stall beyond StallNs;
    // a stalled attempt is noted and run again, at most Attempts times.
    internal sealed unsafe class GuestSuite : Suite
    {
        internal override string Name { get { return "guests"; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] {
                    "hog_share_within_1pp", "extra_time_spare_only", "admission_rejects_then_accepts", "dilation_halves_guest_clock",
                    "virtual_interrupts_within_bound", "runaway_cut_at_slice_end", "periodic_guest_meets_with_enough_slice",
                    "periodic_guest_misses_with_too_little",
                };
            }
        }

        internal override string Policy { get { return "vcore"; } }

        private const long Ms = 1000000;

        private static Vcore Core(string name, long period, long slice, bool extra, long num, long den, GuestProgram p)
        {
            return new Vcore(name, 0, period, slice, extra, num, den, p);
        }

        private const int Attempts = 5;
        // Host time when the last RunCores had removed its cores, and main's
        // CPU time during it.
        private static long stoppedAt, mainCpuOfLastRun;

        // Runs the admitted cores for `ns`, then removes them; returns the
        // time they ran. On the plain clock main probes the timer latency
        // meanwhile (StallProbe).
        private static long RunCores(long ns)
        {
            UrgentMain.Raise();
            StallProbe.Reset();
            long c0 = Threads.CpuTime(Threads.Current);
            long t0 = Machine.Now();
            GuestCores.StartAll(t0);
            if (KernelMain.Options.ExactClock) Threads.SleepUntil(t0 + ns);
            else StallProbe.SleepUntil(t0 + ns);
            long elapsed = Machine.Now() - t0;
            mainCpuOfLastRun = Threads.CpuTime(Threads.Current) - c0;
            UrgentMain.Lower();
            GuestCores.StopAll();
            stoppedAt = Machine.Now();
            return elapsed;
        }

        private static long Ppm(long part, long whole) { return whole == 0 ? 0 : part * 1000000 / whole; }

        private const int Clean = 0, Again = 1, GaveUp = 2;

        // Plain clock, after an attempt whose stall-sensitive checks hold
        // while every timer event is handled within `slack` of its expiry
        // (the scenario's own slack, derived where it is called): Clean when
        // the probed latency bound StepNs + WorstLateNs stayed within it,
        // Again (noted) to run the attempt once more, GaveUp (noted: those
        // checks are not made) when every attempt stalled beyond it.
        private static int Verdict(Check t, int attempt, long slack)
        {
            long late = StallProbe.StepNs + StallProbe.WorstLateNs;
            if (late <= slack) return Clean;
            if (attempt < Attempts)
            {
                t.Note("attempt " + attempt + ": a host stall delayed the timer up to " + late + " ns, beyond the " + slack + " ns slack: run again");
                return Again;
            }
            t.Note("a host stall delayed the timer beyond the " + slack + " ns slack in all " + Attempts + " attempts (last " + late + " ns): the checks it can break not made");
            return GaveUp;
        }

        // The plain-clock bound of one timer event (a budget cut, a
        // delivery), with the latency it was derived from.
        private static long Bound(Check t)
        {
            long b = StallProbe.EventBound("vcore");
            t.Note("timer latency probed every " + StallProbe.StepNs + " ns: worst " + StallProbe.WorstLateNs + " ns; event bound " + b + " ns");
            return b;
        }

        private static void Fresh()
        {
            GuestCores.Reset();
            GuestCores.Scheduler.SetShare(1, 1);
        }

        internal override void Run(int index, Check t)
        {
            if (GuestCores.Scheduler == null) { t.Fail("the running scheduler is " + Scheduling.Core.Scheduler.Name + ", not vcore"); return; }
            bool exact = KernelMain.Options.ExactClock;
            for (int attempt = 1; ; attempt++)
            {
                Fresh();
                int v = Clean;
                switch (index)
                {
                    case 0: v = HogShare(t, exact, attempt); break;
                    case 1: v = ExtraTime(t, exact, attempt); break;
                    case 2: Admission(t); break;
                    case 3: v = Dilation(t, exact, attempt); break;
                    case 4: v = VirtualInterrupts(t, exact, attempt); break;
                    case 5: v = Runaway(t, exact, attempt); break;
                    case 6:
                    case 7: v = PeriodicGuest(t, exact, attempt, index == 6); break;
                }
                if (v != Again) return;
            }
        }

        private static int HogShare(Check t, bool exact, int attempt)
        {
            Vcore hog = Core("hog", 100 * Ms, 20 * Ms, false, 1, 1, new HogProgram());
            t.True(GuestCores.Add(hog, "hog/0"), "admitted");
            long e = RunCores(1000 * Ms);
            long share = Ppm(hog.TotalNs, e);
            t.Note("hog 20/100, extra off, 1 s: received " + share + " ppm, misses " + hog.Misses + ", overuse " + hog.OveruseNs + " ns");
            t.Equal(0, hog.ExtraNs, "no extra time with extra off");
            if (exact)
            {
                t.InRange(190000, 210000, share, "share within 1 percentage point of 20%, ppm");
                t.Equal(0, hog.Misses, "no missed reservation");
                t.True(hog.PeriodCpuMax <= 20 * Ms + 50000, "never more than its slice in a period (" + hog.PeriodCpuMax + " ns)");
                return Clean;
            }
            long b = Bound(t);
            t.True(hog.Periods >= 9, "ran its periods (" + hog.Periods + ")");
            t.InRange(0, b, hog.MaxOveruseNs, "each slice cut within the timer latency: worst overrun, ns");
            // Per period: the cut's latency, and a stall while the switch away
            // is still charged to it (not ready then: not overuse).
            t.InRange(0, 20 * Ms + 2 * b, hog.PeriodCpuMax, "never more than its slice in a period, plus twice that bound, ns");
            t.True(hog.SliceUsedNs <= (hog.Periods + 1) * 20 * Ms, "within its slices: " + hog.SliceUsedNs + " ns in " + (hog.Periods + 1) + " periods");
            t.True(share <= 200000 + Ppm((hog.Periods + 1) * 2 * b, e), "share at most 20% plus twice the event bound per period (" + share + " ppm)");
            // A period ends with slice left only when its end came more than
            // period - slice = 80 ms late.
            int v = Verdict(t, attempt, 80 * Ms);
            if (v != Clean) return v;
            t.Equal(0, hog.Misses, "no missed reservation");
            t.True(hog.PeriodCpuMin >= 20 * Ms, "its whole slice in every period (least " + hog.PeriodCpuMin + " ns)");
            return Clean;
        }

        private static int ExtraTime(Check t, bool exact, int attempt)
        {
            Vcore greedy = Core("greedy", 100 * Ms, 20 * Ms, true, 1, 1, new HogProgram());
            Vcore steady = Core("steady", 100 * Ms, 30 * Ms, false, 1, 1, new HogProgram());
            t.True(GuestCores.Add(greedy, "greedy/0") && GuestCores.Add(steady, "steady/0"), "both admitted");
            long e = RunCores(500 * Ms);
            long g = Ppm(greedy.TotalNs, e), s = Ppm(steady.TotalNs, e);
            t.Note("greedy 20/100 extra on: " + g + " ppm (extra " + greedy.ExtraNs + " ns); steady 30/100 extra off: " + s + " ppm");
            t.Equal(0, steady.ExtraNs, "none to the core without");
            if (exact)
            {
                t.True(greedy.ExtraNs > 0 && g > 600000, "the idle time went to the core with extra time");
                t.InRange(290000, 310000, s, "the other core still got its 30%, ppm");
                t.Equal(0, steady.Misses, "and missed none of its reservations");
                return Clean;
            }
            long b = Bound(t);
            t.InRange(0, b, steady.MaxOveruseNs, "the core without extra time cut within the timer latency: worst overrun, ns");
            t.InRange(0, 30 * Ms + 2 * b, steady.PeriodCpuMax, "and at most its slice in a period, plus twice that bound (see hog_share), ns");
            t.True(s <= 300000 + Ppm((steady.Periods + 1) * 2 * b, e), "its share at most 30% plus twice the event bound per period (" + s + " ppm)");
            // The CPU never idles while greedy may run: what main (probing)
            // and steady did not take went to greedy, less the switches'
            // overheads (measured at boot) of every probe wake-up.
            long mainCpu = mainCpuOfLastRun;
            long ovh = StallProbe.Wakes * OverheadProbe.For("vcore", true).PerReservationNs;
            t.Note("main (probing) took " + mainCpu + " ns in " + StallProbe.Wakes + " wake-ups; overheads allowed " + ovh + " ns");
            t.True(greedy.TotalNs + steady.TotalNs + mainCpu + ovh >= e, "greedy took all the rest (" + (greedy.TotalNs + steady.TotalNs + mainCpu) + " ns of " + e + ")");
            // Steady misses only when a period's end came later than
            // period - both slices = 50 ms, or when stalls charged to the
            // others (greedy, main's probing) took more than those 50 ms of
            // one period: a period spans at most two of StallProbe's 100 ms
            // windows, so the attempt counts only while twice the worst
            // window's stalls stay within 45 ms (5 ms left for main's
            // probing). Seen on -smp 2 and 4: 43 ms worst latency, yet a
            // period with 7.8 ms for steady.
            long slack = 50 * Ms;
            t.Note("worst 100 ms window: " + StallProbe.WorstWindowStallNs + " ns stalled");
            if (2 * StallProbe.WorstWindowStallNs > 45 * Ms) slack = 0;
            int v = Verdict(t, attempt, slack);
            if (v != Clean) return v;
            // A host stall charged to the slices (steady's, greedy's own,
            // main's probing) can take a period's whole rest, so that greedy
            // never runs past its slice: asserted once no stall went beyond
            // the slack (seen on -smp 2: a 315 ms stall, greedy 84% with 0 ns
            // extra and steady 0%).
            t.True(greedy.ExtraNs > 0, "the idle time went to the core with extra time");
            t.Equal(0, steady.Misses, "the other core missed none of its reservations");
            t.True(steady.PeriodCpuMin >= 30 * Ms, "and got its whole slice in every period (least " + steady.PeriodCpuMin + " ns)");
            return Clean;
        }

        // Pure admission logic: the same on every clock.
        private static void Admission(Check t)
        {
            Vcore a = Core("big", 100 * Ms, 60 * Ms, false, 1, 1, new HogProgram());
            Vcore b = Core("second", 100 * Ms, 50 * Ms, false, 1, 1, new HogProgram());
            t.True(GuestCores.Add(a, "big/0"), "60/100 admitted");
            t.False(GuestCores.Add(b, "second/0"), "50/100 more is an overload: rejected");
            t.True(GuestCores.RejectedCount == 1, "reported");
            if (GuestCores.RejectedCount > 0) t.Note(GuestCores.Rejected[0]);
            ulong f = Machine.DisableInterrupts();
            GuestCores.Scheduler.Remove(a);
            Machine.RestoreInterrupts(f);
            Threads.Discard(GuestCores.CoreThreads[0]);
            GuestCores.Reset();
            Vcore c = Core("second", 100 * Ms, 50 * Ms, false, 1, 1, new HogProgram());
            t.True(GuestCores.Add(c, "second/0"), "accepted after the removal");
            RunCores(10 * Ms);
        }

        // Ticks an idle program accounted for (delivered, or passed while the
        // core could not take them): every tick before the armed one.
        private static long TicksAccounted(Vcore v, IdleProgram p)
        {
            return v.TimerArmed ? v.TimerDeadline / p.TickNs - 1 : p.Ticks + p.LostTicks;
        }

        private static int Dilation(Check t, bool exact, int attempt)
        {
            // Guest time = host time x 1/2: the guest clock runs at half
            // rate, and so do the guest's 10 ms timer ticks.
            IdleProgram p = new IdleProgram();
            p.TickNs = 10 * Ms;
            Vcore slow = Core("slow", 10 * Ms, 5 * Ms, true, 1, 2, p);
            IdleProgram p2 = new IdleProgram();
            p2.TickNs = 10 * Ms;
            Vcore normal = Core("normal", 10 * Ms, 2 * Ms, true, 1, 1, p2);
            t.True(GuestCores.Add(slow, "slow/0") && GuestCores.Add(normal, "normal/0"), "admitted");
            UrgentMain.Raise();
            StallProbe.Reset();
            long t0 = Machine.Now();
            GuestCores.StartAll(t0);
            if (exact) Threads.SleepUntil(t0 + 200 * Ms);
            else StallProbe.SleepUntil(t0 + 200 * Ms);
            ulong f = Machine.DisableInterrupts();
            // The guest clocks are read between two host clock reads: each
            // must lie between the host times scaled by its dilation.
            long host = Machine.Now() - t0, vs = slow.VirtualNow(), vn = normal.VirtualNow(), host2 = Machine.Now() - t0;
            UrgentMain.Lower();
            Machine.RestoreInterrupts(f);
            GuestCores.StopAll();
            t.Note("host " + host + ".." + host2 + " ns: guest clocks " + vs + " ns (1/2) and " + vn + " ns (1/1); ticks " + slow.IrqDelivered + " and " + normal.IrqDelivered);
            if (exact)
            {
                t.InRange(host / 2 - 1000, host / 2 + 1000, vs, "the dilated guest clock read half the host time, ns");
                t.InRange(host - 1000, host + 1000, vn, "the undilated one the host time, ns");
                t.InRange(9, 11, slow.IrqDelivered, "10 ms guest ticks in 100 ms of guest time");
                t.InRange(19, 21, normal.IrqDelivered, "against 20 in 200 ms");
                return Clean;
            }
            // floor((h - base) x 1/2) for h between the two host reads.
            t.InRange(host / 2, host2 / 2, vs, "the dilated guest clock read half the host time between two host reads, ns");
            t.InRange(host, host2, vn, "the undilated one the host time, ns");
            t.True(slow.IrqDelivered > 0 && normal.IrqDelivered > 0, "both took ticks");
            t.True(slow.IrqErrorMin >= 0 && normal.IrqErrorMin >= 0, "no tick before its guest time (least errors " + slow.IrqErrorMin + ", " + normal.IrqErrorMin + " ns)");
            long as_ = TicksAccounted(slow, p), an = TicksAccounted(normal, p2);
            t.Equal(as_, p.Ticks + p.LostTicks, "the dilated guest's ticks all delivered or counted lost");
            t.Equal(an, p2.Ticks + p2.LostTicks, "the undilated guest's too");
            t.True(as_ <= vs / p.TickNs && an <= vn / p2.TickNs, "no more ticks than guest time: " + as_ + " and " + an);
            // A tick is lost only when the timer comes a whole 10 ms tick late.
            int v = Verdict(t, attempt, 10 * Ms);
            if (v != Clean) return v;
            // In a clean attempt the timer is less than a tick late, so of
            // the ticks the guest clock has passed at most the last is still
            // on its way (delivered when the core next runs).
            t.InRange(vs / p.TickNs - 1, vs / p.TickNs, as_, "the dilated guest's ticks: one per 10 ms of guest time, the last may be in flight");
            t.InRange(vn / p2.TickNs - 1, vn / p2.TickNs, an, "the undilated guest's: twice as many");
            return Clean;
        }

        private static int VirtualInterrupts(Check t, bool exact, int attempt)
        {
            IdleProgram p = new IdleProgram();
            p.TickNs = 2 * Ms;
            Vcore q = Core("ticker", 10 * Ms, 5 * Ms, true, 1, 1, p);
            t.True(GuestCores.Add(q, "ticker/0"), "admitted");
            RunCores(200 * Ms);
            t.Note("virtual interrupts: " + q.IrqDelivered + " delivered, " + p.LostTicks + " lost, error min/mean/max " + q.IrqErrorMin + "/" + q.IrqErrorMean + "/" + q.IrqErrorMax + " ns");
            if (exact)
            {
                t.True(q.IrqDelivered >= 95, "one every 2 ms");
                // The stated bound: a core with slice left, halted until its
                // interrupt, is switched in within 20 us of the deadline.
                t.InRange(0, 20000, q.IrqErrorMax, "delivery error, ns");
                return Clean;
            }
            // Every 2 ms tick is delivered or counted lost (one that passed
            // while the core could not take it), never before its time, and
            // the guest's ticks keep up with its clock until the stop, less
            // the last ones that the timer latency can still hold back.
            long b = Bound(t);
            long acc = TicksAccounted(q, p);
            long vStop = stoppedAt - q.HostBaseNs;
            t.True(q.IrqDelivered > 0, "delivered");
            t.True(q.IrqErrorMin >= 0, "never early (least error " + q.IrqErrorMin + " ns)");
            t.Equal(acc, p.Ticks + p.LostTicks, "every tick delivered or counted lost");
            t.InRange((200 * Ms - b) / p.TickNs - 1, vStop / p.TickNs, acc, "ticks accounted for in 200 ms of guest time (" + p.LostTicks + " lost)");
            return Clean;
        }

        private static int Runaway(Check t, bool exact, int attempt)
        {
            Vcore r = Core("runaway", 100 * Ms, 30 * Ms, false, 1, 1, new RunawayProgram());
            t.True(GuestCores.Add(r, "runaway/0"), "admitted");
            long e = RunCores(500 * Ms);
            t.Note("runaway 30/100: per-period CPU " + r.PeriodCpuMin + ".." + r.PeriodCpuMax + " ns over " + r.Periods + " periods, overuse " + r.OveruseNs + " ns, share " + Ppm(r.TotalNs, e) + " ppm");
            t.True(r.Periods >= 4, "ran several periods");
            if (exact)
            {
                t.InRange(30 * Ms - 50000, 30 * Ms + 50000, r.PeriodCpuMax, "cut at its 30 ms slice, ns");
                t.InRange(0, 50000, r.OveruseNs, "overuse, ns");
                return Clean;
            }
            long b = Bound(t);
            t.InRange(0, b, r.MaxOveruseNs, "each cut within the timer latency of its slice end: worst overrun, ns");
            t.InRange(30 * Ms, 30 * Ms + 2 * b, r.PeriodCpuMax, "cut at its 30 ms slice, plus twice that bound (see hog_share), ns");
            // A period gives less than the slice only when its end came more
            // than period - slice = 70 ms late.
            int v = Verdict(t, attempt, 70 * Ms);
            if (v != Clean) return v;
            t.True(r.Throttles >= r.Periods, "throttled in every period (" + r.Throttles + " throttles)");
            t.True(r.PeriodCpuMin >= 30 * Ms, "its whole slice in every period (least " + r.PeriodCpuMin + " ns)");
            return Clean;
        }

        private static int PeriodicGuest(Check t, bool exact, int attempt, bool enough)
        {
            // Demand 2/20 + 5/50 = 20% of the guest's time.
            string text = "scheduler edf\nguest name=g workload=periodic scheduler=edf\n  vcore id=0 period=100ms slice="
                + (enough ? "30ms" : "10ms") + " extra=no cpu=0\n  periodic name=a wcet=2ms period=20ms\n  periodic name=b wcet=5ms period=50ms\nend\n";
            ParseResult pr = WorkloadParser.ParseText(text);
            if (!pr.Ok) { t.Fail("test workload: " + pr.Error); return GaveUp; }
            Vcore g = GuestFactory.Create(pr.Workload.Guests[0], 0, 1, 0);
            t.True(GuestCores.Add(g, "g/0"), "admitted");
            RunCores(1000 * Ms);
            PeriodicGuestProgram p = g.Program as PeriodicGuestProgram;
            p.Finish(g);
            long jobs = 0, misses = 0;
            for (int i = 0; i < p.Stats.Length; i++) { jobs += p.Stats[i].Jobs; misses += p.Stats[i].Misses; }
            t.Note("slice " + (enough ? "30" : "10") + "/100 for a 20% demand: " + jobs + " jobs, " + misses + " misses");
            t.True(jobs > 0, "the guest's tasks ran");
            // Plain clock: a stall charged to the guest counts as work it did
            // (its clock ran on with it), so it neither helps nor harms its
            // jobs. A late release does: task a (2 ms every 20 ms, beside b's
            // 5 ms) still meets its deadline with a release up to
            // 20 - 2 - 5 = 13 ms late. A late budget cut hands the guest extra
            // work: with the 10 ms slice it must miss while that stays under
            // the 10 ms per period it lacks.
            // Stalls charged to the guest also eat its slice: with 30 ms for
            // 20 ms of demand per 100 ms period it meets every deadline only
            // while the stalls of any 100 ms window (StallProbe's) stay within
            // the 10 ms to spare; such an attempt counts as stalled beyond 0.
            if (!exact)
            {
                Bound(t);
                long slack = enough ? 13 * Ms : 10 * Ms;
                t.Note("worst 100 ms window: " + StallProbe.WorstWindowStallNs + " ns stalled");
                if (enough && StallProbe.WorstWindowStallNs > 10 * Ms) slack = 0;
                int v = Verdict(t, attempt, slack);
                if (v != Clean) return v;
            }
            if (enough) t.Equal(0, misses, "reservation covers the demand: no miss");
            else t.True(misses > 0, "reservation below the demand: misses");
            return Clean;
        }
    }
}
