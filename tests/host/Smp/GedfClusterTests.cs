using NUnit.Framework;
using Osprey.Sched;
using Osprey.Tests.Sched;

namespace Osprey.Tests.Smp
{
    /// <summary>The cluster at the core's level: M cores on fake platforms, threads released by hand.</summary>
    [TestFixture]
    public class GedfClusterTests
    {
        sealed class Cluster
        {
            public readonly FakePlatform[] P;
            public readonly SchedCore[] C;
            public readonly GedfCluster G;

            public Cluster(int m)
            {
                P = new FakePlatform[m];
                C = new SchedCore[m];
                for (int k = 0; k < m; k++)
                {
                    P[k] = new FakePlatform();
                    string e;
                    C[k] = SchedCore.Create(P[k], "gedf", null, out e);
                    C[k].Cpu = k;
                }
                string err;
                G = GedfCluster.Join(C, out err);
                Assert.That(G, Is.Not.Null, err);
            }

            public SchedThread Add(int id, long deadline)
            {
                var t = new SchedThread(id, 10, "t" + id);
                C[0].AddThread(t);
                var n = new PriorityNode();
                C[0].ReleaseJob(t, n, deadline);
                C[0].Start(t);
                Check();
                return t;
            }

            /// <summary>Every CPU dispatches its heir (the IPIs arrive), then the invariants hold.</summary>
            public void DispatchAll()
            {
                foreach (SchedCore c in C) if (c.DispatchNeeded) c.Dispatch();
                Check();
            }

            public void Check()
            {
                foreach (SchedCore c in C) Assert.That(c.CheckInvariants(), Is.Null);
            }

            public int CpuOf(SchedThread t)
            {
                for (int k = 0; k < C.Length; k++) if (C[k].Executing == t) return k;
                return -1;
            }
        }

        [Test]
        public void TheMMostUrgentRunAndANewUrgentJobPreemptsTheLeastUrgent()
        {
            var c = new Cluster(3);
            var a = c.Add(1, 100);
            var b = c.Add(2, 200);
            c.DispatchAll();
            Assert.That(c.CpuOf(a), Is.GreaterThanOrEqualTo(0));
            Assert.That(c.CpuOf(b), Is.GreaterThanOrEqualTo(0));
            var d = c.Add(3, 300);
            c.DispatchAll();
            int ca = c.CpuOf(a), cb = c.CpuOf(b), cd = c.CpuOf(d);
            Assert.That(new[] { ca, cb, cd }, Is.Unique.And.All.GreaterThanOrEqualTo(0), "no CPU idles while a job is ready");
            // A more urgent job takes the CPU of the least urgent running one (d, deadline 300); the others stay.
            var e = c.Add(4, 50);
            Assert.That(c.C[cd].Heir, Is.SameAs(e));
            Assert.That(c.C[ca].DispatchNeeded || c.C[cb].DispatchNeeded, Is.False, "only the least urgent CPU is asked to reschedule");
            c.DispatchAll();
            Assert.That(c.CpuOf(e), Is.EqualTo(cd));
            Assert.That(c.CpuOf(a), Is.EqualTo(ca));
            Assert.That(c.CpuOf(d), Is.EqualTo(-1));
            // An equal deadline does not preempt.
            var f = c.Add(5, 200);
            Assert.That(c.C[0].DispatchNeeded || c.C[1].DispatchNeeded || c.C[2].DispatchNeeded, Is.False);
            // a's job ends: the most urgent waiting job (b's equal f, then d) gets a's CPU; no migration of the others.
            c.C[0].Block(a);
            Assert.That(c.C[ca].Heir, Is.SameAs(f));
            c.DispatchAll();
            Assert.That(c.CpuOf(b), Is.EqualTo(cb));
        }

        [Test]
        public void APreemptedThreadThatBecomesUrgentAgainBeforeItsCpuSwitchedKeepsIt()
        {
            // With a delayed reschedule request the preempted thread still executes; if it is chosen
            // again it must be its own CPU's heir, never another CPU's (it would run on two CPUs).
            var c = new Cluster(2);
            var a = c.Add(1, 100);
            var b = c.Add(2, 200);
            c.DispatchAll();
            int cb = c.CpuOf(b);
            var x = c.Add(3, 10);            // preempts b: heir of b's CPU, not dispatched yet
            Assert.That(c.C[cb].Heir, Is.SameAs(x));
            c.C[0].Block(a);                 // a leaves: b is among the 2 most urgent again
            Assert.That(c.C[cb].Heir, Is.SameAs(b), "b keeps the CPU it executes on");
            Assert.That(c.C[1 - cb].Heir, Is.SameAs(x));
            c.DispatchAll();
            Assert.That(b.Migrations, Is.EqualTo(0));
            Assert.That(c.CpuOf(x), Is.EqualTo(1 - cb));
        }

        [Test]
        public void MigrationsAreCountedWhenAThreadResumesOnAnotherCpu()
        {
            var c = new Cluster(2);
            var a = c.Add(1, 100);
            var b = c.Add(2, 200);
            c.DispatchAll();
            int cb = c.CpuOf(b);
            var x = c.Add(3, 10);   // takes b's CPU
            c.DispatchAll();
            Assert.That(c.CpuOf(b), Is.EqualTo(-1));
            c.C[0].Block(a);        // a's CPU is free: b resumes there
            c.DispatchAll();
            Assert.That(c.CpuOf(b), Is.EqualTo(1 - cb));
            Assert.That(b.Migrations, Is.EqualTo(1));
            Assert.That(c.C[1 - cb].Migrations, Is.EqualTo(1));
        }
    
        [Test]
        public void ClusterSchedulingPathsAllocateNothing()
        {
            // Four CPUs, 64 threads: releases, blocks, unblocks and dispatches on every CPU.
            var c = new Cluster(4);
            var ts = new SchedThread[64];
            var jobs = new PriorityNode[64];
            var rnd = new System.Random(3);
            for (int i = 0; i < ts.Length; i++)
            {
                ts[i] = new SchedThread(i + 1, 10, "t");
                c.C[i % 4].AddThread(ts[i]);
                jobs[i] = new PriorityNode();
                c.C[i % 4].ReleaseJob(ts[i], jobs[i], 1000 + i);
                c.C[i % 4].Start(ts[i]);
            }
            long deadline = 100000;
            System.Action<int> ops = n =>
            {
                for (int s = 0; s < n; s++)
                {
                    var t = ts[rnd.Next(ts.Length)];
                    switch (rnd.Next(3))
                    {
                        case 0: t.Core.ReleaseJob(t, jobs[t.Id - 1], deadline += rnd.Next(1, 50)); break;
                        case 1: t.Core.Block(t); break;
                        default: t.Core.Unblock(t); break;
                    }
                    foreach (SchedCore core in c.C) if (core.DispatchNeeded) core.Dispatch();
                }
            };
            ops(20000);
            c.Check();
            long before = System.GC.GetAllocatedBytesForCurrentThread();
            ops(5000);
            long after = System.GC.GetAllocatedBytesForCurrentThread();
            Assert.That(after - before, Is.EqualTo(0), "bytes allocated by 5000 cluster operations");
            c.Check();
        }
    }
}
