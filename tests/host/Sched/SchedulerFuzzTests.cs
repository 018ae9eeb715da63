using System;
using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    /// <summary>
    /// Randomized operation sequences on a core under each policy. After every
    /// operation: the core's structural invariants (tree/bitmap/chains,
    /// heir == most urgent ready thread), a model of the state bits, the
    /// "equals never preempt" rule, and every period's invariants.
    /// </summary>
    [TestFixture]
    public class SchedulerFuzzTests
    {
        const int Threads = 24;

        static readonly string[] Policies = { "priority", "edf", "cbs" };

        [Test, Combinatorial]
        public void Fuzz([Values("priority", "edf", "cbs", "gedf")] string policy,
                         [Range(1, 12)] int seed)
        {
            Run(policy, seed, 3000);
        }

        [TestCase("priority", 1001, 20000)]
        [TestCase("edf", 1002, 20000)]
        [TestCase("cbs", 1003, 20000)]
        [TestCase("gedf", 1004, 20000)]
        public void LongFuzz(string policy, int seed, int steps)
        {
            Run(policy, seed, steps);
        }

        static void Run(string policy, int seed, int steps)
        {
            var rnd = new Random(seed * 7919 + policy.Length);
            var p = new FakePlatform();
            p.Time = 1_000_000;
            string err;
            var core = SchedCore.Create(p, policy, null, out err);
            var ts = new SchedThread[Threads];
            var model = new ThreadState[Threads];
            var inh = new PriorityNode[Threads, 2];
            var job = new PriorityNode[Threads];
            var periods = new RatePeriod[Threads];
            for (int i = 0; i < Threads; i++)
            {
                ts[i] = new SchedThread(i, rnd.Next(4) == 0 ? rnd.Next(256) : rnd.Next(8));
                core.AddThread(ts[i]);
                model[i] = ThreadState.Dormant;
                inh[i, 0] = new PriorityNode();
                inh[i, 1] = new PriorityNode();
                job[i] = new PriorityNode();
                if (i % 3 == 0) periods[i] = new RatePeriod(core, ts[i], i);
            }
            var cbs = core.Scheduler as CbsScheduler;
            if (cbs != null)
            {
                for (int i = 1; i < Threads; i += 4)
                {
                    CbsAdmission a;
                    var mode = (i & 4) != 0 ? CbsMode.Soft : CbsMode.Hard;
                    Assert.That(cbs.Attach(ts[i], new CbsServer(i, 50 + rnd.Next(200), 2000 + rnd.Next(4000), mode), out a), Is.EqualTo(CbsStatus.Ok));
                }
            }

            for (int step = 0; step < steps; step++)
            {
                SchedThread before = core.Executing;
                int i = rnd.Next(Threads);
                var t = ts[i];
                int op = rnd.Next(17);
                bool isYield = false;
                bool timeMoved = false;
                switch (op)
                {
                    case 0: core.Start(t); break;
                    case 1: if (rnd.Next(4) == 0) core.Stop(t); break;
                    case 2: core.Block(t); break;
                    case 3: case 4: core.Unblock(t); break;
                    case 5: core.Suspend(t); break;
                    case 6: core.Resume(t); break;
                    case 7: core.Yield(); isYield = true; break;
                    case 8: core.SetPriority(t, rnd.Next(4) == 0 ? rnd.Next(256) : rnd.Next(8)); break;
                    case 9: core.SetPriorityNode(t, inh[i, rnd.Next(2)], RandomValue(core, rnd, p)); break;
                    case 10: core.RemovePriority(t, inh[i, rnd.Next(2)]); break;
                    case 11: core.ReleaseJob(t, job[i], RandomDeadline(core, rnd, p, job[i])); break;
                    case 12: core.CancelJob(t, job[i]); break;
                    case 13:
                    case 14:
                    {
                        // advance time, firing timers as a platform would
                        long to = p.Time + rnd.Next(1, 3000);
                        while (p.Armed <= to)
                        {
                            if (p.Armed > p.Time) p.Time = p.Armed;
                            core.TimerFired(p.Time);
                            if (core.DispatchNeeded) core.Dispatch();
                            Check(core, ts, periods);
                        }
                        p.Time = to;
                        timeMoved = true;
                        break;
                    }
                    case 15:
                    {
                        // the executing thread ends its job
                        var e = core.Executing;
                        if (e != core.Idle && periods[e.Id] != null)
                        {
                            var st = periods[e.Id].Run(e, 500 + rnd.Next(5000));
                            Assert.That(st == PeriodStatus.Successful || st == PeriodStatus.Timeout, st.ToString());
                        }
                        break;
                    }
                    case 16:
                        if (periods[i] != null && rnd.Next(3) == 0) periods[i].Cancel(t);
                        break;
                }
                // The model of not-ready reasons (bits the fuzzer itself sets).
                ThreadState mine = ThreadState.Dormant | ThreadState.Blocked | ThreadState.Suspended;
                for (int k = 0; k < Threads; k++)
                {
                    model[k] = ts[k].State & mine;
                }
                Check(core, ts, periods);
                // Equals never preempt: unless the executing thread yielded or time
                // moved (timers may have released jobs), a ready executing thread
                // whose priority is still the most urgent keeps the CPU.
                if (!isYield && !timeMoved && before == core.Executing && before != core.Idle && before.IsReady
                    && before.EffectivePriority == MinReady(ts))
                {
                    Assert.That(core.Heir, Is.SameAs(before), "step " + step + " op " + op + ": an equal preempted");
                }
                if (core.DispatchNeeded) core.Dispatch();
                Check(core, ts, periods);
            }
        }

        static long RandomValue(SchedCore core, Random rnd, FakePlatform p)
        {
            // Mapped fixed priority, or (EDF) a deadline: what a mutex would pass on.
            if (core.Scheduler is EdfScheduler && rnd.Next(2) == 0) return p.Time + rnd.Next(1, 20_000);
            return core.Scheduler.MapPriority(rnd.Next(8));
        }

        /// <summary>
        /// A job deadline that, under EDF, exercises every path of the ready tree:
        /// at or beyond the latest ready deadline (attach at Last), at or before
        /// the earliest (attach at First), the node's own deadline again (Rekey in
        /// place), or anywhere.
        /// </summary>
        static long RandomDeadline(SchedCore core, Random rnd, FakePlatform p, PriorityNode job)
        {
            var edf = core.Scheduler as EdfScheduler;
            if (edf != null)
            {
                RbTree ready = edf.ReadyTree;
                switch (rnd.Next(6))
                {
                    case 0:
                    {
                        RbNode n = ready.Last;
                        while (n != null && !EdfScheduler.IsDeadline(n.Key)) n = RbTree.Prev(n);
                        if (n != null) return n.Key + rnd.Next(2);
                        break;
                    }
                    case 1:
                        if (ready.First != null && EdfScheduler.IsDeadline(ready.First.Key)) return Math.Max(0, ready.First.Key - rnd.Next(2));
                        break;
                    case 2:
                        if (job.InTree) return job.Key;
                        break;
                }
            }
            return p.Time + rnd.Next(1, 10_000);
        }

        static long MinReady(SchedThread[] ts)
        {
            long m = long.MaxValue;
            foreach (var t in ts) if (t.IsReady && t.EffectivePriority < m) m = t.EffectivePriority;
            return m;
        }

        static void Check(SchedCore core, SchedThread[] ts, RatePeriod[] periods)
        {
            string e = core.CheckInvariants();
            if (e != null) Assert.Fail(e);
            int ready = 0;
            foreach (var t in ts)
            {
                if (t.IsReady != t.Node.Queued) Assert.Fail("thread " + t.Id + " ready=" + t.IsReady + " queued=" + t.Node.Queued);
                if (t.IsReady) ready++;
                e = t.Priorities.Check();
                if (e != null) Assert.Fail("priorities of " + t.Id + ": " + e);
            }
            if (ready != core.Scheduler.ReadyCount) Assert.Fail("ready count");
            long min = MinReady(ts);
            if (ready == 0)
            {
                if (core.Heir != core.Idle) Assert.Fail("heir should be idle");
            }
            else if (core.Heir.EffectivePriority != min)
            {
                Assert.Fail("heir " + core.Heir.Id + " has " + core.Heir.EffectivePriority + " but " + min + " is ready");
            }
            foreach (var p in periods)
            {
                if (p == null) continue;
                e = p.CheckInvariants();
                if (e != null) Assert.Fail("period " + p.Id + ": " + e);
            }
        }
    }
}
