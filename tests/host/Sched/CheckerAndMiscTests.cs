using System;
using System.Collections.Generic;
using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    /// <summary>The invariant checkers really detect corruption, and a few odd corners.</summary>
    [TestFixture]
    public class CheckerAndMiscTests
    {
        sealed class N : RbNode { }

        static RbTree Tree(int n, N[] nodes)
        {
            var t = new RbTree();
            for (int i = 0; i < n; i++) { nodes[i] = new N(); t.Insert(nodes[i], i * 10); }
            return t;
        }

        [Test]
        public void TreeCheckerDetectsRedRoot()
        {
            var nodes = new N[7];
            var t = Tree(7, nodes);
            t.Root.Red = true;
            Assert.That(t.Check(), Does.Contain("root is red"));
        }

        [Test]
        public void TreeCheckerDetectsBadOrder()
        {
            var nodes = new N[7];
            var t = Tree(7, nodes);
            nodes[6].Key = -1;
            Assert.That(t.Check(), Is.Not.Null);
        }

        [Test]
        public void TreeCheckerDetectsBadParentLink()
        {
            var nodes = new N[15];
            var t = Tree(15, nodes);
            var leafParent = t.Root.Left;
            leafParent.Left.Parent = t.Root;
            Assert.That(t.Check(), Does.Contain("parent"));
        }

        [Test]
        public void TreeCheckerDetectsBlackHeightViolation()
        {
            var nodes = new N[15];
            var t = Tree(15, nodes);
            // Flip a black non-root node with black children to red-free imbalance.
            RbNode n = t.Root.Left;
            while (n.Left != null) n = n.Left;
            n.Red = !n.Red;
            Assert.That(t.Check(), Is.Not.Null);
        }

        [Test]
        public void ChainCheckerDetectsBrokenLink()
        {
            var c = new Chain();
            var a = new ChainNode(); var b = new ChainNode();
            c.Append(a); c.Append(b);
            b.Prev = b;
            Assert.That(c.Check(), Is.Not.Null);
        }

        [TestCase("priority")]
        [TestCase("edf")]
        [TestCase("cbs")]
        public void SchedulerCheckerDetectsStateBehindItsBack(string policy)
        {
            var rig = new Rig(policy);
            var a = rig.Started(1, 10);
            a.State = ThreadState.Blocked; // not through the core
            Assert.That(rig.Core.CheckInvariants(), Does.Contain("not ready"));
        }

        [TestCase("priority")]
        [TestCase("edf")]
        public void CoreCheckerDetectsWrongHeir(string policy)
        {
            var rig = new Rig(policy);
            rig.Started(1, 10);
            var b = rig.Thread(2, 5);
            // priority changed without telling the scheduler
            rig.Core.Start(b); rig.Settle();
            b.Priorities.Remove(b.BaseNode);
            b.Priorities.Insert(b.BaseNode, rig.S.MapPriority(200));
            Assert.That(rig.Core.CheckInvariants(), Is.Not.Null);
        }

        [Test]
        public void KernelSuppliedIdleThread()
        {
            var idle = new SchedThread(99, 255, "kernel-idle");
            var core = new SchedCore(new FakePlatform(), new PriorityScheduler(), idle);
            Assert.That(core.Idle, Is.SameAs(idle));
            Assert.That(core.Executing, Is.SameAs(idle));
            Assert.That(idle.IsExecuting);
            Assert.That(core.Block(idle), Is.False, "idle cannot block");
            Assert.That(core.CheckInvariants(), Is.Null);
        }

        [Test]
        public void CoresAreIndependent()
        {
            var r1 = new Rig("edf");
            var r2 = new Rig("priority");
            var a = r1.Started(1, 10);
            var b = r2.Started(1, 10);
            Assert.That(r1.Exec, Is.SameAs(a));
            Assert.That(r2.Exec, Is.SameAs(b));
            r1.Core.Block(a); r1.Settle();
            Assert.That(r2.Exec, Is.SameAs(b));
            Assert.That(r1.S, Is.Not.SameAs(r2.S));
        }

        [Test]
        public void EdfBackgroundThreadsRoundRobinOnYield()
        {
            var rig = new Rig("edf");
            var a = rig.Started(1, 50);
            var b = rig.Started(2, 50);
            var seen = new List<int>();
            for (int i = 0; i < 4; i++) { seen.Add(rig.Exec.Id); rig.Core.Yield(); rig.Settle(); }
            Assert.That(seen, Is.EqualTo(new[] { 1, 2, 1, 2 }));
        }

        [Test]
        public void TimerQueueFuzzAgainstModel()
        {
            var rnd = new Random(5);
            var p = new FakePlatform();
            var q = new TimerQueue(p);
            var fired = new List<Dog>();
            var dogs = new Dog[50];
            for (int i = 0; i < dogs.Length; i++) dogs[i] = new Dog(fired);
            long now = 0;
            for (int s = 0; s < 5000; s++)
            {
                var d = dogs[rnd.Next(dogs.Length)];
                int op = rnd.Next(3);
                if (op == 0) q.Insert(d, now + rnd.Next(1, 500));
                else if (op == 1) q.Cancel(d);
                else
                {
                    now += rnd.Next(0, 100);
                    fired.Clear();
                    var due = new List<Dog>();
                    foreach (var x in dogs) if (x.IsArmed && x.Expiry <= now) due.Add(x);
                    q.FireDue(now);
                    Assert.That(fired.Count, Is.EqualTo(due.Count));
                    for (int k = 1; k < fired.Count; k++) Assert.That(fired[k].FiredExpiry, Is.GreaterThanOrEqualTo(fired[k - 1].FiredExpiry));
                    foreach (var x in due) Assert.That(x.IsArmed, Is.False);
                }
                Assert.That(q.Check(), Is.Null);
                long min = long.MaxValue;
                foreach (var x in dogs) if (x.IsArmed && x.Expiry < min) min = x.Expiry;
                Assert.That(p.Armed, Is.EqualTo(min));
            }
        }

        sealed class Dog : Watchdog
        {
            readonly List<Dog> log;
            public long FiredExpiry;
            public Dog(List<Dog> log) { this.log = log; }
            public override void Fire(long now) { FiredExpiry = Expiry; log.Add(this); }
        }

        sealed class CountingServer : CbsServer
        {
            public int Calls;
            public CountingServer(int id, long q, long t, CbsMode m) : base(id, q, t, m) { }
            public override void OnOverrun(long now) { Calls++; }
        }

        [TestCase(CbsMode.Hard)]
        [TestCase(CbsMode.Soft)]
        public void OneOverrunNotificationPerExhaustedJob(CbsMode mode)
        {
            var rig = new Rig("cbs");
            var cbs = (CbsScheduler)rig.S;
            var t = rig.Thread(1, 10);
            var s = new CountingServer(1, 100, 1000, mode);
            CbsAdmission a;
            cbs.Attach(t, s, out a);
            rig.Started(2, 200);
            rig.Core.Start(t); rig.Settle();
            var per = new RatePeriod(rig.Core, t);
            per.Run(t, 1000);
            rig.RunUntil(rig.Now + 5000); // never ends its jobs: one overrun per server budget
            Assert.That(s.Calls, Is.EqualTo(s.OverrunCount));
            Assert.That(s.Calls, Is.GreaterThanOrEqualTo(1));
            if (mode == CbsMode.Soft)
            {
                Assert.That(s.Calls, Is.EqualTo(1), "demoted: no budget charged until the next release");
                Assert.That(t.CpuTimeNs, Is.GreaterThan(1000), "background thread keeps running");
            }
            else
            {
                Assert.That(s.Calls, Is.EqualTo(5));
                Assert.That(t.CpuTimeNs, Is.EqualTo(500), "100 ns per 1000 ns");
            }
        }
    }
}
