using NUnit.Framework;
using Osprey.Sched;
using Osprey.Tests.Sched;

namespace Osprey.Tests.Sync
{
    /// <summary>
    /// Shared set-up for the sync tests: a Rig (fake platform, dispatch on
    /// every Settle, core invariants checked each step) under one policy.
    /// Under "edf" threads without a job are background threads ordered by
    /// their fixed priority, so priority-order tests hold under both.
    /// </summary>
    public abstract class SyncTestBase
    {
        protected readonly string Policy;
        protected Rig rig;

        protected SyncTestBase(string policy) { Policy = policy; }

        protected SchedCore Core { get { return rig.Core; } }
        protected SchedThread Exec { get { return rig.Exec; } }
        protected bool Edf { get { return Policy != "priority"; } }

        [SetUp]
        public void BaseSetUp()
        {
            rig = new Rig(Policy);
            rig.P.Time = 1_000_000;
        }

        /// <summary>A started thread (it runs if it is the most urgent).</summary>
        protected SchedThread Start(int id, int prio) { return rig.Started(id, prio); }

        protected void Settle() { rig.Settle(); }

        /// <summary>Assert that t is the executing thread (the one that would call next).</summary>
        protected void Running(SchedThread t)
        {
            Assert.That(rig.Exec, Is.SameAs(t), "expected t" + t.Id + " to run, t" + rig.Exec.Id + " runs");
        }

        /// <summary>op returned Blocked for t: dispatch and check that t no longer runs.</summary>
        protected void Blocks(SyncStatus s, SchedThread t)
        {
            Assert.That(s, Is.EqualTo(SyncStatus.Blocked));
            Assert.That(t.Has(ThreadState.Blocked) || t.Has(ThreadState.Sleeping), "t" + t.Id + " not blocked");
            Assert.That(t.WaitResult, Is.EqualTo(SyncStatus.Blocked));
            Settle();
            Assert.That(rig.Exec, Is.Not.SameAs(t));
        }

        protected static void Ok(string invariantError)
        {
            Assert.That(invariantError, Is.Null, invariantError);
        }

        /// <summary>Under EDF give t a job with the absolute deadline (its priority becomes the deadline).</summary>
        protected PriorityNode Job(SchedThread t, long deadline)
        {
            var n = new PriorityNode();
            Core.ReleaseJob(t, n, deadline);
            Settle();
            return n;
        }
    }
}
