using NUnit.Framework;
using Osprey.Sched;

namespace Osprey.Tests.Sync
{
    /// <summary>
    /// The interrupt table of sched/README.md, row by row: with
    /// InterruptNesting &gt; 0 every call that could block (and every mutex
    /// call, sleep, delete) returns CalledFromInterrupt and changes nothing;
    /// the rest work as in thread context.
    /// </summary>
    [TestFixture("priority")]
    [TestFixture("edf")]
    public class InterruptRuleTests : SyncTestBase
    {
        public InterruptRuleTests(string policy) : base(policy) { }

        Semaphore sem;
        Mutex mtx;
        MessageQueue mq;
        BlockPool pool;
        EventFlags ev;
        WaitQueue wq;
        SchedThread a;
        ulong block;

        void Make()
        {
            SyncStatus st;
            sem = Semaphore.Create(Core, 1, 2, WaitDiscipline.Fifo, out st);
            mtx = new Mutex(Core, true);
            mq = MessageQueue.Create(Core, 4, 2, WaitDiscipline.Fifo, out st);
            pool = BlockPool.Create(Core, 0x1000, 64, 2, WaitDiscipline.Fifo, out st);
            ev = new EventFlags(Core, WaitDiscipline.Fifo);
            wq = new WaitQueue(Core, WaitDiscipline.Fifo);
            a = Start(1, 10);
            mtx.Obtain(a, Timeout.NoWait);
            mq.Send(a, new byte[] { 1 }, 1, Timeout.NoWait);
            pool.Allocate(a, Timeout.NoWait, out block);
            ev.Set(1);
        }

        string Snapshot()
        {
            return sem.Count + "/" + sem.IsDeleted + " " + (mtx.Owner == null ? -1 : mtx.Owner.Id) + "/" + mtx.NestCount + "/" + mtx.IsDeleted
                + " " + mq.Count + "/" + mq.IsDeleted + " " + pool.FreeCount + "/" + pool.IsDeleted + " " + ev.Flags + "/" + ev.IsDeleted
                + " " + a.State + " " + Core.Timers.Count + " " + wq.Count;
        }

        static readonly string[] Refused =
        {
            "sem.Obtain(timeout)", "sem.Delete", "mutex.Obtain(NoWait)", "mutex.Obtain(timeout)", "mutex.Release", "mutex.Delete",
            "mq.Send(timeout)", "mq.SendUrgent(timeout)", "mq.Receive(timeout)", "mq.Delete", "ev.Wait(timeout)", "ev.Delete",
            "pool.Allocate(timeout)", "pool.Delete", "SleepFor", "SleepUntil", "queue.Enqueue",
        };

        static readonly string[] Allowed =
        {
            "sem.Obtain(NoWait)", "sem.Release", "sem.Flush", "mq.Send(NoWait)", "mq.SendUrgent(NoWait)", "mq.Receive(NoWait)",
            "mq.Flush", "ev.Set", "ev.Clear", "ev.Wait(NoWait)", "pool.Allocate(NoWait)", "pool.Free", "queue.WakeAll",
        };

        SyncStatus Call(string op)
        {
            int len; ulong addr; uint got;
            var buf = new byte[4];
            switch (op)
            {
                case "sem.Obtain(timeout)": return sem.Obtain(a, 100);
                case "sem.Obtain(NoWait)": return sem.Obtain(null, Timeout.NoWait);
                case "sem.Release": return sem.Release(null);
                case "sem.Flush": return sem.Flush();
                case "sem.Delete": return sem.Delete();
                case "mutex.Obtain(NoWait)": return mtx.Obtain(a, Timeout.NoWait);
                case "mutex.Obtain(timeout)": return mtx.Obtain(a, 100);
                case "mutex.Release": return mtx.Release(a);
                case "mutex.Delete": return mtx.Delete(a);
                case "mq.Send(timeout)": return mq.Send(a, buf, 1, 100);
                case "mq.Send(NoWait)": return mq.Send(null, buf, 1, Timeout.NoWait);
                case "mq.SendUrgent(timeout)": return mq.SendUrgent(a, buf, 1, Timeout.Forever);
                case "mq.SendUrgent(NoWait)": return mq.SendUrgent(null, buf, 1, Timeout.NoWait);
                case "mq.Receive(timeout)": return mq.Receive(a, buf, 100, out len);
                case "mq.Receive(NoWait)": return mq.Receive(null, buf, Timeout.NoWait, out len);
                case "mq.Flush": return mq.Flush(out len);
                case "mq.Delete": return mq.Delete();
                case "ev.Set": return ev.Set(2);
                case "ev.Clear": return ev.Clear(1);
                case "ev.Wait(timeout)": return ev.Wait(a, 1, EventMode.Any, true, 100, out got);
                case "ev.Wait(NoWait)": return ev.Wait(null, 1, EventMode.Any, true, Timeout.NoWait, out got);
                case "ev.Delete": return ev.Delete();
                case "pool.Allocate(timeout)": return pool.Allocate(a, 100, out addr);
                case "pool.Allocate(NoWait)": return pool.Allocate(null, Timeout.NoWait, out addr);
                case "pool.Free": return pool.Free(null, block);
                case "pool.Delete": return pool.Delete();
                case "SleepFor": return SyncOps.SleepFor(Core, a, 100);
                case "SleepUntil": return SyncOps.SleepUntil(Core, a, rig.Now + 100);
                case "queue.Enqueue": return wq.Enqueue(a, 100);
                case "queue.WakeAll": wq.WakeAll(SyncStatus.Flushed); return SyncStatus.Successful;
            }
            Assert.Fail("unknown op " + op);
            return SyncStatus.InvalidArgument;
        }

        [Test]
        public void RefusedInInterruptAndNothingChanges([ValueSource(nameof(Refused))] string op)
        {
            Make();
            string before = Snapshot();
            Core.InterruptNesting = 1;
            Assert.That(Call(op), Is.EqualTo(SyncStatus.CalledFromInterrupt), op);
            Core.InterruptNesting = 0;
            Assert.That(Snapshot(), Is.EqualTo(before));
            // the same call works in thread context
            Assert.That(Call(op), Is.Not.EqualTo(SyncStatus.CalledFromInterrupt));
        }

        [Test]
        public void AllowedInInterrupt([ValueSource(nameof(Allowed))] string op)
        {
            Make();
            Core.InterruptNesting = 3;
            Assert.That(Call(op), Is.EqualTo(SyncStatus.Successful), op);
            Core.InterruptNesting = 0;
            Ok(sem.CheckInvariants());
            Ok(mq.CheckInvariants());
            Ok(pool.CheckInvariants());
            Ok(ev.CheckInvariants());
        }
    }
}
