using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // The portable synchronization objects (sched/sync) as compiled into the
    // kernel by ilc, on a virtual clock: the host tests (tests/host/Sync)
    // cover them in depth; here they must behave the same under the kernel
    // runtime.
    internal sealed class SyncSuite : Suite
    {
        internal override string Name { get { return "sync"; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] {
                    "semaphore_handoff_and_timeout", "mutex_priority_inheritance", "mutex_transitive_deadline_inheritance",
                    "message_queue_copy_and_blocking", "block_pool_validation", "event_flags_and_interrupt_rules",
                    "sleep_never_early", "random_operations_keep_invariants",
                };
            }
        }

        private sealed class VirtualPlatform : Platform
        {
            internal long Time;
            internal long Armed = long.MaxValue;
            public override long Now() { return Time; }
            public override void ArmTimer(long absoluteNs) { Armed = absoluteNs; }
            public override void RequestSwitch() { }
        }

        private static void Settle(SchedCore c)
        {
            if (c.DispatchNeeded) c.Dispatch();
        }

        private static SchedThread Started(SchedCore c, int id, int prio)
        {
            SchedThread th = new SchedThread(id, prio, "s" + id);
            c.AddThread(th);
            c.Start(th);
            Settle(c);
            return th;
        }

        private static void RunUntil(VirtualPlatform p, SchedCore c, long to)
        {
            while (p.Armed <= to)
            {
                if (p.Armed > p.Time) p.Time = p.Armed;
                c.TimerFired(p.Time);
                Settle(c);
            }
            p.Time = to;
        }

        internal override void Run(int index, Check t)
        {
            VirtualPlatform p = new VirtualPlatform();
            p.Time = 1000;
            string error;
            SchedCore c = SchedCore.Create(p, index == 2 ? "edf" : "priority", null, out error);
            if (!t.True(c != null, "core created")) return;
            SyncStatus st;
            switch (index)
            {
                case 0:
                {
                    Semaphore s = Semaphore.Create(c, 0, 2, WaitDiscipline.Priority, out st);
                    SchedThread low = Started(c, 1, 50);
                    SchedThread high = Started(c, 2, 10);
                    SyncStatus r = s.Obtain(high, Timeout.Forever);
                    t.True(r == SyncStatus.Blocked, "obtain blocks");
                    Settle(c);
                    t.True(c.Executing == low, "low runs while high waits");
                    t.True(s.Release(low) == SyncStatus.Successful, "release");
                    t.Equal(0, s.Count, "unit handed to the waiter");
                    Settle(c);
                    t.True(c.Executing == high && SyncOps.Final(r, high) == SyncStatus.Successful, "high got the unit");
                    r = s.Obtain(high, 500);
                    Settle(c);
                    RunUntil(p, c, p.Time + 500);
                    t.True(SyncOps.Final(r, high) == SyncStatus.Timeout, "timeout after 500 ns");
                    t.True(s.CheckInvariants() == null, "invariants");
                    break;
                }
                case 1:
                {
                    Mutex m = new Mutex(c, false);
                    SchedThread low = Started(c, 1, 30);
                    t.True(m.Obtain(low, Timeout.Forever) == SyncStatus.Successful, "low locks");
                    SchedThread high = Started(c, 3, 10);
                    SyncStatus r = m.Obtain(high, Timeout.Forever);
                    Settle(c);
                    t.Equal(10, low.EffectivePriority, "low inherits high's priority");
                    SchedThread mid = Started(c, 2, 20);
                    t.True(c.Executing == low, "medium does not preempt the inheriting owner");
                    m.Release(low);
                    Settle(c);
                    t.True(c.Executing == high && m.Owner == high, "high owns the mutex and runs");
                    t.True(SyncOps.Final(r, high) == SyncStatus.Successful, "final status");
                    t.Equal(30, low.EffectivePriority, "low back at its base priority");
                    t.True(m.Release(low) == SyncStatus.NotOwner, "not owner");
                    t.True(m.Obtain(high, Timeout.NoWait) == SyncStatus.AlreadyOwner, "non-recursive relock");
                    t.True(m.CheckInvariants() == null && c.CheckInvariants() == null, "invariants");
                    break;
                }
                case 2:
                {
                    Mutex m1 = new Mutex(c, false, 1);
                    Mutex m2 = new Mutex(c, false, 2);
                    SchedThread t1 = Started(c, 1, 10);
                    m1.Obtain(t1, Timeout.Forever);
                    SchedThread t2 = Started(c, 2, 10);
                    c.ReleaseJob(t2, new PriorityNode(), 90_000);
                    Settle(c);
                    m2.Obtain(t2, Timeout.Forever);
                    m1.Obtain(t2, Timeout.Forever);
                    Settle(c);
                    SchedThread t3 = Started(c, 3, 10);
                    c.ReleaseJob(t3, new PriorityNode(), 20_000);
                    Settle(c);
                    SyncStatus r = m2.Obtain(t3, 400);
                    Settle(c);
                    t.Equal(20_000, t1.EffectivePriority, "deadline inherited over two mutexes");
                    t.True(c.Executing == t1, "the chain's end runs");
                    RunUntil(p, c, p.Time + 400);
                    t.True(SyncOps.Final(r, t3) == SyncStatus.Timeout, "top waiter timed out");
                    t.Equal(90_000, t1.EffectivePriority, "inheritance undone to the next deadline");
                    t.True(m1.Obtain(t1, Timeout.NoWait) == SyncStatus.AlreadyOwner, "owner relock");
                    t.True(m1.CheckInvariants() == null && m2.CheckInvariants() == null, "invariants");
                    break;
                }
                case 3:
                {
                    MessageQueue q = MessageQueue.Create(c, 4, 1, WaitDiscipline.Fifo, out st);
                    SchedThread low = Started(c, 1, 50);
                    SchedThread recv = Started(c, 2, 10);
                    byte[] buf = new byte[4];
                    int len;
                    SyncStatus r = q.Receive(recv, buf, Timeout.Forever, out len);
                    Settle(c);
                    byte[] msg = new byte[] { 7, 8, 9 };
                    t.True(q.Send(low, msg, 3, Timeout.NoWait) == SyncStatus.Successful, "send");
                    t.True(buf[0] == 7 && buf[2] == 9 && recv.Wait.Length == 3 && q.Count == 0, "copied straight to the receiver");
                    Settle(c);
                    t.True(SyncOps.Final(r, recv) == SyncStatus.Successful, "receiver done");
                    t.True(q.Send(recv, msg, 1, Timeout.NoWait) == SyncStatus.Successful, "stored");
                    r = q.Send(recv, msg, 2, Timeout.Forever);
                    t.True(r == SyncStatus.Blocked, "full: sender blocks");
                    Settle(c);
                    t.True(q.Receive(low, buf, Timeout.NoWait, out len) == SyncStatus.Successful && len == 1, "receive");
                    t.Equal(1, q.Count, "blocked sender admitted");
                    t.True(q.Send(low, new byte[5], 5, Timeout.NoWait) == SyncStatus.InvalidSize, "too long");
                    t.True(q.CheckInvariants() == null, "invariants");
                    break;
                }
                case 4:
                {
                    BlockPool pool = BlockPool.Create(c, 0x200000, 64, 4, WaitDiscipline.Fifo, out st);
                    SchedThread a = Started(c, 1, 10);
                    ulong addr;
                    t.True(pool.Allocate(a, Timeout.NoWait, out addr) == SyncStatus.Successful, "allocate");
                    t.EqualHex(0x200000, addr, "first block");
                    t.True(pool.Free(a, 0x200000 + 256) == SyncStatus.InvalidAddress, "outside");
                    t.True(pool.Free(a, addr + 8) == SyncStatus.NotAligned, "misaligned");
                    t.True(pool.Free(a, 0x200000 + 128) == SyncStatus.AlreadyFree, "never allocated");
                    t.True(pool.Free(a, addr) == SyncStatus.Successful, "free");
                    t.True(pool.Free(a, addr) == SyncStatus.AlreadyFree, "double free");
                    t.Equal(4, pool.FreeCount, "all free");
                    t.True(pool.CheckInvariants() == null, "invariants");
                    break;
                }
                case 5:
                {
                    EventFlags ev = new EventFlags(c, WaitDiscipline.Fifo);
                    SchedThread low = Started(c, 1, 50);
                    SchedThread w = Started(c, 2, 10);
                    uint got;
                    SyncStatus r = ev.Wait(w, 0x3, EventMode.All, true, Timeout.Forever, out got);
                    Settle(c);
                    c.InterruptNesting = 1;
                    t.True(ev.Set(0x1) == SyncStatus.Successful, "set in an interrupt");
                    t.True(w.WaitResult == SyncStatus.Blocked, "all-wait not yet satisfied");
                    ev.Set(0x2);
                    t.True(w.WaitResult == SyncStatus.Successful && w.Wait.Events == 0x3, "satisfied");
                    t.True(ev.Flags == 0, "cleared on exit");
                    Mutex m = new Mutex(c, true);
                    t.True(m.Obtain(low, Timeout.NoWait) == SyncStatus.CalledFromInterrupt, "no mutex in an interrupt");
                    t.True(SyncOps.SleepFor(c, low, 10) == SyncStatus.CalledFromInterrupt, "no sleep in an interrupt");
                    c.InterruptNesting = 0;
                    Settle(c);
                    t.True(c.Executing == w && SyncOps.Final(r, w) == SyncStatus.Successful, "waiter runs");
                    break;
                }
                case 6:
                {
                    SchedThread low = Started(c, 1, 50);
                    SchedThread s = Started(c, 2, 10);
                    long t0 = p.Time;
                    t.True(SyncOps.SleepFor(c, s, 1000) == SyncStatus.Blocked, "sleeps");
                    Settle(c);
                    RunUntil(p, c, t0 + 999);
                    t.True(c.Executing == low && s.Has(ThreadState.Sleeping), "still asleep 1 ns before");
                    RunUntil(p, c, t0 + 1000);
                    t.True(c.Executing == s && s.WaitResult == SyncStatus.Successful, "awake on time");
                    break;
                }
                case 7:
                {
                    const int n = 6;
                    SchedThread[] ts = new SchedThread[n];
                    for (int i = 0; i < n; i++) ts[i] = Started(c, i, 1 + i % 3);
                    Semaphore s = Semaphore.Create(c, 1, 2, WaitDiscipline.Priority, out st);
                    Mutex m0 = new Mutex(c, true, 0);
                    Mutex m1 = new Mutex(c, false, 1);
                    ulong rng = 88172645463325252UL;
                    int blocked = 0;
                    for (int k = 0; k < 3000; k++)
                    {
                        rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
                        int r = (int)(rng % 10);
                        SchedThread e = c.Executing;
                        bool can = e != c.Idle && e.IsReady;
                        long timeout = (long)(rng >> 40) % 3 == 0 ? Timeout.NoWait : (long)(rng >> 20) % 2000;
                        SyncStatus x = SyncStatus.Successful;
                        if (r == 0 && can) x = s.Obtain(e, timeout);
                        else if (r == 1) x = s.Release(null);
                        else if (r == 2 && can) x = m0.Obtain(e, timeout);
                        else if (r == 3 && can) x = m1.Obtain(e, timeout);
                        else if (r == 4 && can) { m0.Release(e); m1.Release(e); }
                        else if (r == 5) c.SetPriority(ts[(int)((rng >> 8) % n)], 1 + (int)((rng >> 16) % 4));
                        else if (r == 6) SyncOps.CancelWait(ts[(int)((rng >> 8) % n)], SyncStatus.Flushed);
                        else RunUntil(p, c, p.Time + 1 + (long)((rng >> 24) % 700));
                        if (x == SyncStatus.Blocked) blocked++;
                        Settle(c);
                        string bad = c.CheckInvariants();
                        if (bad == null) bad = s.CheckInvariants();
                        if (bad == null) bad = m0.CheckInvariants();
                        if (bad == null) bad = m1.CheckInvariants();
                        if (bad != null)
                        {
                            t.Equal("", bad, "invariants after step " + k);
                            return;
                        }
                    }
                    t.True(blocked > 50, "blocking paths exercised (" + blocked + ")");
                    break;
                }
            }
        }
    }
}
