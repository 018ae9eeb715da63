using Osprey.Kernel.Threading;
using Osprey.Kernel.Workload;
using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.SelfTest
{
    // Guest cores on real threads and the hardware timer (on a vcore core,
    // under -icount with clock=exact): a hog held to its share,
    // extra time handed out without touching another core's reservation,
    // admission, time dilation, virtual interrupt delivery, a runaway cut at
    // its slice end, and a periodic guest meeting or missing its deadlines
    // with its reservation. Main is the most urgent thread while cores run.
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
        private static readonly PriorityNode urgent = new PriorityNode();

        private static Vcore Core(string name, long period, long slice, bool extra, long num, long den, GuestProgram p)
        {
            return new Vcore(name, 0, period, slice, extra, num, den, p);
        }

        // Runs the admitted cores for `ns`, then removes them; returns the
        // time they ran.
        private static long RunCores(long ns)
        {
            SchedCore core = Scheduling.Core;
            ulong f = Machine.DisableInterrupts();
            core.SetPriorityNode(Threads.Current, urgent, 0);
            Machine.RestoreInterrupts(f);
            long t0 = Machine.Now();
            GuestCores.StartAll(t0);
            Threads.SleepUntil(t0 + ns);
            long elapsed = Machine.Now() - t0;
            f = Machine.DisableInterrupts();
            core.RemovePriority(Threads.Current, urgent);
            Machine.RestoreInterrupts(f);
            GuestCores.StopAll();
            return elapsed;
        }

        private static long Ppm(long part, long whole) { return whole == 0 ? 0 : part * 1000000 / whole; }

        internal override void Run(int index, Check t)
        {
            if (GuestCores.Scheduler == null) { t.Fail("the running scheduler is " + Scheduling.Core.Scheduler.Name + ", not vcore"); return; }
            if (!KernelMain.Options.ExactClock) { t.Skip("share-exact tests: need clock=exact under qemu -icount"); return; }
            GuestCores.Reset();
            GuestCores.Scheduler.SetShare(1, 1);
            switch (index)
            {
                case 0:
                {
                    Vcore hog = Core("hog", 100 * Ms, 20 * Ms, false, 1, 1, new HogProgram());
                    t.True(GuestCores.Add(hog, "hog/0"), "admitted");
                    long e = RunCores(1000 * Ms);
                    long share = Ppm(hog.TotalNs, e);
                    t.Note("hog 20/100, extra off, 1 s: received " + share + " ppm, misses " + hog.Misses + ", overuse " + hog.OveruseNs + " ns");
                    t.InRange(190000, 210000, share, "share within 1 percentage point of 20%, ppm");
                    t.Equal(0, hog.Misses, "no missed reservation");
                    t.Equal(0, hog.ExtraNs, "no extra time with extra off");
                    t.True(hog.PeriodCpuMax <= 20 * Ms + 50000, "never more than its slice in a period (" + hog.PeriodCpuMax + " ns)");
                    break;
                }
                case 1:
                {
                    Vcore greedy = Core("greedy", 100 * Ms, 20 * Ms, true, 1, 1, new HogProgram());
                    Vcore steady = Core("steady", 100 * Ms, 30 * Ms, false, 1, 1, new HogProgram());
                    t.True(GuestCores.Add(greedy, "greedy/0") && GuestCores.Add(steady, "steady/0"), "both admitted");
                    long e = RunCores(500 * Ms);
                    long g = Ppm(greedy.TotalNs, e), s = Ppm(steady.TotalNs, e);
                    t.Note("greedy 20/100 extra on: " + g + " ppm (extra " + greedy.ExtraNs + " ns); steady 30/100 extra off: " + s + " ppm");
                    t.True(greedy.ExtraNs > 0 && g > 600000, "the idle time went to the core with extra time");
                    t.InRange(290000, 310000, s, "the other core still got its 30%, ppm");
                    t.Equal(0, steady.Misses, "and missed none of its reservations");
                    break;
                }
                case 2:
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
                    break;
                }
                case 3:
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
                    SchedCore core = Scheduling.Core;
                    ulong f = Machine.DisableInterrupts();
                    core.SetPriorityNode(Threads.Current, urgent, 0);
                    Machine.RestoreInterrupts(f);
                    long t0 = Machine.Now();
                    GuestCores.StartAll(t0);
                    Threads.SleepUntil(t0 + 200 * Ms);
                    f = Machine.DisableInterrupts();
                    long host = Machine.Now() - t0, vs = slow.VirtualNow(), vn = normal.VirtualNow();
                    core.RemovePriority(Threads.Current, urgent);
                    Machine.RestoreInterrupts(f);
                    GuestCores.StopAll();
                    t.Note("host " + host + " ns: guest clocks " + vs + " ns (1/2) and " + vn + " ns (1/1); ticks " + slow.IrqDelivered + " and " + normal.IrqDelivered);
                    t.InRange(host / 2 - 1000, host / 2 + 1000, vs, "the dilated guest clock read half the host time, ns");
                    t.InRange(host - 1000, host + 1000, vn, "the undilated one the host time, ns");
                    t.InRange(9, 11, slow.IrqDelivered, "10 ms guest ticks in 100 ms of guest time");
                    t.InRange(19, 21, normal.IrqDelivered, "against 20 in 200 ms");
                    break;
                }
                case 4:
                {
                    IdleProgram p = new IdleProgram();
                    p.TickNs = 2 * Ms;
                    Vcore q = Core("ticker", 10 * Ms, 5 * Ms, true, 1, 1, p);
                    t.True(GuestCores.Add(q, "ticker/0"), "admitted");
                    RunCores(200 * Ms);
                    t.Note("virtual interrupts: " + q.IrqDelivered + " delivered, error min/mean/max " + q.IrqErrorMin + "/" + q.IrqErrorMean + "/" + q.IrqErrorMax + " ns");
                    t.True(q.IrqDelivered >= 95, "one every 2 ms");
                    // The stated bound: a core with slice left, halted until its
                    // interrupt, is switched in within 20 us of the deadline.
                    t.InRange(0, 20000, q.IrqErrorMax, "delivery error, ns");
                    break;
                }
                case 5:
                {
                    Vcore r = Core("runaway", 100 * Ms, 30 * Ms, false, 1, 1, new RunawayProgram());
                    t.True(GuestCores.Add(r, "runaway/0"), "admitted");
                    long e = RunCores(500 * Ms);
                    t.Note("runaway 30/100: per-period CPU " + r.PeriodCpuMin + ".." + r.PeriodCpuMax + " ns over " + r.Periods + " periods, overuse " + r.OveruseNs + " ns, share " + Ppm(r.TotalNs, e) + " ppm");
                    t.True(r.Periods >= 4, "ran several periods");
                    t.InRange(30 * Ms - 50000, 30 * Ms + 50000, r.PeriodCpuMax, "cut at its 30 ms slice, ns");
                    t.InRange(0, 50000, r.OveruseNs, "overuse, ns");
                    break;
                }
                case 6:
                case 7:
                {
                    // Demand 2/20 + 5/50 = 20% of the guest's time.
                    string text = "scheduler edf\nguest name=g workload=periodic scheduler=edf\n  vcore id=0 period=100ms slice="
                        + (index == 6 ? "30ms" : "10ms") + " extra=no cpu=0\n  periodic name=a wcet=2ms period=20ms\n  periodic name=b wcet=5ms period=50ms\nend\n";
                    ParseResult pr = WorkloadParser.ParseText(text);
                    if (!pr.Ok) { t.Fail("test workload: " + pr.Error); return; }
                    Vcore g = GuestFactory.Create(pr.Workload.Guests[0], 0, 1, 0);
                    t.True(GuestCores.Add(g, "g/0"), "admitted");
                    RunCores(1000 * Ms);
                    PeriodicGuestProgram p = g.Program as PeriodicGuestProgram;
                    p.Finish(g);
                    long jobs = 0, misses = 0;
                    for (int i = 0; i < p.Stats.Length; i++) { jobs += p.Stats[i].Jobs; misses += p.Stats[i].Misses; }
                    t.Note("slice " + (index == 6 ? "30" : "10") + "/100 for a 20% demand: " + jobs + " jobs, " + misses + " misses");
                    t.True(jobs > 0, "the guest's tasks ran");
                    if (index == 6) t.Equal(0, misses, "reservation covers the demand: no miss");
                    else t.True(misses > 0, "reservation below the demand: misses");
                    break;
                }
            }
        }
    }
}
