using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sync
{
    [TestFixture("priority")]
    [TestFixture("edf")]
    public class EventFlagsTests : SyncTestBase
    {
        public EventFlagsTests(string policy) : base(policy) { }

        [Test]
        public void AnyAllAndClearOnExitWithoutBlocking()
        {
            var e = new EventFlags(Core, WaitDiscipline.Fifo);
            var a = Start(1, 10);
            uint got;
            Assert.That(e.Wait(a, 0x3, EventMode.Any, false, Timeout.NoWait, out got), Is.EqualTo(SyncStatus.Unsatisfied));
            e.Set(0x2);
            Assert.That(e.Wait(a, 0x3, EventMode.All, false, Timeout.NoWait, out got), Is.EqualTo(SyncStatus.Unsatisfied));
            Assert.That(got, Is.EqualTo(0u));
            Assert.That(e.Wait(a, 0x3, EventMode.Any, false, Timeout.NoWait, out got), Is.EqualTo(SyncStatus.Successful));
            Assert.That(got, Is.EqualTo(0x2u));
            Assert.That(e.Flags, Is.EqualTo(0x2u));
            e.Set(0x5);
            Assert.That(e.Wait(a, 0x3, EventMode.All, true, Timeout.Forever, out got), Is.EqualTo(SyncStatus.Successful));
            Assert.That(got, Is.EqualTo(0x3u));
            Assert.That(e.Flags, Is.EqualTo(0x4u), "only the satisfying flags are cleared");
            e.Clear(0xFFFF_FFFF);
            Assert.That(e.Flags, Is.EqualTo(0u));
            Assert.That(e.Wait(a, 0, EventMode.Any, false, Timeout.NoWait, out got), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(e.Wait(a, 1, (EventMode)7, false, Timeout.NoWait, out got), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(e.Wait(a, 1, EventMode.Any, false, -2, out got), Is.EqualTo(SyncStatus.InvalidArgument));
        }

        [Test]
        public void SetWakesEverySatisfiedWaiter()
        {
            var e = new EventFlags(Core, WaitDiscipline.Fifo);
            var bg = Start(1, 100);
            uint got;
            var any = Start(2, 10);
            Blocks(e.Wait(any, 0x1 | 0x8, EventMode.Any, false, Timeout.Forever, out got), any);
            var all = Start(3, 20);
            Blocks(e.Wait(all, 0x3, EventMode.All, false, Timeout.Forever, out got), all);
            var other = Start(4, 30);
            Blocks(e.Wait(other, 0x10, EventMode.Any, false, Timeout.Forever, out got), other);
            Running(bg);
            e.Set(0x1);
            Assert.That(any.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(any.Wait.Events, Is.EqualTo(0x1u));
            Assert.That(all.WaitResult, Is.EqualTo(SyncStatus.Blocked));
            e.Set(0x2);
            Assert.That(all.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(all.Wait.Events, Is.EqualTo(0x3u));
            Assert.That(other.WaitResult, Is.EqualTo(SyncStatus.Blocked));
            Assert.That(e.WaitingCount, Is.EqualTo(1));
            Ok(e.CheckInvariants());
        }

        [Test]
        public void ClearOnExitConsumesInQueueOrder()
        {
            var e = new EventFlags(Core, WaitDiscipline.Priority);
            var bg = Start(1, 100);
            uint got;
            var first = Start(2, 0);
            Blocks(e.Wait(first, 0x1, EventMode.Any, true, Timeout.Forever, out got), first);
            Core.SetPriority(first, 30);
            var second = Start(3, 0);
            Blocks(e.Wait(second, 0x1, EventMode.Any, true, Timeout.Forever, out got), second);
            Core.SetPriority(second, 20);
            var peek = Start(4, 0);
            Blocks(e.Wait(peek, 0x1, EventMode.Any, false, Timeout.Forever, out got), peek);
            Core.SetPriority(peek, 10);
            Settle();
            Running(bg);
            // priority order: peek (10, no clear) sees it, then second (20) consumes it, first (30) keeps waiting
            e.Set(0x1);
            Assert.That(peek.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(second.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(first.WaitResult, Is.EqualTo(SyncStatus.Blocked));
            Assert.That(e.Flags, Is.EqualTo(0u));
            Ok(e.CheckInvariants());
        }

        [Test]
        public void WaitTimesOutAndSetFromInterrupt()
        {
            var e = new EventFlags(Core, WaitDiscipline.Fifo);
            var bg = Start(1, 100);
            var w = Start(2, 10);
            long t0 = rig.Now;
            uint got;
            SyncStatus r = e.Wait(w, 0x4, EventMode.Any, true, 100, out got);
            Blocks(r, w);
            rig.RunUntil(t0 + 100);
            Assert.That(SyncOps.Final(r, w), Is.EqualTo(SyncStatus.Timeout));
            Running(w);
            r = e.Wait(w, 0x4, EventMode.Any, true, 100, out got);
            Blocks(r, w);
            Core.InterruptNesting = 1;
            Assert.That(e.Set(0x4), Is.EqualTo(SyncStatus.Successful));
            Assert.That(e.Wait(null, 0x4, EventMode.Any, false, Timeout.NoWait, out got), Is.EqualTo(SyncStatus.Unsatisfied), "consumed by w");
            Assert.That(e.Wait(null, 0x4, EventMode.Any, false, 5, out got), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Assert.That(e.Clear(1), Is.EqualTo(SyncStatus.Successful));
            Assert.That(e.Delete(), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Core.InterruptNesting = 0;
            Settle();
            Running(w);
            Assert.That(SyncOps.Final(r, w), Is.EqualTo(SyncStatus.Successful));
            Assert.That(w.Wait.Events, Is.EqualTo(0x4u));
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
        }

        [Test]
        public void Delete()
        {
            var e = new EventFlags(Core, WaitDiscipline.Fifo);
            var bg = Start(1, 100);
            var w = Start(2, 10);
            uint got;
            Blocks(e.Wait(w, 1, EventMode.All, false, Timeout.Forever, out got), w);
            Assert.That(e.Delete(), Is.EqualTo(SyncStatus.Successful));
            Assert.That(w.WaitResult, Is.EqualTo(SyncStatus.Deleted));
            Assert.That(e.Set(1), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(e.Clear(1), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(e.Wait(w, 1, EventMode.All, false, Timeout.NoWait, out got), Is.EqualTo(SyncStatus.Deleted));
            Assert.That(e.Delete(), Is.EqualTo(SyncStatus.Deleted));
        }
    }
}
