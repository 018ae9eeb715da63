using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sync
{
    [TestFixture("priority")]
    [TestFixture("edf")]
    public class MutexTests : SyncTestBase
    {
        public MutexTests(string policy) : base(policy) { }

        long Map(int prio) { return Core.Scheduler.MapPriority(prio); }

        void Prio(SchedThread t, int expected)
        {
            Assert.That(t.EffectivePriority, Is.EqualTo(Map(expected)), "effective priority of t" + t.Id);
        }

        /// <summary>A new thread that runs at once (priority 0), calls m.Obtain, then drops to prio while waiting.</summary>
        SchedThread Waiter(Mutex m, int id, int prio, long timeout, out SyncStatus r)
        {
            var t = Start(id, 0);
            Running(t);
            r = m.Obtain(t, timeout);
            Blocks(r, t);
            Core.SetPriority(t, prio);
            Settle();
            return t;
        }

        void Sound(params Mutex[] ms)
        {
            foreach (var m in ms) Ok(m.CheckInvariants());
            rig.Check();
        }

        [Test]
        public void ObtainReleaseAndMisuse()
        {
            var m = new Mutex(Core, false, 1);
            var a = Start(1, 10);
            var b = Start(2, 20);
            Assert.That(m.Release(a), Is.EqualTo(SyncStatus.NotOwner), "unowned");
            Assert.That(m.Obtain(a, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Assert.That(m.Owner, Is.SameAs(a));
            Assert.That(m.NestCount, Is.EqualTo(1));
            Assert.That(m.Obtain(a, Timeout.Forever), Is.EqualTo(SyncStatus.AlreadyOwner));
            Assert.That(m.NestCount, Is.EqualTo(1));
            Assert.That(m.Obtain(b, Timeout.NoWait), Is.EqualTo(SyncStatus.Unsatisfied));
            Assert.That(m.Obtain(b, 100), Is.EqualTo(SyncStatus.InvalidCaller), "b is not executing");
            Assert.That(m.Release(b), Is.EqualTo(SyncStatus.NotOwner));
            Assert.That(m.Release(null), Is.EqualTo(SyncStatus.NotOwner));
            Assert.That(m.Obtain(null, 100), Is.EqualTo(SyncStatus.InvalidCaller));
            Assert.That(m.Obtain(a, -1), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(m.Release(a), Is.EqualTo(SyncStatus.Successful));
            Assert.That(m.Owner, Is.Null);
            Assert.That(m.Release(a), Is.EqualTo(SyncStatus.NotOwner));
            Sound(m);
        }

        [Test]
        public void RecursiveNesting()
        {
            var m = new Mutex(Core, true);
            var a = Start(1, 10);
            for (int i = 0; i < 5; i++) Assert.That(m.Obtain(a, Timeout.Forever), Is.EqualTo(SyncStatus.Successful));
            Assert.That(m.NestCount, Is.EqualTo(5));
            for (int i = 0; i < 4; i++)
            {
                Assert.That(m.Release(a), Is.EqualTo(SyncStatus.Successful));
                Assert.That(m.Owner, Is.SameAs(a));
            }
            Assert.That(m.Release(a), Is.EqualTo(SyncStatus.Successful));
            Assert.That(m.Owner, Is.Null);
            Assert.That(m.NestCount, Is.EqualTo(0));
            Sound(m);
        }

        [Test]
        public void ReleaseHandsOwnershipToMostUrgentWaiter()
        {
            var m = new Mutex(Core, false);
            var owner = Start(1, 100);
            Assert.That(m.Obtain(owner, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            var w1 = Start(2, 30);
            SyncStatus r1 = m.Obtain(w1, Timeout.Forever);
            Blocks(r1, w1);
            var w2 = Start(3, 20);
            SyncStatus r2 = m.Obtain(w2, Timeout.Forever);
            Blocks(r2, w2);
            SyncStatus r3;
            var w3 = Waiter(m, 4, 20, Timeout.Forever, out r3);
            Running(owner);
            Prio(owner, 20);
            Sound(m);
            Assert.That(m.Release(owner), Is.EqualTo(SyncStatus.Successful));
            // ownership passed before w2 runs; owner lost, w2 gained the inherited priority (w3 waits at 20)
            Assert.That(m.Owner, Is.SameAs(w2));
            Assert.That(w2.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Prio(owner, 100);
            Prio(w2, 20);
            Sound(m);
            Settle();
            Running(w2);
            Assert.That(m.Release(w2), Is.EqualTo(SyncStatus.Successful));
            Assert.That(m.Owner, Is.SameAs(w3), "FIFO among equals");
            Prio(w3, 20);
            Settle();
            Running(w2); // w2 and w3 are equal: no preemption
            Core.Block(w2);
            Settle();
            Running(w3);
            Assert.That(m.Release(w3), Is.EqualTo(SyncStatus.Successful));
            Assert.That(m.Owner, Is.SameAs(w1));
            Prio(w1, 30);
            Sound(m);
        }

        [Test]
        public void ClassicPriorityInversionIsBounded()
        {
            var m = new Mutex(Core, false);
            var low = Start(1, 30);
            Assert.That(m.Obtain(low, Timeout.Forever), Is.EqualTo(SyncStatus.Successful));
            var high = Start(3, 10);
            Running(high);
            SyncStatus r = m.Obtain(high, Timeout.Forever);
            Blocks(r, high);
            Running(low);
            Prio(low, 10);
            var medium = Start(2, 20);
            Running(low); // medium cannot preempt low while low holds what high needs
            rig.Advance(5000);
            Running(low);
            Assert.That(medium.CpuTimeNs, Is.EqualTo(0));
            Assert.That(m.Release(low), Is.EqualTo(SyncStatus.Successful));
            Prio(low, 30);
            Settle();
            Running(high);
            Assert.That(SyncOps.Final(r, high), Is.EqualTo(SyncStatus.Successful));
            Assert.That(m.Owner, Is.SameAs(high));
            Assert.That(medium.CpuTimeNs, Is.EqualTo(0), "high got the mutex before medium ran");
            Assert.That(m.Release(high), Is.EqualTo(SyncStatus.Successful));
            Core.Block(high);
            Settle();
            Running(medium);
            Sound(m);
        }

        [Test]
        public void TransitiveInheritanceOverThreeMutexes()
        {
            var m1 = new Mutex(Core, false, 1);
            var m2 = new Mutex(Core, false, 2);
            var m3 = new Mutex(Core, false, 3);
            var t1 = Start(1, 40);
            Assert.That(m1.Obtain(t1, Timeout.Forever), Is.EqualTo(SyncStatus.Successful));
            var t2 = Start(2, 30);
            Assert.That(m2.Obtain(t2, Timeout.Forever), Is.EqualTo(SyncStatus.Successful));
            Blocks(m1.Obtain(t2, Timeout.Forever), t2);
            Prio(t1, 30);
            var t3 = Start(3, 20);
            Assert.That(m3.Obtain(t3, Timeout.Forever), Is.EqualTo(SyncStatus.Successful));
            Blocks(m2.Obtain(t3, Timeout.Forever), t3);
            Prio(t2, 20);
            Prio(t1, 20);
            var t4 = Start(4, 10);
            long t0 = rig.Now;
            SyncStatus r4 = m3.Obtain(t4, 1000);
            Blocks(r4, t4);
            Prio(t3, 10);
            Prio(t2, 10);
            Prio(t1, 10);
            Running(t1);
            Sound(m1, m2, m3);

            // the top waiter becomes more urgent while waiting: the chain follows
            Core.SetPriority(t4, 5);
            Prio(t3, 5); Prio(t2, 5); Prio(t1, 5);
            Sound(m1, m2, m3);
            Core.SetPriority(t4, 10);
            Prio(t3, 10); Prio(t2, 10); Prio(t1, 10);

            // the top waiter times out: inheritance is undone along the chain
            rig.RunUntil(t0 + 1000);
            Assert.That(SyncOps.Final(r4, t4), Is.EqualTo(SyncStatus.Timeout));
            Prio(t3, 20); Prio(t2, 20); Prio(t1, 20);
            Sound(m1, m2, m3);
            Running(t4);
            Core.Block(t4);
            Settle();
            Running(t1);

            // unwinding: each release hands on and drops the chain by one
            Assert.That(m1.Release(t1), Is.EqualTo(SyncStatus.Successful));
            Prio(t1, 40);
            Assert.That(m1.Owner, Is.SameAs(t2));
            Settle();
            Running(t2);
            Prio(t2, 20);
            Assert.That(m2.Release(t2), Is.EqualTo(SyncStatus.Successful));
            Prio(t2, 30);
            Assert.That(m2.Owner, Is.SameAs(t3));
            Settle();
            Running(t3);
            Prio(t3, 20);
            Sound(m1, m2, m3);
        }

        [Test]
        public void InheritanceUndoneWhenWaiterTimesOut()
        {
            var m = new Mutex(Core, false);
            var low = Start(1, 50);
            m.Obtain(low, Timeout.Forever);
            var mid = Start(2, 30);
            SyncStatus rm = m.Obtain(mid, Timeout.Forever);
            Blocks(rm, mid);
            var high = Start(3, 10);
            long t0 = rig.Now;
            SyncStatus rh = m.Obtain(high, 300);
            Blocks(rh, high);
            Prio(low, 10);
            rig.RunUntil(t0 + 299);
            Prio(low, 10);
            rig.RunUntil(t0 + 300);
            Assert.That(SyncOps.Final(rh, high), Is.EqualTo(SyncStatus.Timeout));
            Prio(low, 30); // still inherits from mid
            Sound(m);
            Running(high);
            Core.Block(high);
            Settle();
            SyncOps.CancelWait(mid, SyncStatus.Deleted); // mid leaves too (e.g. it was deleted)
            Prio(low, 50);
            Assert.That(m.InheritanceNode.IsActive, Is.False);
            Sound(m);
        }

        [Test]
        public void WaiterLosingPriorityLowersOwner()
        {
            var m = new Mutex(Core, false);
            var low = Start(1, 50);
            m.Obtain(low, Timeout.Forever);
            var a = Start(2, 10);
            Blocks(m.Obtain(a, Timeout.Forever), a);
            SyncStatus rb;
            var b = Waiter(m, 3, 20, Timeout.Forever, out rb);
            Prio(low, 10);
            Core.SetPriority(a, 40);
            Assert.That(m.Waiters.First, Is.SameAs(b));
            Prio(low, 20);
            Sound(m);
        }

        [Test]
        public void SeveralHeldMutexesTakeTheMostUrgent()
        {
            var ma = new Mutex(Core, false, 1);
            var mb = new Mutex(Core, false, 2);
            var owner = Start(1, 60);
            ma.Obtain(owner, Timeout.Forever);
            mb.Obtain(owner, Timeout.Forever);
            Assert.That(owner.Wait.Held.Count, Is.EqualTo(2));
            var wa = Start(2, 20);
            Blocks(ma.Obtain(wa, Timeout.Forever), wa);
            Prio(owner, 20);
            var wb = Start(3, 10);
            Blocks(mb.Obtain(wb, Timeout.Forever), wb);
            Prio(owner, 10);
            Sound(ma, mb);
            // release in any order: B first drops to A's waiter
            Assert.That(mb.Release(owner), Is.EqualTo(SyncStatus.Successful));
            Prio(owner, 20);
            Settle();
            Running(wb);
            mb.Release(wb);
            Core.Block(wb);
            Settle();
            Running(owner);
            Assert.That(ma.Release(owner), Is.EqualTo(SyncStatus.Successful));
            Prio(owner, 60);
            Assert.That(owner.Wait.Held.Count, Is.EqualTo(0));
            Sound(ma, mb);
        }

        [Test]
        public void OwnerWaitingOnSemaphoreIsResortedThere()
        {
            SyncStatus st;
            var sem = Semaphore.Create(Core, 0, 1, WaitDiscipline.Priority, out st);
            var m = new Mutex(Core, false);
            var bg = Start(1, 200);
            var other = Start(2, 40);
            Blocks(sem.Obtain(other, Timeout.Forever), other);
            var owner = Start(3, 50);
            m.Obtain(owner, Timeout.Forever);
            Blocks(sem.Obtain(owner, Timeout.Forever), owner);
            Assert.That(sem.Waiters.First, Is.SameAs(other));
            var high = Start(4, 10);
            Blocks(m.Obtain(high, Timeout.Forever), high);
            Prio(owner, 10);
            Assert.That(sem.Waiters.First, Is.SameAs(owner), "inheritance re-sorts the owner in the semaphore queue");
            Ok(sem.CheckInvariants());
            Sound(m);
        }

        [Test]
        public void DeadlockIsRefused()
        {
            var a = new Mutex(Core, false, 1);
            var b = new Mutex(Core, false, 2);
            var c = new Mutex(Core, false, 3);
            var t1 = Start(1, 30);
            a.Obtain(t1, Timeout.Forever);
            var t2 = Start(2, 20);
            b.Obtain(t2, Timeout.Forever);
            Blocks(a.Obtain(t2, Timeout.Forever), t2); // t2 -> a (t1)
            var t3 = Start(3, 10);
            c.Obtain(t3, Timeout.Forever);
            Blocks(b.Obtain(t3, Timeout.Forever), t3); // t3 -> b (t2) -> a (t1)
            Running(t1);
            Assert.That(c.Obtain(t1, Timeout.Forever), Is.EqualTo(SyncStatus.WouldDeadlock));
            Assert.That(b.Obtain(t1, 100), Is.EqualTo(SyncStatus.WouldDeadlock));
            Assert.That(c.Obtain(t1, Timeout.NoWait), Is.EqualTo(SyncStatus.Unsatisfied));
            Assert.That(t1.IsReady);
            Assert.That(c.WaitingCount, Is.EqualTo(0));
            Prio(t1, 10);
            Sound(a, b, c);
        }

        [Test]
        public void DeleteRules()
        {
            var m = new Mutex(Core, false);
            var low = Start(1, 50);
            m.Obtain(low, Timeout.Forever);
            var w = Start(2, 10);
            SyncStatus r = m.Obtain(w, 5000);
            Blocks(r, w);
            var other = Start(3, 60);
            Running(low);
            Assert.That(m.Delete(other), Is.EqualTo(SyncStatus.InUse));
            Assert.That(m.Delete(low), Is.EqualTo(SyncStatus.Successful));
            Prio(low, 50);
            Assert.That(low.Wait.Held.Count, Is.EqualTo(0));
            Assert.That(m.Owner, Is.Null);
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            Settle();
            Running(w);
            Assert.That(SyncOps.Final(r, w), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(m.Obtain(w, Timeout.NoWait), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(m.Release(w), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(m.Delete(w), Is.EqualTo(SyncStatus.Deleted));
            Sound(m);
            var free = new Mutex(Core, true);
            Assert.That(free.Delete(null), Is.EqualTo(SyncStatus.Successful));
        }

        [Test]
        public void OwnerExitAbandonsToMostUrgentWaiter()
        {
            var m1 = new Mutex(Core, true, 1);
            var m2 = new Mutex(Core, false, 2);
            var owner = Start(1, 50);
            m1.Obtain(owner, Timeout.Forever);
            m1.Obtain(owner, Timeout.Forever);
            m2.Obtain(owner, Timeout.Forever);
            var a = Start(2, 20);
            SyncStatus ra = m1.Obtain(a, Timeout.Forever);
            Blocks(ra, a);
            var b = Start(3, 10);
            SyncStatus rb = m1.Obtain(b, Timeout.Forever);
            Blocks(rb, b);
            Prio(owner, 10);
            Running(owner);
            SyncOps.ThreadExit(owner);
            Core.Stop(owner);
            Settle();
            Assert.That(m1.Owner, Is.SameAs(b));
            Assert.That(m1.NestCount, Is.EqualTo(1));
            Assert.That(SyncOps.Final(rb, b), Is.EqualTo(SyncStatus.Abandoned));
            Prio(b, 10);
            Assert.That(m2.Owner, Is.Null);
            Assert.That(owner.Wait.Held.Count, Is.EqualTo(0));
            Prio(owner, 50);
            Running(b);
            Sound(m1, m2);
            Assert.That(m1.Release(b), Is.EqualTo(SyncStatus.Successful));
            Assert.That(m1.Owner, Is.SameAs(a));
            Assert.That(a.WaitResult, Is.EqualTo(SyncStatus.Successful));
        }

        [Test]
        public void ThreadExitWhileWaitingLeavesTheQueue()
        {
            var m = new Mutex(Core, false);
            var low = Start(1, 50);
            m.Obtain(low, Timeout.Forever);
            var w = Start(2, 10);
            Blocks(m.Obtain(w, 1000), w);
            Prio(low, 10);
            SyncOps.ThreadExit(w);
            Core.Stop(w);
            Settle();
            Prio(low, 50);
            Assert.That(m.WaitingCount, Is.EqualTo(0));
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            Assert.That(w.WaitResult, Is.EqualTo(SyncStatus.Deleted));
            Assert.That(w.State, Is.EqualTo(ThreadState.Dormant));
            Sound(m);
        }

        [Test]
        public void EveryOperationRefusedInInterrupt()
        {
            var m = new Mutex(Core, true);
            var a = Start(1, 10);
            m.Obtain(a, Timeout.Forever);
            Core.InterruptNesting = 1;
            Assert.That(m.Obtain(a, Timeout.NoWait), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Assert.That(m.Obtain(a, Timeout.Forever), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Assert.That(m.Release(a), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Assert.That(m.Delete(a), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Core.InterruptNesting = 0;
            Assert.That(m.NestCount, Is.EqualTo(1));
            Assert.That(m.Owner, Is.SameAs(a));
            Sound(m);
        }

        [Test]
        public void SuspendedWaiterGetsOwnershipButStaysSuspended()
        {
            var m = new Mutex(Core, false);
            var low = Start(1, 50);
            m.Obtain(low, Timeout.Forever);
            var w = Start(2, 10);
            Blocks(m.Obtain(w, Timeout.Forever), w);
            Core.Suspend(w);
            Prio(low, 10); // a suspended waiter still counts (it waits for the mutex)
            m.Release(low);
            Settle();
            Assert.That(m.Owner, Is.SameAs(w));
            Assert.That(w.State, Is.EqualTo(ThreadState.Suspended));
            Running(low);
            Sound(m);
        }
    }
}
