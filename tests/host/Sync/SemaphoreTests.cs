using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sync
{
    [TestFixture("priority")]
    [TestFixture("edf")]
    public class SemaphoreTests : SyncTestBase
    {
        public SemaphoreTests(string policy) : base(policy) { }

        Semaphore Sem(int initial, int max, WaitDiscipline d)
        {
            SyncStatus st;
            var s = Semaphore.Create(Core, initial, max, d, out st);
            Assert.That(st, Is.EqualTo(SyncStatus.Successful));
            return s;
        }

        [Test]
        public void CreateValidates()
        {
            SyncStatus st;
            Assert.That(Semaphore.Create(Core, 0, 0, WaitDiscipline.Fifo, out st), Is.Null);
            Assert.That(st, Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(Semaphore.Create(Core, 2, 1, WaitDiscipline.Fifo, out st), Is.Null);
            Assert.That(Semaphore.Create(Core, -1, 1, WaitDiscipline.Fifo, out st), Is.Null);
            Assert.That(Semaphore.Create(null, 0, 1, WaitDiscipline.Fifo, out st), Is.Null);
            Assert.That(Semaphore.Create(Core, 1, 1, WaitDiscipline.Fifo, out st), Is.Not.Null);
        }

        [Test]
        public void CountsDownAndUpToMax()
        {
            var s = Sem(2, 3, WaitDiscipline.Fifo);
            var a = Start(1, 10);
            Assert.That(s.Obtain(a, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Obtain(a, Timeout.Forever), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Count, Is.EqualTo(0));
            Assert.That(s.Obtain(a, Timeout.NoWait), Is.EqualTo(SyncStatus.Unsatisfied));
            Assert.That(a.IsReady);
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Count, Is.EqualTo(3));
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.TooMany));
            Assert.That(s.Count, Is.EqualTo(3));
            Ok(s.CheckInvariants());
        }

        [Test]
        public void BinarySemaphore()
        {
            var s = Sem(1, 1, WaitDiscipline.Priority);
            var a = Start(1, 10);
            Assert.That(s.Obtain(a, 100), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Obtain(a, Timeout.NoWait), Is.EqualTo(SyncStatus.Unsatisfied));
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.TooMany));
        }

        [Test]
        public void BlockingObtainGetsUnitHandedDirectly()
        {
            var s = Sem(0, 5, WaitDiscipline.Fifo);
            var low = Start(1, 50);
            var high = Start(2, 10);
            SyncStatus r = s.Obtain(high, Timeout.Forever);
            Blocks(r, high);
            Running(low);
            Assert.That(s.WaitingCount, Is.EqualTo(1));
            Assert.That(s.Release(low), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Count, Is.EqualTo(0), "the unit went to the waiter, not the count");
            Settle();
            Running(high);
            Assert.That(SyncOps.Final(r, high), Is.EqualTo(SyncStatus.Successful));
            Ok(s.CheckInvariants());
        }

        [Test]
        public void ReleaseAtMaxWithWaitersIsImpossibleButTooManyWithout()
        {
            var s = Sem(1, 1, WaitDiscipline.Fifo);
            var a = Start(1, 10);
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.TooMany));
            Assert.That(s.Obtain(a, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.Successful));
        }

        [TestCase(WaitDiscipline.Fifo, new[] { 1, 2, 3, 4 })]
        [TestCase(WaitDiscipline.Priority, new[] { 2, 4, 3, 1 })]
        public void WakeOrder(WaitDiscipline d, int[] expected)
        {
            var s = Sem(0, 10, d);
            var bg = Start(99, 200);
            // waiters arrive in id order with priorities 40, 10, 30, 10
            int[] prios = { 40, 10, 30, 10 };
            var ts = new SchedThread[4];
            for (int i = 0; i < 4; i++)
            {
                ts[i] = Start(i + 1, prios[i]);
                Running(ts[i]);
                Blocks(s.Obtain(ts[i], Timeout.Forever), ts[i]);
            }
            Running(bg);
            var woken = new System.Collections.Generic.List<int>();
            for (int i = 0; i < 4; i++)
            {
                SchedThread first = s.Waiters.First;
                s.Release(bg);
                Assert.That(first.WaitResult, Is.EqualTo(SyncStatus.Successful));
                woken.Add(first.Id);
                // block the woken thread again elsewhere so bg keeps calling
                Settle();
                Running(first);
                Core.Block(first);
                Settle();
            }
            Assert.That(woken.ToArray(), Is.EqualTo(expected));
        }

        [Test]
        public void FiniteTimeoutExpires()
        {
            var s = Sem(0, 1, WaitDiscipline.Fifo);
            var low = Start(1, 50);
            var t = Start(2, 10);
            long t0 = rig.Now;
            SyncStatus r = s.Obtain(t, 2000);
            Blocks(r, t);
            rig.RunUntil(t0 + 1999);
            Assert.That(s.WaitingCount, Is.EqualTo(1));
            rig.RunUntil(t0 + 2000);
            Running(t);
            Assert.That(SyncOps.Final(r, t), Is.EqualTo(SyncStatus.Timeout));
            Assert.That(s.WaitingCount, Is.EqualTo(0));
            // a later release counts normally
            Assert.That(s.Release(t), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Count, Is.EqualTo(1));
            Ok(s.CheckInvariants());
        }

        [Test]
        public void TimeoutCancelledBySuccess()
        {
            var s = Sem(0, 1, WaitDiscipline.Fifo);
            var low = Start(1, 50);
            var t = Start(2, 10);
            long t0 = rig.Now;
            SyncStatus r = s.Obtain(t, 2000);
            Blocks(r, t);
            rig.RunUntil(t0 + 1000);
            s.Release(low);
            Settle();
            Running(t);
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            rig.RunUntil(t0 + 5000);
            Assert.That(SyncOps.Final(r, t), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Count, Is.EqualTo(0));
        }

        [Test]
        public void ForeverWaitsUntilReleased()
        {
            var s = Sem(0, 1, WaitDiscipline.Fifo);
            var low = Start(1, 50);
            var t = Start(2, 10);
            SyncStatus r = s.Obtain(t, Timeout.Forever);
            Blocks(r, t);
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            rig.Advance(1_000_000_000);
            Assert.That(t.Has(ThreadState.Blocked));
            s.Release(low);
            Settle();
            Running(t);
            Assert.That(SyncOps.Final(r, t), Is.EqualTo(SyncStatus.Successful));
        }

        [Test]
        public void FlushWakesAllWithFlushed()
        {
            var s = Sem(0, 1, WaitDiscipline.Priority);
            var low = Start(1, 50);
            var a = Start(2, 10);
            Blocks(s.Obtain(a, Timeout.Forever), a);
            var b = Start(3, 20);
            Blocks(s.Obtain(b, 3000), b);
            Assert.That(s.Flush(), Is.EqualTo(SyncStatus.Successful));
            Settle();
            Assert.That(a.WaitResult, Is.EqualTo(SyncStatus.Flushed));
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Flushed));
            Assert.That(s.Count, Is.EqualTo(0));
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            Running(a);
            Ok(s.CheckInvariants());
        }

        [Test]
        public void DeleteWakesWaitersAndLaterCallsFail()
        {
            var s = Sem(0, 1, WaitDiscipline.Fifo);
            var low = Start(1, 50);
            var a = Start(2, 10);
            Blocks(s.Obtain(a, 3000), a);
            Assert.That(s.Delete(), Is.EqualTo(SyncStatus.Successful));
            Settle();
            Assert.That(a.WaitResult, Is.EqualTo(SyncStatus.Deleted));
            Running(a);
            Assert.That(s.Obtain(a, Timeout.NoWait), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(s.Obtain(a, Timeout.Forever), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(s.Flush(), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(s.Delete(), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(a.IsReady);
            Ok(s.CheckInvariants());
        }

        [Test]
        public void SuspendedWaiterGetsUnitButStaysSuspended()
        {
            var s = Sem(0, 1, WaitDiscipline.Fifo);
            var low = Start(1, 50);
            var a = Start(2, 10);
            Blocks(s.Obtain(a, Timeout.Forever), a);
            Core.Suspend(a);
            s.Release(low);
            Settle();
            Running(low);
            Assert.That(a.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(a.State, Is.EqualTo(ThreadState.Suspended));
            Assert.That(s.Count, Is.EqualTo(0));
            Core.Resume(a);
            Settle();
            Running(a);
        }
    }
}
