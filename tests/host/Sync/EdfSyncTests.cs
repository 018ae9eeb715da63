using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sync
{
    /// <summary>Deadline inheritance and deadline-ordered waiters under EDF.</summary>
    [TestFixture]
    public class EdfSyncTests : SyncTestBase
    {
        public EdfSyncTests() : base("edf") { }

        [Test]
        public void DeadlineInheritanceBoundsInversion()
        {
            var m = new Mutex(Core, false);
            // low: background thread (no job) holding the mutex
            var low = Start(1, 30);
            Assert.That(m.Obtain(low, Timeout.Forever), Is.EqualTo(SyncStatus.Successful));
            long now = rig.Now;
            var high = Start(3, 200);
            Job(high, now + 1000);
            Running(high);
            SyncStatus r = m.Obtain(high, Timeout.Forever);
            Blocks(r, high);
            Assert.That(low.EffectivePriority, Is.EqualTo(now + 1000), "low inherits high's deadline");
            Running(low);
            var medium = Start(2, 100);
            Job(medium, now + 5000);
            Running(low); // medium's deadline is later than the inherited one
            rig.Advance(200);
            Assert.That(medium.CpuTimeNs, Is.EqualTo(0));
            m.Release(low);
            Assert.That(low.EffectivePriority, Is.EqualTo(EdfScheduler.BackgroundBase + 30));
            Settle();
            Running(high);
            Assert.That(SyncOps.Final(r, high), Is.EqualTo(SyncStatus.Successful));
            Assert.That(medium.CpuTimeNs, Is.EqualTo(0));
            Ok(m.CheckInvariants());
        }

        [Test]
        public void OwnerWithLaterJobInheritsEarlierDeadline()
        {
            var m = new Mutex(Core, false);
            long now = rig.Now;
            var owner = Start(1, 50);
            Job(owner, now + 9000);
            m.Obtain(owner, Timeout.Forever);
            var w = Start(2, 50);
            Job(w, now + 2000);
            Running(w);
            Blocks(m.Obtain(w, Timeout.Forever), w);
            Assert.That(owner.EffectivePriority, Is.EqualTo(now + 2000));
            // the waiter's next job has a later deadline: the owner follows
            var n = w.Priorities.First as PriorityNode;
            Core.ReleaseJob(w, n, now + 4000);
            Assert.That(owner.EffectivePriority, Is.EqualTo(now + 4000));
            Ok(m.CheckInvariants());
            // later than the owner's own job: the owner keeps its own deadline
            Core.ReleaseJob(w, n, now + 20000);
            Assert.That(owner.EffectivePriority, Is.EqualTo(now + 9000));
            Ok(m.CheckInvariants());
        }

        [Test]
        public void DeadlineInheritanceIsTransitive()
        {
            var m1 = new Mutex(Core, false, 1);
            var m2 = new Mutex(Core, false, 2);
            long now = rig.Now;
            var t1 = Start(1, 10);
            m1.Obtain(t1, Timeout.Forever);
            var t2 = Start(2, 10);
            Job(t2, now + 8000);
            m2.Obtain(t2, Timeout.Forever);
            Blocks(m1.Obtain(t2, Timeout.Forever), t2);
            Assert.That(t1.EffectivePriority, Is.EqualTo(now + 8000));
            var t3 = Start(3, 10);
            Job(t3, now + 3000);
            long t0 = rig.Now;
            SyncStatus r = m2.Obtain(t3, 500);
            Blocks(r, t3);
            Assert.That(t2.EffectivePriority, Is.EqualTo(now + 3000));
            Assert.That(t1.EffectivePriority, Is.EqualTo(now + 3000));
            Running(t1);
            rig.RunUntil(t0 + 500);
            Assert.That(SyncOps.Final(r, t3), Is.EqualTo(SyncStatus.Timeout));
            Assert.That(t2.EffectivePriority, Is.EqualTo(now + 8000));
            Assert.That(t1.EffectivePriority, Is.EqualTo(now + 8000));
            Ok(m1.CheckInvariants());
            Ok(m2.CheckInvariants());
        }

        [Test]
        public void SemaphoreWaitersServedByDeadline()
        {
            SyncStatus st;
            var s = Semaphore.Create(Core, 0, 5, WaitDiscipline.Priority, out st);
            var bg = Start(1, 100);
            var a = Start(2, 50);
            Job(a, rig.Now + 9000);
            Blocks(s.Obtain(a, Timeout.Forever), a);
            var b = Start(3, 60);
            Job(b, rig.Now + 3000);
            Running(b);
            Blocks(s.Obtain(b, Timeout.Forever), b);
            var c = Start(4, 10); // background: after every deadline
            Blocks(s.Obtain(c, Timeout.Forever), c);
            Assert.That(s.Waiters.First, Is.SameAs(b));
            Assert.That(s.Waiters.Next(b), Is.SameAs(a));
            Assert.That(s.Waiters.Next(a), Is.SameAs(c));
            Ok(s.CheckInvariants());
        }

        [Test]
        public void PeriodicOwnerUnderCbsStillInherits()
        {
            // The same code path under the CBS policy (EDF based).
            var r2 = new Osprey.Tests.Sched.Rig("cbs");
            var core = r2.Core;
            var m = new Mutex(core, false);
            var low = r2.Started(1, 40);
            m.Obtain(low, Timeout.Forever);
            var high = r2.Started(2, 40);
            var job = new PriorityNode();
            core.ReleaseJob(high, job, r2.Now + 100);
            r2.Settle();
            Assert.That(r2.Exec, Is.SameAs(high));
            Assert.That(m.Obtain(high, Timeout.Forever), Is.EqualTo(SyncStatus.Blocked));
            r2.Settle();
            Assert.That(r2.Exec, Is.SameAs(low));
            Assert.That(low.EffectivePriority, Is.EqualTo(r2.Now + 100));
            Ok(m.CheckInvariants());
        }
    }
}
