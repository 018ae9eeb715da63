using System;
using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    /// <summary>
    /// The ready-set benchmark's workload (sched/measure/ReadySetBench.cs),
    /// shared by bench-host and the kernel's bench suite: it keeps N threads
    /// ready, acts on the threads its pattern names, keeps the core's
    /// invariants, allocates nothing per step, and refuses bad arguments.
    /// </summary>
    [TestFixture]
    public class ReadySetBenchTests
    {
        static ReadySetBench Make(string policy, int n, ReadySetPattern pattern)
        {
            string err;
            var b = ReadySetBench.Create(policy, n, pattern, 7, out err);
            Assert.That(b, Is.Not.Null, err);
            Assert.That(err, Is.Null);
            return b;
        }

        [Test]
        public void KeepsTheReadySetAndInvariants(
            [Values("priority", "edf", "cbs")] string policy,
            [Values(1, 10, 100)] int n,
            [Values(ReadySetPattern.Periodic, ReadySetPattern.Random)] ReadySetPattern pattern)
        {
            var b = Make(policy, n, pattern);
            Assert.That(b.Check(), Is.Null);
            for (int k = 0; k < 3 * b.Threads + 50; k++)
            {
                b.Step();
                string e = b.Check();
                if (e != null) Assert.Fail("step " + k + ": " + e);
            }
            Assert.That(b.Sched.ReadyCount, Is.EqualTo(n));
        }

        [Test]
        public void PeriodicReleaseAndBlockActOnTheRunningThread([Values("edf", "cbs")] string policy)
        {
            var b = Make(policy, 50, ReadySetPattern.Periodic);
            for (int k = 0; k < 200; k++)
            {
                SchedThread running = b.Core.Executing;
                Assert.That(running, Is.SameAs(b.Sched.Highest()), "the most urgent thread runs after Settle");
                long jobs = running.JobsReleased;
                b.PrepareRelease(); b.Release(); b.Settle();
                Assert.That(running.JobsReleased, Is.EqualTo(jobs + 1), "release gave the running thread its next job");
                SchedThread blocker = b.Core.Executing;
                b.PrepareBlock(); b.Block();
                Assert.That(blocker.IsReady, Is.False, "block took the running thread out");
                b.Settle();
                b.PrepareUnblock(); b.Unblock(); b.Settle();
            }
        }

        [Test]
        public void PeriodicDeadlinesNeverDecrease()
        {
            // Jobs are released in time order: each new deadline is at or
            // beyond every deadline queued so far.
            var b = Make("edf", 40, ReadySetPattern.Periodic);
            for (int k = 0; k < 300; k++)
            {
                long max = long.MinValue;
                var tree = ((EdfScheduler)b.Sched).ReadyTree;
                for (RbNode x = tree.First; x != null; x = RbTree.Next(x)) max = Math.Max(max, x.Key);
                SchedThread r = b.Core.Executing;
                b.PrepareRelease(); b.Release(); b.Settle();
                Assert.That(r.EffectivePriority, Is.GreaterThanOrEqualTo(max));
                b.PrepareBlock(); b.Block(); b.Settle();
                b.PrepareUnblock(); b.Unblock(); b.Settle();
            }
        }

        [Test]
        public void StepsAllocateNothing([Values("priority", "edf", "cbs")] string policy,
            [Values(ReadySetPattern.Periodic, ReadySetPattern.Random)] ReadySetPattern pattern)
        {
            var b = Make(policy, 500, pattern);
            for (int k = 0; k < 2000; k++) b.Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 2000; k++) b.Step();
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        }

        [Test]
        public void RefusesBadArguments()
        {
            string err;
            Assert.That(ReadySetBench.Create("edf", 0, ReadySetPattern.Random, 1, out err), Is.Null);
            Assert.That(err, Does.Contain("at least 1"));
            Assert.That(ReadySetBench.Create("lottery", 10, ReadySetPattern.Random, 1, out err), Is.Null);
            Assert.That(err, Does.Contain("unknown scheduler 'lottery'"));
        }
    }
}
