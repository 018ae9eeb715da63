using System;
using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    /// <summary>
    /// A tiny test-only driver for periodic task sets (the real simulator is
    /// sched/sim). Each task: activate its period at time 0, then loop
    /// {work C; Run(T)}. A job finishing after its deadline is a miss.
    /// Completion at an instant is processed before timers at that instant.
    /// </summary>
    public sealed class MiniSim
    {
        public readonly FakePlatform P = new FakePlatform();
        public readonly SchedCore Core;
        public readonly SchedThread[] Threads;
        public readonly RatePeriod[] Periods;
        public readonly long[] C, T;
        public readonly long[] Remaining;
        public readonly long[] Misses;
        public readonly long[] Jobs;
        public uint MaxPostponed;

        public MiniSim(string policy, long[] c, long[] t, int[] prio)
        {
            string err;
            Core = SchedCore.Create(P, policy, null, out err);
            int n = c.Length;
            C = c; T = t;
            Threads = new SchedThread[n];
            Periods = new RatePeriod[n];
            Remaining = new long[n];
            Misses = new long[n];
            Jobs = new long[n];
            for (int i = 0; i < n; i++)
            {
                Threads[i] = new SchedThread(i, prio[i]);
                Core.AddThread(Threads[i]);
                Periods[i] = new RatePeriod(Core, Threads[i], i);
            }
            for (int i = 0; i < n; i++)
            {
                Core.Start(Threads[i]);
                Periods[i].Run(Threads[i], T[i]);
                Remaining[i] = C[i];
                Jobs[i] = 1;
            }
            if (Core.DispatchNeeded) Core.Dispatch();
        }

        public long TotalMisses
        {
            get { long m = 0; foreach (var x in Misses) m += x; return m; }
        }

        public void RunUntil(long end)
        {
            while (P.Time < end)
            {
                var e = Core.Executing;
                long next = P.Armed < end ? P.Armed : end;
                if (e != Core.Idle)
                {
                    long done = P.Time + Remaining[e.Id];
                    if (done <= next)
                    {
                        P.Time = done;
                        Remaining[e.Id] = 0;
                        Core.Charge();
                        if (P.Time > Periods[e.Id].JobDeadline) Misses[e.Id]++;
                        var st = Periods[e.Id].Run(e, T[e.Id]);
                        Assert.That(st == PeriodStatus.Successful || st == PeriodStatus.Timeout, st.ToString());
                        Remaining[e.Id] = C[e.Id];
                        Jobs[e.Id]++;
                        if (Core.DispatchNeeded) Core.Dispatch();
                        continue;
                    }
                    Remaining[e.Id] -= next - P.Time;
                }
                P.Time = next;
                if (P.Armed <= P.Time)
                {
                    Core.TimerFired(P.Time);
                    for (int i = 0; i < Periods.Length; i++)
                        if (Periods[i].PostponedJobs > MaxPostponed) MaxPostponed = Periods[i].PostponedJobs;
                }
                if (Core.DispatchNeeded) Core.Dispatch();
            }
            // A job still unfinished when the run ends at or after its deadline is a miss too.
            for (int i = 0; i < Periods.Length; i++)
                if (!Threads[i].Has(ThreadState.PeriodWait) && Remaining[i] > 0 && P.Time >= Periods[i].JobDeadline) Misses[i]++;
        }
    }

    [TestFixture]
    public class ClassicSetTests
    {
        static int[] RmPriorities(long[] t)
        {
            var p = new int[t.Length];
            for (int i = 0; i < t.Length; i++)
            {
                int rank = 0;
                for (int j = 0; j < t.Length; j++) if (t[j] < t[i] || (t[j] == t[i] && j < i)) rank++;
                p[i] = rank + 1;
            }
            return p;
        }

        const long Ms = 1_000_000;

        [Test]
        public void EdfMeetsEveryDeadlineAtFullUtilisationWhereFixedPriorityMisses()
        {
            long[] c = { 3 * Ms, 4 * Ms };
            long[] t = { 6 * Ms, 8 * Ms }; // U = 1, not harmonic
            var edf = new MiniSim("edf", c, t, RmPriorities(t));
            edf.RunUntil(24 * Ms * 10);
            Assert.That(edf.TotalMisses, Is.EqualTo(0));
            Assert.That(edf.Core.IdleTimeNs, Is.EqualTo(0), "U = 1: never idle");
            var fp = new MiniSim("priority", c, t, RmPriorities(t));
            fp.RunUntil(24 * Ms * 10);
            Assert.That(fp.TotalMisses, Is.GreaterThan(0));
            Assert.That(fp.Misses[0], Is.EqualTo(0), "the highest-priority task never misses");
        }

        [TestCase("priority")]
        [TestCase("edf")]
        [TestCase("cbs")]
        public void HarmonicFullUtilisationMeetsUnderBothPolicies(string policy)
        {
            long[] c = { 1 * Ms, 2 * Ms, 4 * Ms };
            long[] t = { 4 * Ms, 8 * Ms, 16 * Ms }; // U = 1/4 + 1/4 + 1/4 = 0.75
            long[] c2 = { 2 * Ms, 2 * Ms, 4 * Ms }; // U = 1/2 + 1/4 + 1/4 = 1
            var s = new MiniSim(policy, c2, t, RmPriorities(t));
            s.RunUntil(16 * Ms * 20);
            Assert.That(s.TotalMisses, Is.EqualTo(0));
            var s2 = new MiniSim(policy, c, t, RmPriorities(t));
            s2.RunUntil(16 * Ms * 20);
            Assert.That(s2.TotalMisses, Is.EqualTo(0));
            Assert.That(s2.Jobs[0], Is.GreaterThanOrEqualTo(80));
        }

        [TestCase("edf")]
        [TestCase("priority")]
        public void OverloadShowsAsGrowingPostponedJobs(string policy)
        {
            long[] c = { 3 * Ms, 6 * Ms };
            long[] t = { 6 * Ms, 8 * Ms }; // U = 1.25
            var s = new MiniSim(policy, c, t, RmPriorities(t));
            s.RunUntil(48 * Ms);
            uint early = s.MaxPostponed;
            s.RunUntil(480 * Ms);
            Assert.That(s.TotalMisses, Is.GreaterThan(0));
            Assert.That(s.MaxPostponed, Is.GreaterThan(early));
            PeriodStatistics st;
            s.Periods[1].GetStatistics(out st);
            Assert.That(st.MissedCount, Is.GreaterThan(0));
        }

        static long Gcd(long a, long b) { while (b != 0) { long x = a % b; a = b; b = x; } return a; }

        /// <summary>Exact response-time analysis for independent implicit-deadline tasks, priorities by index order given.</summary>
        static bool RtaSchedulable(long[] c, long[] t, int[] prio)
        {
            for (int i = 0; i < c.Length; i++)
            {
                long r = c[i];
                while (true)
                {
                    long next = c[i];
                    for (int j = 0; j < c.Length; j++)
                        if (j != i && (prio[j] < prio[i] || (prio[j] == prio[i] && j < i)))
                            next += (r + t[j] - 1) / t[j] * c[j];
                    if (next > t[i]) return false;
                    if (next == r) break;
                    r = next;
                }
            }
            return true;
        }

        /// <summary>
        /// Random implicit-deadline sets: EDF meets every deadline over the
        /// hyperperiod exactly when U &lt;= 1; fixed priority (rate-monotonic,
        /// distinct priorities) exactly when response-time analysis accepts.
        /// </summary>
        [TestCase(1)]
        [TestCase(2)]
        [TestCase(3)]
        [TestCase(4)]
        public void RandomSetsAgreeWithExactTests(int seed)
        {
            var rnd = new Random(seed);
            long[] periodsMenu = { 4, 5, 6, 8, 10, 12, 15, 20, 24, 30 };
            int accepted = 0, rejected = 0;
            for (int k = 0; k < 150; k++)
            {
                int n = 2 + rnd.Next(3);
                var c = new long[n];
                var t = new long[n];
                long h = 1;
                long un = 0; // utilisation numerator over h later
                for (int i = 0; i < n; i++)
                {
                    t[i] = periodsMenu[rnd.Next(periodsMenu.Length)];
                    c[i] = 1 + rnd.Next((int)t[i] / 2 + 1);
                    h = h / Gcd(h, t[i]) * t[i];
                }
                for (int i = 0; i < n; i++) un += c[i] * (h / t[i]);
                bool edfOk = un <= h;
                var prio = RmPriorities(t);
                bool fpOk = RtaSchedulable(c, t, prio);
                long scale = 1000;
                var cs = new long[n]; var ts = new long[n];
                for (int i = 0; i < n; i++) { cs[i] = c[i] * scale; ts[i] = t[i] * scale; }

                var e = new MiniSim("edf", cs, ts, prio);
                e.RunUntil(h * scale);
                Assert.That(e.TotalMisses == 0, Is.EqualTo(edfOk), "EDF set " + k + " U=" + un + "/" + h);
                var f = new MiniSim("priority", cs, ts, prio);
                f.RunUntil(h * scale);
                Assert.That(f.TotalMisses == 0, Is.EqualTo(fpOk), "FP set " + k);
                if (edfOk) accepted++; else rejected++;
            }
            Assert.That(accepted, Is.GreaterThan(10));
            Assert.That(rejected, Is.GreaterThan(10));
        }
    }
}
