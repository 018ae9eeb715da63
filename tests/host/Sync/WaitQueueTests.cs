using NUnit.Framework;
using Osprey.Sched;
using Osprey.Tests.Sched;

namespace Osprey.Tests.Sync
{
    [TestFixture("priority")]
    [TestFixture("edf")]
    public class WaitQueueTests : SyncTestBase
    {
        public WaitQueueTests(string policy) : base(policy) { }

        /// <summary>Threads of the given priorities, each enqueued in turn on q (each runs when it is its turn).</summary>
        SchedThread[] Waiters(WaitQueue q, params int[] prios)
        {
            var ts = new SchedThread[prios.Length];
            for (int i = 0; i < prios.Length; i++)
            {
                // Start at the most urgent level so it runs, enqueue, then drop to its real priority.
                var t = Start(10 + i, 0);
                Running(t);
                Blocks(q.Enqueue(t, Timeout.Forever), t);
                Core.SetPriority(t, prios[i]);
                Settle();
                ts[i] = t;
            }
            Ok(q.Check());
            return ts;
        }

        static int[] Order(WaitQueue q)
        {
            var ids = new System.Collections.Generic.List<int>();
            for (var t = q.First; t != null; t = q.Next(t)) ids.Add(t.Id);
            return ids.ToArray();
        }

        [Test]
        public void FifoServesInArrivalOrder()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Fifo);
            Waiters(q, 30, 10, 20, 10);
            Assert.That(Order(q), Is.EqualTo(new[] { 10, 11, 12, 13 }));
            Assert.That(q.Count, Is.EqualTo(4));
            Assert.That(q.WakeOne(SyncStatus.Successful).Id, Is.EqualTo(10));
            Assert.That(q.WakeOne(SyncStatus.Successful).Id, Is.EqualTo(11));
            Ok(q.Check());
        }

        [Test]
        public void PriorityServesMostUrgentFirstFifoAmongEquals()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Priority);
            // Priorities are set after enqueueing, so arrival order among equals is re-sort order.
            var ts = Waiters(q, 30, 10, 20, 10, 20);
            Assert.That(Order(q), Is.EqualTo(new[] { 11, 13, 12, 14, 10 }));
            Assert.That(q.WakeOne(SyncStatus.Successful), Is.SameAs(ts[1]));
            Assert.That(ts[1].WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(ts[1].WaitingOn, Is.Null);
            Assert.That(ts[1].IsReady);
            Ok(q.Check());
        }

        [Test]
        public void EqualsKeepArrivalOrder()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Priority);
            var a = Start(1, 5);
            Blocks(q.Enqueue(a, Timeout.Forever), a);
            var b = Start(2, 5);
            Blocks(q.Enqueue(b, Timeout.Forever), b);
            var c = Start(3, 5);
            Blocks(q.Enqueue(c, Timeout.Forever), c);
            Assert.That(Order(q), Is.EqualTo(new[] { 1, 2, 3 }));
        }

        [Test]
        public void PriorityChangeOfWaiterResorts()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Priority);
            var ts = Waiters(q, 10, 20, 30);
            Core.SetPriority(ts[2], 5);
            Assert.That(Order(q), Is.EqualTo(new[] { 12, 10, 11 }));
            Ok(q.Check());
            Core.SetPriority(ts[2], 40);
            Assert.That(Order(q), Is.EqualTo(new[] { 10, 11, 12 }));
            Ok(q.Check());
            if (Edf)
            {
                // A job deadline makes the waiter more urgent than every background waiter.
                var n = new PriorityNode();
                Core.ReleaseJob(ts[1], n, rig.Now + 500);
                Assert.That(Order(q), Is.EqualTo(new[] { 11, 10, 12 }));
                Ok(q.Check());
                Core.CancelJob(ts[1], n);
                Assert.That(Order(q), Is.EqualTo(new[] { 10, 11, 12 }));
            }
        }

        [Test]
        public void FifoIgnoresPriorityChanges()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Fifo);
            var ts = Waiters(q, 10, 20, 30);
            Core.SetPriority(ts[2], 1);
            Assert.That(Order(q), Is.EqualTo(new[] { 10, 11, 12 }));
            Ok(q.Check());
        }

        [Test]
        public void ExtractKeepsSuspendedBit()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Fifo);
            var low = Start(1, 50);
            var t = Start(2, 10);
            Blocks(q.Enqueue(t, Timeout.Forever), t);
            Core.Suspend(t);
            Assert.That(q.Extract(t, SyncStatus.Successful), Is.True);
            Settle();
            Assert.That(t.Has(ThreadState.Suspended));
            Assert.That(t.Has(ThreadState.Blocked), Is.False);
            Assert.That(t.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Running(low);
            Core.Resume(t);
            Settle();
            Running(t);
            Assert.That(q.Extract(t, SyncStatus.Successful), Is.False, "not waiting any more");
        }

        [Test]
        public void EnqueueRefusesWithoutChangingAnything()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Fifo);
            var a = Start(1, 10);
            var b = Start(2, 20);
            Assert.That(q.Enqueue(a, Timeout.NoWait), Is.EqualTo(SyncStatus.Unsatisfied));
            Assert.That(q.Enqueue(a, -5), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(q.Enqueue(null, 100), Is.EqualTo(SyncStatus.InvalidCaller));
            Assert.That(q.Enqueue(b, 100), Is.EqualTo(SyncStatus.InvalidCaller), "not the executing thread");
            Assert.That(q.Enqueue(Core.Idle, 100), Is.EqualTo(SyncStatus.InvalidCaller));
            Core.InterruptNesting = 1;
            Assert.That(q.Enqueue(a, 100), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Core.InterruptNesting = 0;
            Assert.That(q.Count, Is.EqualTo(0));
            Assert.That(a.IsReady && b.IsReady);
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            // a thread of another core
            var other = new Rig(Policy);
            var foreign = other.Started(9, 1);
            Assert.That(q.Enqueue(foreign, 100), Is.EqualTo(SyncStatus.InvalidCaller));
        }

        [Test]
        public void TimeoutExtractsAndUnblocks()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Priority);
            var low = Start(1, 50);
            var t = Start(2, 10);
            long t0 = rig.Now;
            SyncStatus s = q.Enqueue(t, 1000);
            Blocks(s, t);
            Assert.That(rig.P.Armed, Is.EqualTo(t0 + 1000));
            rig.RunUntil(t0 + 999);
            Assert.That(q.Contains(t));
            Running(low);
            rig.RunUntil(t0 + 1000);
            Running(t);
            Assert.That(SyncOps.Final(s, t), Is.EqualTo(SyncStatus.Timeout));
            Assert.That(q.Count, Is.EqualTo(0));
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
        }

        [Test]
        public void WakeCancelsTimer()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Fifo);
            Start(1, 50);
            var t = Start(2, 10);
            SyncStatus s = q.Enqueue(t, 1000);
            Blocks(s, t);
            Assert.That(Core.Timers.Count, Is.EqualTo(1));
            rig.Advance(500);
            q.WakeOne(SyncStatus.Successful);
            Settle();
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            Assert.That(rig.P.Armed, Is.EqualTo(long.MaxValue));
            rig.Advance(5000);
            Assert.That(SyncOps.Final(s, t), Is.EqualTo(SyncStatus.Successful));
        }

        [Test]
        public void WakeAllInOrderAndFinal()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Priority);
            var ts = Waiters(q, 30, 10, 20);
            Assert.That(q.WakeAll(SyncStatus.Flushed), Is.EqualTo(3));
            foreach (var t in ts)
            {
                Assert.That(SyncOps.Final(SyncStatus.Blocked, t), Is.EqualTo(SyncStatus.Flushed));
                Assert.That(t.IsReady);
            }
            Assert.That(SyncOps.Final(SyncStatus.Unsatisfied, ts[0]), Is.EqualTo(SyncStatus.Unsatisfied));
            Settle();
            Ok(q.Check());
        }

        [Test]
        public void CancelWaitEndsQueueWaitAndSleep()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Fifo);
            Start(1, 50);
            var t = Start(2, 10);
            Blocks(q.Enqueue(t, 5000), t);
            Assert.That(SyncOps.CancelWait(t, SyncStatus.Deleted), Is.True);
            Assert.That(t.WaitResult, Is.EqualTo(SyncStatus.Deleted));
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            Settle();
            Running(t);
            Blocks(SyncOps.SleepFor(Core, t, 5000), t);
            Assert.That(SyncOps.CancelWait(t, SyncStatus.Successful), Is.True);
            Settle();
            Running(t);
            Assert.That(t.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(SyncOps.CancelWait(t, SyncStatus.Deleted), Is.False);
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
        }

        [Test]
        public void HugeTimeoutIsForever()
        {
            var q = new WaitQueue(Core, WaitDiscipline.Fifo);
            Start(1, 50);
            var t = Start(2, 10);
            Blocks(q.Enqueue(t, long.MaxValue - 5), t);
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            Assert.That(SyncOps.ExpiryOf(100, Timeout.Forever), Is.EqualTo(long.MaxValue));
            Assert.That(SyncOps.ExpiryOf(100, 50), Is.EqualTo(150));
        }
    }
}
