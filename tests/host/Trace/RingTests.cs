using System;
using NUnit.Framework;
using Osprey.Sched;
using Osprey.Sched.Tracing;
using Osprey.Tests.Sched;

namespace Osprey.Tests.Trace
{
    /// <summary>The portable ring: order, wrap, both overflow policies, names, pause, hooks, no allocation.</summary>
    [TestFixture]
    public class RingTests
    {
        static TraceRing Ring(int capacity, TraceOverflow o, FakePlatform p = null)
        {
            return new TraceRing(0, capacity, o, p ?? new FakePlatform());
        }

        static long[] Values(TraceRing r)
        {
            var v = new long[r.Count];
            for (int i = 0; i < r.Count; i++)
            {
                TraceEntry e;
                Assert.That(r.Get(i, out e), Is.True);
                v[i] = e.A;
            }
            return v;
        }

        [Test]
        public void KeepsOrderAndFields()
        {
            var p = new FakePlatform();
            var r = Ring(8, TraceOverflow.DropNewest, p);
            p.Time = 5;
            r.Record(TraceEventKind.Release, 3, 0, 7, 99);
            p.Time = 9;
            r.Record(TraceEventKind.IrqEntry, TraceRing.NoThread, 240, 0, 0);
            Assert.That(r.Count, Is.EqualTo(2));
            TraceEntry e;
            r.Get(0, out e);
            Assert.That((e.Time, e.Kind, e.Thread, e.A, e.B), Is.EqualTo((5L, TraceEventKind.Release, 3, 7L, 99L)));
            r.Get(1, out e);
            Assert.That((e.Time, e.Kind, e.Thread, e.Object), Is.EqualTo((9L, TraceEventKind.IrqEntry, -1, 240)));
            Assert.That(r.Get(2, out e), Is.False);
            Assert.That(r.Get(-1, out e), Is.False);
        }

        [Test]
        public void OverwriteOldestWrapsAndCounts()
        {
            var r = Ring(5, TraceOverflow.OverwriteOldest);
            for (int i = 0; i < 13; i++) r.Add(i, TraceEventKind.Mark, -1, 0, i, 0);
            Assert.That(r.Count, Is.EqualTo(5));
            Assert.That(r.Dropped, Is.EqualTo(8));
            Assert.That(r.Accepted, Is.EqualTo(13));
            Assert.That(Values(r), Is.EqualTo(new long[] { 8, 9, 10, 11, 12 }));
        }

        [Test]
        public void DropNewestKeepsTheFirstAndCounts()
        {
            var r = Ring(5, TraceOverflow.DropNewest);
            for (int i = 0; i < 13; i++) r.Add(i, TraceEventKind.Mark, -1, 0, i, 0);
            Assert.That(r.Count, Is.EqualTo(5));
            Assert.That(r.Dropped, Is.EqualTo(8));
            Assert.That(r.Accepted, Is.EqualTo(5));
            Assert.That(Values(r), Is.EqualTo(new long[] { 0, 1, 2, 3, 4 }));
        }

        [TestCase(TraceOverflow.OverwriteOldest)]
        [TestCase(TraceOverflow.DropNewest)]
        public void WrapsManyTimesConsistently(TraceOverflow o)
        {
            var r = Ring(7, o);
            for (int i = 0; i < 1000; i++)
            {
                r.Add(i, TraceEventKind.Mark, -1, 0, i, 0);
                Assert.That(r.Count, Is.EqualTo(Math.Min(i + 1, 7)));
                Assert.That(r.Dropped, Is.EqualTo(Math.Max(0, i + 1 - 7)));
            }
            long[] v = Values(r);
            for (int i = 1; i < v.Length; i++) Assert.That(v[i], Is.EqualTo(v[i - 1] + 1), "consecutive");
            Assert.That(v[0], Is.EqualTo(o == TraceOverflow.DropNewest ? 0 : 993));
        }

        [Test]
        public void ClearAndResetAndPause()
        {
            var r = Ring(4, TraceOverflow.OverwriteOldest);
            for (int i = 0; i < 6; i++) r.Add(i, TraceEventKind.Mark, -1, 0, i, 0);
            r.Clear();
            Assert.That((r.Count, r.Dropped), Is.EqualTo((0, 2L)));
            r.Paused = true;
            r.Add(1, TraceEventKind.Mark, -1, 0, 1, 0);
            Assert.That((r.Count, r.Accepted), Is.EqualTo((0, 6L)), "paused: nothing stored or counted");
            r.Paused = false;
            r.Reset();
            Assert.That((r.Count, r.Dropped, r.Accepted), Is.EqualTo((0, 0L, 0L)));
        }

        [Test]
        public void NameTableRenamesAndCountsOverflow()
        {
            var r = new TraceRing(0, 4, TraceOverflow.DropNewest, new FakePlatform(), 2);
            r.NameThread(1, "a");
            r.NameThread(2, "b");
            r.NameThread(1, "a2");
            r.NameThread(3, "c");
            Assert.That(r.NameCount, Is.EqualTo(2));
            Assert.That(r.NameOf(1), Is.EqualTo("a2"));
            Assert.That(r.NameOf(3), Is.Null);
            Assert.That(r.NamesLost, Is.EqualTo(1));
        }

        sealed class Growing : TraceRing
        {
            public int Drains;
            public Growing() : base(0, 3, TraceOverflow.DropNewest, new FakePlatform()) { }
            protected override bool MakeRoom() { Drains++; Clear(); return true; }
        }

        [Test]
        public void MakeRoomHookAvoidsDrops()
        {
            var r = new Growing();
            for (int i = 0; i < 10; i++) r.Add(i, TraceEventKind.Mark, -1, 0, i, 0);
            Assert.That(r.Dropped, Is.EqualTo(0));
            Assert.That(r.Drains, Is.EqualTo(3));
            Assert.That(Values(r), Is.EqualTo(new long[] { 9 }));
        }

        // ------------------------------------------------------------ core hooks

        [Test]
        public void CoreRecordsSwitchesBlocksReleasesAndNames()
        {
            var rig = new Rig("edf");
            var r = Ring(64, TraceOverflow.DropNewest, rig.P);
            rig.Core.Trace = r;
            var a = new SchedThread(1, 10, "a");
            rig.Core.AddThread(a);
            Assert.That(r.NameOf(1), Is.EqualTo("a"));
            rig.P.Time = 100;
            rig.Core.Start(a);
            var job = new PriorityNode();
            rig.Core.ReleaseJob(a, job, 5000);
            rig.Core.Dispatch();
            rig.P.Time = 300;
            rig.Core.BlockWith(a, ThreadState.Sleeping);
            rig.Core.Dispatch();
            rig.Core.ReleaseJob(a, job, 9000);
            var kinds = new TraceEventKind[r.Count];
            var e = new TraceEntry[r.Count];
            for (int i = 0; i < r.Count; i++) { r.Get(i, out e[i]); kinds[i] = e[i].Kind; }
            Assert.That(kinds, Is.EqualTo(new[] { TraceEventKind.Unblock, TraceEventKind.Release, TraceEventKind.SwitchIn,
                TraceEventKind.Block, TraceEventKind.SwitchOut, TraceEventKind.Release }));
            Assert.That(e[0].A, Is.EqualTo((long)ThreadState.Dormant), "unblock reason");
            Assert.That((e[1].A, e[1].B), Is.EqualTo((0L, 5000L)), "job 0, deadline");
            Assert.That(e[3].A, Is.EqualTo((long)ThreadState.Sleeping));
            Assert.That(e[4].A, Is.EqualTo((long)ThreadState.Sleeping), "switched out sleeping");
            Assert.That(e[5].A, Is.EqualTo(1), "the second release is job 1");
            Assert.That(e[3].Time, Is.EqualTo(300));
            Assert.That(a.JobsReleased, Is.EqualTo(2));
        }

        [Test]
        public void PeriodExpiryAndPostponedJobs()
        {
            var rig = new Rig("edf");
            var r = Ring(256, TraceOverflow.DropNewest, rig.P);
            rig.Core.Trace = r;
            var a = rig.Started(1, 10);
            var per = new RatePeriod(rig.Core, a, 42);
            Assert.That(per.Run(a, 1000), Is.EqualTo(PeriodStatus.Successful));
            // The job overruns two periods: two expiries, postponed 1 then 2.
            rig.Advance(2500);
            int n = 0;
            for (int i = 0; i < r.Count; i++)
            {
                TraceEntry e;
                r.Get(i, out e);
                if (e.Kind != TraceEventKind.PeriodExpiry) continue;
                n++;
                Assert.That(e.Object, Is.EqualTo(42));
                Assert.That(e.A, Is.EqualTo(n * 1000L), "at = end of the period");
                Assert.That(e.B, Is.EqualTo((long)n), "postponed jobs after it");
            }
            Assert.That(n, Is.EqualTo(2));
            Assert.That(per.PostponedJobs, Is.EqualTo(2));
        }

        [Test]
        public void CbsOverrunIsRecorded()
        {
            var rig = new Rig("cbs");
            var r = Ring(256, TraceOverflow.DropNewest, rig.P);
            rig.Core.Trace = r;
            var a = rig.Started(1, 10);
            var srv = new CbsServer(9, 300, 1000, CbsMode.Hard);
            CbsAdmission adm;
            Assert.That(((CbsScheduler)rig.Core.Scheduler).Attach(a, srv, out adm), Is.EqualTo(CbsStatus.Ok));
            var per = new RatePeriod(rig.Core, a, 1);
            per.Run(a, 1000);
            rig.Advance(500);
            int n = 0;
            for (int i = 0; i < r.Count; i++)
            {
                TraceEntry e;
                r.Get(i, out e);
                if (e.Kind != TraceEventKind.BudgetExhausted) continue;
                n++;
                Assert.That((e.Thread, e.Object, e.A, e.B, e.Time), Is.EqualTo((1, 9, 300L, 0L, 300L)));
            }
            Assert.That(n, Is.EqualTo(1));
        }

        [Test]
        public void RecordingAllocatesNothing()
        {
            var rig = new Rig("edf");
            rig.CheckEveryStep = false;
            var r = Ring(128, TraceOverflow.OverwriteOldest, rig.P);
            rig.Core.Trace = r;
            var ts = new SchedThread[8];
            var jobs = new PriorityNode[8];
            for (int i = 0; i < ts.Length; i++) { ts[i] = rig.Started(i + 1, 10 + i); jobs[i] = new PriorityNode(); }
            // Warm up, then measure.
            for (int pass = 0; pass < 2; pass++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int k = 0; k < 5000; k++)
                {
                    SchedThread t = ts[k % ts.Length];
                    rig.P.Time += 10;
                    rig.Core.ReleaseJob(t, jobs[k % ts.Length], rig.P.Time + 1000 + k % 7);
                    rig.Core.Suspend(t);
                    if (rig.Core.DispatchNeeded) rig.Core.Dispatch();
                    rig.Core.Resume(t);
                    if (rig.Core.DispatchNeeded) rig.Core.Dispatch();
                    r.Record(TraceEventKind.IrqEntry, -1, 240, 0, 0);
                }
                long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                if (pass == 1) Assert.That(bytes, Is.EqualTo(0), "bytes allocated while recording");
            }
            Assert.That(r.Dropped, Is.GreaterThan(0), "the ring wrapped");
        }
    }
}
