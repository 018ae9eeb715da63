using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    [TestFixture]
    public class CbsAdmissionTests
    {
        Rig rig;
        CbsScheduler cbs;
        [SetUp] public void SetUp() { rig = new Rig("cbs"); cbs = (CbsScheduler)rig.S; }

        CbsStatus Attach(int id, long q, long t, out CbsAdmission a)
        {
            var th = rig.Thread(id, 10);
            return cbs.Attach(th, new CbsServer(id, q, t, CbsMode.Hard), out a);
        }

        [Test]
        public void AdmitsUpToExactlyTheBound()
        {
            CbsAdmission a;
            Assert.That(Attach(1, 1, 3, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(Attach(2, 1_000_000, 3_000_000, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(Attach(3, 7, 21, out a), Is.EqualTo(CbsStatus.Ok), "1/3 + 1/3 + 1/3 == 1 exactly");
            Assert.That(a.Exact);
            Assert.That(Attach(4, 1, 1_000_000_000, out a), Is.EqualTo(CbsStatus.AdmissionRejected));
            Assert.That(a.LeftNum, Is.EqualTo(0));
            long n, d;
            Assert.That(cbs.TotalBandwidth(out n, out d));
            Assert.That(n, Is.EqualTo(1)); Assert.That(d, Is.EqualTo(1));
            Assert.That(cbs.ServerCount, Is.EqualTo(3));
        }

        [Test]
        public void RejectionSaysWhichServerAndBandwidthAskedAndLeft()
        {
            CbsAdmission a;
            Assert.That(Attach(1, 600, 1000, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(Attach(42, 500, 1000, out a), Is.EqualTo(CbsStatus.AdmissionRejected));
            Assert.That(a.Status, Is.EqualTo(CbsStatus.AdmissionRejected));
            Assert.That(a.ServerId, Is.EqualTo(42));
            Assert.That(a.AskedNum, Is.EqualTo(1)); Assert.That(a.AskedDen, Is.EqualTo(2));
            Assert.That(a.LeftNum, Is.EqualTo(2)); Assert.That(a.LeftDen, Is.EqualTo(5));
            Assert.That(a.AskedPpm, Is.EqualTo(500000));
            Assert.That(a.LeftPpm, Is.EqualTo(400000));
            Assert.That(a.Message, Does.Contain("server 42"));
            Assert.That(a.Message, Does.Contain("1/2"));
            Assert.That(a.Message, Does.Contain("2/5"));
            Assert.That(a.Message, Does.Contain("400000 ppm"));
        }

        [TestCase(0, 100)]
        [TestCase(-1, 100)]
        [TestCase(10, 0)]
        [TestCase(10, -5)]
        [TestCase(101, 100)]
        public void InvalidParameters(long q, long t)
        {
            CbsAdmission a;
            Assert.That(Attach(1, q, t, out a), Is.EqualTo(CbsStatus.InvalidParameters));
            Assert.That(a.Message, Is.Not.Null);
            Assert.That(cbs.ServerCount, Is.EqualTo(0));
        }

        [Test]
        public void MisuseStatuses()
        {
            CbsAdmission a;
            var t = rig.Thread(1, 10);
            var s = new CbsServer(1, 10, 100, CbsMode.Soft);
            Assert.That(cbs.Attach(null, s, out a), Is.EqualTo(CbsStatus.NullArgument));
            Assert.That(cbs.Attach(t, null, out a), Is.EqualTo(CbsStatus.NullArgument));
            Assert.That(cbs.Detach(t), Is.EqualTo(CbsStatus.NotAttached));
            Assert.That(cbs.Detach(null), Is.EqualTo(CbsStatus.NullArgument));
            Assert.That(cbs.Attach(t, s, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(cbs.Attach(t, new CbsServer(2, 1, 100, CbsMode.Soft), out a), Is.EqualTo(CbsStatus.AlreadyAttached));
            Assert.That(cbs.Attach(rig.Thread(2, 10), s, out a), Is.EqualTo(CbsStatus.AlreadyAttached));
            Assert.That(cbs.SetBound(0, 1), Is.EqualTo(CbsStatus.InvalidBound));
            Assert.That(cbs.SetBound(1, 0), Is.EqualTo(CbsStatus.InvalidBound));
            var other = new Rig("cbs");
            var foreign = other.Thread(9, 1);
            Assert.That(cbs.Attach(foreign, new CbsServer(9, 1, 10, CbsMode.Hard), out a), Is.EqualTo(CbsStatus.NotCbsScheduler));
            CbsAdmission b;
            Assert.That(cbs.SetParameters(new CbsServer(3, 1, 10, CbsMode.Hard), 1, 10, out b), Is.EqualTo(CbsStatus.NotAttached));
            Assert.That(cbs.SetParameters(null, 1, 10, out b), Is.EqualTo(CbsStatus.NullArgument));
        }

        [Test]
        public void TableFull()
        {
            var core = new SchedCore(new FakePlatform(), new CbsScheduler(2), null);
            var sch = (CbsScheduler)core.Scheduler;
            CbsAdmission a;
            for (int i = 0; i < 2; i++)
            {
                var t = new SchedThread(i, 1); core.AddThread(t);
                Assert.That(sch.Attach(t, new CbsServer(i, 1, 10, CbsMode.Hard), out a), Is.EqualTo(CbsStatus.Ok));
            }
            var x = new SchedThread(5, 1); core.AddThread(x);
            Assert.That(sch.Attach(x, new CbsServer(5, 1, 10, CbsMode.Hard), out a), Is.EqualTo(CbsStatus.TooManyServers));
        }

        [Test]
        public void BoundIsConfigurable()
        {
            CbsAdmission a;
            Assert.That(cbs.SetBound(1, 2), Is.EqualTo(CbsStatus.Ok));
            Assert.That(Attach(1, 1, 4, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(Attach(2, 26, 100, out a), Is.EqualTo(CbsStatus.AdmissionRejected));
            Assert.That(Attach(3, 25, 100, out a), Is.EqualTo(CbsStatus.Ok));
        }

        [Test]
        public void DetachFreesBandwidthAndSetParametersShrinksFreely()
        {
            CbsAdmission a;
            var t1 = rig.Thread(1, 10);
            var s1 = new CbsServer(1, 8, 10, CbsMode.Hard);
            Assert.That(cbs.Attach(t1, s1, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(Attach(2, 3, 10, out a), Is.EqualTo(CbsStatus.AdmissionRejected));
            Assert.That(cbs.SetParameters(s1, 5, 10, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(Attach(3, 3, 10, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(cbs.SetParameters(s1, 8, 10, out a), Is.EqualTo(CbsStatus.AdmissionRejected), "growing is admitted against others");
            Assert.That(a.ServerId, Is.EqualTo(1));
            Assert.That(cbs.SetParameters(s1, 0, 10, out a), Is.EqualTo(CbsStatus.InvalidParameters));
            Assert.That(cbs.Detach(t1), Is.EqualTo(CbsStatus.Ok));
            Assert.That(t1.Server, Is.Null);
            Assert.That(Attach(4, 7, 10, out a), Is.EqualTo(CbsStatus.Ok));
        }

        [Test]
        public void OverflowingSumFallsBackConservatively()
        {
            CbsAdmission a;
            // Periods whose lcm does not fit in 64 bits.
            Assert.That(Attach(1, 1_000_000_007L, 4_000_000_007L, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(Attach(2, 1_000_000_009L, 4_000_000_009L, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(Attach(3, 1_000_000_021L, 4_000_000_021L, out a), Is.EqualTo(CbsStatus.Ok));
            Assert.That(a.Exact, Is.False);
            Assert.That(Attach(4, 300_000_000L, 1_000_000_000L, out a), Is.EqualTo(CbsStatus.AdmissionRejected));
            Assert.That(Attach(5, 200_000_000L, 1_000_000_000L, out a), Is.EqualTo(CbsStatus.Ok));
        }
    }

    [TestFixture]
    public class CbsRuntimeTests
    {
        sealed class Server : CbsServer
        {
            public int Overruns;
            public long LastOverrunAt;
            public Server(int id, long q, long t, CbsMode m) : base(id, q, t, m) { }
            public override void OnOverrun(long now) { Overruns++; LastOverrunAt = now; }
        }

        Rig rig;
        CbsScheduler cbs;
        SchedThread owner, other;

        [SetUp]
        public void SetUp()
        {
            rig = new Rig("cbs");
            cbs = (CbsScheduler)rig.S;
            rig.P.Time = 10_000;
        }

        Server AttachOwner(long q, long t, CbsMode mode, int otherPrio)
        {
            owner = rig.Thread(1, 10);
            var s = new Server(1, q, t, mode);
            CbsAdmission a;
            Assert.That(cbs.Attach(owner, s, out a), Is.EqualTo(CbsStatus.Ok));
            other = rig.Started(2, otherPrio);
            rig.Core.Start(owner); rig.Settle();
            return s;
        }

        [Test]
        public void HardModeThrottlesUntilPeriodEndThenReplenishes()
        {
            var s = AttachOwner(300, 1000, CbsMode.Hard, 20);
            var period = new RatePeriod(rig.Core, owner);
            Assert.That(rig.Exec, Is.SameAs(owner));
            // Aperiodic start already gave it a deadline; the period takes over.
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
            Assert.That(s.RemainingNs, Is.EqualTo(300));
            Assert.That(s.BudgetTimer.IsArmed);
            rig.RunUntil(10_299);
            Assert.That(rig.Exec, Is.SameAs(owner));
            rig.RunUntil(10_300);
            Assert.That(s.Overruns, Is.EqualTo(1));
            Assert.That(s.LastOverrunAt, Is.EqualTo(10_300));
            Assert.That(s.Throttled);
            Assert.That(owner.Has(ThreadState.Throttled));
            Assert.That(rig.Exec, Is.SameAs(other));
            Assert.That(owner.CpuTimeNs, Is.EqualTo(300));
            rig.RunUntil(10_999);
            Assert.That(rig.Exec, Is.SameAs(other));
            rig.RunUntil(11_000);
            Assert.That(s.Throttled, Is.False);
            Assert.That(rig.Exec, Is.SameAs(owner));
            Assert.That(s.RemainingNs, Is.EqualTo(300));
            Assert.That(s.DeadlineNs, Is.EqualTo(12_000));
            Assert.That(owner.EffectivePriority, Is.EqualTo(12_000));
            Assert.That(period.PostponedJobs, Is.EqualTo(1u), "the period expired while the job was throttled");
            // The late job finishes; the postponed job has the same deadline: no second refill in this server period.
            rig.Advance(100);
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Timeout));
            Assert.That(s.RemainingNs, Is.EqualTo(200));
            Assert.That(cbs.CheckInvariants(), Is.Null);
            Assert.That(cbs.OverrunCount, Is.EqualTo(1));
        }

        [Test]
        public void JobWithinBudgetIsNotThrottled()
        {
            var s = AttachOwner(300, 1000, CbsMode.Hard, 20);
            var period = new RatePeriod(rig.Core, owner);
            period.Run(owner, 1000);
            for (int job = 0; job < 5; job++)
            {
                rig.Advance(250);
                Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
                rig.Settle();
                Assert.That(rig.Exec, Is.SameAs(other));
                Assert.That(s.BudgetTimer.IsArmed, Is.False, "budget timer cancelled when the server stops running");
                rig.RunUntil(11_000 + job * 1000);
                Assert.That(rig.Exec, Is.SameAs(owner));
                Assert.That(s.RemainingNs, Is.EqualTo(300));
            }
            Assert.That(s.Overruns, Is.EqualTo(0));
        }

        [Test]
        public void BudgetChargedOnlyWhileRunning()
        {
            var s = AttachOwner(300, 1000, CbsMode.Hard, 20);
            var period = new RatePeriod(rig.Core, owner);
            period.Run(owner, 1000);
            rig.Advance(100);
            var urgent = rig.Thread(3, 0);
            rig.Core.ReleaseJob(urgent, new PriorityNode(), 10_500);
            rig.Core.Start(urgent); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(urgent));
            Assert.That(s.BudgetTimer.IsArmed, Is.False);
            rig.Advance(400);
            Assert.That(s.RemainingNs, Is.EqualTo(200));
            rig.Core.Block(urgent); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(owner));
            Assert.That(s.BudgetTimer.Expiry, Is.EqualTo(10_700));
            rig.RunUntil(10_700);
            Assert.That(s.Throttled);
            Assert.That(owner.CpuTimeNs, Is.EqualTo(300));
        }

        [TestCase(CbsMode.Hard)]
        [TestCase(CbsMode.Soft)]
        public void BlockingMidJobCancelsTheBudgetTimerAtOnceAndDispatchRearmsIt(CbsMode mode)
        {
            var s = AttachOwner(300, 1000, mode, 20);
            var period = new RatePeriod(rig.Core, owner);
            period.Run(owner, 1000);
            Assert.That(s.BudgetTimer.Expiry, Is.EqualTo(10_300));
            rig.Advance(100);
            // The owner blocks (e.g. on a semaphore) with 200 ns of budget left; the
            // platform has not switched yet (a late switch point).
            rig.AutoDispatch = false;
            rig.Core.Block(owner);
            Assert.That(owner.IsExecuting, "not switched out yet");
            Assert.That(s.BudgetTimer.IsArmed, Is.False, "no budget watchdog for a thread that is not running");
            rig.AutoDispatch = true;
            rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(other));
            rig.RunUntil(10_800); // well past the old exhaustion time
            Assert.That(s.Overruns, Is.EqualTo(0));
            Assert.That(s.Throttled, Is.False);
            Assert.That(s.Demoted, Is.False);
            Assert.That(s.RemainingNs, Is.EqualTo(200));
            // Back on the CPU: re-armed for the remaining budget.
            rig.Core.Unblock(owner); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(owner));
            Assert.That(s.BudgetTimer.Expiry, Is.EqualTo(11_000));
            rig.RunUntil(10_999);
            Assert.That(s.Overruns, Is.EqualTo(0));
            // The period ends at 11 000 too; the exhaustion is seen at that instant.
            rig.RunUntil(11_000);
            Assert.That(s.Overruns, Is.EqualTo(1));
            Assert.That(s.LastOverrunAt, Is.EqualTo(11_000));
            Assert.That(owner.CpuTimeNs, Is.EqualTo(300));
            Assert.That(cbs.CheckInvariants(), Is.Null);
        }

        [Test]
        public void TimerDueBeforeALateSwitchDoesNotChargeOrThrottleABlockedThread()
        {
            var s = AttachOwner(300, 1000, CbsMode.Hard, 20);
            var period = new RatePeriod(rig.Core, owner);
            period.Run(owner, 1000);
            rig.Advance(100);
            rig.AutoDispatch = false;
            rig.Core.Block(owner);
            // The switch is delayed past the old exhaustion time; the one-shot fires first.
            rig.P.Time = 10_300;
            rig.Core.TimerFired(rig.P.Time);
            Assert.That(s.Overruns, Is.EqualTo(0), "a blocked thread is not throttled");
            Assert.That(s.RemainingNs, Is.EqualTo(200), "nor charged against its budget after it blocked");
            Assert.That(owner.Has(ThreadState.Throttled), Is.False);
            rig.AutoDispatch = true;
            rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(other));
            Assert.That(cbs.CheckInvariants(), Is.Null);
        }

        [Test]
        public void BlockAndUnblockBeforeAnySwitchKeepsTheBudgetWatched()
        {
            var s = AttachOwner(300, 1000, CbsMode.Hard, 20);
            var period = new RatePeriod(rig.Core, owner);
            period.Run(owner, 1000);
            rig.Advance(100);
            rig.AutoDispatch = false;
            rig.Core.Block(owner);            // blocks ...
            Assert.That(s.BudgetTimer.IsArmed, Is.False);
            rig.Core.Unblock(owner);          // ... and is woken before the switch happened
            Assert.That(rig.Core.DispatchNeeded, Is.False, "it never stopped executing");
            Assert.That(s.BudgetTimer.IsArmed, "re-armed: the thread runs on");
            Assert.That(s.BudgetTimer.Expiry, Is.EqualTo(10_300));
            rig.AutoDispatch = true;
            rig.RunUntil(10_300);
            Assert.That(s.Overruns, Is.EqualTo(1));
            Assert.That(s.Throttled);
            Assert.That(rig.Exec, Is.SameAs(other));
        }

        [Test]
        public void SuspendAndPeriodWaitCancelTheBudgetTimerToo()
        {
            var s = AttachOwner(300, 1000, CbsMode.Hard, 20);
            var period = new RatePeriod(rig.Core, owner);
            period.Run(owner, 1000);
            rig.AutoDispatch = false;
            rig.Core.Suspend(owner);
            Assert.That(s.BudgetTimer.IsArmed, Is.False);
            rig.Core.Resume(owner);
            Assert.That(s.BudgetTimer.IsArmed);
            rig.Advance(50);
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
            Assert.That(owner.Has(ThreadState.PeriodWait));
            Assert.That(s.BudgetTimer.IsArmed, Is.False, "waiting for the period");
            rig.AutoDispatch = true;
            rig.Settle();
            rig.RunUntil(10_900);
            Assert.That(s.Overruns, Is.EqualTo(0));
        }

        [Test]
        public void SoftModeDemotesToBackgroundUntilNextRelease()
        {
            var s = AttachOwner(300, 1000, CbsMode.Soft, 5); // other: background priority 5 beats owner's 10
            var period = new RatePeriod(rig.Core, owner);
            period.Run(owner, 1000);
            Assert.That(rig.Exec, Is.SameAs(owner));
            rig.RunUntil(10_300);
            Assert.That(s.Overruns, Is.EqualTo(1));
            Assert.That(s.Demoted);
            Assert.That(owner.IsReady, "soft mode never blocks");
            Assert.That(EdfScheduler.IsDeadline(owner.EffectivePriority), Is.False);
            Assert.That(rig.Exec, Is.SameAs(other));
            // Let other block: the demoted owner runs in background, no budget charged.
            rig.Core.Block(other); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(owner));
            rig.RunUntil(11_500); // its period expires meanwhile
            Assert.That(period.PostponedJobs, Is.EqualTo(1u));
            Assert.That(s.Overruns, Is.EqualTo(1));
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Timeout));
            Assert.That(s.Demoted, Is.False);
            Assert.That(s.RemainingNs, Is.EqualTo(300));
            Assert.That(owner.EffectivePriority, Is.EqualTo(12_000));
            Assert.That(cbs.CheckInvariants(), Is.Null);
        }

        [Test]
        public void AperiodicServerGetsItsBandwidth()
        {
            var s = AttachOwner(250, 1000, CbsMode.Hard, 20);
            // Started: CBS wake-up rule assigned deadline now+T and a full budget.
            Assert.That(s.DeadlineNs, Is.EqualTo(11_000));
            Assert.That(rig.Exec, Is.SameAs(owner));
            rig.RunUntil(20_000);
            Assert.That(owner.CpuTimeNs, Is.EqualTo(9 * 250 + 250));
            Assert.That(other.CpuTimeNs, Is.EqualTo(10_000 - owner.CpuTimeNs));
            Assert.That(s.ReplenishCount, Is.EqualTo(10), "replenished at 11000 .. 20000");
            rig.Check();
        }

        [Test]
        public void WakeupRuleKeepsDeadlineWhenBudgetFits()
        {
            var s = AttachOwner(500, 1000, CbsMode.Hard, 20);
            rig.Advance(100);
            rig.Core.Block(owner); rig.Settle();
            rig.Advance(50);
            rig.Core.Unblock(owner); rig.Settle();
            // 400 left, 850 to the deadline: 400/850 <= 1/2, keep.
            Assert.That(s.DeadlineNs, Is.EqualTo(11_000));
            Assert.That(s.RemainingNs, Is.EqualTo(400));
        }

        [Test]
        public void WakeupRuleRenewsDeadlineWhenBudgetTooLarge()
        {
            var s = AttachOwner(500, 1000, CbsMode.Hard, 20);
            rig.Advance(100);
            rig.Core.Block(owner); rig.Settle();
            rig.Advance(600);
            rig.Core.Unblock(owner); rig.Settle();
            // 400 left, 300 to the deadline: 400/300 > 1/2, new deadline now + T, full budget.
            Assert.That(s.DeadlineNs, Is.EqualTo(10_700 + 1000));
            Assert.That(s.RemainingNs, Is.EqualTo(500));
            Assert.That(s.Jobs, Is.EqualTo(2));
        }

        [Test]
        public void DetachWhileThrottledUnblocks()
        {
            var s = AttachOwner(100, 1000, CbsMode.Hard, 20);
            rig.RunUntil(10_100);
            Assert.That(s.Throttled);
            Assert.That(cbs.Detach(owner), Is.EqualTo(CbsStatus.Ok));
            rig.Settle();
            Assert.That(owner.IsReady);
            Assert.That(s.ReplenishTimer.IsArmed, Is.False);
            Assert.That(EdfScheduler.IsDeadline(owner.EffectivePriority), Is.False);
            rig.Check();
        }

        [Test]
        public void CancelledPeriodEndsTheServerJob()
        {
            var s = AttachOwner(100, 1000, CbsMode.Hard, 20);
            var period = new RatePeriod(rig.Core, owner);
            period.Run(owner, 1000);
            Assert.That(period.Cancel(owner), Is.EqualTo(PeriodStatus.Successful));
            Assert.That(s.JobActive, Is.False);
            Assert.That(s.BudgetTimer.IsArmed, Is.False);
            rig.Check();
        }

        [Test]
        public void NonServerThreadsAreUnaffected()
        {
            var t = rig.Started(5, 10);
            rig.Advance(100_000);
            Assert.That(t.CpuTimeNs, Is.EqualTo(100_000));
            Assert.That(cbs.OverrunCount, Is.EqualTo(0));
        }
    }
}
