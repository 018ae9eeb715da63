using System.Collections.Generic;
using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    [TestFixture]
    public class TimerQueueTests
    {
        sealed class Dog : Watchdog
        {
            public readonly List<string> Log;
            public readonly string Tag;
            public long Rearm;
            public TimerQueue Q;
            public Dog(List<string> log, string tag) { Log = log; Tag = tag; }
            public override void Fire(long now)
            {
                Log.Add(Tag + "@" + Expiry);
                if (Rearm > 0) { long r = Rearm; Rearm = 0; Q.Insert(this, Expiry + r); }
            }
        }

        [Test]
        public void FiresDueInOrderAndRearmsPlatform()
        {
            var p = new FakePlatform();
            var q = new TimerQueue(p);
            var log = new List<string>();
            var a = new Dog(log, "a"); var b = new Dog(log, "b"); var c = new Dog(log, "c");
            q.Insert(c, 300); Assert.That(p.Armed, Is.EqualTo(300));
            q.Insert(a, 100); Assert.That(p.Armed, Is.EqualTo(100));
            q.Insert(b, 200); Assert.That(p.Armed, Is.EqualTo(100));
            Assert.That(q.FireDue(99), Is.EqualTo(0));
            Assert.That(q.FireDue(250), Is.EqualTo(2));
            Assert.That(log, Is.EqualTo(new[] { "a@100", "b@200" }));
            Assert.That(p.Armed, Is.EqualTo(300));
            q.Cancel(c);
            Assert.That(p.Armed, Is.EqualTo(long.MaxValue));
            Assert.That(q.Check(), Is.Null);
        }

        [Test]
        public void EqualExpiriesFireFifo()
        {
            var p = new FakePlatform();
            var q = new TimerQueue(p);
            var log = new List<string>();
            for (int i = 0; i < 10; i++) q.Insert(new Dog(log, "d" + i), 50);
            q.FireDue(50);
            for (int i = 0; i < 10; i++) Assert.That(log[i], Is.EqualTo("d" + i + "@50"));
        }

        [Test]
        public void ReinsertMovesAndCancelIdleIsNoop()
        {
            var p = new FakePlatform();
            var q = new TimerQueue(p);
            var log = new List<string>();
            var a = new Dog(log, "a");
            q.Cancel(a);
            Assert.That(p.ArmCalls, Is.EqualTo(0));
            q.Insert(a, 100);
            q.Insert(a, 500);
            Assert.That(q.Count, Is.EqualTo(1));
            Assert.That(p.Armed, Is.EqualTo(500));
            Assert.That(a.IsArmed);
            q.FireDue(1000);
            Assert.That(a.IsArmed, Is.False);
            Assert.That(a.Expiry, Is.EqualTo(500));
        }

        [Test]
        public void WatchdogMayRearmItselfWhileFiring()
        {
            var p = new FakePlatform();
            var q = new TimerQueue(p);
            var log = new List<string>();
            var a = new Dog(log, "a") { Q = q, Rearm = 100 };
            q.Insert(a, 100);
            q.FireDue(150);
            Assert.That(log, Is.EqualTo(new[] { "a@100" }));
            Assert.That(p.Armed, Is.EqualTo(200));
            a.Rearm = 10;
            q.FireDue(1000); // fires at 200, re-arms at 210, which is also due: fires again
            Assert.That(log, Is.EqualTo(new[] { "a@100", "a@200", "a@210" }));
            Assert.That(p.Armed, Is.EqualTo(long.MaxValue));
        }
    }

    [TestFixture]
    public class SchedulerTableTests
    {
        [TestCase("priority", typeof(PriorityScheduler))]
        [TestCase("edf", typeof(EdfScheduler))]
        [TestCase("cbs", typeof(CbsScheduler))]
        public void KnownNames(string name, System.Type type)
        {
            string err;
            var s = SchedulerTable.Create(name, out err);
            Assert.That(err, Is.Null);
            Assert.That(s, Is.InstanceOf(type));
            Assert.That(s.Name, Is.EqualTo(name));
            Assert.That(SchedulerTable.Contains(name));
            Assert.That(SchedulerTable.Create(name, out err), Is.Not.SameAs(s), "fresh instance per core");
        }

        [TestCase("")]
        [TestCase("EDF")]
        [TestCase("rms")]
        [TestCase(null)]
        public void UnknownNameFailsWithMessage(string name)
        {
            string err;
            Assert.That(SchedulerTable.Create(name, out err), Is.Null);
            Assert.That(err, Does.Contain("unknown scheduler"));
            Assert.That(err, Does.Contain("priority, edf, cbs"));
            Assert.That(SchedCore.Create(new FakePlatform(), name, null, out err), Is.Null);
            Assert.That(err, Is.Not.Null);
        }

        [Test]
        public void TableListing()
        {
            Assert.That(SchedulerTable.Count, Is.EqualTo(5));
            Assert.That(SchedulerTable.NameAt(0), Is.EqualTo("priority"));
            Assert.That(SchedulerTable.NameAt(3), Is.EqualTo("vcore"));
            Assert.That(SchedulerTable.NameAt(4), Is.EqualTo("gedf"));
            Assert.That(SchedulerTable.NameAt(5), Is.Null);
            Assert.That(SchedulerTable.NameAt(-1), Is.Null);
        }

        /// <summary>
        /// The core calls OnCharge and OnDispatch only for a policy whose
        /// TracksBudgets is true (and charges at every entry point only for
        /// it): every table entry that overrides a budget hook must say so,
        /// and one that does not must not pay for it.
        /// </summary>
        [Test]
        public void BudgetHooksMatchTracksBudgets()
        {
            var flags = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public;
            for (int i = 0; i < SchedulerTable.Count; i++)
            {
                string err;
                Scheduler s = SchedulerTable.Create(SchedulerTable.NameAt(i), out err);
                System.Type ty = s.GetType();
                bool hooks = ty.GetMethod("OnCharge", flags).DeclaringType != typeof(Scheduler)
                          || ty.GetMethod("OnDispatch", flags).DeclaringType != typeof(Scheduler);
                Assert.That(s.TracksBudgets, Is.EqualTo(hooks), s.Name + ": TracksBudgets must equal 'overrides a budget hook'");
            }
            string e;
            Assert.That(SchedulerTable.Create("cbs", out e).TracksBudgets, Is.True);
            Assert.That(SchedulerTable.Create("edf", out e).TracksBudgets, Is.False);
        }

        /// <summary>Without budgets the executing thread is charged at the switch; CpuTimeOf is exact in between.</summary>
        [Test]
        public void ChargedAtSwitchWithoutBudgets()
        {
            var p = new FakePlatform();
            string err;
            var core = SchedCore.Create(p, "priority", null, out err);
            var a = new SchedThread(1, 10);
            var b = new SchedThread(2, 20);
            core.AddThread(a);
            core.AddThread(b);
            core.Start(a);
            core.Start(b);
            core.Dispatch();
            Assert.That(core.Executing, Is.SameAs(a));
            p.Time += 700;
            Assert.That(core.CpuTimeOf(a), Is.EqualTo(700), "running time counts before any charge");
            core.Block(a);
            Assert.That(core.CpuTimeOf(a), Is.EqualTo(700));
            p.Time += 50;               // the platform's switch comes a little later
            core.Dispatch();
            Assert.That(core.Executing, Is.SameAs(b));
            Assert.That(a.CpuTimeNs, Is.EqualTo(750), "charged up to the switch");
            Assert.That(core.CpuTimeOf(b), Is.EqualTo(0));
        }

        /// <summary>A policy that overrides nothing still works: the defaults are no-ops that keep the core consistent.</summary>
        sealed class NullScheduler : Scheduler
        {
            public NullScheduler() { Name = "null"; }
            public override Scheduler CreateInstance() { return new NullScheduler(); }
        }

        [Test]
        public void DefaultOperationsAreHarmless()
        {
            var p = new FakePlatform();
            var core = new SchedCore(p, new NullScheduler(), null);
            var t = new SchedThread(1, 10);
            core.AddThread(t);
            core.Start(t);
            Assert.That(core.Heir, Is.SameAs(core.Idle));
            core.ReleaseJob(t, new PriorityNode(), 100);
            core.CancelJob(t, new PriorityNode());
            core.Yield();
            core.Block(t);
            core.Unblock(t);
            core.SetPriority(t, 3);
            Assert.That(core.Scheduler.MapPriority(7), Is.EqualTo(7));
            Assert.That(core.Scheduler.UnmapPriority(7), Is.EqualTo(7));
            Assert.That(core.Scheduler.UnmapPriority(-5), Is.EqualTo(0));
            Assert.That(core.Scheduler.UnmapPriority(1000), Is.EqualTo(255));
            Assert.That(core.CheckInvariants(), Is.Null);
        }
    }
}
