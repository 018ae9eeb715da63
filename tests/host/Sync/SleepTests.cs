using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sync
{
    [TestFixture("priority")]
    [TestFixture("edf")]
    public class SleepTests : SyncTestBase
    {
        public SleepTests(string policy) : base(policy) { }

        [TestCase(1)]
        [TestCase(1000)]
        [TestCase(123_456_789)]
        public void SleepForNeverWakesEarly(long ns)
        {
            var low = Start(1, 50);
            var t = Start(2, 10);
            long t0 = rig.Now;
            SyncStatus r = SyncOps.SleepFor(Core, t, ns);
            Blocks(r, t);
            Assert.That(t.Has(ThreadState.Sleeping));
            Assert.That(t.Has(ThreadState.Blocked), Is.False);
            Assert.That(t.WaitingOn, Is.Null);
            Assert.That(rig.P.Armed, Is.EqualTo(t0 + ns));
            rig.RunUntil(t0 + ns - 1);
            Running(low);
            Assert.That(t.Has(ThreadState.Sleeping));
            rig.RunUntil(t0 + ns);
            Running(t);
            Assert.That(SyncOps.Final(r, t), Is.EqualTo(SyncStatus.Successful));
        }

        [Test]
        public void LateTimerInterruptStillWakes()
        {
            Start(1, 50);
            var t = Start(2, 10);
            long t0 = rig.Now;
            Blocks(SyncOps.SleepFor(Core, t, 500), t);
            // the platform fires late: fine, never early
            rig.P.Time = t0 + 800;
            Core.TimerFired(rig.P.Time);
            Settle();
            Running(t);
            Assert.That(t.WaitResult, Is.EqualTo(SyncStatus.Successful));
        }

        [Test]
        public void EarlyTimerInterruptDoesNotWake()
        {
            Start(1, 50);
            var t = Start(2, 10);
            long t0 = rig.Now;
            Blocks(SyncOps.SleepFor(Core, t, 500), t);
            Core.TimerFired(t0 + 499); // a spurious, early interrupt
            Settle();
            Assert.That(t.Has(ThreadState.Sleeping));
            rig.RunUntil(t0 + 500);
            Running(t);
        }

        [Test]
        public void SleepUntil()
        {
            var low = Start(1, 50);
            var t = Start(2, 10);
            long wake = rig.Now + 7777;
            Blocks(SyncOps.SleepUntil(Core, t, wake), t);
            rig.RunUntil(wake - 1);
            Running(low);
            rig.RunUntil(wake);
            Running(t);
            Assert.That(rig.Now, Is.GreaterThanOrEqualTo(wake));
        }

        [Test]
        public void PastOrZeroReturnsAtOnce()
        {
            var t = Start(2, 10);
            Assert.That(SyncOps.SleepUntil(Core, t, rig.Now), Is.EqualTo(SyncStatus.Successful));
            Assert.That(SyncOps.SleepUntil(Core, t, rig.Now - 100), Is.EqualTo(SyncStatus.Successful));
            Assert.That(SyncOps.SleepFor(Core, t, 0), Is.EqualTo(SyncStatus.Successful));
            Assert.That(t.IsReady);
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            Assert.That(SyncOps.SleepFor(Core, t, -1), Is.EqualTo(SyncStatus.InvalidArgument));
        }

        [Test]
        public void SleepRefusals()
        {
            var a = Start(1, 10);
            var b = Start(2, 20);
            Assert.That(SyncOps.SleepFor(Core, b, 100), Is.EqualTo(SyncStatus.InvalidCaller));
            Assert.That(SyncOps.SleepFor(Core, null, 100), Is.EqualTo(SyncStatus.InvalidCaller));
            Assert.That(SyncOps.SleepFor(null, a, 100), Is.EqualTo(SyncStatus.InvalidArgument));
            Core.InterruptNesting = 1;
            Assert.That(SyncOps.SleepFor(Core, a, 100), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Assert.That(SyncOps.SleepUntil(Core, a, rig.Now + 100), Is.EqualTo(SyncStatus.CalledFromInterrupt));
            Core.InterruptNesting = 0;
            Assert.That(a.IsReady && b.IsReady);
        }

        [Test]
        public void SleepForeverUntilCancelled()
        {
            var low = Start(1, 50);
            var t = Start(2, 10);
            Blocks(SyncOps.SleepFor(Core, t, Timeout.Forever), t);
            Assert.That(Core.Timers.Count, Is.EqualTo(0));
            rig.Advance(1_000_000_000);
            Running(low);
            SyncOps.CancelWait(t, SyncStatus.Successful);
            Settle();
            Running(t);
        }

        [Test]
        public void SuspendedSleeperWakesSuspended()
        {
            var low = Start(1, 50);
            var t = Start(2, 10);
            long t0 = rig.Now;
            Blocks(SyncOps.SleepFor(Core, t, 100), t);
            Core.Suspend(t);
            rig.RunUntil(t0 + 100);
            Assert.That(t.State, Is.EqualTo(ThreadState.Suspended));
            Assert.That(t.WaitResult, Is.EqualTo(SyncStatus.Successful));
            Running(low);
        }

        [Test]
        public void ManySleepersWakeInTimeOrder()
        {
            var idleish = Start(1, 200);
            long t0 = rig.Now;
            long[] d = { 500, 100, 300, 100, 700 };
            var ts = new SchedThread[d.Length];
            for (int i = 0; i < d.Length; i++)
            {
                ts[i] = Start(10 + i, 10 + i);
                Blocks(SyncOps.SleepFor(Core, ts[i], d[i]), ts[i]);
            }
            for (long now = t0; now <= t0 + 800; now += 50)
            {
                rig.RunUntil(now);
                for (int i = 0; i < d.Length; i++)
                {
                    bool shouldSleep = now < t0 + d[i];
                    Assert.That(ts[i].Has(ThreadState.Sleeping), Is.EqualTo(shouldSleep), "t" + ts[i].Id + " at +" + (now - t0));
                }
            }
        }
    }
}
