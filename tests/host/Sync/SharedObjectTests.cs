using System.Collections.Generic;
using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sync
{
    /// <summary>
    /// Sync objects shared across cores (Share): two cores on platforms
    /// that know which core the "calling CPU" runs; a wake of a waiter of
    /// the other core is handed off (recorded) and ended by SyncOps.EndWait
    /// there; the object's guard is held around every operation and never
    /// nested.
    /// </summary>
    [TestFixture]
    public class SharedObjectTests
    {
        /// <summary>A platform whose core is "local" only while Context points at it.</summary>
        sealed class CpuPlatform : Platform
        {
            public static CpuPlatform Context;
            public static long Time = 1_000_000;
            public long Armed = long.MaxValue;
            public readonly List<SchedThread> HandedOff = new List<SchedThread>();

            public override long Now() { return Time; }
            public override void ArmTimer(long absoluteNs) { Armed = absoluteNs; }
            public override void RequestSwitch() { }
            public override bool HandOffWake(SchedThread t)
            {
                if (Context == this) return false;
                HandedOff.Add(t);
                return true;
            }
        }

        /// <summary>Counts entries; fails on a nested entry or an exit without entry.</summary>
        sealed class CountingGuard : SyncGuard
        {
            public int Depth, Enters, Exits;
            public override ulong Enter()
            {
                Assert.That(Depth, Is.EqualTo(0), "guard entered twice");
                Depth++;
                Enters++;
                return 0x1234;
            }
            public override void Exit(ulong state)
            {
                Assert.That(state, Is.EqualTo(0x1234UL));
                Assert.That(Depth, Is.EqualTo(1), "exit without enter");
                Depth--;
                Exits++;
            }
        }

        CpuPlatform p0, p1;
        SchedCore c0, c1;
        SchedThread a, b, c;
        CountingGuard g;

        [SetUp]
        public void SetUp()
        {
            CpuPlatform.Time = 1_000_000;
            p0 = new CpuPlatform();
            p1 = new CpuPlatform();
            string e;
            c0 = SchedCore.Create(p0, "priority", null, out e);
            c1 = SchedCore.Create(p1, "priority", null, out e);
            a = Started(c0, 1, 10);
            b = Started(c1, 2, 10);
            c = new SchedThread(3, 20, "t3");
            c0.AddThread(c);
            c0.Start(c);
            g = new CountingGuard();
            CpuPlatform.Context = p0;
        }

        static SchedThread Started(SchedCore core, int id, int prio)
        {
            var t = new SchedThread(id, prio, "t" + id);
            core.AddThread(t);
            core.Start(t);
            core.Dispatch();
            Assert.That(core.Executing, Is.SameAs(t));
            return t;
        }

        static void Ok(string e) { Assert.That(e, Is.Null, e); }

        void Invariants()
        {
            Ok(c0.CheckInvariants());
            Ok(c1.CheckInvariants());
            Assert.That(g.Depth, Is.EqualTo(0));
            Assert.That(g.Enters, Is.EqualTo(g.Exits));
        }

        /// <summary>b (core 1) calls op in core 1's context and blocks there.</summary>
        void BlocksOnCore1(SyncStatus s)
        {
            Assert.That(s, Is.EqualTo(SyncStatus.Blocked));
            Assert.That(b.Has(ThreadState.Blocked));
            c1.Dispatch();
            Assert.That(c1.Executing, Is.Not.SameAs(b));
        }

        Semaphore SharedSemaphore(int initial, WaitDiscipline d = WaitDiscipline.Fifo)
        {
            SyncStatus st;
            var s = Semaphore.Create(c0, initial, 100, d, out st);
            Assert.That(s.Share(g), Is.EqualTo(SyncStatus.Successful));
            return s;
        }

        [Test]
        public void ShareIsRefusedTwiceWithoutGuardOrWithWaiters()
        {
            SyncStatus st;
            var s = Semaphore.Create(c0, 0, 1, WaitDiscipline.Fifo, out st);
            Assert.That(s.Share(null), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(s.Guard, Is.Null);
            Assert.That(s.Obtain(a, 1000), Is.EqualTo(SyncStatus.Blocked));
            Assert.That(s.Share(g), Is.EqualTo(SyncStatus.InvalidArgument), "a thread waits");
            Assert.That(s.Release(null), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Share(g), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Share(new CountingGuard()), Is.EqualTo(SyncStatus.InvalidArgument), "shared already");
            Assert.That(s.Waiters.Guard, Is.SameAs(g));
            var q = MessageQueue.Create(c0, 4, 2, WaitDiscipline.Fifo, out st);
            Assert.That(q.Share(g), Is.EqualTo(SyncStatus.Successful));
            Assert.That(q.Senders.Guard, Is.SameAs(g));
            Assert.That(q.Receivers.Guard, Is.SameAs(g));
            Assert.That(q.Share(g), Is.EqualTo(SyncStatus.InvalidArgument));
        }

        [Test]
        public void WaiterBlocksOnItsOwnCoreAndIsWokenThereThroughTheHandOff()
        {
            var s = SharedSemaphore(0);
            CpuPlatform.Context = p1;
            BlocksOnCore1(s.Obtain(b, 5000));
            Assert.That(c1.Timers.Count, Is.EqualTo(1), "its timer is in its own core's queue");
            Assert.That(c0.Timers.Count, Is.EqualTo(0));
            Assert.That(s.WaitingCount, Is.EqualTo(1));
            Ok(s.CheckInvariants());

            CpuPlatform.Context = p0;
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p1.HandedOff, Is.EqualTo(new[] { b }), "the wake went to core 1");
            Assert.That(s.WaitingCount, Is.EqualTo(0));
            Assert.That(s.Count, Is.EqualTo(0), "the unit went to b");
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(b.Has(ThreadState.Blocked), "b stays blocked until its core ends the wait");

            CpuPlatform.Context = p1;
            Assert.That(SyncOps.EndWait(b), Is.True);
            Assert.That(b.State, Is.EqualTo(ThreadState.Ready));
            Assert.That(c1.Timers.Count, Is.EqualTo(0), "its timer was cancelled on its core");
            Assert.That(SyncOps.EndWait(b), Is.False, "a second end changes nothing");
            Invariants();
        }

        [Test]
        public void TimerFiringAfterARemoteReleaseDoesNotTimeTheWaitOut()
        {
            var s = SharedSemaphore(0);
            CpuPlatform.Context = p1;
            BlocksOnCore1(s.Obtain(b, 5000));
            CpuPlatform.Context = p0;
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.Successful));
            // Core 1's timer fires before it handles the handed-off wake.
            CpuPlatform.Context = p1;
            CpuPlatform.Time += 10_000;
            c1.TimerFired(CpuPlatform.Time);
            Assert.That(b.Has(ThreadState.Blocked), "the timer did not end the wait");
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(SyncOps.EndWait(b), Is.True);
            Assert.That(b.State, Is.EqualTo(ThreadState.Ready));
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Successful), "exactly one outcome: the unit");
            Assert.That(s.Count, Is.EqualTo(0));
            Invariants();
        }

        [Test]
        public void TimeoutFirstThenTheReleaseIsCounted()
        {
            var s = SharedSemaphore(0);
            CpuPlatform.Context = p1;
            BlocksOnCore1(s.Obtain(b, 5000));
            int enters = g.Enters;
            CpuPlatform.Time += 10_000;
            c1.TimerFired(CpuPlatform.Time);
            Assert.That(g.Enters, Is.EqualTo(enters + 1), "the timeout took the guard");
            Assert.That(b.State, Is.EqualTo(ThreadState.Ready));
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Timeout));
            CpuPlatform.Context = p0;
            Assert.That(s.Release(a), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Count, Is.EqualTo(1), "the unit is kept, not lost");
            Assert.That(p1.HandedOff, Is.Empty);
            Invariants();
        }

        [Test]
        public void ReleaseOnTheWaitersOwnCoreWakesAtOnce()
        {
            var s = SharedSemaphore(0);
            CpuPlatform.Context = p1;
            BlocksOnCore1(s.Obtain(b, Timeout.Forever));
            Assert.That(c1.Timers.Count, Is.EqualTo(0));
            Assert.That(s.Release(null), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p1.HandedOff, Is.Empty);
            Assert.That(b.State, Is.EqualTo(ThreadState.Ready));
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Invariants();
        }

        [Test]
        public void NullCallerOfASharedObjectIsAnInterruptHandler()
        {
            var s = SharedSemaphore(0);
            Assert.That(s.Obtain(null, 100), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Assert.That(s.Obtain(null, -1), Is.EqualTo(SyncStatus.InvalidArgument));
            Assert.That(s.Obtain(null, Timeout.NoWait), Is.EqualTo(SyncStatus.Unsatisfied));
            Assert.That(s.Release(null), Is.EqualTo(SyncStatus.Successful));
            Assert.That(s.Obtain(null, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Invariants();
        }

        [Test]
        public void MessageFromAnotherCoreIsCopiedOnceIntoTheWaitingReceiver()
        {
            SyncStatus st;
            var q = MessageQueue.Create(c0, 8, 2, WaitDiscipline.Fifo, out st);
            Assert.That(q.Share(g), Is.EqualTo(SyncStatus.Successful));
            var buf = new byte[8];
            int len;
            CpuPlatform.Context = p1;
            BlocksOnCore1(q.Receive(b, buf, 5000, out len));
            CpuPlatform.Context = p0;
            var m = new byte[] { 1, 2, 3, 4, 5 };
            Assert.That(q.Send(a, m, 5, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            Assert.That(q.Count, Is.EqualTo(0), "not stored: handed to the receiver");
            Assert.That(p1.HandedOff, Is.EqualTo(new[] { b }));
            Assert.That(b.Wait.Length, Is.EqualTo(5));
            Assert.That(buf, Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 0, 0, 0 }));
            CpuPlatform.Context = p1;
            CpuPlatform.Time += 10_000;
            c1.TimerFired(CpuPlatform.Time);
            Assert.That(SyncOps.EndWait(b), Is.True);
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Assert.That(q.Count, Is.EqualTo(0));
            Ok(q.CheckInvariants());
            Invariants();
        }

        [Test]
        public void SenderOfAnotherCoreIsAdmittedByAReceive()
        {
            SyncStatus st;
            var q = MessageQueue.Create(c0, 4, 1, WaitDiscipline.Fifo, out st);
            Assert.That(q.Share(g), Is.EqualTo(SyncStatus.Successful));
            Assert.That(q.Send(a, new byte[] { 9 }, 1, Timeout.NoWait), Is.EqualTo(SyncStatus.Successful));
            CpuPlatform.Context = p1;
            BlocksOnCore1(q.Send(b, new byte[] { 7, 7 }, 2, 5000));
            CpuPlatform.Context = p0;
            var r = new byte[4];
            int len;
            Assert.That(q.Receive(a, r, Timeout.NoWait, out len), Is.EqualTo(SyncStatus.Successful));
            Assert.That(len, Is.EqualTo(1));
            Assert.That(p1.HandedOff, Is.EqualTo(new[] { b }), "the admitted sender is woken on its core");
            Assert.That(q.Count, Is.EqualTo(1));
            Assert.That(q.Receive(a, r, Timeout.NoWait, out len), Is.EqualTo(SyncStatus.Successful));
            Assert.That(len, Is.EqualTo(2));
            Assert.That(r[0], Is.EqualTo(7));
            CpuPlatform.Context = p1;
            Assert.That(SyncOps.EndWait(b), Is.True);
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Invariants();
        }

        [Test]
        public void EventFlagsAllAcrossCores()
        {
            var e = new EventFlags(c0, WaitDiscipline.Fifo);
            Assert.That(e.Share(g), Is.EqualTo(SyncStatus.Successful));
            uint got;
            CpuPlatform.Context = p1;
            BlocksOnCore1(e.Wait(b, 0x3, EventMode.All, true, Timeout.Forever, out got));
            CpuPlatform.Context = p0;
            Assert.That(e.Set(0x1), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p1.HandedOff, Is.Empty, "half of 'all' wakes nobody");
            Assert.That(e.Set(0x2), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p1.HandedOff, Is.EqualTo(new[] { b }));
            Assert.That(b.Wait.Events, Is.EqualTo(0x3u));
            Assert.That(e.Flags, Is.EqualTo(0u), "cleared on exit");
            CpuPlatform.Context = p1;
            Assert.That(SyncOps.EndWait(b), Is.True);
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Invariants();
        }

        [Test]
        public void BlockPoolFreeHandsTheBlockToAWaiterOfAnotherCore()
        {
            SyncStatus st;
            var p = BlockPool.Create(c0, 0x1000, 64, 1, WaitDiscipline.Fifo, out st);
            Assert.That(p.Share(g), Is.EqualTo(SyncStatus.Successful));
            ulong addr, none;
            Assert.That(p.Allocate(a, Timeout.NoWait, out addr), Is.EqualTo(SyncStatus.Successful));
            CpuPlatform.Context = p1;
            BlocksOnCore1(p.Allocate(b, 5000, out none));
            CpuPlatform.Context = p0;
            Assert.That(p.Free(a, addr), Is.EqualTo(SyncStatus.Successful));
            Assert.That(b.Wait.Address, Is.EqualTo(addr));
            Assert.That(p.FreeCount, Is.EqualTo(0));
            CpuPlatform.Context = p1;
            Assert.That(SyncOps.EndWait(b), Is.True);
            Ok(p.CheckInvariants());
            Invariants();
        }

        [Test]
        public void PriorityChangeOfAWaiterResortsUnderTheGuard()
        {
            var s = SharedSemaphore(0, WaitDiscipline.Priority);
            // a (core 0) waits first, then b (core 1), both priority 10: a first.
            Assert.That(s.Obtain(a, Timeout.Forever), Is.EqualTo(SyncStatus.Blocked));
            c0.Dispatch();
            CpuPlatform.Context = p1;
            BlocksOnCore1(s.Obtain(b, Timeout.Forever));
            Assert.That(s.Waiters.First, Is.SameAs(a));
            // b becomes more urgent on its own core: re-sorted under the guard.
            int enters = g.Enters;
            var node = new PriorityNode();
            c1.SetPriorityNode(b, node, 5);
            Assert.That(g.Enters, Is.EqualTo(enters + 1));
            Assert.That(s.Waiters.First, Is.SameAs(b));
            Assert.That(s.Waiters.Next(b), Is.SameAs(a));
            Ok(s.CheckInvariants());
            Invariants();
        }

        [Test]
        public void CancelWaitOfASharedWaiterTakesTheGuard()
        {
            var s = SharedSemaphore(0);
            CpuPlatform.Context = p1;
            BlocksOnCore1(s.Obtain(b, 5000));
            int enters = g.Enters;
            Assert.That(SyncOps.CancelWait(b, SyncStatus.Deleted), Is.True);
            Assert.That(g.Enters, Is.EqualTo(enters + 1));
            Assert.That(b.State, Is.EqualTo(ThreadState.Ready));
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Deleted));
            Assert.That(s.WaitingCount, Is.EqualTo(0));
            Invariants();
        }

        [Test]
        public void DeleteWakesWaitersOfEveryCore()
        {
            var s = SharedSemaphore(0);
            CpuPlatform.Context = p1;
            BlocksOnCore1(s.Obtain(b, 5000));
            CpuPlatform.Context = p0;
            Assert.That(s.Delete(), Is.EqualTo(SyncStatus.Successful));
            Assert.That(p1.HandedOff, Is.EqualTo(new[] { b }));
            Assert.That(b.WaitResult, Is.EqualTo(SyncStatus.Deleted));
            CpuPlatform.Context = p1;
            Assert.That(SyncOps.EndWait(b), Is.True);
            Assert.That(s.Obtain(b, Timeout.NoWait), Is.EqualTo(SyncStatus.Deleted));
            Invariants();
        }
    }
}
