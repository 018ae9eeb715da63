using System;
using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Tests.VcoreTests
{
    /// <summary>
    /// A guest that does random things: runs random amounts, arms its timer in
    /// the past or the future, cancels it, halts (almost always with a timer
    /// armed). Exercises every virtual-timer and halt path.
    /// </summary>
    public sealed class ChaosProgram : GuestProgram
    {
        ulong rng;
        public ChaosProgram(ulong seed) { rng = seed | 1; Kind = "chaos"; }

        long Next(long m)
        {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
            return (long)(rng % (ulong)m);
        }

        public override void Boot(Vcore v) { v.ArmTimer(Next(3000000)); }
        public override void Executed(Vcore v, long ran) { WorkNs += ran; }
        public override void TimerInterrupt(Vcore v)
        {
            Ticks++;
            if (Next(3) != 0) v.ArmTimer(v.VirtualNow() + Next(4000000) - 100000);
        }

        public override long Run(Vcore v, long until)
        {
            switch (Next(10))
            {
                case 0:
                case 1:
                case 2:
                    if (!v.TimerArmed && Next(20) != 0) v.ArmTimer(v.VirtualNow() + 1 + Next(5000000));
                    return Halt;
                case 3: v.ArmTimer(v.VirtualNow() + Next(5000000) - 200000); return 1 + Next(300000);
                case 4: v.CancelTimer(); return 1 + Next(100000);
                default: return 1 + Next(3000000);
            }
        }
    }

    /// <summary>Randomized operations on one CPU with checks after every step (the run queue must never be corrupted).</summary>
    [TestFixture]
    public class FuzzTests
    {
        const long Us = 1000, Ms = 1000000;

        sealed class Fuzz
        {
            public readonly VcoreRig R;
            ulong rng;
            public int Attached, Rejected, Removed, Changed, HostOps;
            SchedThread bg;

            public Fuzz(ulong seed)
            {
                rng = seed * 0x9E3779B97F4A7C15UL + 1;
                R = new VcoreRig(capacity: 24);
                R.S.ExtraQuantumNs = 1 + Next(2 * Ms);
                R.S.SetShare(70 + Next(31), 100);
                // Host load inside what the share leaves: a periodic task of at most 1 - share.
                long hostPermille = (1000 - R.S.ShareNum * 1000 / R.S.ShareDen) * 9 / 10;
                if (hostPermille >= 10) R.AddHost(hostPermille * 10 * Us, 10 * Ms);
                bg = R.AddBackground(100 + (int)Next(156));
                for (int i = 0; i < 6; i++) TryAttach();
                R.StartAll();
            }

            public long Next(long m)
            {
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
                return (long)(rng % (ulong)m);
            }

            static readonly long[] Periods = { 100 * Us, 1 * Ms, 3 * Ms, 10 * Ms, 10 * Ms, 20 * Ms, 50 * Ms, 7 * Ms + 13 };
            static readonly long[,] Dil = { { 1, 1 }, { 1, 1 }, { 2, 1 }, { 1, 2 }, { 3, 1 }, { 7, 5 } };

            GuestProgram Program()
            {
                switch (Next(6))
                {
                    case 0: return new HogProgram { TickNs = 1 + Next(5 * Ms) };
                    case 1: return new RunawayProgram();
                    case 2: return new IdleProgram { TickNs = 100 * Us + Next(5 * Ms), WorkGuestNs = 1 + Next(500 * Us) };
                    case 3:
                        var tasks = new[]
                        {
                            new TaskSpec { Name = "a", Kind = TaskKind.Periodic, Wcet = 100 * Us + Next(Ms), Period = 5 * Ms, Deadline = 5 * Ms, Priority = 10 },
                            new TaskSpec { Name = "b", Kind = TaskKind.Periodic, Wcet = 100 * Us + Next(Ms), Period = 8 * Ms, Deadline = 6 * Ms, Priority = 11, Phase = Next(3 * Ms) },
                        };
                        return new PeriodicGuestProgram(tasks, Next(2) == 0 ? "edf" : "priority", rng, (int)Next(100));
                    default: return new ChaosProgram(rng);
                }
            }

            public void TryAttach()
            {
                long p = Periods[Next(Periods.Length)];
                long s = 10 * Us + Next(p / 4);
                int d = (int)Next(Dil.GetLength(0));
                var v = new Vcore("v" + (Attached + Rejected), 0, p, s, Next(2) == 0, Dil[d, 0], Dil[d, 1], Program());
                VcoreAdmission a;
                VcoreThread t;
                if (R.TryAdd(v, out a, out t) == VcoreStatus.Ok)
                {
                    Attached++;
                    if (R.S.Start(v, R.Now) != VcoreStatus.Ok) Assert.Fail("start");
                    R.Settle();
                }
                else
                {
                    Rejected++;
                    Assert.That(a.Message, Is.Not.Null.And.Not.Empty);
                }
            }

            Vcore RandomCore()
            {
                if (R.S.VcoreCount == 0) return null;
                return R.S.VcoreAt((int)Next(R.S.VcoreCount));
            }

            public void Step()
            {
                switch (Next(12))
                {
                    case 0: TryAttach(); break;
                    case 1:
                    {
                        Vcore v = RandomCore();
                        if (v != null) { Assert.That(R.S.Remove(v), Is.EqualTo(VcoreStatus.Ok)); Removed++; R.Settle(); }
                        break;
                    }
                    case 2:
                    case 3:
                    {
                        Vcore v = RandomCore();
                        if (v == null) break;
                        long p = Next(2) == 0 ? v.PeriodGuestNs : Periods[Next(Periods.Length)];
                        long s = Next(3) == 0 ? v.SliceGuestNs / 2 : 10 * Us + Next(p / 3);
                        if (s < 10 * Us) s = 10 * Us;
                        if (s > p) s = p;
                        VcoreAdmission a;
                        long oldN = v.ShareNum, oldD = v.ShareDen;
                        VcoreStatus st = R.S.SetReservation(v, p, s, Next(2) == 0, out a);
                        if (st == VcoreStatus.Ok) Changed++;
                        else if (st == VcoreStatus.AdmissionRejected)
                            Assert.That(ShareMath.Compare(a.AskedNum, a.AskedDen, oldN, oldD), Is.GreaterThan(0), "a shrink never fails");
                        R.Settle();
                        break;
                    }
                    case 4:
                        if (Next(2) == 0) R.Core.Suspend(bg); else R.Core.Resume(bg);
                        HostOps++;
                        R.Settle();
                        break;
                    default:
                        R.Advance(1 + Next(Next(4) == 0 ? 20 * Ms : 500 * Us));
                        break;
                }
                Verify();
            }

            public void Verify()
            {
                R.Check();
                long threads = R.Core.IdleTimeNs;
                for (int i = 0; i < R.NV; i++) threads += R.V[i].CpuTimeNs;
                for (int i = 0; i < R.NH; i++) threads += R.H[i].CpuTimeNs;
                threads += bg.CpuTimeNs;
                Assert.That(threads, Is.EqualTo(R.Now), "every ns charged to exactly one thread or idle");
                for (int i = 0; i < R.NV; i++)
                {
                    Vcore v = R.V[i].Guest;
                    Assert.That(v.OveruseNs, Is.EqualTo(0), v.Name + ": exact timer, no overuse");
                    Assert.That(v.Misses, Is.EqualTo(0), v.Name + ": admitted reservations are always met");
                    Assert.That(v.CurrentPeriodCpuNs, Is.LessThanOrEqualTo(v.SliceNs + v.ExtraNs), v.Name);
                    if (v.Started && !v.Removed && !v.InExtra)
                        Assert.That(v.SliceNs - v.RemainingNs, Is.LessThanOrEqualTo(v.SliceNs), v.Name);
                    // Extra time is only ever given while no core with slice left is ready.
                    if (R.Core.Executing == R.V[i] && v.InExtra)
                        for (int k = 0; k < R.NV; k++)
                        {
                            Vcore o = R.V[k].Guest;
                            if (o.Owner != null && o.Started && !o.InExtra && o.RemainingNs > 0 && R.V[k].IsReady)
                                Assert.Fail(v.Name + " on extra time while " + o.Name + " has slice left and is ready");
                        }
                }
                for (int i = 0; i < R.NH; i++) Assert.That(R.H[i].Misses, Is.EqualTo(0), "host task within 1 - share");
            }
        }

        [TestCase(1UL)]
        [TestCase(2UL)]
        [TestCase(3UL)]
        [TestCase(4UL)]
        [TestCase(5UL)]
        [TestCase(6UL)]
        [TestCase(7UL)]
        [TestCase(8UL)]
        public void RandomOperationsKeepEveryInvariant(ulong seed)
        {
            var f = new Fuzz(seed);
            for (int i = 0; i < 3000; i++) f.Step();
            TestContext.Out.WriteLine("seed " + seed + ": attached " + f.Attached + ", rejected " + f.Rejected + ", removed " + f.Removed
                + ", changed " + f.Changed + ", host ops " + f.HostOps + ", simulated " + f.R.Now / Ms + " ms, " + f.R.Steps + " steps");
            Assert.That(f.Attached, Is.GreaterThan(5));
        }
    }
}
