using System;
using NUnit.Framework;
using Osprey.Sched;
using Osprey.Tests.Sched;

namespace Osprey.Tests.Sync
{
    /// <summary>
    /// Every sync path allocates nothing after construction: a random driver
    /// (itself allocation free: xorshift, preallocated buffers) runs
    /// blocking and non-blocking operations on every object, interrupt-context
    /// calls, timeouts, sleeps, handoffs, inheritance chains, priority and
    /// job changes, wait cancellation and thread exit, and the bytes
    /// allocated by the thread over thousands of operations must be zero.
    /// </summary>
    [TestFixture]
    public class SyncAllocationTests
    {
        sealed class Driver
        {
            const int N = 8;
            public readonly FakePlatform P = new FakePlatform();
            public readonly SchedCore Core;
            readonly SchedThread[] T = new SchedThread[N];
            readonly PriorityNode[] job = new PriorityNode[N];
            readonly int[] pendingPool = new int[N];
            readonly byte[][] buf = new byte[N][];
            readonly byte[] isrBuf = new byte[16];
            readonly Semaphore sem;
            readonly Mutex[] mx = new Mutex[3];
            readonly MessageQueue mq;
            readonly BlockPool pool;
            readonly EventFlags ev;
            readonly WaitQueue join;
            readonly ulong[] blocks = new ulong[16];
            int blockCount;
            ulong rng = 0x9E3779B97F4A7C15UL;
            public readonly int[] Status = new int[32];

            public Driver(string policy)
            {
                string err;
                Core = SchedCore.Create(P, policy, null, out err);
                P.Time = 1000;
                for (int i = 0; i < N; i++)
                {
                    T[i] = new SchedThread(i, 1 + i % 4);
                    Core.AddThread(T[i]);
                    Core.Start(T[i]);
                    job[i] = new PriorityNode();
                    buf[i] = new byte[16];
                }
                SyncStatus st;
                sem = Semaphore.Create(Core, 1, 2, WaitDiscipline.Priority, out st);
                for (int k = 0; k < mx.Length; k++) mx[k] = new Mutex(Core, k == 0, k);
                mq = MessageQueue.Create(Core, 16, 2, WaitDiscipline.Fifo, out st);
                pool = BlockPool.Create(Core, 0x10_0000, 128, 16, WaitDiscipline.Priority, out st);
                ev = new EventFlags(Core, WaitDiscipline.Fifo);
                join = new WaitQueue(Core, WaitDiscipline.Priority);
                if (Core.DispatchNeeded) Core.Dispatch();
            }

            int Next(int m)
            {
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
                return (int)(rng % (ulong)m);
            }

            long Timeout_()
            {
                int r = Next(4);
                return r == 0 ? Timeout.NoWait : r == 1 ? Timeout.Forever : 1 + Next(3000);
            }

            void Note(SyncStatus s) { Status[(int)s]++; }

            void AddBlock(ulong a) { if (blockCount < blocks.Length) blocks[blockCount++] = a; }

            public void Ops(int count)
            {
                for (int k = 0; k < count; k++)
                {
                    SchedThread e = Core.Executing;
                    bool canCall = e != Core.Idle && e.IsReady;
                    int op = Next(24);
                    SyncStatus s = SyncStatus.Successful;
                    int len; ulong addr; uint got;
                    if (op < 14 && !canCall) op = 14 + Next(10);
                    switch (op)
                    {
                        case 0: s = sem.Obtain(e, Timeout_()); break;
                        case 1: s = sem.Release(e); break;
                        case 2: case 3: s = mx[Next(3)].Obtain(e, Timeout_()); break;
                        case 4: case 5: s = mx[Next(3)].Release(e); break;
                        case 6: s = Next(2) == 0 ? mq.Send(e, buf[e.Id], 1 + Next(16), Timeout_()) : mq.SendUrgent(e, buf[e.Id], 4, Timeout_()); break;
                        case 7: s = mq.Receive(e, buf[e.Id], Timeout_(), out len); break;
                        case 8:
                            s = pool.Allocate(e, Timeout_(), out addr);
                            if (s == SyncStatus.Successful) AddBlock(addr);
                            else if (s == SyncStatus.Blocked) pendingPool[e.Id] = 1;
                            break;
                        case 9:
                            if (blockCount > 0) s = pool.Free(e, blocks[--blockCount]);
                            else s = pool.Free(e, 0x10_0001);
                            break;
                        case 10: s = ev.Wait(e, (uint)(1 + Next(7)), Next(2) == 0 ? EventMode.Any : EventMode.All, Next(2) == 0, Timeout_(), out got); break;
                        case 11: s = SyncOps.SleepFor(Core, e, Next(2000)); break;
                        case 12: s = SyncOps.SleepUntil(Core, e, P.Time + Next(2000)); break;
                        case 13: s = join.Enqueue(e, Timeout_()); break;
                        case 14:
                        {
                            Core.InterruptNesting = 1;
                            switch (Next(6))
                            {
                                case 0: s = sem.Release(null); break;
                                case 1: s = mq.Send(null, isrBuf, 8, Timeout.NoWait); break;
                                case 2: s = mq.Receive(null, isrBuf, Timeout.NoWait, out len); break;
                                case 3: s = ev.Set((uint)(1 << Next(3))); break;
                                case 4: s = pool.Allocate(null, Timeout.NoWait, out addr); if (s == SyncStatus.Successful) AddBlock(addr); break;
                                default: s = mx[Next(3)].Obtain(e, 100); break;
                            }
                            Core.InterruptNesting = 0;
                            break;
                        }
                        case 15: case 16: case 17:
                        {
                            long to = P.Time + 1 + Next(1500);
                            while (P.Armed <= to)
                            {
                                if (P.Armed > P.Time) P.Time = P.Armed;
                                Core.TimerFired(P.Time);
                                if (Core.DispatchNeeded) Core.Dispatch();
                            }
                            P.Time = to;
                            break;
                        }
                        case 18: Core.SetPriority(T[Next(N)], 1 + Next(6)); break;
                        case 19:
                        {
                            var t = T[Next(N)];
                            if (Next(3) == 0) Core.CancelJob(t, job[t.Id]);
                            else Core.ReleaseJob(t, job[t.Id], P.Time + 1 + Next(10_000));
                            break;
                        }
                        case 20:
                        {
                            var t = T[Next(N)];
                            if (Next(2) == 0) Core.Suspend(t); else Core.Resume(t);
                            break;
                        }
                        case 21: SyncOps.CancelWait(T[Next(N)], SyncStatus.Flushed); break;
                        case 22: join.WakeOne(SyncStatus.Successful); sem.Flush(); break;
                        case 23:
                        {
                            var t = T[Next(N)];
                            if (t.Has(ThreadState.Dormant)) { Core.Start(t); break; }
                            if (Next(4) != 0) break;
                            SyncOps.ThreadExit(t);
                            Core.Stop(t);
                            break;
                        }
                    }
                    Note(s);
                    for (int i = 0; i < N; i++)
                    {
                        if (pendingPool[i] != 0 && T[i].WaitResult != SyncStatus.Blocked)
                        {
                            pendingPool[i] = 0;
                            if (T[i].WaitResult == SyncStatus.Successful) AddBlock(T[i].Wait.Address);
                        }
                    }
                    if (Core.DispatchNeeded) Core.Dispatch();
                }
            }
        }

        [TestCase("priority")]
        [TestCase("edf")]
        [TestCase("cbs")]
        public void SyncPathsAllocateNothing(string policy)
        {
            var d = new Driver(policy);
            d.Ops(30_000); // warm-up (JIT, static initializers)
            Array.Clear(d.Status, 0, d.Status.Length);
            long before = GC.GetAllocatedBytesForCurrentThread();
            d.Ops(10_000);
            long after = GC.GetAllocatedBytesForCurrentThread();
            Assert.That(after - before, Is.EqualTo(0), "bytes allocated by 10000 sync operations");
            Assert.That(d.Core.CheckInvariants(), Is.Null);
            Assert.That(d.Status[(int)SyncStatus.Blocked], Is.GreaterThan(100), "blocking paths exercised");
            Assert.That(d.Status[(int)SyncStatus.Successful], Is.GreaterThan(1000));
            Assert.That(d.Status[(int)SyncStatus.CalledFromInterrupt], Is.GreaterThan(0));
        }
    }
}
