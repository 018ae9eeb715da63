using NUnit.Framework;
using Osprey.Sched;
using Osprey.Tests.Sched;

namespace Osprey.Tests.VcoreTests
{
    /// <summary>
    /// A host periodic task beside the guest cores: the RTEMS loop
    /// {period(T); work C} on a RatePeriod; a job finishing after
    /// release + T is a miss.
    /// </summary>
    public sealed class HostTask : SchedThread
    {
        public readonly long C, T;
        public RatePeriod Period;
        public long Left;
        public long Release;
        public bool InJob;
        public long Jobs, Misses;

        public HostTask(int id, long c, long t) : base(id, 10, "host" + id) { C = c; T = t; }
    }

    /// <summary>
    /// One CPU on a fake platform with the vcore scheduler, guest cores run by
    /// VcoreThreads, host periodic tasks and always-ready host background
    /// threads, driven like the kernel: dispatch when asked, the one-shot at
    /// its time, guest steps whenever the executing core must act. No
    /// allocation in RunUntil (the allocation test measures it).
    /// </summary>
    public sealed class VcoreRig
    {
        public readonly FakePlatform P = new FakePlatform();
        public readonly SchedCore Core;
        public readonly VcoreScheduler S;
        public VcoreThread[] V;
        public readonly HostTask[] H;
        public int NV, NH;
        public bool CheckEveryStep = true;
        public long Steps;
        int nextId = 1;

        public VcoreRig(int capacity = 64, int hosts = 16)
        {
            S = new VcoreScheduler(capacity);
            Core = new SchedCore(P, S, null);
            V = new VcoreThread[capacity + 8];
            H = new HostTask[hosts];
        }

        public long Now { get { return P.Time; } }

        public Vcore NewCore(string name, long period, long slice, bool extra, GuestProgram prog, long num = 1, long den = 1)
        {
            return new Vcore(name, 0, period, slice, extra, num, den, prog);
        }

        /// <summary>Attach (must be admitted) and remember the thread; not started.</summary>
        public VcoreThread Add(Vcore v)
        {
            VcoreAdmission a;
            VcoreThread t;
            VcoreStatus st = TryAdd(v, out a, out t);
            Assert.That(st, Is.EqualTo(VcoreStatus.Ok), a.Message);
            return t;
        }

        public VcoreThread Add(string name, long period, long slice, bool extra, GuestProgram prog, long num = 1, long den = 1)
        {
            return Add(NewCore(name, period, slice, extra, prog, num, den));
        }

        public VcoreStatus TryAdd(Vcore v, out VcoreAdmission a, out VcoreThread t)
        {
            t = new VcoreThread(nextId++, v);
            VcoreStatus st = S.Attach(t, v, out a);
            if (st == VcoreStatus.Ok)
            {
                if (NV == V.Length) System.Array.Resize(ref V, V.Length * 2);
                V[NV++] = t;
            }
            else t = null;
            return st;
        }

        /// <summary>Start every attached core that has not started, at the current time.</summary>
        public void StartAll()
        {
            for (int i = 0; i < NV; i++)
                if (!V[i].Guest.Started && !V[i].Guest.Removed) Assert.That(S.Start(V[i].Guest, P.Time), Is.EqualTo(VcoreStatus.Ok));
            Settle();
        }

        public HostTask AddHost(long c, long t)
        {
            HostTask h = new HostTask(nextId++, c, t);
            Core.AddThread(h);
            h.Period = new RatePeriod(Core, h, h.Id);
            Core.Start(h);
            h.Period.Run(h, t);
            h.Release = P.Time;
            h.Left = c;
            h.InJob = true;
            H[NH++] = h;
            Settle();
            return h;
        }

        public SchedThread AddBackground(int priority)
        {
            SchedThread b = new SchedThread(nextId++, priority, "bg");
            Core.AddThread(b);
            Core.Start(b);
            Settle();
            return b;
        }

        public void Check()
        {
            string e = Core.CheckInvariants();
            if (e == null)
            {
                for (int i = 0; i < NV && e == null; i++)
                {
                    PeriodicGuestProgram pg = V[i].Guest.Program as PeriodicGuestProgram;
                    if (pg != null && V[i].Guest.Started) e = pg.CheckInvariants();
                }
            }
            if (e != null) Assert.Fail("t=" + P.Time + ": " + e);
        }

        /// <summary>Dispatch and let the executing thread act until nothing changes at this instant.</summary>
        public void Settle()
        {
            for (int guard = 0; guard < 10000; guard++)
            {
                if (Core.DispatchNeeded) { Core.Dispatch(); continue; }
                SchedThread x = Core.Executing;
                VcoreThread vt = x as VcoreThread;
                if (vt != null && vt.IsReady && vt.Act()) continue;
                HostTask h = x as HostTask;
                if (h != null && h.IsReady && h.InJob && h.Left <= 0) { Complete(h); continue; }
                if (CheckEveryStep) Check();
                return;
            }
            Assert.Fail("no progress at t=" + P.Time);
        }

        void Complete(HostTask h)
        {
            h.InJob = false;
            h.Jobs++;
            if (P.Time > h.Release + h.T) h.Misses++;
            h.Period.Run(h, h.T);
            // Successful: blocked until the next period, which releases the job; Timeout: late, next job at once.
            h.Release += h.T;
            h.Left = h.C;
            h.InJob = true;
        }

        /// <summary>Run to 'end': the one-shot fires at its time, the executing thread consumes CPU.</summary>
        public void RunUntil(long end)
        {
            Settle();
            while (true)
            {
                long next = end;
                if (P.Armed < next) next = P.Armed;
                SchedThread x = Core.Executing;
                VcoreThread vt = x as VcoreThread;
                HostTask h = x as HostTask;
                if (vt != null && vt.IsReady && vt.RunFor > 0 && P.Time + vt.RunFor < next) next = P.Time + vt.RunFor;
                if (h != null && h.IsReady && h.InJob && P.Time + h.Left < next) next = P.Time + h.Left;
                if (next < P.Time) next = P.Time;
                long dt = next - P.Time;
                if (vt != null && vt.IsReady) vt.Consume(dt);
                if (h != null && h.IsReady && h.InJob) h.Left -= dt;
                P.Time = next;
                Steps++;
                // A host job done now completes before the timers due now.
                if (h != null && h.IsReady && h.InJob && h.Left <= 0 && Core.Executing == h) { Complete(h); if (Core.DispatchNeeded) Core.Dispatch(); }
                if (P.Armed <= P.Time) Core.TimerFired(P.Time);
                Settle();
                if (P.Time >= end && P.Armed > P.Time) break;
            }
            Core.Charge();
        }

        public void Advance(long ns) { RunUntil(P.Time + ns); }
    }
}
