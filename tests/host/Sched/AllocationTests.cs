using System;
using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    /// <summary>Scheduling, timer and period paths allocate nothing after setup.</summary>
    [TestFixture]
    public class AllocationTests
    {
        sealed class Rig2
        {
            public FakePlatform P = new FakePlatform();
            public SchedCore Core;
            public SchedThread[] T;
            public PriorityNode[] Job;
            public PriorityNode[] Inh;
            public RatePeriod[] Per;
            public ulong Rng = 88172645463325252UL;

            public Rig2(string policy, int n)
            {
                string err;
                Core = SchedCore.Create(P, policy, null, out err);
                T = new SchedThread[n];
                Job = new PriorityNode[n];
                Inh = new PriorityNode[n];
                Per = new RatePeriod[n];
                for (int i = 0; i < n; i++)
                {
                    T[i] = new SchedThread(i, i % 32);
                    Core.AddThread(T[i]);
                    Job[i] = new PriorityNode();
                    Inh[i] = new PriorityNode();
                    Per[i] = new RatePeriod(Core, T[i], i);
                    Core.Start(T[i]);
                }
                var cbs = Core.Scheduler as CbsScheduler;
                if (cbs != null)
                {
                    for (int i = 0; i < n; i += 8)
                    {
                        CbsAdmission a;
                        cbs.Attach(T[i], new CbsServer(i, 100, 10_000, (i & 8) != 0 ? CbsMode.Soft : CbsMode.Hard), out a);
                    }
                }
            }

            int Next(int m)
            {
                Rng ^= Rng << 13; Rng ^= Rng >> 7; Rng ^= Rng << 17;
                return (int)(Rng % (ulong)m);
            }

            public void Ops(int count)
            {
                for (int k = 0; k < count; k++)
                {
                    int i = Next(T.Length);
                    var t = T[i];
                    switch (Next(10))
                    {
                        case 0: Core.Block(t); break;
                        case 1: Core.Unblock(t); break;
                        case 2: Core.Yield(); break;
                        case 3: Core.SetPriority(t, Next(32)); break;
                        case 4: Core.ReleaseJob(t, Job[i], P.Time + 1 + Next(50_000)); break;
                        case 5: Core.CancelJob(t, Job[i]); break;
                        case 6: Core.SetPriorityNode(t, Inh[i], Core.Scheduler.MapPriority(Next(32))); break;
                        case 7: Core.RemovePriority(t, Inh[i]); break;
                        case 8:
                        {
                            var e = Core.Executing;
                            if (e != Core.Idle) Per[e.Id].Run(e, 1000 + Next(20_000));
                            break;
                        }
                        case 9:
                        {
                            long to = P.Time + 1 + Next(2000);
                            while (P.Armed <= to)
                            {
                                if (P.Armed > P.Time) P.Time = P.Armed;
                                Core.TimerFired(P.Time);
                                if (Core.DispatchNeeded) Core.Dispatch();
                            }
                            P.Time = to;
                            Core.Unblock(t);
                            break;
                        }
                    }
                    if (Core.DispatchNeeded) Core.Dispatch();
                }
            }
        }

        [TestCase("priority", 10)]
        [TestCase("priority", 1000)]
        [TestCase("edf", 10)]
        [TestCase("edf", 1000)]
        [TestCase("cbs", 10)]
        [TestCase("cbs", 1000)]
        [TestCase("gedf", 10)]
        [TestCase("gedf", 1000)]
        public void SchedulingPathsAllocateNothing(string policy, int threads)
        {
            var r = new Rig2(policy, threads);
            r.Ops(20_000); // warm-up (JIT, static initializers)
            long before = GC.GetAllocatedBytesForCurrentThread();
            r.Ops(5_000);
            long after = GC.GetAllocatedBytesForCurrentThread();
            Assert.That(after - before, Is.EqualTo(0), "bytes allocated by 5000 scheduling operations");
            Assert.That(r.Core.CheckInvariants(), Is.Null);
        }
    }
}
