using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    [TestFixture("priority")]
    [TestFixture("edf")]
    [TestFixture("cbs")]
    public class PeriodTests
    {
        readonly string policy;
        public PeriodTests(string policy) { this.policy = policy; }

        Rig rig;
        SchedThread owner;
        SchedThread other;
        RatePeriod period;
        bool Edf { get { return policy != "priority"; } }

        [SetUp]
        public void SetUp()
        {
            rig = new Rig(policy);
            rig.P.Time = 10_000;
            owner = rig.Started(1, 10);
            other = rig.Started(2, 20);
            period = new RatePeriod(rig.Core, owner, 7);
            Assert.That(rig.Exec, Is.SameAs(owner));
        }

        void Ok() { Assert.That(period.CheckInvariants(), Is.Null, period.CheckInvariants()); rig.Check(); }

        [Test]
        public void FirstRunActivatesWithoutBlocking()
        {
            Assert.That(period.State, Is.EqualTo(PeriodState.Inactive));
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(period.State, Is.EqualTo(PeriodState.Active));
            Assert.That(rig.Exec, Is.SameAs(owner));
            Assert.That(owner.IsReady);
            Assert.That(rig.P.Armed, Is.EqualTo(11_000));
            Assert.That(period.JobDeadline, Is.EqualTo(11_000));
            if (Edf) Assert.That(owner.EffectivePriority, Is.EqualTo(11_000));
            else Assert.That(owner.EffectivePriority, Is.EqualTo(10));
            Ok();
        }

        [Test]
        public void ActiveRunBlocksUntilPeriodEndThenReleasesNextJob()
        {
            period.Run(owner, 1000);
            rig.Advance(300);
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(owner.Has(ThreadState.PeriodWait));
            Assert.That(rig.Exec, Is.SameAs(other));
            Ok();
            rig.RunUntil(10_999);
            Assert.That(rig.Exec, Is.SameAs(other));
            rig.RunUntil(11_000);
            Assert.That(owner.IsReady);
            Assert.That(rig.Exec, Is.SameAs(owner));
            Assert.That(period.JobDeadline, Is.EqualTo(12_000));
            Assert.That(rig.P.Armed, Is.EqualTo(12_000));
            if (Edf) Assert.That(owner.EffectivePriority, Is.EqualTo(12_000));
            PeriodStatistics s;
            period.GetStatistics(out s);
            Assert.That(s.Count, Is.EqualTo(1));
            Assert.That(s.MissedCount, Is.EqualTo(0));
            Assert.That(s.TotalCpuNs, Is.EqualTo(300));
            Assert.That(s.TotalWallNs, Is.EqualTo(300));
            Ok();
        }

        [Test]
        public void RunAfterThePeriodEndedButBeforeItsTimerFiredCountsTheJobLate()
        {
            // Interrupts off (or the timer interrupt in flight): the clock is
            // past the period's end but TimerFired has not run yet.
            period.Run(owner, 1000);
            rig.P.Time = 11_200;
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Timeout));
            rig.Settle();
            Assert.That(owner.IsReady, "late job released at once, the owner does not block");
            PeriodStatistics st;
            period.GetStatistics(out st);
            Assert.That(st.Count, Is.EqualTo(1));
            Assert.That(st.MissedCount, Is.EqualTo(1));
            Assert.That(period.JobDeadline, Is.EqualTo(12_000), "the postponed job has the newest period's deadline");
            Assert.That(rig.P.Armed, Is.EqualTo(12_000));
            Ok();
        }

        [Test]
        public void NewLengthAppliesToTheNextPeriod()
        {
            period.Run(owner, 1000);
            rig.Advance(100);
            period.Run(owner, 5000);
            rig.Settle();
            Assert.That(rig.P.Armed, Is.EqualTo(11_000), "current period keeps its length");
            rig.RunUntil(11_000);
            Assert.That(period.JobDeadline, Is.EqualTo(16_000));
            Assert.That(rig.P.Armed, Is.EqualTo(16_000));
            Assert.That(period.NextLength, Is.EqualTo(5000));
        }

        [Test]
        public void ExpiryWhileRunningPostponesAndKeepsEarlierDeadline()
        {
            period.Run(owner, 1000);
            rig.RunUntil(11_000);
            Assert.That(period.State, Is.EqualTo(PeriodState.Expired));
            Assert.That(period.PostponedJobs, Is.EqualTo(1u));
            Assert.That(period.JobDeadline, Is.EqualTo(11_000), "late job keeps its deadline");
            Assert.That(period.LatestDeadline, Is.EqualTo(12_000));
            Assert.That(rig.P.Armed, Is.EqualTo(12_000));
            if (Edf) Assert.That(owner.EffectivePriority, Is.EqualTo(11_000));
            Assert.That(rig.Exec, Is.SameAs(owner));
            Ok();
        }

        [Test]
        public void RunWhenExpiredCountsMissReleasesPostponedJobAndReturnsTimeout()
        {
            period.Run(owner, 1000);
            rig.RunUntil(11_500);
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Timeout));
            rig.Settle();
            Assert.That(owner.IsReady, "no blocking on timeout");
            Assert.That(rig.Exec, Is.SameAs(owner));
            Assert.That(period.State, Is.EqualTo(PeriodState.Active));
            Assert.That(period.PostponedJobs, Is.EqualTo(0u));
            Assert.That(period.JobDeadline, Is.EqualTo(12_000), "released with the latest deadline");
            if (Edf) Assert.That(owner.EffectivePriority, Is.EqualTo(12_000));
            PeriodStatistics s;
            period.GetStatistics(out s);
            Assert.That(s.Count, Is.EqualTo(1));
            Assert.That(s.MissedCount, Is.EqualTo(1));
            Assert.That(s.MaxWallNs, Is.EqualTo(1500));
            Ok();
            // The released postponed job finishes in time: the next call blocks normally.
            rig.Advance(100);
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(owner.Has(ThreadState.PeriodWait));
            rig.RunUntil(12_000);
            Assert.That(rig.Exec, Is.SameAs(owner));
            Assert.That(period.JobDeadline, Is.EqualTo(13_000));
            Ok();
        }

        [Test]
        public void SeveralPostponedJobsDrainOneCallEach()
        {
            period.Run(owner, 1000);
            rig.RunUntil(13_500); // expiries at 11, 12, 13 thousand
            Assert.That(period.PostponedJobs, Is.EqualTo(3u));
            Assert.That(period.JobDeadline, Is.EqualTo(11_000));
            Assert.That(period.LatestDeadline, Is.EqualTo(14_000));
            for (uint left = 2; ; left--)
            {
                Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Timeout));
                rig.Settle();
                Assert.That(period.PostponedJobs, Is.EqualTo(left));
                Assert.That(period.State, Is.EqualTo(PeriodState.Active));
                Assert.That(period.JobDeadline, Is.EqualTo(14_000));
                Ok();
                if (left == 0) break;
            }
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(owner.Has(ThreadState.PeriodWait));
            PeriodStatistics s;
            period.GetStatistics(out s);
            Assert.That(s.Count, Is.EqualTo(4));
            Assert.That(s.MissedCount, Is.EqualTo(3));
        }

        [Test]
        public void PostponedJobsSaturate()
        {
            period.Run(owner, 1000);
            var f = typeof(RatePeriod).GetField("postponed", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);
            f.SetValue(period, uint.MaxValue - 1);
            rig.RunUntil(11_000);
            Assert.That(period.PostponedJobs, Is.EqualTo(uint.MaxValue));
            rig.RunUntil(12_000);
            Assert.That(period.PostponedJobs, Is.EqualTo(uint.MaxValue), "saturates, never wraps");
            Assert.That(period.State, Is.EqualTo(PeriodState.Expired));
        }

        [Test]
        public void TimerFiringLateDoesNotDrift()
        {
            period.Run(owner, 1000);
            period.Run(owner, 1000); // waits (job took 0 ns)
            rig.Settle();
            rig.P.Time = 11_250; // the platform's one-shot is 250 ns late
            rig.Core.TimerFired(rig.P.Time);
            rig.Settle();
            Assert.That(period.JobDeadline, Is.EqualTo(12_000));
            Assert.That(rig.P.Armed, Is.EqualTo(12_000));
        }

        [TestCase(0)]
        [TestCase(-1)]
        [TestCase(long.MinValue)]
        [TestCase(long.MaxValue)]
        public void InvalidLength(long len)
        {
            Assert.That(period.Run(owner, len), Is.EqualTo(PeriodStatus.InvalidLength));
            Assert.That(period.State, Is.EqualTo(PeriodState.Inactive));
            Ok();
        }

        [Test]
        public void NotOwner()
        {
            Assert.That(period.Run(other, 1000), Is.EqualTo(PeriodStatus.NotOwner));
            period.Run(owner, 1000);
            Assert.That(period.Run(other, 1000), Is.EqualTo(PeriodStatus.NotOwner));
            Assert.That(period.Cancel(other), Is.EqualTo(PeriodStatus.NotOwner));
            Assert.That(period.State, Is.EqualTo(PeriodState.Active));
            Ok();
        }

        [Test]
        public void NullCaller()
        {
            Assert.That(period.Run(null, 1000), Is.EqualTo(PeriodStatus.NullCaller));
            Assert.That(period.Cancel(null), Is.EqualTo(PeriodStatus.NullCaller));
            var orphan = new RatePeriod(rig.Core, null);
            Assert.That(orphan.Run(owner, 1000), Is.EqualTo(PeriodStatus.NotOwner));
        }

        [Test]
        public void WrongCore()
        {
            var rig2 = new Rig(policy);
            var t = rig2.Started(5, 10);
            var p = new RatePeriod(rig.Core, t);
            Assert.That(p.Run(t, 1000), Is.EqualTo(PeriodStatus.WrongCore));
        }

        [Test]
        public void AlreadyWaiting()
        {
            period.Run(owner, 1000);
            period.Run(owner, 1000);
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.AlreadyWaiting));
            Ok();
        }

        [Test]
        public void CancelInactiveIsNotActive()
        {
            Assert.That(period.Cancel(owner), Is.EqualTo(PeriodStatus.NotActive));
        }

        [Test]
        public void CancelStopsTimerClearsPostponedAndCancelsJob()
        {
            period.Run(owner, 1000);
            rig.RunUntil(12_500);
            Assert.That(period.PostponedJobs, Is.EqualTo(2u));
            Assert.That(period.Cancel(owner), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(period.State, Is.EqualTo(PeriodState.Inactive));
            Assert.That(period.PostponedJobs, Is.EqualTo(0u));
            Assert.That(rig.P.Armed, Is.EqualTo(long.MaxValue));
            Assert.That(period.JobNode.IsActive, Is.False);
            Assert.That(rig.S.UnmapPriority(owner.EffectivePriority), Is.EqualTo(10));
            Ok();
            // and it can be started again
            Assert.That(period.Run(owner, 500), Is.EqualTo(PeriodStatus.Successful));
            Assert.That(period.JobDeadline, Is.EqualTo(13_000));
            Ok();
        }

        [Test]
        public void DeleteMakesEveryOperationReturnDeleted()
        {
            period.Run(owner, 1000);
            Assert.That(period.Delete(), Is.EqualTo(PeriodStatus.Successful));
            Assert.That(period.IsDeleted);
            Assert.That(rig.P.Armed, Is.EqualTo(long.MaxValue));
            Assert.That(period.Delete(), Is.EqualTo(PeriodStatus.Deleted));
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Deleted));
            Assert.That(period.Cancel(owner), Is.EqualTo(PeriodStatus.Deleted));
            PeriodInfo info;
            Assert.That(period.GetStatus(out info), Is.EqualTo(PeriodStatus.Deleted));
            PeriodStatistics s;
            Assert.That(period.GetStatistics(out s), Is.EqualTo(PeriodStatus.Deleted));
            Assert.That(period.ResetStatistics(), Is.EqualTo(PeriodStatus.Deleted));
            Assert.That(period.Run(other, 1000), Is.EqualTo(PeriodStatus.Deleted), "deleted is reported first");
            rig.Check();
        }

        [Test]
        public void DeleteWhileOwnerWaitsWakesIt()
        {
            period.Run(owner, 1000);
            period.Run(owner, 1000);
            rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(other));
            Assert.That(period.Delete(), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(owner.IsReady);
            Assert.That(rig.Exec, Is.SameAs(owner));
        }

        [Test]
        public void StatusInactiveIsZeros()
        {
            PeriodInfo info;
            Assert.That(period.GetStatus(out info), Is.EqualTo(PeriodStatus.Successful));
            Assert.That(info.Owner, Is.SameAs(owner));
            Assert.That(info.State, Is.EqualTo(PeriodState.Inactive));
            Assert.That(info.SinceStartNs, Is.EqualTo(0));
            Assert.That(info.CpuNs, Is.EqualTo(0));
            Assert.That(info.PostponedJobs, Is.EqualTo(0u));
        }

        [Test]
        public void StatusActiveReportsTimeCpuAndPostponed()
        {
            period.Run(owner, 1000);
            rig.Advance(200);
            // owner preempted for 100 ns by a more urgent thread
            var hi = rig.Thread(3, 0);
            if (Edf) rig.Core.ReleaseJob(hi, new PriorityNode(), 10_500);
            rig.Core.Start(hi); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(hi));
            rig.Advance(100);
            rig.Core.Block(hi); rig.Settle();
            rig.P.Time += 50; // uncharged running time is included
            PeriodInfo info;
            period.GetStatus(out info);
            Assert.That(info.State, Is.EqualTo(PeriodState.Active));
            Assert.That(info.SinceStartNs, Is.EqualTo(350));
            Assert.That(info.CpuNs, Is.EqualTo(250));
            Assert.That(info.PostponedJobs, Is.EqualTo(0u));
            Assert.That(info.DeadlineNs, Is.EqualTo(11_000));
            rig.RunUntil(12_100);
            period.GetStatus(out info);
            Assert.That(info.State, Is.EqualTo(PeriodState.Expired));
            Assert.That(info.PostponedJobs, Is.EqualTo(2u));
        }

        [Test]
        public void StatisticsMinMaxTotalMeanAndReset()
        {
            long[] work = { 300, 100, 500 };
            period.Run(owner, 1000);
            long start = rig.Now;
            for (int i = 0; i < work.Length; i++)
            {
                rig.Advance(work[i]);
                Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
                rig.Settle();
                rig.RunUntil(start + (i + 1) * 1000);
                Assert.That(rig.Exec, Is.SameAs(owner));
            }
            PeriodStatistics s;
            period.GetStatistics(out s);
            Assert.That(s.Count, Is.EqualTo(3));
            Assert.That(s.MissedCount, Is.EqualTo(0));
            Assert.That(s.MinCpuNs, Is.EqualTo(100));
            Assert.That(s.MaxCpuNs, Is.EqualTo(500));
            Assert.That(s.TotalCpuNs, Is.EqualTo(900));
            Assert.That(s.MeanCpuNs, Is.EqualTo(300));
            Assert.That(s.MinWallNs, Is.EqualTo(100));
            Assert.That(s.MaxWallNs, Is.EqualTo(500));
            Assert.That(s.MeanWallNs, Is.EqualTo(300));
            Assert.That(period.ResetStatistics(), Is.EqualTo(PeriodStatus.Successful));
            period.GetStatistics(out s);
            Assert.That(s.Count, Is.EqualTo(0));
            Assert.That(s.MeanCpuNs, Is.EqualTo(0));
            Assert.That(s.MaxCpuNs, Is.EqualTo(0));
        }

        [Test]
        public void WallTimeIncludesPreemption()
        {
            period.Run(owner, 1000);
            rig.Advance(100);
            var hi = rig.Thread(3, 0);
            if (Edf) rig.Core.ReleaseJob(hi, new PriorityNode(), 10_200);
            rig.Core.Start(hi); rig.Settle();
            rig.Advance(300);
            rig.Core.Block(hi); rig.Settle();
            rig.Advance(100);
            period.Run(owner, 1000);
            PeriodStatistics s;
            period.GetStatistics(out s);
            Assert.That(s.TotalCpuNs, Is.EqualTo(200));
            Assert.That(s.TotalWallNs, Is.EqualTo(500));
        }

        // ------------------------------------------------------------ constrained deadlines (D < T)

        [Test]
        public void ConstrainedDeadlineKeysTheJobByReleasePlusD()
        {
            Assert.That(period.Run(owner, 1000, 400), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(period.JobDeadline, Is.EqualTo(10_400));
            Assert.That(period.LatestDeadline, Is.EqualTo(11_000), "the period still ends at release + length");
            Assert.That(rig.P.Armed, Is.EqualTo(11_000));
            Assert.That(period.NextRelativeDeadline, Is.EqualTo(400));
            if (Edf) Assert.That(owner.EffectivePriority, Is.EqualTo(10_400));
            PeriodInfo info;
            period.GetStatus(out info);
            Assert.That(info.DeadlineNs, Is.EqualTo(10_400));
            rig.Advance(100);
            Assert.That(period.Run(owner, 1000, 400), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            rig.RunUntil(11_000);
            Assert.That(owner.IsReady);
            Assert.That(period.JobDeadline, Is.EqualTo(11_400), "next job: expiry + D");
            Assert.That(period.LatestStart, Is.EqualTo(11_000));
            if (Edf) Assert.That(owner.EffectivePriority, Is.EqualTo(11_400));
            PeriodStatistics st;
            period.GetStatistics(out st);
            Assert.That(st.MissedCount, Is.EqualTo(0));
            Ok();
        }

        [Test]
        public void TwoArgumentRunIsAnImplicitDeadline()
        {
            period.Run(owner, 1000);
            Assert.That(period.JobDeadline, Is.EqualTo(11_000));
            Assert.That(period.NextRelativeDeadline, Is.EqualTo(1000));
            Assert.That(period.LatestJobDeadline, Is.EqualTo(period.LatestDeadline));
        }

        [Test]
        public void JobCompletingAfterItsDeadlineButWithinThePeriodIsMissed()
        {
            period.Run(owner, 1000, 400);
            rig.Advance(401); // past release + D, before the period end
            Assert.That(period.Run(owner, 1000, 400), Is.EqualTo(PeriodStatus.Successful), "the period has not ended: the owner waits as usual");
            rig.Settle();
            Assert.That(owner.Has(ThreadState.PeriodWait));
            PeriodStatistics st;
            period.GetStatistics(out st);
            Assert.That(st.Count, Is.EqualTo(1));
            Assert.That(st.MissedCount, Is.EqualTo(1));
            rig.RunUntil(11_000);
            rig.Advance(400); // exactly at the deadline: on time
            Assert.That(period.Run(owner, 1000, 400), Is.EqualTo(PeriodStatus.Successful));
            period.GetStatistics(out st);
            Assert.That(st.Count, Is.EqualTo(2));
            Assert.That(st.MissedCount, Is.EqualTo(1));
            Ok();
        }

        [Test]
        public void NewDeadlineAppliesToTheNextPeriod()
        {
            period.Run(owner, 1000, 400);
            rig.Advance(100);
            period.Run(owner, 2000, 700); // this job ended; the next period is 2000 long with D = 700
            rig.Settle();
            Assert.That(period.JobDeadline, Is.EqualTo(10_400));
            rig.RunUntil(11_000);
            Assert.That(period.JobDeadline, Is.EqualTo(11_700));
            Assert.That(period.LatestDeadline, Is.EqualTo(13_000));
            Ok();
        }

        [Test]
        public void PostponedJobGetsTheNewestPeriodsStartPlusD()
        {
            period.Run(owner, 1000, 300);
            rig.RunUntil(12_500); // expiries at 11 000 and 12 000 while the job runs
            Assert.That(period.PostponedJobs, Is.EqualTo(2u));
            Assert.That(period.JobDeadline, Is.EqualTo(10_300), "the late job keeps its deadline");
            Assert.That(period.LatestStart, Is.EqualTo(12_000));
            Assert.That(period.LatestJobDeadline, Is.EqualTo(12_300));
            Assert.That(period.Run(owner, 1000, 300), Is.EqualTo(PeriodStatus.Timeout));
            rig.Settle();
            Assert.That(period.JobDeadline, Is.EqualTo(12_300));
            if (Edf) Assert.That(owner.EffectivePriority, Is.EqualTo(12_300));
            Ok();
        }

        [TestCase(0)]
        [TestCase(-5)]
        [TestCase(1001)]
        [TestCase(long.MaxValue)]
        public void InvalidDeadline(long d)
        {
            Assert.That(period.Run(owner, 1000, d), Is.EqualTo(PeriodStatus.InvalidDeadline));
            Assert.That(period.State, Is.EqualTo(PeriodState.Inactive));
            Assert.That(period.Run(owner, 1000, 1000), Is.EqualTo(PeriodStatus.Successful), "D = T is the implicit case");
            Assert.That(period.Run(owner, 1000, d), Is.EqualTo(PeriodStatus.InvalidDeadline));
            Assert.That(period.State, Is.EqualTo(PeriodState.Active));
            Ok();
        }

        [Test]
        public void ShorterRelativeDeadlineRunsFirstUnderEdfOnly()
        {
            var p2 = new RatePeriod(rig.Core, other, 8);
            period.Run(owner, 1000);          // deadline 11 000
            p2.Run(other, 1000, 200);         // same period, deadline 10 200
            rig.Settle();
            // Fixed priority ignores deadlines: the owner (priority 10) keeps the CPU.
            Assert.That(rig.Exec, Is.SameAs(Edf ? other : owner));
            Ok();
        }

        // ------------------------------------------------------------ expiry hook (tracing)

        sealed class Traced : RatePeriod
        {
            public readonly System.Collections.Generic.List<string> Log = new System.Collections.Generic.List<string>();
            public Traced(SchedCore c, SchedThread o) : base(c, o, 9) { }
            protected override void OnExpiry(long expiry, long now, bool postponedJob)
            {
                Log.Add(expiry + "@" + now + (postponedJob ? " postponed " + PostponedJobs : " released " + JobDeadline));
            }
        }

        // ----------------------------------------------- job boundaries --
        // A job that completes at or before its deadline is on time; the
        // period that ends at that instant releases the next job without a
        // postponed one, whichever of completion and timer comes first.

        PeriodStatistics Stats() { PeriodStatistics s; period.GetStatistics(out s); return s; }

        [Test]
        public void CompletionAtThePeriodEndBeforeItsTimerIsOnTime()
        {
            period.Run(owner, 1000);
            rig.P.Time = 11_000;               // the job completes exactly at its deadline, timer not yet handled
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(owner.Has(ThreadState.PeriodWait), "the owner waits for the period's timer");
            Assert.That(Stats().MissedCount, Is.EqualTo(0));
            rig.RunUntil(11_000);
            Assert.That(rig.Exec, Is.SameAs(owner));
            Assert.That(period.JobDeadline, Is.EqualTo(12_000));
            Assert.That(period.PostponedCount, Is.EqualTo(0UL));
            Assert.That(period.MaxPostponedJobs, Is.EqualTo(0u));
            if (Edf) Assert.That(owner.EffectivePriority, Is.EqualTo(12_000));
            Ok();
        }

        [Test]
        public void CompletionAtThePeriodEndAfterItsTimerIsOnTimeWithoutPostponedJob()
        {
            period.Run(owner, 1000);
            rig.RunUntil(11_000);              // the timer is handled first: the owner still runs
            Assert.That(period.PostponedJobs, Is.EqualTo(1u));
            Assert.That(period.MaxPostponedJobs, Is.EqualTo(0u), "not yet certain at the expiry's instant");
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful), "completion at the same instant");
            rig.Settle();
            Assert.That(owner.IsReady, "the next job was released at the boundary: no wait");
            Assert.That(rig.Exec, Is.SameAs(owner));
            Assert.That(period.State, Is.EqualTo(PeriodState.Active));
            Assert.That(period.PostponedJobs, Is.EqualTo(0u));
            Assert.That(period.PostponedCount, Is.EqualTo(0UL));
            Assert.That(period.MaxPostponedJobs, Is.EqualTo(0u));
            Assert.That(period.JobDeadline, Is.EqualTo(12_000));
            Assert.That(rig.P.Armed, Is.EqualTo(12_000));
            if (Edf) Assert.That(owner.EffectivePriority, Is.EqualTo(12_000));
            Assert.That(Stats().Count, Is.EqualTo(1));
            Assert.That(Stats().MissedCount, Is.EqualTo(0));
            Ok();
            // The released job runs normally: it waits for the next period's end.
            rig.Advance(400);
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(owner.Has(ThreadState.PeriodWait));
            rig.RunUntil(12_000);
            Assert.That(period.JobDeadline, Is.EqualTo(13_000));
            Assert.That(Stats().MissedCount, Is.EqualTo(0));
            Ok();
        }

        [Test]
        public void CompletionOneNanosecondAfterThePeriodEndIsLate()
        {
            period.Run(owner, 1000);
            rig.RunUntil(11_000);
            rig.P.Time = 11_001;
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Timeout));
            Assert.That(Stats().MissedCount, Is.EqualTo(1));
            Assert.That(period.PostponedCount, Is.EqualTo(1UL));
            Assert.That(period.MaxPostponedJobs, Is.EqualTo(1u));
            Ok();
        }

        [Test]
        public void ConstrainedDeadlineCompletionAtTheDeadlineIsOnTime()
        {
            period.Run(owner, 1000, 600);
            rig.P.Time = 10_600;
            Assert.That(period.Run(owner, 1000, 600), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(Stats().MissedCount, Is.EqualTo(0));
            rig.RunUntil(11_000);
            Assert.That(period.JobDeadline, Is.EqualTo(11_600));
            rig.P.Time = 11_601;               // one nanosecond past the constrained deadline
            Assert.That(period.Run(owner, 1000, 600), Is.EqualTo(PeriodStatus.Successful), "inside the period: no postponed job");
            Assert.That(Stats().MissedCount, Is.EqualTo(1));
            Ok();
        }

        [Test]
        public void ConstrainedDeadlineCompletionAtThePeriodEndIsMissedButPostponesNothing()
        {
            period.Run(owner, 1000, 600);
            rig.RunUntil(11_000);              // timer first; the job (deadline 10600) completes at 11000
            Assert.That(period.Run(owner, 1000, 600), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(Stats().MissedCount, Is.EqualTo(1), "completed after its deadline 10600");
            Assert.That(period.PostponedJobs, Is.EqualTo(0u));
            Assert.That(period.PostponedCount, Is.EqualTo(0UL));
            Assert.That(period.JobDeadline, Is.EqualTo(11_600));
            Assert.That(owner.IsReady);
            Ok();
        }

        [Test]
        public void BoundaryWithTwoPostponedJobsStillReleasesOnlyOne()
        {
            // Expiries at 11000 and 12000 found the owner running its first
            // job: completing at 12000 leaves the job of period [11000, 12000)
            // to run late and the new period's job postponed.
            period.Run(owner, 1000);
            rig.RunUntil(12_000);
            Assert.That(period.PostponedJobs, Is.EqualTo(2u));
            Assert.That(period.Run(owner, 1000), Is.EqualTo(PeriodStatus.Timeout));
            Assert.That(period.PostponedJobs, Is.EqualTo(1u));
            Assert.That(period.MaxPostponedJobs, Is.EqualTo(2u));
            Assert.That(Stats().MissedCount, Is.EqualTo(1));
            Ok();
        }

        // --------------------------------------------------- start at t0 --

        [Test]
        public void StartAtReleasesTheFirstJobAtTheGivenInstant()
        {
            Assert.That(period.StartAt(20_000, 1000, 600), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(owner.Has(ThreadState.PeriodWait), "the owner waits for its first release");
            Assert.That(period.StartPending);
            Assert.That(rig.P.Armed, Is.EqualTo(20_000));
            Assert.That(period.StartAt(30_000, 1000, 600), Is.EqualTo(PeriodStatus.AlreadyActive));
            Ok();
            rig.RunUntil(19_999);
            Assert.That(owner.Has(ThreadState.PeriodWait));
            rig.RunUntil(20_000);
            Assert.That(rig.Exec, Is.SameAs(owner));
            Assert.That(period.StartPending, Is.False);
            Assert.That(period.LatestStart, Is.EqualTo(20_000));
            Assert.That(period.JobDeadline, Is.EqualTo(20_600));
            Assert.That(period.LatestDeadline, Is.EqualTo(21_000));
            Assert.That(period.ExpiryCount, Is.EqualTo(0UL), "the first release ends no period");
            if (Edf) Assert.That(owner.EffectivePriority, Is.EqualTo(20_600));
            Ok();
            rig.Advance(600);                  // completes at its deadline
            Assert.That(period.Run(owner, 1000, 600), Is.EqualTo(PeriodStatus.Successful));
            rig.RunUntil(21_000);
            Assert.That(period.JobDeadline, Is.EqualTo(21_600));
            Assert.That(Stats().Count, Is.EqualTo(1));
            Assert.That(Stats().MissedCount, Is.EqualTo(0));
            Assert.That(Stats().MaxWallNs, Is.EqualTo(600), "response from the nominal release");
            Ok();
        }

        [Test]
        public void StartAtInThePastReleasesAtOnceWithTheNominalTime()
        {
            Assert.That(period.StartAt(9_500, 1000, 1000), Is.EqualTo(PeriodStatus.Successful));
            rig.RunUntil(10_000);
            Assert.That(owner.IsReady);
            Assert.That(period.LatestStart, Is.EqualTo(9_500));
            Assert.That(period.JobDeadline, Is.EqualTo(10_500));
            Assert.That(period.LatestDeadline, Is.EqualTo(10_500));
            Ok();
        }

        [Test]
        public void StartAtRefusesBadArgumentsAndCancelEndsTheWait()
        {
            Assert.That(period.StartAt(20_000, 0, 0), Is.EqualTo(PeriodStatus.InvalidLength));
            Assert.That(period.StartAt(-1, 1000, 1000), Is.EqualTo(PeriodStatus.InvalidLength));
            Assert.That(period.StartAt(20_000, 1000, 1001), Is.EqualTo(PeriodStatus.InvalidDeadline));
            Assert.That(period.StartAt(20_000, 1000, 1000), Is.EqualTo(PeriodStatus.Successful));
            Assert.That(period.Delete(), Is.EqualTo(PeriodStatus.Successful));
            rig.Settle();
            Assert.That(owner.IsReady, "delete wakes the owner waiting for its first release");
            Assert.That(rig.P.Armed, Is.EqualTo(long.MaxValue));
            Assert.That(period.StartAt(20_000, 1000, 1000), Is.EqualTo(PeriodStatus.Deleted));
        }

        [Test]
        public void ExpiryHookSeesEveryExpiryAndPostponement()
        {
            var tp = new Traced(rig.Core, owner);
            tp.Run(owner, 1000, 600);
            rig.Advance(100);
            tp.Run(owner, 1000, 600);          // waits
            rig.Settle();
            rig.RunUntil(11_000);              // on time: released
            rig.RunUntil(13_200);              // the job runs on: two postponements
            rig.P.Time = 14_050;               // the one-shot fires 50 ns late
            rig.Core.TimerFired(rig.P.Time);
            rig.Settle();
            Assert.That(tp.Log, Is.EqualTo(new[] { "11000@11000 released 11600", "12000@12000 postponed 1", "13000@13000 postponed 2", "14000@14050 postponed 3" }));
            Assert.That(tp.ExpiryCount, Is.EqualTo(4UL));
            Assert.That(tp.PostponedCount, Is.EqualTo(3UL));
            Assert.That(tp.Run(owner, 1000, 600), Is.EqualTo(PeriodStatus.Timeout));
            Assert.That(tp.ExpiryCount, Is.EqualTo(4UL), "Run releases a postponed job without an expiry");
            tp.Cancel(owner);
            rig.RunUntil(20_000);
            Assert.That(tp.ExpiryCount, Is.EqualTo(4UL), "no expiry after cancel");
            Assert.That(tp.CheckInvariants(), Is.Null);
        }
    }
}
