using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.SelfTest
{
    // The portable guest-core layer (sched/vcore) as compiled into the kernel
    // by ilc, driven on a virtual clock with the simulator's thread model
    // (VcoreThread): the same code the host tests cover, here checked to
    // behave the same under the kernel runtime (128-bit share arithmetic,
    // nested guest cores, report text). Real guest threads on the APIC timer
    // are covered by the guests suite (GuestSuite.cs).
    internal sealed class VcoreSuite : Suite
    {
        private const long Us = 1000, Ms = 1000000, S = 1000000000;

        internal override string Name { get { return "vcore"; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] { "admission_exact", "hog_gets_its_slice", "runaway_cut_at_slice_end", "extra_time_to_idle_only",
                    "dilation_and_virtual_timer", "periodic_guest_meets_deadlines", "guests_from_a_workload_file" };
            }
        }

        private sealed class ClockPlatform : Platform
        {
            internal long Time;
            internal long Armed = long.MaxValue;
            public override long Now() { return Time; }
            public override void ArmTimer(long absoluteNs) { Armed = absoluteNs; }
            public override void RequestSwitch() { }
        }

        // One CPU: the core, its vcore scheduler and the guest threads.
        private sealed class Cpu
        {
            internal readonly ClockPlatform P = new ClockPlatform();
            internal readonly SchedCore Core;
            internal readonly VcoreScheduler S;
            internal readonly VcoreThread[] T = new VcoreThread[16];
            internal int N;
            internal string Error;

            internal Cpu()
            {
                S = new VcoreScheduler(16);
                Core = new SchedCore(P, S, null);
            }

            internal Vcore Add(string name, long period, long slice, bool extra, GuestProgram prog, long num, long den, Check t)
            {
                Vcore v = new Vcore(name, 0, period, slice, extra, num, den, prog);
                VcoreThread th = new VcoreThread(N + 1, v);
                VcoreAdmission a;
                VcoreStatus st = S.Attach(th, v, out a);
                if (!t.True(st == VcoreStatus.Ok, "core " + name + " admitted")) return v;
                T[N++] = th;
                return v;
            }

            internal void StartAll()
            {
                for (int i = 0; i < N; i++) S.Start(T[i].Guest, P.Time);
            }

            void Settle()
            {
                for (int guard = 0; guard < 10000; guard++)
                {
                    if (Core.DispatchNeeded) { Core.Dispatch(); continue; }
                    VcoreThread x = Core.Executing as VcoreThread;
                    if (x != null && x.IsReady && x.Act()) continue;
                    if (Error == null) Error = Core.CheckInvariants();
                    return;
                }
                if (Error == null) Error = "no progress";
            }

            internal void RunUntil(long end)
            {
                Settle();
                while (true)
                {
                    long next = end;
                    if (P.Armed < next) next = P.Armed;
                    VcoreThread x = Core.Executing as VcoreThread;
                    if (x != null && x.IsReady && x.RunFor > 0 && P.Time + x.RunFor < next) next = P.Time + x.RunFor;
                    if (next < P.Time) next = P.Time;
                    if (x != null && x.IsReady) x.Consume(next - P.Time);
                    P.Time = next;
                    if (P.Armed <= P.Time) Core.TimerFired(P.Time);
                    Settle();
                    if (P.Time >= end && P.Armed > P.Time) break;
                }
                Core.Charge();
            }
        }

        internal override void Run(int index, Check t)
        {
            switch (index)
            {
                case 0: Admission(t); break;
                case 1:
                {
                    Cpu c = new Cpu();
                    Vcore hog = c.Add("hog", 100 * Ms, 20 * Ms, false, new HogProgram(), 1, 1, t);
                    c.StartAll();
                    c.RunUntil(1 * S);
                    t.True(c.Error == null, "invariants hold");
                    t.Equal(200 * Ms, hog.TotalNs, "exactly 20% over 1 s");
                    t.Equal(20 * Ms, hog.PeriodCpuMin, "every period the slice");
                    t.Equal(0, hog.OveruseNs, "no overuse");
                    t.Equal(0, hog.Misses, "no miss");
                    break;
                }
                case 2:
                {
                    Cpu c = new Cpu();
                    Vcore run = c.Add("runaway", 10 * Ms, 3 * Ms, false, new RunawayProgram(), 1, 1, t);
                    c.Add("hog", 10 * Ms, 5 * Ms, true, new HogProgram(), 1, 1, t);
                    c.StartAll();
                    c.RunUntil(1 * S);
                    t.True(c.Error == null, "invariants hold");
                    t.Equal(100, run.Throttles, "cut in every period");
                    t.Equal(3 * Ms, run.PeriodCpuMax, "never more than the slice");
                    t.Equal(3 * Ms, run.PeriodCpuMin, "never less");
                    t.Equal(0, run.OveruseNs, "no overuse");
                    break;
                }
                case 3:
                {
                    Cpu c = new Cpu();
                    Vcore hog = c.Add("hog", 100 * Ms, 20 * Ms, true, new HogProgram(), 1, 1, t);
                    Vcore run = c.Add("runaway", 100 * Ms, 30 * Ms, false, new RunawayProgram(), 1, 1, t);
                    c.StartAll();
                    c.RunUntil(1 * S);
                    t.True(c.Error == null, "invariants hold");
                    t.Equal(300 * Ms, run.TotalNs, "the reservation is untouched");
                    t.Equal(700 * Ms, hog.TotalNs, "the hog gets its slice and all idle time");
                    t.Equal(500 * Ms, hog.ExtraNs, "extra time");
                    break;
                }
                case 4:
                {
                    Cpu c = new Cpu();
                    IdleProgram p = new IdleProgram();
                    Vcore slow = c.Add("slow", 100 * Ms, 10 * Ms, false, p, 1, 2, t);
                    c.StartAll();
                    c.RunUntil(1 * S);
                    Cpu c2 = new Cpu();
                    Vcore fast = c2.Add("fast", 100 * Ms, 10 * Ms, false, new IdleProgram(), 2, 1, t);
                    c2.StartAll();
                    c2.RunUntil(1 * S);
                    t.True(c.Error == null && c2.Error == null, "invariants hold");
                    t.Equal(500 * Ms, slow.VirtualNow(), "dilation 1/2: half a guest second");
                    t.Equal(2 * S, fast.VirtualNow(), "dilation 2/1: two guest seconds");
                    t.Equal(50, p.Ticks, "10 ms guest ticks at half speed");
                    t.Equal(0, slow.IrqErrorMax, "delivered at the deadline");
                    t.True(fast.IrqErrorMax <= 1, "within a host nanosecond");
                    break;
                }
                case 5:
                {
                    Cpu c = new Cpu();
                    TaskSpec[] tasks = new TaskSpec[2];
                    tasks[0] = Task("sense", 2 * Ms, 20 * Ms, 10);
                    tasks[1] = Task("act", 5 * Ms, 40 * Ms, 11);
                    PeriodicGuestProgram g = new PeriodicGuestProgram(tasks, "edf", 1, 0);
                    Vcore v = c.Add("rt", 20 * Ms, 6 * Ms, false, g, 2, 1, t);
                    c.Add("hog", 100 * Ms, 40 * Ms, true, new HogProgram(), 1, 1, t);
                    c.StartAll();
                    c.RunUntil(1 * S);
                    g.Finish(v);
                    t.True(c.Error == null, "invariants hold");
                    t.True(g.CheckInvariants() == null, "guest core invariants hold");
                    t.Equal(101, g.Stats[0].Released, "sense released every 20 ms of guest time");
                    t.True(g.Stats[0].Jobs >= 99, "sense jobs done");
                    t.Equal(0, g.Stats[0].Misses + g.Stats[1].Misses, "no guest deadline missed");
                    break;
                }
                case 6: FromFile(t); break;
            }
        }

        private static TaskSpec Task(string name, long wcet, long period, int prio)
        {
            TaskSpec s = new TaskSpec();
            s.Name = name;
            s.Kind = TaskKind.Periodic;
            s.Wcet = wcet;
            s.Period = period;
            s.Deadline = period;
            s.Priority = prio;
            return s;
        }

        private static void Admission(Check t)
        {
            Cpu c = new Cpu();
            c.Add("a", 3 * Ms, 1 * Ms, false, new HogProgram(), 1, 1, t);
            c.Add("b", 6 * Ms, 2 * Ms, false, new HogProgram(), 1, 1, t);
            c.Add("c", 9 * Ms, 3 * Ms, false, new HogProgram(), 1, 1, t);
            Vcore d = new Vcore("d", 0, 10 * S, 10 * Us, false, 1, 1, new HogProgram());
            VcoreAdmission a;
            t.True(c.S.Attach(new VcoreThread(20, d), d, out a) == VcoreStatus.AdmissionRejected, "full CPU rejects");
            t.Equal("field 'slice': vcore d/0 on cpu 0: asks 1/1000000 (0.0001%, 1 ppm) of the CPU (slice 10us per period 10s at dilation 1/1) "
                + "but only 0/1 (0%, 0 ppm) is left of the share 1/1 (100%, 1000000 ppm)", a.Message, "rejection message");
            t.True(c.S.Remove(c.T[0].Guest) == VcoreStatus.Ok, "remove frees");
            t.True(c.S.Attach(new VcoreThread(21, d), d, out a) == VcoreStatus.Ok, "accepted after a removal");
            Vcore third = new Vcore("third", 0, 100 * Ms, 10 * Ms, false, 3, 1, new HogProgram());
            Cpu c2 = new Cpu();
            c2.S.Attach(new VcoreThread(1, third), third, out a);
            t.Equal(9999999, a.AskedNum, "dilated share numerator");
            t.Equal(100000000, a.AskedDen, "dilated share denominator");
        }

        private static void FromFile(Check t)
        {
            string text = "share 90%\nguest name=hog workload=hog\n  vcore period=100ms slice=20ms\nend\n"
                + "guest name=rt workload=periodic dilation=2/1\n  vcore period=20ms slice=6ms\n  periodic name=a wcet=2ms period=20ms\nend\n"
                + "guest name=big workload=runaway\n  vcore period=100ms slice=50ms\nend\n";
            ParseResult r = WorkloadParser.ParseText(text);
            if (!t.True(r.Ok, "workload parses")) return;
            WorkloadSpec w = r.Workload;
            Cpu c = new Cpu();
            c.S.SetShare(w.ShareNum, w.ShareDen);
            int rejected = 0;
            string message = null;
            for (int gi = 0; gi < w.Guests.Length; gi++)
            {
                for (int i = 0; i < w.Guests[gi].Vcores.Length; i++)
                {
                    Vcore v = GuestFactory.Create(w.Guests[gi], i, w.Seed, gi);
                    VcoreThread th = new VcoreThread(c.N + 1, v);
                    VcoreAdmission a;
                    if (c.S.Attach(th, v, out a) == VcoreStatus.Ok) c.T[c.N++] = th;
                    else { rejected++; message = a.Message; }
                }
            }
            t.Equal(1, rejected, "the core over the share is rejected");
            t.True(message != null && message.Length > 0 && message[0] == 'l', "its message names the line");
            c.StartAll();
            c.RunUntil(500 * Ms);
            t.True(c.Error == null, "invariants hold");
            string line = VcoreReport.Line(c.T[0].Guest, 500 * Ms);
            t.True(line.Length > 40, "report line");
            t.Equal("hog/0          hog           1/1    100ms     20ms    no       20%       20%     100ms          0      0        0       5      20ms      20ms",
                line, "hog row");
        }
    }
}
