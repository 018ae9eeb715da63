using System;
using System.Collections.Generic;
using NUnit.Framework;
using Osprey.Sched;
using Osprey.Tests.Sched;

namespace Osprey.Tests.Sync
{
    /// <summary>
    /// Randomized operations on several sync objects by several threads, from
    /// thread and interrupt context, with time passing, priority and job
    /// changes, suspension, wait cancellation and thread exit. After every
    /// step (and after every timer firing): the core's invariants, every
    /// object's invariants, each waiting thread in exactly one queue, state
    /// bits agreeing with the waits, conservation of semaphore units, pool
    /// blocks and messages, and every thread's effective priority equal to an
    /// independent recomputation of inheritance (base, job, and the most
    /// urgent waiter of every mutex it owns, transitively). Every completed
    /// wait is checked: a timeout never comes early, a sleep never ends early,
    /// a received message was sent exactly once, a block is never handed out
    /// twice, events satisfy the wait.
    /// </summary>
    [TestFixture]
    public class SyncFuzzTests
    {
        [Test, Combinatorial]
        public void Fuzz([Values("priority", "edf")] string policy, [Range(1, 10)] int seed)
        {
            new Fuzzer(policy, seed).Run(3000);
        }

        [TestCase("priority", 1001, 30000)]
        [TestCase("edf", 1002, 30000)]
        [TestCase("cbs", 1003, 10000)]
        public void LongFuzz(string policy, int seed, int steps)
        {
            new Fuzzer(policy, seed).Run(steps);
        }

        enum Kind { None, Sem, Mutex, Send, Receive, Pool, Event, Sleep }

        struct Pending
        {
            public Kind Kind;
            public int Obj;
            public long Start;
            public long Timeout;
            public long WakeAt;
            public int Seq;
            public uint Mask;
            public EventMode Mode;
        }

        sealed class Fuzzer
        {
            const int N = 10;
            const int Isr = N; // pseudo-holder index for blocks taken in interrupts

            readonly Random rnd;
            readonly string policy;
            readonly FakePlatform P = new FakePlatform();
            readonly SchedCore core;
            readonly SchedThread[] T = new SchedThread[N];
            readonly PriorityNode[] job = new PriorityNode[N];
            readonly Pending[] pend = new Pending[N];
            readonly byte[][] sendBuf = new byte[N][];
            readonly byte[][] recvBuf = new byte[N][];
            readonly byte[] isrBuf = new byte[8];

            readonly Semaphore[] sems = new Semaphore[2];
            readonly long[] semTotal = new long[2];
            readonly int[,] semHeld = new int[N, 2];
            readonly Mutex[] mx = new Mutex[3];
            readonly MessageQueue mq;
            readonly HashSet<int> inflight = new HashSet<int>();
            int nextSeq = 1;
            readonly BlockPool pool;
            readonly List<ulong>[] held = new List<ulong>[N + 1];
            readonly EventFlags ev;
            readonly WaitQueue[] queues;
            int step;
            readonly int[] statusCount = new int[32];

            public Fuzzer(string policy, int seed)
            {
                this.policy = policy;
                rnd = new Random(seed * 104729 + policy.Length);
                P.Time = 1_000_000;
                string err;
                core = SchedCore.Create(P, policy, null, out err);
                for (int i = 0; i < N; i++)
                {
                    T[i] = new SchedThread(i, 1 + rnd.Next(6));
                    core.AddThread(T[i]);
                    core.Start(T[i]);
                    job[i] = new PriorityNode();
                    sendBuf[i] = new byte[8];
                    recvBuf[i] = new byte[8];
                }
                for (int i = 0; i <= N; i++) held[i] = new List<ulong>();
                SyncStatus st;
                sems[0] = Semaphore.Create(core, 2, 3, WaitDiscipline.Fifo, out st);
                sems[1] = Semaphore.Create(core, 1, 1, WaitDiscipline.Priority, out st);
                semTotal[0] = 2;
                semTotal[1] = 1;
                for (int k = 0; k < 2; k++) sems[k].Id = k;
                mx[0] = new Mutex(core, true, 0);
                mx[1] = new Mutex(core, false, 1);
                mx[2] = new Mutex(core, false, 2);
                mq = MessageQueue.Create(core, 8, 3, WaitDiscipline.Priority, out st);
                pool = BlockPool.Create(core, 0x4000_0000, 256, 4, WaitDiscipline.Fifo, out st);
                ev = new EventFlags(core, WaitDiscipline.Fifo);
                queues = new WaitQueue[] { sems[0].Waiters, sems[1].Waiters, mx[0].Waiters, mx[1].Waiters, mx[2].Waiters,
                                           mq.Senders, mq.Receivers, pool.Waiters, ev.Waiters };
                if (core.DispatchNeeded) core.Dispatch();
            }

            void Fail(string what) { Assert.Fail("step " + step + " (" + policy + "): " + what); }

            long RandomTimeout()
            {
                switch (rnd.Next(4))
                {
                    case 0: return Timeout.NoWait;
                    case 1: return Timeout.Forever;
                    default: return 1 + rnd.Next(5000);
                }
            }

            public void Run(int steps)
            {
                for (step = 0; step < steps; step++)
                {
                    int r = rnd.Next(100);
                    if (r < 40) ThreadOp();
                    else if (r < 52) IsrOp();
                    else if (r < 70) AdvanceTime();
                    else if (r < 75) core.SetPriority(T[rnd.Next(N)], 1 + rnd.Next(6));
                    else if (r < 80) JobOp();
                    else if (r < 84)
                    {
                        var t = T[rnd.Next(N)];
                        if (rnd.Next(2) == 0) core.Suspend(t); else core.Resume(t);
                    }
                    else if (r < 86) SyncOps.CancelWait(T[rnd.Next(N)], SyncStatus.Flushed);
                    else if (r < 88) Exit(T[rnd.Next(N)]);
                    else if (r < 93)
                    {
                        var t = T[rnd.Next(N)];
                        if (t.Has(ThreadState.Dormant)) core.Start(t);
                    }
                    else if (r < 95) sems[rnd.Next(2)].Flush();
                    else if (r < 96)
                    {
                        int discarded;
                        mq.Flush(out discarded);
                        if (discarded != inflight.Count) Fail("flush discarded " + discarded + " but " + inflight.Count + " in flight");
                        inflight.Clear();
                    }
                    else core.Yield();
                    Completions();
                    if (core.DispatchNeeded) core.Dispatch();
                    Check();
                }
                var report = new System.Text.StringBuilder(policy + ":");
                for (int k = 0; k < statusCount.Length; k++)
                    if (statusCount[k] != 0) report.Append(' ').Append((SyncStatus)k).Append('=').Append(statusCount[k]);
                TestContext.Out.WriteLine(report.ToString());
                // the run must have exercised the interesting paths
                Assert.That(statusCount[(int)SyncStatus.Blocked], Is.GreaterThan(steps / 50), "blocked waits");
                Assert.That(statusCount[(int)SyncStatus.Timeout], Is.GreaterThan(0), "timeouts");
            }

            void Count(SyncStatus s) { statusCount[(int)s]++; }

            // ------------------------------------------------------------ ops

            void ThreadOp()
            {
                var e = core.Executing;
                if (e == core.Idle || !e.IsReady) return;
                int i = e.Id;
                if (pend[i].Kind != Kind.None) Fail("executing thread " + i + " has a pending wait");
                long timeout = RandomTimeout();
                SyncStatus s = SyncStatus.Successful;
                switch (rnd.Next(14))
                {
                    case 0:
                    {
                        int k = rnd.Next(2);
                        s = sems[k].Obtain(e, timeout);
                        if (s == SyncStatus.Successful) semHeld[i, k]++;
                        else if (s == SyncStatus.Blocked) Wait(i, Kind.Sem, k, timeout);
                        else Expect(s, SyncStatus.Unsatisfied);
                        break;
                    }
                    case 1:
                    {
                        int k = rnd.Next(2);
                        s = sems[k].Release(e);
                        if (s == SyncStatus.Successful)
                        {
                            if (semHeld[i, k] > 0) semHeld[i, k]--; else semTotal[k]++;
                        }
                        else Expect(s, SyncStatus.TooMany);
                        break;
                    }
                    case 2:
                    case 3:
                    {
                        int k = rnd.Next(3);
                        var m = mx[k];
                        SchedThread owner = m.Owner;
                        bool cycle = owner != null && owner != e && LeadsTo(owner, e);
                        s = m.Obtain(e, timeout);
                        if (owner == null) Expect(s, SyncStatus.Successful);
                        else if (owner == e) Expect(s, m.IsRecursive ? SyncStatus.Successful : SyncStatus.AlreadyOwner);
                        else if (timeout == Timeout.NoWait) Expect(s, SyncStatus.Unsatisfied);
                        else if (cycle) Expect(s, SyncStatus.WouldDeadlock);
                        else
                        {
                            Expect(s, SyncStatus.Blocked);
                            Wait(i, Kind.Mutex, k, timeout);
                        }
                        break;
                    }
                    case 4:
                    case 5:
                    {
                        int k = rnd.Next(3);
                        var m = mx[k];
                        bool own = m.Owner == e;
                        int nest = m.NestCount;
                        s = m.Release(e);
                        Expect(s, own ? SyncStatus.Successful : SyncStatus.NotOwner);
                        if (own && nest == 1 && m.Owner == e) Fail("released mutex still owned");
                        break;
                    }
                    case 6:
                    {
                        int seq = nextSeq++;
                        int len = Encode(sendBuf[i], seq);
                        s = rnd.Next(4) == 0 ? mq.SendUrgent(e, sendBuf[i], len, timeout) : mq.Send(e, sendBuf[i], len, timeout);
                        if (s == SyncStatus.Successful) inflight.Add(seq);
                        else if (s == SyncStatus.Blocked) { Wait(i, Kind.Send, 0, timeout); pend[i].Seq = seq; }
                        else Expect(s, SyncStatus.Unsatisfied);
                        break;
                    }
                    case 7:
                    {
                        int len;
                        s = mq.Receive(e, recvBuf[i], timeout, out len);
                        if (s == SyncStatus.Successful) Received(recvBuf[i], len);
                        else if (s == SyncStatus.Blocked) Wait(i, Kind.Receive, 0, timeout);
                        else Expect(s, SyncStatus.Unsatisfied);
                        break;
                    }
                    case 8:
                    {
                        ulong addr;
                        s = pool.Allocate(e, timeout, out addr);
                        if (s == SyncStatus.Successful) GotBlock(i, addr);
                        else if (s == SyncStatus.Blocked) Wait(i, Kind.Pool, 0, timeout);
                        else Expect(s, SyncStatus.Unsatisfied);
                        break;
                    }
                    case 9:
                        FreeSomeBlock(e, i);
                        break;
                    case 10:
                    {
                        uint mask = (uint)(1 + rnd.Next(15));
                        var mode = rnd.Next(2) == 0 ? EventMode.Any : EventMode.All;
                        uint got;
                        s = ev.Wait(e, mask, mode, rnd.Next(2) == 0, timeout, out got);
                        if (s == SyncStatus.Successful) CheckEvents(got, mask, mode);
                        else if (s == SyncStatus.Blocked) { Wait(i, Kind.Event, 0, timeout); pend[i].Mask = mask; pend[i].Mode = mode; }
                        else Expect(s, SyncStatus.Unsatisfied);
                        break;
                    }
                    case 11:
                        s = rnd.Next(2) == 0 ? ev.Set((uint)(1 << rnd.Next(4))) : ev.Clear((uint)(1 << rnd.Next(4)));
                        Expect(s, SyncStatus.Successful);
                        break;
                    case 12:
                    {
                        long ns = rnd.Next(3000);
                        long wake = P.Time + ns;
                        s = rnd.Next(2) == 0 ? SyncOps.SleepFor(core, e, ns) : SyncOps.SleepUntil(core, e, wake);
                        if (s == SyncStatus.Blocked) { Wait(i, Kind.Sleep, 0, ns); pend[i].WakeAt = wake; }
                        else
                        {
                            Expect(s, SyncStatus.Successful);
                            if (ns != 0) Fail("sleep of " + ns + " returned at once");
                        }
                        break;
                    }
                    default:
                        core.Yield();
                        return;
                }
                Count(s);
            }

            void IsrOp()
            {
                core.InterruptNesting = 1 + rnd.Next(2);
                SyncStatus s = SyncStatus.Successful;
                switch (rnd.Next(9))
                {
                    case 0:
                    {
                        int k = rnd.Next(2);
                        s = sems[k].Release(null);
                        if (s == SyncStatus.Successful) semTotal[k]++;
                        else Expect(s, SyncStatus.TooMany);
                        break;
                    }
                    case 1:
                    {
                        int k = rnd.Next(2);
                        s = sems[k].Obtain(null, Timeout.NoWait);
                        if (s == SyncStatus.Successful) semTotal[k]--;
                        else Expect(s, SyncStatus.Unsatisfied);
                        break;
                    }
                    case 2:
                    {
                        int seq = nextSeq++;
                        int len = Encode(isrBuf, seq);
                        s = mq.Send(null, isrBuf, len, Timeout.NoWait);
                        if (s == SyncStatus.Successful) inflight.Add(seq);
                        else Expect(s, SyncStatus.Unsatisfied);
                        break;
                    }
                    case 3:
                    {
                        int len;
                        var buf = new byte[8];
                        s = mq.Receive(null, buf, Timeout.NoWait, out len);
                        if (s == SyncStatus.Successful) Received(buf, len);
                        else Expect(s, SyncStatus.Unsatisfied);
                        break;
                    }
                    case 4:
                        s = ev.Set((uint)(1 << rnd.Next(4)));
                        break;
                    case 5:
                    {
                        ulong addr;
                        s = pool.Allocate(null, Timeout.NoWait, out addr);
                        if (s == SyncStatus.Successful) GotBlock(Isr, addr);
                        else Expect(s, SyncStatus.Unsatisfied);
                        break;
                    }
                    case 6:
                        FreeSomeBlock(null, Isr);
                        break;
                    case 7:
                    {
                        uint got;
                        uint mask = (uint)(1 + rnd.Next(15));
                        var mode = rnd.Next(2) == 0 ? EventMode.Any : EventMode.All;
                        s = ev.Wait(null, mask, mode, true, Timeout.NoWait, out got);
                        if (s == SyncStatus.Successful) CheckEvents(got, mask, mode);
                        else Expect(s, SyncStatus.Unsatisfied);
                        break;
                    }
                    case 8:
                        Forbidden();
                        break;
                }
                Count(s);
                core.InterruptNesting = 0;
            }

            /// <summary>In interrupt context: a call that could block is refused and changes nothing.</summary>
            void Forbidden()
            {
                string before = Snapshot();
                var e = core.Executing;
                int len; ulong addr; uint got;
                SyncStatus s;
                switch (rnd.Next(8))
                {
                    case 0: s = sems[rnd.Next(2)].Obtain(e, 1 + rnd.Next(100)); break;
                    case 1: s = mx[rnd.Next(3)].Obtain(e, Timeout.NoWait); break;
                    case 2: s = mx[rnd.Next(3)].Release(e); break;
                    case 3: s = mq.Send(e, isrBuf, 4, Timeout.Forever); break;
                    case 4: s = mq.Receive(e, isrBuf, 50, out len); break;
                    case 5: s = pool.Allocate(e, 10, out addr); break;
                    case 6: s = ev.Wait(e, 1, EventMode.Any, true, 10, out got); break;
                    default: s = SyncOps.SleepFor(core, e, 100); break;
                }
                Expect(s, SyncStatus.CalledFromInterrupt);
                if (Snapshot() != before) Fail("a refused interrupt call changed state");
            }

            string Snapshot()
            {
                var sb = new System.Text.StringBuilder();
                foreach (var sm in sems) sb.Append(sm.Count).Append(',').Append(sm.WaitingCount).Append(';');
                foreach (var m in mx) sb.Append(m.Owner == null ? -1 : m.Owner.Id).Append(',').Append(m.NestCount).Append(',').Append(m.WaitingCount).Append(';');
                sb.Append(mq.Count).Append(';').Append(pool.FreeCount).Append(';').Append(ev.Flags).Append(';').Append(core.Timers.Count).Append(';');
                foreach (var t in T) sb.Append((uint)t.State).Append(',');
                return sb.ToString();
            }

            void JobOp()
            {
                var t = T[rnd.Next(N)];
                if (rnd.Next(3) == 0) core.CancelJob(t, job[t.Id]);
                else core.ReleaseJob(t, job[t.Id], P.Time + 1 + rnd.Next(20_000));
            }

            void AdvanceTime()
            {
                long to = P.Time + 1 + rnd.Next(3000);
                while (P.Armed <= to)
                {
                    if (P.Armed > P.Time) P.Time = P.Armed;
                    core.TimerFired(P.Time);
                    Completions();
                    if (core.DispatchNeeded) core.Dispatch();
                    Check();
                }
                P.Time = to;
                core.Charge();
            }

            /// <summary>The thread is deleted: sync undoes its waits and mutexes; its units and blocks are returned.</summary>
            void Exit(SchedThread t)
            {
                int i = t.Id;
                SyncOps.ThreadExit(t);
                core.Stop(t);
                Completions();
                for (int k = 0; k < 2; k++)
                {
                    semTotal[k] -= semHeld[i, k];
                    semHeld[i, k] = 0;
                }
                while (held[i].Count > 0)
                {
                    ulong a = held[i][0];
                    held[i].RemoveAt(0);
                    Expect(pool.Free(null, a), SyncStatus.Successful);
                }
                if (t.Wait.Held.Count != 0) Fail("exited thread still holds mutexes");
            }

            // ------------------------------------------------------- model

            void Expect(SyncStatus got, SyncStatus want)
            {
                if (got != want) Fail("status " + got + ", expected " + want);
            }

            void Wait(int i, Kind k, int obj, long timeout)
            {
                pend[i] = new Pending { Kind = k, Obj = obj, Start = P.Time, Timeout = timeout };
                if (T[i].WaitResult != SyncStatus.Blocked) Fail("blocked thread's WaitResult is " + T[i].WaitResult);
            }

            /// <summary>Does the chain owner -> mutex it waits on -> its owner ... reach target?</summary>
            bool LeadsTo(SchedThread o, SchedThread target)
            {
                for (int guard = 0; o != null && guard < 100; guard++)
                {
                    if (o == target) return true;
                    Mutex next = null;
                    foreach (var m in mx) if (m.Waiters.Contains(o)) next = m;
                    if (next == null) return false;
                    o = next.Owner;
                }
                return false;
            }

            int Encode(byte[] buf, int seq)
            {
                int len = 4 + rnd.Next(5);
                buf[0] = (byte)seq; buf[1] = (byte)(seq >> 8); buf[2] = (byte)(seq >> 16); buf[3] = (byte)(seq >> 24);
                for (int j = 4; j < len; j++) buf[j] = (byte)(seq * 7 + j);
                return len;
            }

            void Received(byte[] buf, int len)
            {
                if (len < 4 || len > 8) Fail("received length " + len);
                int seq = buf[0] | (buf[1] << 8) | (buf[2] << 16) | (buf[3] << 24);
                for (int j = 4; j < len; j++) if (buf[j] != (byte)(seq * 7 + j)) Fail("message " + seq + " corrupted");
                if (!inflight.Remove(seq)) Fail("message " + seq + " received but not in flight");
            }

            void GotBlock(int holder, ulong addr)
            {
                for (int h = 0; h <= N; h++)
                    if (held[h].Contains(addr)) Fail("block " + addr + " handed out twice");
                if (!pool.IsAllocated(addr)) Fail("handed-out block not marked allocated");
                held[holder].Add(addr);
            }

            void FreeSomeBlock(SchedThread caller, int holder)
            {
                int pick = rnd.Next(4);
                SyncStatus s;
                if (pick == 0)
                {
                    s = pool.Free(caller, pool.BaseAddress + 256UL * 4 + (ulong)rnd.Next(100));
                    Expect(s, SyncStatus.InvalidAddress);
                }
                else if (pick == 1)
                {
                    s = pool.Free(caller, pool.BaseAddress + 1 + (ulong)rnd.Next(255));
                    Expect(s, SyncStatus.NotAligned);
                }
                else if (held[holder].Count > 0)
                {
                    ulong a = held[holder][rnd.Next(held[holder].Count)];
                    held[holder].Remove(a);
                    Expect(pool.Free(caller, a), SyncStatus.Successful);
                    if (rnd.Next(4) == 0 && !pool.IsAllocated(a)) Expect(pool.Free(caller, a), SyncStatus.AlreadyFree);
                }
            }

            void CheckEvents(uint got, uint mask, EventMode mode)
            {
                if (got == 0 || (got & ~mask) != 0) Fail("events " + got + " for mask " + mask);
                if (mode == EventMode.All && got != mask) Fail("all-wait got " + got + " of " + mask);
            }

            /// <summary>Process every wait that ended since the last call.</summary>
            void Completions()
            {
                for (int i = 0; i < N; i++)
                {
                    var t = T[i];
                    if (pend[i].Kind == Kind.None || t.WaitResult == SyncStatus.Blocked) continue;
                    if (t.WaitingOn != null || t.Wait.Sleeping) Fail("thread " + i + " has a result but still waits");
                    SyncStatus r = t.WaitResult;
                    var p = pend[i];
                    pend[i].Kind = Kind.None;
                    Count(r);
                    if (r == SyncStatus.Timeout)
                    {
                        if (p.Kind == Kind.Sleep) Fail("a sleep ended with Timeout");
                        if (p.Timeout == Timeout.Forever || P.Time < p.Start + p.Timeout)
                            Fail("thread " + i + " timed out early: started " + p.Start + " timeout " + p.Timeout + " now " + P.Time);
                        continue;
                    }
                    if (r == SyncStatus.Flushed || r == SyncStatus.Deleted) continue;
                    if (r != SyncStatus.Successful && !(r == SyncStatus.Abandoned && p.Kind == Kind.Mutex))
                        Fail("thread " + i + " ended a " + p.Kind + " wait with " + r);
                    switch (p.Kind)
                    {
                        case Kind.Sem: semHeld[i, p.Obj]++; break;
                        case Kind.Mutex:
                            if (mx[p.Obj].Owner != t) Fail("woken waiter " + i + " does not own mutex " + p.Obj);
                            if (mx[p.Obj].NestCount != 1) Fail("handed-over mutex nesting " + mx[p.Obj].NestCount);
                            break;
                        case Kind.Send: inflight.Add(p.Seq); break;
                        case Kind.Receive: Received(recvBuf[i], t.Wait.Length); break;
                        case Kind.Pool: GotBlock(i, t.Wait.Address); break;
                        case Kind.Event: CheckEvents(t.Wait.Events, p.Mask, p.Mode); break;
                        case Kind.Sleep:
                            if (P.Time < p.WakeAt) Fail("thread " + i + " woke early: " + P.Time + " < " + p.WakeAt);
                            break;
                    }
                }
            }

            // ------------------------------------------------------- checks

            void Check()
            {
                string e = core.CheckInvariants();
                if (e != null) Fail(e);
                foreach (var s in sems) { e = s.CheckInvariants(); if (e != null) Fail(e); }
                foreach (var m in mx) { e = m.CheckInvariants(); if (e != null) Fail(e); }
                e = mq.CheckInvariants(); if (e != null) Fail(e);
                e = pool.CheckInvariants(); if (e != null) Fail(e);
                e = ev.CheckInvariants(); if (e != null) Fail(e);

                // each waiting thread in exactly one queue, and in the one it names
                var seen = new int[N];
                foreach (var q in queues)
                {
                    int n = 0;
                    for (var t = q.First; t != null; t = q.Next(t))
                    {
                        seen[t.Id]++;
                        n++;
                        if (t.WaitingOn != q) Fail("thread " + t.Id + " found in a queue it does not name");
                    }
                    if (n != q.Count) Fail("queue count " + q.Count + " but " + n + " linked");
                }
                for (int i = 0; i < N; i++)
                {
                    var t = T[i];
                    bool waiting = t.WaitingOn != null;
                    if (seen[i] != (waiting ? 1 : 0)) Fail("thread " + i + " is in " + seen[i] + " queues, WaitingOn " + (waiting ? "set" : "null"));
                    if (t.Has(ThreadState.Blocked) != waiting) Fail("thread " + i + " Blocked bit disagrees with its wait");
                    if (t.Has(ThreadState.Sleeping) != t.Wait.Sleeping) Fail("thread " + i + " Sleeping bit disagrees with its sleep");
                    if ((waiting || t.Wait.Sleeping) != (pend[i].Kind != Kind.None)) Fail("thread " + i + " wait disagrees with the model (" + pend[i].Kind + ")");
                    if (t.Wait.Timer.IsArmed)
                    {
                        if (!waiting && !t.Wait.Sleeping) Fail("thread " + i + " timer armed without a wait");
                        long want = pend[i].Kind == Kind.Sleep ? pend[i].WakeAt : pend[i].Start + pend[i].Timeout;
                        if (t.Wait.Timer.Expiry != want) Fail("thread " + i + " timer at " + t.Wait.Timer.Expiry + ", expected " + want);
                    }
                    else if (pend[i].Kind != Kind.None && pend[i].Timeout != Timeout.Forever && pend[i].Kind != Kind.Sleep)
                    {
                        Fail("thread " + i + " waits with a finite timeout but no timer");
                    }
                }

                // conservation
                for (int k = 0; k < 2; k++)
                {
                    long sum = sems[k].Count;
                    for (int i = 0; i < N; i++) sum += semHeld[i, k];
                    if (sum != semTotal[k]) Fail("semaphore " + k + ": count + held = " + sum + ", expected " + semTotal[k]);
                }
                if (mq.Count != inflight.Count) Fail("queue holds " + mq.Count + " messages, model " + inflight.Count);
                int blocks = pool.FreeCount;
                for (int h = 0; h <= N; h++) blocks += held[h].Count;
                if (blocks != pool.BlockCount) Fail("pool blocks: free + held = " + blocks);

                // inheritance, recomputed independently
                var memo = new long?[N];
                for (int i = 0; i < N; i++)
                {
                    long want = Expected(T[i], memo, 0);
                    if (T[i].EffectivePriority != want)
                        Fail("thread " + i + " effective priority " + T[i].EffectivePriority + ", expected " + want);
                }
            }

            long Expected(SchedThread t, long?[] memo, int depth)
            {
                if (depth > N) Fail("inheritance cycle");
                if (memo[t.Id].HasValue) return memo[t.Id].Value;
                long v = core.Scheduler.MapPriority(t.BasePriority);
                if (job[t.Id].IsActive && job[t.Id].Value < v) v = job[t.Id].Value;
                foreach (var m in mx)
                {
                    if (m.Owner != t) continue;
                    for (var w = m.Waiters.First; w != null; w = m.Waiters.Next(w))
                    {
                        long x = Expected(w, memo, depth + 1);
                        if (x < v) v = x;
                    }
                }
                memo[t.Id] = v;
                return v;
            }
        }
    }
}
