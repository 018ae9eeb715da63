using NUnit.Framework;
using Osprey.Sched;
using Osprey.Tests.Sched;

namespace Osprey.Tests.Smp
{
    /// <summary>
    /// GedfCluster.Gather (the kernel's way to form a cluster from CPUs that
    /// already run a gedf core each) and the sync objects' caller check
    /// for a thread executing on another CPU of the cluster.
    /// </summary>
    [TestFixture]
    public class GedfGatherTests
    {
        static SchedCore Core(FakePlatform p, int cpu)
        {
            string e;
            var c = SchedCore.Create(p, "gedf", null, out e);
            c.Cpu = cpu;
            return c;
        }

        static SchedThread Ready(SchedCore c, int id, long deadline)
        {
            var t = new SchedThread(id, 10, "t" + id);
            c.AddThread(t);
            c.ReleaseJob(t, new PriorityNode(), deadline);
            c.Start(t);
            return t;
        }

        [Test]
        public void ReadyThreadsOfEveryCoreJoinOneSetAndExecutingThreadsKeepTheirCpu()
        {
            var p0 = new FakePlatform();
            var p1 = new FakePlatform();
            var c0 = Core(p0, 0);
            var c1 = Core(p1, 1);
            // CPU 0 runs 'main' (deadline 500) with two more ready; CPU 1 runs 'x' (deadline 400).
            var main = Ready(c0, 1, 500);
            c0.Dispatch();
            var a = Ready(c0, 2, 100);
            var b = Ready(c0, 3, 900);
            c0.Dispatch();                       // a preempts main on CPU 0 (a cluster of one is EDF)
            Assert.That(c0.Executing, Is.SameAs(a));
            var x = Ready(c1, 4, 400);
            c1.Dispatch();
            string err;
            GedfCluster g = GedfCluster.Gather(new[] { c0, c1 }, out err);
            Assert.That(g, Is.Not.Null, err);
            Assert.That(g.ReadyCount, Is.EqualTo(4));
            // The two most urgent are a (100) and x (400), and each keeps its CPU.
            Assert.That(c0.Heir, Is.SameAs(a));
            Assert.That(c1.Heir, Is.SameAs(x));
            Assert.That(g.Check(), Is.Null);
            Assert.That(c0.CheckInvariants(), Is.Null);
            Assert.That(c1.CheckInvariants(), Is.Null);
            // a blocks: main (500) is next and takes CPU 0, not b (900).
            c0.Block(a);
            Assert.That(c0.Heir, Is.SameAs(main));
            c0.Dispatch();
            Assert.That(g.Check(), Is.Null);
            Assert.That(b.IsExecuting, Is.False);
        }

        [Test]
        public void GatherRefusesWhatIsNotASingleGedfCore()
        {
            string err;
            var e = SchedCore.Create(new FakePlatform(), "edf", null, out err);
            var g0 = Core(new FakePlatform(), 0);
            Assert.That(GedfCluster.Gather(new[] { g0, e }, out err), Is.Null);
            Assert.That(err, Does.Contain("cluster CPU 1").And.Contain("gedf"));
            Assert.That(GedfCluster.Gather(new[] { g0, g0 }, out err), Is.Null);
            Assert.That(err, Does.Contain("the same core twice"));
            var g1 = Core(new FakePlatform(), 1);
            Assert.That(GedfCluster.Gather(new[] { g0, g1 }, out err), Is.Not.Null, err);
            var g2 = Core(new FakePlatform(), 2);
            Assert.That(GedfCluster.Gather(new[] { g1, g2 }, out err), Is.Null);
            Assert.That(err, Does.Contain("already in a cluster of 2"));
            Assert.That(GedfCluster.Gather(new SchedCore[0], out err), Is.Null);
        }

        [Test]
        public void ScatterGivesEachCoreItsExecutingThreadBackAsACoreOfItsOwn()
        {
            var c0 = Core(new FakePlatform(), 0);
            var c1 = Core(new FakePlatform(), 1);
            var main = Ready(c0, 1, 500);
            c0.Dispatch();
            string err;
            GedfCluster g = GedfCluster.Gather(new[] { c0, c1 }, out err);
            Assert.That(g, Is.Not.Null, err);
            var a = Ready(c0, 2, 100);
            c0.Dispatch();
            c1.Dispatch();
            Assert.That(c1.Executing, Is.SameAs(a));
            // A ready thread that waits (b: no CPU) refuses; so does a switch under way.
            var b = Ready(c0, 3, 900);
            Assert.That(g.Scatter(), Does.Contain("thread 3"));
            c0.Block(b);
            c0.Block(a);
            Assert.That(g.Scatter(), Does.Contain("CPU 1 has a switch under way"));
            c1.Dispatch();
            Assert.That(g.Scatter(), Is.Null);
            // Each core decides alone again: main stays CPU 0's; a thread
            // made ready on CPU 1 runs there and never on CPU 0.
            Assert.That(((GlobalEdfScheduler)c0.Scheduler).Cluster.CpuCount, Is.EqualTo(1));
            Assert.That(((GlobalEdfScheduler)c0.Scheduler).Cluster.Check(), Is.Null);
            Assert.That(((GlobalEdfScheduler)c1.Scheduler).Cluster.Check(), Is.Null);
            Assert.That(c0.Heir, Is.SameAs(main));
            var y = Ready(c1, 4, 50);
            Assert.That(c1.Heir, Is.SameAs(y));
            Assert.That(c0.Heir, Is.SameAs(main));
            Assert.That(c0.CheckInvariants(), Is.Null);
            Assert.That(c1.CheckInvariants(), Is.Null);
            // The cores can gather again.
            Assert.That(GedfCluster.Gather(new[] { c0, c1 }, out err), Is.Not.Null, err);
        }

        [Test]
        public void CallerCheckAcceptsAThreadExecutingOnAnotherCpuOfTheClusterOnly()
        {
            var c0 = Core(new FakePlatform(), 0);
            var c1 = Core(new FakePlatform(), 1);
            string err;
            Assert.That(GedfCluster.Join(new[] { c0, c1 }, out err), Is.Not.Null, err);
            var a = Ready(c0, 1, 100);
            var b = Ready(c0, 2, 200);
            c0.Dispatch();
            c1.Dispatch();
            SchedThread onOther = c0.Executing == a ? b : a;
            Assert.That(c1.Executing, Is.SameAs(onOther));
            // onOther's home is c0 but it executes on c1: it may wait on c0's objects.
            Assert.That(SyncOps.CheckCaller(c0, onOther), Is.EqualTo(SyncStatus.Successful));
            Assert.That(SyncOps.CheckCaller(c1, onOther), Is.EqualTo(SyncStatus.Successful));
            // A thread of an unrelated core is refused.
            var lone = Core(new FakePlatform(), 5);
            Assert.That(SyncOps.CheckCaller(lone, onOther), Is.EqualTo(SyncStatus.InvalidCaller));
            // A ready thread that does not execute is refused.
            var w = Ready(c0, 3, 300);
            Assert.That(SyncOps.CheckCaller(c0, w), Is.EqualTo(SyncStatus.InvalidCaller));
        }
    }
}
