using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sync
{
    /// <summary>Misuse returns a status and never throws.</summary>
    [TestFixture("priority")]
    public class MisuseTests : SyncTestBase
    {
        public MisuseTests(string policy) : base(policy) { }

        [Test]
        public void ObjectsWithoutCoreRefuseEverything()
        {
            var t = Start(1, 10);
            uint got;
            var m = new Mutex(null, false);
            Assert.That(m.Obtain(t, Timeout.NoWait), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(m.Release(t), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(m.Delete(t), Is.EqualTo(SyncStatus.InvalidArgument));
            var e = new EventFlags(null, WaitDiscipline.Fifo);
            Assert.That(e.Wait(t, 1, EventMode.Any, false, 10, out got), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(e.Delete(), Is.EqualTo(SyncStatus.InvalidArgument));
            var q = new WaitQueue(null, WaitDiscipline.Priority);
            Assert.That(q.Enqueue(t, 10), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(q.Extract(t, SyncStatus.Successful), Is.False);
            Assert.That(q.WakeOne(SyncStatus.Successful), Is.Null);
            Assert.That(q.WakeAll(SyncStatus.Successful), Is.EqualTo(0));
            Assert.That(t.IsReady);
        }

        [Test]
        public void NullAndForeignThreads()
        {
            var t = Start(1, 10);
            Assert.That(SyncOps.CancelWait(null, SyncStatus.Deleted), Is.False);
            Assert.That(SyncOps.AbandonMutexes(null), Is.EqualTo(0));
            SyncOps.ThreadExit(null);
            Assert.That(SyncOps.Final(SyncStatus.Blocked, null), Is.EqualTo(SyncStatus.Blocked));
            var q = new WaitQueue(Core, WaitDiscipline.Fifo);
            Assert.That(q.Extract(null, SyncStatus.Successful), Is.False);
            Assert.That(q.Next(null), Is.Null);
            Assert.That(q.Contains(null), Is.False);
            q.PriorityChanged(null);
            q.PriorityChanged(t);
            var m = new Mutex(Core, false);
            Assert.That(m.Obtain(Core.Idle, Timeout.NoWait), Is.EqualTo(SyncStatus.InvalidCaller), "idle never owns");
            var other = new Osprey.Tests.Sched.Rig(Policy).Started(5, 1);
            Assert.That(m.Obtain(other, Timeout.NoWait), Is.EqualTo(SyncStatus.InvalidCaller), "thread of another core");
        }

        [Test]
        public void ConstantsAndFinal()
        {
            Assert.That(Timeout.NoWait, Is.EqualTo(0));
            Assert.That(Timeout.Forever, Is.EqualTo(long.MaxValue));
            var t = Start(1, 10);
            t.WaitResult = SyncStatus.Timeout;
            Assert.That(SyncOps.Final(SyncStatus.Blocked, t), Is.EqualTo(SyncStatus.Timeout));
            Assert.That(SyncOps.Final(SyncStatus.Successful, t), Is.EqualTo(SyncStatus.Successful));
            // every status has its own code
            var seen = new System.Collections.Generic.HashSet<int>();
            foreach (SyncStatus s in System.Enum.GetValues(typeof(SyncStatus))) Assert.That(seen.Add((int)s), s.ToString());
            Assert.That((int)SyncStatus.Successful, Is.EqualTo(0));
        }

        [Test]
        public void WaitingThreadCannotWaitAgain()
        {
            var low = Start(1, 50);
            var t = Start(2, 10);
            var q = new WaitQueue(Core, WaitDiscipline.Fifo);
            Assert.That(q.Enqueue(t, Timeout.Forever), Is.EqualTo(SyncStatus.Blocked));
            // not dispatched yet: t is still the executing thread but not ready
            Assert.That(Core.Executing, Is.SameAs(t));
            SyncStatus st;
            var s = Semaphore.Create(Core, 0, 1, WaitDiscipline.Fifo, out st);
            Assert.That(s.Obtain(t, Timeout.Forever), Is.EqualTo(SyncStatus.InvalidCaller));
            Assert.That(SyncOps.SleepFor(Core, t, 10), Is.EqualTo(SyncStatus.InvalidCaller));
            Assert.That(q.Enqueue(t, 5), Is.EqualTo(SyncStatus.InvalidCaller));
            Assert.That(q.Count, Is.EqualTo(1));
            Settle();
            Ok(q.Check());
        }
    }
}
