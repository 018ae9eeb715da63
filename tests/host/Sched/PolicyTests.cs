using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    /// <summary>
    /// Fixed-priority behaviour. Under EDF and CBS, threads without a job are
    /// background threads ordered by the same fixed priorities, so every test
    /// here runs under all three policies.
    /// </summary>
    [TestFixture("priority")]
    [TestFixture("edf")]
    [TestFixture("cbs")]
    public class FixedPriorityOrderTests
    {
        readonly string policy;
        public FixedPriorityOrderTests(string policy) { this.policy = policy; }

        Rig rig;
        [SetUp] public void SetUp() { rig = new Rig(policy); }

        [Test]
        public void EmptyReadyQueueRunsIdle()
        {
            Assert.That(rig.Exec, Is.SameAs(rig.Core.Idle));
            Assert.That(rig.Core.Heir, Is.SameAs(rig.Core.Idle));
            Assert.That(rig.Core.DispatchNeeded, Is.False);
            Assert.That(rig.S.ReadyCount, Is.EqualTo(0));
            rig.Core.Yield(); // idle yields: nothing happens
            rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(rig.Core.Idle));
        }

        [Test]
        public void SingleThreadRunsAndBlockReturnsToIdle()
        {
            var t = rig.Started(1, 10);
            Assert.That(rig.Exec, Is.SameAs(t));
            Assert.That(t.IsExecuting);
            rig.Core.Block(t); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(rig.Core.Idle));
            Assert.That(t.IsExecuting, Is.False);
            Assert.That(t.Has(ThreadState.Blocked));
        }

        [TestCase(0, 255)]
        [TestCase(10, 11)]
        [TestCase(200, 201)]
        [TestCase(63, 64)]
        public void MoreUrgentUnblockPreempts(int hi, int lo)
        {
            var low = rig.Started(1, lo);
            Assert.That(rig.Exec, Is.SameAs(low));
            int req = rig.P.SwitchRequests;
            var high = rig.Started(2, hi);
            Assert.That(rig.P.SwitchRequests, Is.EqualTo(req + 1));
            Assert.That(rig.Exec, Is.SameAs(high));
            rig.Core.Block(high); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(low));
        }

        [TestCase(0)]
        [TestCase(17)]
        [TestCase(255)]
        public void EqualPriorityDoesNotPreempt(int prio)
        {
            var a = rig.Started(1, prio);
            int req = rig.P.SwitchRequests;
            var b = rig.Started(2, prio);
            Assert.That(rig.Exec, Is.SameAs(a));
            Assert.That(rig.P.SwitchRequests, Is.EqualTo(req), "no switch request for an equal");
            Assert.That(rig.Core.DispatchNeeded, Is.False);
            rig.Core.Block(a); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
        }

        [Test]
        public void LessUrgentDoesNotPreempt()
        {
            var a = rig.Started(1, 5);
            rig.Started(2, 6);
            Assert.That(rig.Exec, Is.SameAs(a));
        }

        [Test]
        public void FifoWithinLevel()
        {
            var a = rig.Started(1, 7);
            var b = rig.Started(2, 7);
            var c = rig.Started(3, 7);
            Assert.That(rig.Exec, Is.SameAs(a));
            rig.Core.Block(a); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
            rig.Core.Unblock(a); rig.Settle(); // a goes to the tail
            rig.Core.Block(b); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(c));
            rig.Core.Block(c); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a));
        }

        [Test]
        public void YieldRotatesEquals()
        {
            var a = rig.Started(1, 3);
            var b = rig.Started(2, 3);
            var c = rig.Started(3, 3);
            rig.Core.Yield(); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
            rig.Core.Yield(); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(c));
            rig.Core.Yield(); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a));
        }

        [Test]
        public void YieldAloneOrAboveOthersKeepsRunning()
        {
            var a = rig.Started(1, 3);
            rig.Started(2, 4);
            int sw = rig.P.SwitchRequests;
            rig.Core.Yield(); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a));
            Assert.That(rig.P.SwitchRequests, Is.EqualTo(sw));
        }

        [Test]
        public void PreemptedThreadResumesBeforeItsEquals()
        {
            var a = rig.Started(1, 10);
            var b = rig.Started(2, 10);
            var h = rig.Started(3, 1);
            Assert.That(rig.Exec, Is.SameAs(h));
            rig.Core.Block(h); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a), "preempted thread keeps its place at the head");
            Assert.That(b.IsExecuting, Is.False);
        }

        [Test]
        public void SuspendAndBlockCompose()
        {
            var a = rig.Started(1, 10);
            var b = rig.Started(2, 20);
            rig.Core.Suspend(a); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
            Assert.That(rig.Core.Block(a), Is.True);
            Assert.That(rig.Core.Suspend(a), Is.False, "already suspended");
            rig.Core.Resume(a); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b), "still blocked");
            Assert.That(a.Has(ThreadState.Blocked));
            rig.Core.Unblock(a); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a));
            Assert.That(rig.Core.Unblock(a), Is.False, "not blocked");
            Assert.That(rig.Core.Resume(a), Is.False, "not suspended");
        }

        [Test]
        public void StopAndRestart()
        {
            var a = rig.Started(1, 10);
            Assert.That(rig.Core.Start(a), Is.False, "already started");
            rig.Core.Stop(a); rig.Settle();
            Assert.That(a.Has(ThreadState.Dormant));
            Assert.That(rig.Exec, Is.SameAs(rig.Core.Idle));
            rig.Core.Start(a); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a));
        }

        [Test]
        public void RemoveThreadLeavesReadySet()
        {
            var a = rig.Started(1, 10);
            var b = rig.Started(2, 11);
            rig.Core.RemoveThread(a); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
            Assert.That(rig.S.ReadyCount, Is.EqualTo(1));
        }

        [Test]
        public void RaisingAReadyThreadPreempts()
        {
            var a = rig.Started(1, 10);
            var b = rig.Started(2, 20);
            Assert.That(rig.Core.SetPriority(b, 5), Is.True);
            rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
            Assert.That(b.BasePriority, Is.EqualTo(5));
            Assert.That(rig.S.UnmapPriority(b.EffectivePriority), Is.EqualTo(5));
        }

        [Test]
        public void LoweringTheExecutingThreadBelowAnotherSwitches()
        {
            var a = rig.Started(1, 10);
            var b = rig.Started(2, 20);
            rig.Core.SetPriority(a, 30); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
        }

        [Test]
        public void ExecutingThreadMovedToAnEqualLevelKeepsTheCpu()
        {
            var a = rig.Started(1, 10);
            var b = rig.Started(2, 20);
            rig.Core.SetPriority(a, 20); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a), "an equal never preempts");
            rig.Core.Yield(); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
        }

        [TestCase(-1)]
        [TestCase(256)]
        [TestCase(int.MaxValue)]
        public void SetPriorityRejectsOutOfRange(int prio)
        {
            var a = rig.Started(1, 10);
            Assert.That(rig.Core.SetPriority(a, prio), Is.False);
            Assert.That(a.BasePriority, Is.EqualTo(10));
        }

        [Test]
        public void PriorityChangeOfBlockedThreadAppliesOnUnblock()
        {
            var a = rig.Started(1, 10);
            var b = rig.Thread(2, 50);
            rig.Core.SetPriority(b, 1);
            rig.Core.Start(b); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
        }

        [Test]
        public void InheritedPriorityBoostsAndRemovalRestores()
        {
            var low = rig.Started(1, 200);
            var mid = rig.Thread(2, 100);
            var inh = new PriorityNode();
            // low holds a mutex a priority-5 thread waits on.
            rig.Core.AddPriority(low, inh, rig.S.MapPriority(5));
            rig.Core.Start(mid); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(low), "boosted above mid");
            Assert.That(rig.S.UnmapPriority(low.EffectivePriority), Is.EqualTo(5));
            rig.Core.RemovePriority(low, inh); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(mid));
            Assert.That(rig.S.UnmapPriority(low.EffectivePriority), Is.EqualTo(200));
            rig.Core.RemovePriority(low, inh); // inactive: no-op
            rig.Core.RemovePriority(low, low.BaseNode); // the base node cannot be removed
            Assert.That(low.BaseNode.IsActive);
        }

        [Test]
        public void NestedInheritanceTakesMostUrgent()
        {
            var owner = rig.Started(1, 100);
            var other = rig.Started(2, 30);
            var n1 = new PriorityNode();
            var n2 = new PriorityNode();
            rig.Core.AddPriority(owner, n1, rig.S.MapPriority(50)); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(other));
            rig.Core.AddPriority(owner, n2, rig.S.MapPriority(20)); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(owner));
            rig.Core.SetPriorityNode(owner, n2, rig.S.MapPriority(40)); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(other));
            rig.Core.SetPriorityNode(owner, n1, rig.S.MapPriority(1)); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(owner));
            rig.Core.RemovePriority(owner, n1); rig.Core.RemovePriority(owner, n2); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(other));
        }

        [Test]
        public void InheritanceWithUnchangedEffectiveDoesNotRequeue()
        {
            var a = rig.Started(1, 10);
            var b = rig.Started(2, 10);
            var n = new PriorityNode();
            rig.Core.AddPriority(b, n, rig.S.MapPriority(30)); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a));
            Assert.That(rig.S.UnmapPriority(b.EffectivePriority), Is.EqualTo(10));
        }

        [Test]
        public void CpuTimeChargedAtSwitches()
        {
            var a = rig.Started(1, 10);
            rig.Advance(1000);
            var b = rig.Started(2, 5);
            rig.Advance(300);
            rig.Core.Block(b); rig.Settle();
            rig.Advance(200);
            rig.Core.Charge();
            Assert.That(a.CpuTimeNs, Is.EqualTo(1200));
            Assert.That(b.CpuTimeNs, Is.EqualTo(300));
            rig.Core.Block(a); rig.Settle();
            rig.Advance(50);
            Assert.That(rig.Core.IdleTimeNs, Is.EqualTo(50));
            Assert.That(rig.Core.CpuTimeOf(a), Is.EqualTo(1200));
        }

        [Test]
        public void CpuTimeOfIncludesUnchargedRun()
        {
            var a = rig.Started(1, 10);
            rig.P.Time += 777;
            Assert.That(rig.Core.CpuTimeOf(a), Is.EqualTo(777));
            Assert.That(a.CpuTimeNs, Is.EqualTo(0));
        }

        [Test]
        public void SwitchIsDeferredUntilDispatch()
        {
            rig.AutoDispatch = false;
            var a = rig.Thread(1, 10);
            rig.Core.Start(a);
            Assert.That(rig.Core.DispatchNeeded);
            Assert.That(rig.Core.Heir, Is.SameAs(a));
            Assert.That(rig.Exec, Is.SameAs(rig.Core.Idle));
            var b = rig.Thread(2, 5);
            rig.Core.Start(b);
            Assert.That(rig.P.SwitchRequests, Is.EqualTo(1), "one request while pending");
            Assert.That(rig.Core.Heir, Is.SameAs(b));
            rig.Core.Block(b);
            Assert.That(rig.Core.Heir, Is.SameAs(a));
            Assert.That(rig.Core.Dispatch(), Is.SameAs(a));
            Assert.That(rig.Core.DispatchNeeded, Is.False);
            Assert.That(rig.Core.Dispatch(), Is.SameAs(a), "spurious dispatch is harmless");
        }

        [Test]
        public void HeirReturnsToExecutingClearsDispatchNeeded()
        {
            var a = rig.Started(1, 10);
            rig.AutoDispatch = false;
            var b = rig.Thread(2, 5);
            rig.Core.Start(b);
            Assert.That(rig.Core.DispatchNeeded);
            rig.Core.Block(b);
            Assert.That(rig.Core.DispatchNeeded, Is.False);
            Assert.That(rig.Core.Heir, Is.SameAs(a));
        }

        [Test]
        public void TwoHundredFiftySixLevels()
        {
            var ts = new SchedThread[256];
            for (int i = 255; i >= 0; i--)
            {
                ts[i] = rig.Started(i, i);
                Assert.That(rig.Exec, Is.SameAs(ts[i]));
            }
            for (int i = 0; i < 256; i++)
            {
                Assert.That(rig.Exec, Is.SameAs(ts[i]));
                rig.Core.Block(ts[i]); rig.Settle();
            }
            Assert.That(rig.Exec, Is.SameAs(rig.Core.Idle));
        }
    }

    [TestFixture]
    public class PrioritySpecificTests
    {
        [Test]
        public void ReleaseAndCancelJobAreNoOpsUnderFixedPriority()
        {
            var rig = new Rig("priority");
            var a = rig.Started(1, 10);
            var b = rig.Started(2, 20);
            var job = new PriorityNode();
            rig.Core.ReleaseJob(b, job, 5);
            rig.Settle();
            Assert.That(job.IsActive, Is.False);
            Assert.That(rig.Exec, Is.SameAs(a));
            rig.Core.CancelJob(b, job);
            rig.Settle();
            Assert.That(b.EffectivePriority, Is.EqualTo(20));
        }

        [Test]
        public void BitmapAgreesWithChains()
        {
            var rig = new Rig("priority");
            var fp = (PriorityScheduler)rig.S;
            rig.Started(1, 70);
            rig.Started(2, 3);
            Assert.That(fp.Bitmap.Lowest(), Is.EqualTo(3));
            Assert.That(fp.Bitmap.IsSet(70));
            Assert.That(fp.ReadyChain(70).Count, Is.EqualTo(1));
        }
    }

    [TestFixture("edf")]
    [TestFixture("cbs")]
    public class EdfTests
    {
        readonly string policy;
        public EdfTests(string policy) { this.policy = policy; }
        Rig rig;
        [SetUp] public void SetUp() { rig = new Rig(policy); rig.P.Time = 1000; }

        SchedThread Job(int id, int prio, long deadline, PriorityNode node)
        {
            var t = rig.Thread(id, prio);
            rig.Core.ReleaseJob(t, node, deadline);
            rig.Core.Start(t);
            rig.Settle();
            return t;
        }

        [Test]
        public void EarliestDeadlineRuns()
        {
            var a = Job(1, 10, 5000, new PriorityNode());
            var b = Job(2, 10, 3000, new PriorityNode());
            Assert.That(rig.Exec, Is.SameAs(b));
            var c = Job(3, 0, 4000, new PriorityNode());
            Assert.That(rig.Exec, Is.SameAs(b), "fixed priority is irrelevant for deadline jobs");
            rig.Core.Block(b); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(c));
            rig.Core.Block(c); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a));
        }

        [Test]
        public void EqualDeadlinesFifoAndNoPreemption()
        {
            var a = Job(1, 10, 5000, new PriorityNode());
            int sw = rig.P.SwitchRequests;
            var b = Job(2, 0, 5000, new PriorityNode());
            var c = Job(3, 0, 5000, new PriorityNode());
            Assert.That(rig.Exec, Is.SameAs(a));
            Assert.That(rig.P.SwitchRequests, Is.EqualTo(sw));
            rig.Core.Block(a); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
            rig.Core.Yield(); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(c));
        }

        [Test]
        public void BackgroundBelowEveryDeadline()
        {
            var bg = rig.Started(1, 0);
            Assert.That(rig.Exec, Is.SameAs(bg));
            var j = Job(2, 255, EdfScheduler.MaxDeadline, new PriorityNode());
            Assert.That(rig.Exec, Is.SameAs(j), "even the latest deadline beats the most urgent background thread");
            Assert.That(EdfScheduler.IsDeadline(j.EffectivePriority));
            Assert.That(EdfScheduler.IsDeadline(bg.EffectivePriority), Is.False);
        }

        [Test]
        public void BackgroundOrderedByFixedPriority()
        {
            var a = rig.Started(1, 50);
            var b = rig.Started(2, 40);
            var c = rig.Started(3, 40);
            Assert.That(rig.Exec, Is.SameAs(b));
            rig.Core.Block(b); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(c));
            rig.Core.Block(c); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a));
        }

        [Test]
        public void ReleaseJobResortsAndPreempts()
        {
            var a = Job(1, 10, 5000, new PriorityNode());
            var nb = new PriorityNode();
            var b = Job(2, 10, 9000, nb);
            Assert.That(rig.Exec, Is.SameAs(a));
            rig.Core.ReleaseJob(b, nb, 2000); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
            Assert.That(b.EffectivePriority, Is.EqualTo(2000));
        }

        [Test]
        public void ReleasingALaterJobForTheExecutingThreadSwitches()
        {
            var na = new PriorityNode();
            var a = Job(1, 10, 3000, na);
            var b = Job(2, 10, 5000, new PriorityNode());
            rig.Core.ReleaseJob(a, na, 8000); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(b));
        }

        [Test]
        public void CancelJobReturnsToBackground()
        {
            var na = new PriorityNode();
            var a = Job(1, 10, 3000, na);
            var bg = rig.Started(2, 5);
            Assert.That(rig.Exec, Is.SameAs(a));
            rig.Core.CancelJob(a, na); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(bg), "a background thread of priority 5 beats one of priority 10");
            Assert.That(rig.S.UnmapPriority(a.EffectivePriority), Is.EqualTo(10));
            Assert.That(na.IsActive, Is.False);
        }

        [Test]
        public void CancelJobOfInactiveNodeIsHarmless()
        {
            var a = rig.Started(1, 10);
            rig.Core.CancelJob(a, new PriorityNode());
            rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(a));
        }

        [Test]
        public void DeadlineInheritance()
        {
            // owner (late deadline) holds a mutex; a waiter with an early deadline blocks on it.
            var owner = Job(1, 10, 9000, new PriorityNode());
            var mid = Job(2, 10, 6000, new PriorityNode());
            Assert.That(rig.Exec, Is.SameAs(mid));
            var waiter = Job(3, 10, 2000, new PriorityNode());
            Assert.That(rig.Exec, Is.SameAs(waiter));
            rig.Core.Block(waiter); rig.Settle();
            var inherited = new PriorityNode();
            rig.Core.AddPriority(owner, inherited, waiter.EffectivePriority); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(owner), "owner inherits the waiter's deadline");
            Assert.That(owner.EffectivePriority, Is.EqualTo(2000));
            rig.Core.RemovePriority(owner, inherited); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(mid));
        }

        [Test]
        public void BackgroundOwnerInheritsDeadline()
        {
            var owner = rig.Started(1, 200);
            var j = Job(2, 0, 7000, new PriorityNode());
            Assert.That(rig.Exec, Is.SameAs(j));
            var inh = new PriorityNode();
            rig.Core.AddPriority(owner, inh, 3000); rig.Settle();
            Assert.That(rig.Exec, Is.SameAs(owner));
        }

        [Test]
        public void DeadlinesAreClampedBelowBackground()
        {
            var n = new PriorityNode();
            var a = Job(1, 10, long.MaxValue, n);
            Assert.That(a.EffectivePriority, Is.EqualTo(EdfScheduler.MaxDeadline));
            rig.Core.ReleaseJob(a, n, -5);
            Assert.That(a.EffectivePriority, Is.EqualTo(0));
        }

        [TestCase(0, EdfScheduler.BackgroundBase)]
        [TestCase(255, EdfScheduler.BackgroundBase + 255)]
        public void MapUnmap(int prio, long mapped)
        {
            Assert.That(rig.S.MapPriority(prio), Is.EqualTo(mapped));
            Assert.That(rig.S.UnmapPriority(mapped), Is.EqualTo(prio));
            Assert.That(rig.S.UnmapPriority(12345), Is.EqualTo(0));
        }

        [Test]
        public void ManyEqualDeadlinesNeverLoop()
        {
            var ts = new SchedThread[500];
            for (int i = 0; i < ts.Length; i++) ts[i] = Job(i, 10, 4242, new PriorityNode());
            for (int i = 0; i < ts.Length; i++)
            {
                Assert.That(rig.Exec, Is.SameAs(ts[i]));
                rig.Core.Block(ts[i]); rig.Settle();
            }
        }
    }
}
