using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    /// <summary>
    /// A period timer that comes many periods late (or a period shorter than
    /// an expiry's own cost) is handled in bounded work: one timer call
    /// counts every period that ended, and leaves the timer armed past now.
    /// </summary>
    [TestFixture("priority")]
    [TestFixture("edf")]
    public class PeriodCatchUpTests
    {
        readonly string policy;
        public PeriodCatchUpTests(string policy) { this.policy = policy; }

        sealed class Counted : RatePeriod
        {
            public int Hooks;
            public Counted(SchedCore c, SchedThread o) : base(c, o, 3) { }
            protected override void OnExpiry(long expiry, long now, bool postponedJob) { Hooks++; }
        }

        [Test]
        public void OneNanosecondPeriodAMillisecondLateIsOneBoundedTimerCall()
        {
            var rig = new Rig(policy);
            rig.P.Time = 10_000;
            var owner = rig.Started(1, 10);
            var p = new Counted(rig.Core, owner);
            Assert.That(p.Run(owner, 1), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            rig.P.Time = 10_000 + 1_000_000;            // the owner ran on for 1 ms
            rig.Core.Charge(rig.P.Time);
            int fired = rig.Core.Timers.FireDue(rig.P.Time);
            rig.Settle();
            Assert.That(fired, Is.EqualTo(1), "the period's watchdog fires once, not once per period");
            Assert.That(p.Hooks, Is.EqualTo(2), "one hook for the first expiry, one for the periods counted at once");
            Assert.That(p.ExpiryCount, Is.EqualTo(1_000_000UL));
            Assert.That(p.PostponedCount, Is.EqualTo(1_000_000UL));
            Assert.That(p.PostponedJobs, Is.EqualTo(1_000_000u));
            Assert.That(p.LatestDeadline, Is.EqualTo(rig.P.Time + 1), "the next period ends after now");
            Assert.That(rig.P.Armed, Is.EqualTo(rig.P.Time + 1));
            Assert.That(p.CheckInvariants(), Is.Null);
            rig.Check();
        }

        [Test]
        public void WaitingOwnerIsReleasedOnceAndTheLaterPeriodsArePostponed()
        {
            var rig = new Rig(policy);
            rig.P.Time = 10_000;
            var owner = rig.Started(1, 10);
            rig.Started(2, 20);
            var p = new Counted(rig.Core, owner);
            p.Run(owner, 1000);                         // period 10 000 .. 11 000
            rig.Settle();
            rig.P.Time = 10_300;
            Assert.That(p.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(owner.Has(ThreadState.PeriodWait));
            rig.P.Time = 16_500;                         // the interrupt comes 5.5 periods late
            rig.Core.TimerFired(rig.P.Time);
            rig.Settle();
            Assert.That(owner.IsReady, "released by the first expiry");
            Assert.That(p.ExpiryCount, Is.EqualTo(6UL), "periods ending at 11 000 .. 16 000");
            Assert.That(p.PostponedJobs, Is.EqualTo(5u), "the five after the release found the owner running");
            Assert.That(p.JobDeadline, Is.EqualTo(12_000), "the released job keeps its own deadline");
            Assert.That(p.LatestDeadline, Is.EqualTo(17_000));
            Assert.That(p.State, Is.EqualTo(PeriodState.Expired));
            Assert.That(rig.P.Armed, Is.EqualTo(17_000));
            Assert.That(p.CheckInvariants(), Is.Null);
            rig.Check();
        }
    }
}
