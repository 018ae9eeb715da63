using Osprey.Kernel.Arch;
using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // The benchmark set (`./build.sh bench`; run only by name: selftest=bench):
    //  - Thread-Metric equivalents: counts of completed iterations in a
    //    100 ms interval (cooperative and preemptive scheduling, interrupt
    //    processing and preemption, message passing, semaphore, memory
    //    allocation);
    //  - latency_measure-style costs in ns (yield switch, semaphore give to a
    //    waiting thread, interrupt to thread, mutex lock/unlock, thread create);
    //  - cyclictest-style wake-up latency over 10,000 releases of a 1 ms
    //    top-priority thread;
    //  - the scheduler's decision cost against the number of ready threads;
    //  - the ready-set benchmark of bench-host (sched/measure/ReadySetBench.cs)
    //    at 10 to 10,000 ready threads: under -icount its figures count
    //    instructions, the algorithmic cost without cache effects.
    // Each figure is a `# BENCH name value unit` line; each test also checks
    // that what it measured happened.
    internal sealed unsafe class BenchSuite : Suite
    {
        internal override string Name { get { return "bench"; } }
        internal override bool ExplicitOnly { get { return true; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] {
                    "tm_cooperative_scheduling", "tm_preemptive_scheduling", "tm_interrupt_processing",
                    "tm_interrupt_preemption", "tm_message_processing", "tm_synchronization", "tm_memory_allocation",
                    "lm_yield_switch", "lm_semaphore_give_to_waiter", "lm_interrupt_to_thread", "lm_mutex_lock_unlock",
                    "lm_thread_create", "cyclictest_10000", "sched_decision_cost", "pingpong_round_trip", "ready_set_scaling",
                };
            }
        }

        private const long Ms = 1000000;
        private const long Interval = 100 * Ms;
        private const string PerInterval = "per_100ms";
        private static bool stop;
        private static long[] counts = new long[8];
        private static Thread[] workers = new Thread[8];

        private static void Clear() { stop = false; for (int i = 0; i < counts.Length; i++) { counts[i] = 0; workers[i] = null; } }
        private static long Sum() { long s = 0; for (int i = 0; i < counts.Length; i++) s += counts[i]; return s; }

        // Main, the most urgent thread, lets the workers run for one interval.
        private static void RunInterval()
        {
            Threads.SleepFor(Interval);
            stop = true;
        }

        internal override void Run(int index, Check t)
        {
            Clear();
            Thread me = Threads.Current;
            Threads.SetPriority(me, 1);
            switch (index)
            {
                case 0: Cooperative(t); break;
                case 1: Preemptive(t); break;
                case 2: InterruptProcessing(t); break;
                case 3: InterruptPreemption(t); break;
                case 4: MessageProcessing(t); break;
                case 5: Synchronization(t); break;
                case 6: MemoryAllocation(t); break;
                case 7: YieldSwitch(t); break;
                case 8: SemaphoreGive(t); break;
                case 9: InterruptToThread(t); break;
                case 10: MutexPair(t); break;
                case 11: ThreadCreate(t); break;
                case 12: Cyclic(t); break;
                case 13: DecisionCost(t); break;
                case 14: PingPong(t); break;
                case 15: ReadySetScaling(t); break;
            }
            Threads.SetPriority(me, KernelMain.MainPriority);
        }

        private static void JoinAll() { for (int i = 0; i < workers.Length; i++) if (workers[i] != null) Threads.Join(workers[i]); }

        // --- Thread-Metric equivalents ---------------------------------------

        private static void CoopWorker(object o)
        {
            int i = (int)(long)o;
            while (!stop) { counts[i]++; Threads.Yield(); }
        }

        private static void Cooperative(Check t)
        {
            for (int i = 0; i < 5; i++) workers[i] = Threads.Spawn("coop", &CoopWorker, (object)(long)i, 50);
            RunInterval();
            JoinAll();
            long min = long.MaxValue, max = 0;
            for (int i = 0; i < 5; i++) { if (counts[i] < min) min = counts[i]; if (counts[i] > max) max = counts[i]; }
            t.True(min > 0, "every thread ran");
            t.True(max - min <= 1, "round robin among equals (counts " + min + ".." + max + ")");
            t.Bench("tm_cooperative_scheduling", Sum(), PerInterval);
        }

        // Thread i resumes thread i+1 (more urgent), which preempts at once,
        // counts, resumes the next and suspends itself again.
        private static void PreemptWorker(object o)
        {
            int i = (int)(long)o;
            Thread self = Threads.Current;
            if (i == 0)
            {
                while (!stop) { counts[0]++; Threads.Resume(workers[1]); }
                return;
            }
            while (!stop)
            {
                counts[i]++;
                if (i < 4) Threads.Resume(workers[i + 1]);
                Threads.Suspend(self);
            }
        }

        private static void Preemptive(Check t)
        {
            // Workers 1-4 start suspended: each runs when resumed.
            for (int i = 1; i <= 4; i++)
            {
                Threads.Create("preempt", &PreemptWorker, (object)(long)i, 50 - i, 0, out workers[i]);
                Threads.Suspend(workers[i]);
                Threads.Start(workers[i]);
                t.True(workers[i].Has(ThreadState.Suspended), "worker " + i + " waits suspended");
            }
            workers[0] = Threads.Spawn("preempt", &PreemptWorker, (object)0L, 50);
            RunInterval();
            // A worker stopped between its Resume and its Suspend suspends
            // itself after `stop` was set: keep resuming until each is gone.
            for (int i = 0; i <= 4; i++)
                while (Threads.Join(workers[i], 1 * Ms) == ThreadStatus.Timeout) Threads.Resume(workers[i]);
            t.True(counts[4] > 0 && counts[4] >= counts[0] - 1, "each round reached the most urgent thread (" + counts[0] + " rounds, " + counts[4] + " at the top)");
            t.Bench("tm_preemptive_scheduling", Sum(), PerInterval);
        }

        private const int Vector = 0x64;
        private static Semaphore isrSem;
        private static int isrMode;
        private sealed class BenchIrq : InterruptHandler
        {
            internal override void Handle(InterruptFrame* frame)
            {
                counts[7]++;
                if (isrMode == 0) Blocking.Release(isrSem);
                else Threads.Resume(workers[1]);
                Machine.EndOfInterrupt();
            }
        }

        private static void IrqThread(object o)
        {
            while (!stop)
            {
                Machine.RaiseInterrupt(Vector);
                if (Blocking.Obtain(isrSem, Timeout.NoWait) == SyncStatus.Successful) counts[0]++;
            }
        }

        private static void InterruptProcessing(Check t)
        {
            isrSem = Blocking.NewSemaphore(0, 1000, WaitDiscipline.Fifo);
            isrMode = 0;
            InterruptDispatch.Register(Vector, new BenchIrq());
            workers[0] = Threads.Spawn("irq-proc", &IrqThread, null, 50);
            RunInterval();
            JoinAll();
            InterruptDispatch.Unregister(Vector);
            t.True(counts[0] > 0, "semaphores taken");
            t.True(counts[7] - counts[0] <= 1, "every interrupt's semaphore was taken (" + counts[7] + " interrupts, " + counts[0] + " taken)");
            t.Bench("tm_interrupt_processing", counts[0], PerInterval);
        }

        private static void IrqPreemptHigh(object o)
        {
            Thread self = Threads.Current;
            while (true)
            {
                Threads.Suspend(self);
                if (stop) return;
                counts[1]++;
            }
        }

        private static void IrqPreemptLow(object o)
        {
            while (!stop) { counts[0]++; Machine.RaiseInterrupt(Vector); }
        }

        private static void InterruptPreemption(Check t)
        {
            isrMode = 1;
            InterruptDispatch.Register(Vector, new BenchIrq());
            workers[1] = Threads.Spawn("irq-high", &IrqPreemptHigh, null, 40);
            workers[0] = Threads.Spawn("irq-low", &IrqPreemptLow, null, 50);
            RunInterval();
            for (int i = 0; i <= 1; i++)
                while (Threads.Join(workers[i], 1 * Ms) == ThreadStatus.Timeout) Threads.Resume(workers[i]);
            InterruptDispatch.Unregister(Vector);
            t.True(counts[1] > 0 && counts[0] - counts[1] <= 1, "each interrupt preempted into the high thread (" + counts[0] + " raised, " + counts[1] + " runs)");
            t.Bench("tm_interrupt_preemption", counts[1], PerInterval);
        }

        private static MessageQueue queue;
        private static void MessageWorker(object o)
        {
            byte[] m = new byte[16];
            byte[] r = new byte[16];
            int len;
            while (!stop)
            {
                m[0] = (byte)counts[0];
                Blocking.Send(queue, m, 16, Timeout.NoWait);
                if (Blocking.Receive(queue, r, Timeout.NoWait, out len) == SyncStatus.Successful && r[0] == m[0]) counts[0]++;
            }
        }

        private static void MessageProcessing(Check t)
        {
            queue = Blocking.NewMessageQueue(16, 8, WaitDiscipline.Fifo);
            workers[0] = Threads.Spawn("messages", &MessageWorker, null, 50);
            RunInterval();
            JoinAll();
            t.True(counts[0] > 0, "16-byte messages went through");
            t.Bench("tm_message_processing", counts[0], PerInterval);
        }

        private static Semaphore sem;
        private static void SemWorker(object o)
        {
            while (!stop)
            {
                if (Blocking.Obtain(sem, Timeout.NoWait) == SyncStatus.Successful && Blocking.Release(sem) == SyncStatus.Successful) counts[0]++;
            }
        }

        private static void Synchronization(Check t)
        {
            sem = Blocking.NewSemaphore(1, 1, WaitDiscipline.Fifo);
            workers[0] = Threads.Spawn("semaphore", &SemWorker, null, 50);
            RunInterval();
            JoinAll();
            t.True(counts[0] > 0, "get/put pairs");
            t.Bench("tm_synchronization", counts[0], PerInterval);
        }

        private static BlockPool pool;
        private static void PoolWorker(object o)
        {
            ulong a;
            while (!stop)
            {
                if (Blocking.Allocate(pool, Timeout.NoWait, out a) == SyncStatus.Successful && Blocking.Free(pool, a) == SyncStatus.Successful) counts[0]++;
            }
        }

        private static void MemoryAllocation(Check t)
        {
            SyncStatus s;
            pool = BlockPool.Create(Scheduling.Core, (ulong)Memory.Heap.Allocate(128 * 16), 128, 16, WaitDiscipline.Fifo, out s);
            workers[0] = Threads.Spawn("pool", &PoolWorker, null, 50);
            RunInterval();
            JoinAll();
            t.True(counts[0] > 0, "128-byte allocate/free pairs");
            t.Bench("tm_memory_allocation", counts[0], PerInterval);
        }

        // --- latency_measure-style costs ---------------------------------------

        private const int Rounds = 2000;
        private static void Yielder(object o) { for (int i = 0; i < Rounds; i++) Threads.Yield(); }

        private static void YieldSwitch(Check t)
        {
            workers[0] = Threads.Spawn("y0", &Yielder, null, 50);    // not yet running: main is more urgent
            workers[1] = Threads.Spawn("y1", &Yielder, null, 50);
            long sw = Scheduling.Switches, t0 = Machine.Now();
            Threads.SetPriority(Threads.Current, 60);                 // both run to completion
            long t1 = Machine.Now();
            long n = Scheduling.Switches - sw;
            Threads.SetPriority(Threads.Current, 1);
            JoinAll();
            t.True(n >= 2 * Rounds, "each yield switched");
            t.Bench("lm_yield_switch", (t1 - t0) / n, "ns");
        }

        private static long sentAt, total, worst;
        private static void SemWaiter(object o)
        {
            for (int i = 0; i < Rounds; i++)
            {
                Blocking.Obtain(sem, Timeout.Forever);
                long d = Machine.Now() - sentAt;
                total += d;
                if (d > worst) worst = d;
            }
        }

        private static void SemaphoreGive(Check t)
        {
            sem = Blocking.NewSemaphore(0, 1, WaitDiscipline.Fifo);
            total = 0; worst = 0;
            Threads.SetPriority(Threads.Current, 50);
            workers[0] = Threads.Spawn("sem-waiter", &SemWaiter, null, 10);   // waits at once
            for (int i = 0; i < Rounds; i++) { sentAt = Machine.Now(); Blocking.Release(sem); }
            JoinAll();
            t.True(total > 0, "measured");
            t.Bench("lm_semaphore_give_to_waiter", total / Rounds, "ns");
        }

        private static void IrqWaiter(object o)
        {
            Thread self = Threads.Current;
            for (int i = 0; i < Rounds; i++)
            {
                Threads.Suspend(self);
                long d = Machine.Now() - sentAt;
                total += d;
                if (d > worst) worst = d;
            }
        }

        private static void InterruptToThread(Check t)
        {
            isrMode = 1;
            total = 0; worst = 0;
            Threads.SetPriority(Threads.Current, 50);
            InterruptDispatch.Register(Vector, new BenchIrq());
            workers[1] = Threads.Spawn("irq-waiter", &IrqWaiter, null, 10);
            for (int i = 0; i < Rounds; i++) { sentAt = Machine.Now(); Machine.RaiseInterrupt(Vector); }
            JoinAll();
            InterruptDispatch.Unregister(Vector);
            t.Equal(Rounds, counts[7], "one interrupt per wake-up");
            t.Bench("lm_interrupt_to_thread", total / Rounds, "ns");
            t.Bench("lm_interrupt_to_thread_max", worst, "ns");
        }

        private static void MutexPair(Check t)
        {
            Mutex m = Blocking.NewMutex(false);
            long t0 = Machine.Now();
            for (int i = 0; i < Rounds; i++) { Blocking.Lock(m, Timeout.NoWait); Blocking.Unlock(m); }
            long d = Machine.Now() - t0;
            t.True(m.Owner == null, "free at the end");
            t.Bench("lm_mutex_lock_unlock", d / Rounds, "ns");
        }

        private static void Nothing(object o) { counts[0]++; }

        private static void ThreadCreate(Check t)
        {
            const int N = 100;
            Thread[] th = new Thread[N];
            long create = 0, t0;
            for (int i = 0; i < N; i++)
            {
                t0 = Machine.Now();
                Threads.Create("short", &Nothing, null, 100, 16384, out th[i]);
                create += Machine.Now() - t0;
            }
            for (int i = 0; i < N; i++) Threads.Start(th[i]);
            Threads.SetPriority(Threads.Current, 120);
            for (int i = 0; i < N; i++) Threads.Join(th[i]);
            t.Equal(N, counts[0], "every thread ran");
            t.Bench("lm_thread_create", create / N, "ns");
        }

        // --- cyclictest -------------------------------------------------------

        private static void Cyclic(Check t)
        {
            Measure.PrepareWakeups(10000, Ms);
            workers[0] = Threads.Spawn("cyclic", &Measure.PeriodicBody, null, 0);
            JoinAll();
            long min, mean, max;
            int early;
            if (!Measure.SummarizeWakeups(out min, out mean, out max, out early)) { t.Fail("release " + early + " woke early"); return; }
            t.True(max >= min, "10,000 releases, none early");
            t.Bench("cyclictest_min", min, "ns");
            t.Bench("cyclictest_mean", mean, "ns");
            t.Bench("cyclictest_max", max, "ns");
        }

        // --- semaphore ping-pong (against Linux's pipe ping-pong) ------------

        // Two threads of equal priority hand a token back and forth through
        // two semaphores: one round trip is two gives, two takes and two
        // switches.
        private static void PingPong(Check t)
        {
            Threads.SetPriority(Threads.Current, 50);
            long n;
            long perRound = Measure.SemaphorePingPong(Rounds, 50, out n);
            t.True(n >= 2 * Rounds, "every round trip switched twice (" + n + " switches)");
            t.Bench("pingpong_round_trip", perRound, "ns");
        }

        // --- scheduler decision cost -----------------------------------------

        private sealed class NullPlatform : Platform
        {
            internal long Time;
            public override long Now() { return Time; }
            public override void ArmTimer(long absoluteNs) { }
            public override void RequestSwitch() { }
        }

        // With n threads ready, one more urgent thread is made ready and
        // dispatched, then blocked and the next one dispatched: the cost of
        // one scheduling decision (unblock + pick, block + pick), native code
        // on a virtual clock.
        private static void DecisionCost(Check t)
        {
            string[] policies = new string[] { "priority", "edf", "cbs" };
            int[] sizes = new int[] { 10, 100, 1000 };
            for (int p = 0; p < policies.Length; p++)
            {
                for (int s = 0; s < sizes.Length; s++)
                {
                    NullPlatform plat = new NullPlatform();
                    string err;
                    SchedCore c = SchedCore.Create(plat, policies[p], null, out err);
                    int n = sizes[s];
                    PriorityNode[] jobs = new PriorityNode[n];
                    for (int i = 0; i < n; i++)
                    {
                        SchedThread th = new SchedThread(i + 1, 20 + (i % 200), "r");
                        c.AddThread(th);
                        c.Start(th);
                        jobs[i] = new PriorityNode();
                        if (policies[p] != "priority") c.ReleaseJob(th, jobs[i], 1000000000L + (long)((i * 7919) % n) * 1000);
                    }
                    SchedThread hot = new SchedThread(0, 5, "hot");
                    c.AddThread(hot);
                    PriorityNode hotJob = new PriorityNode();
                    if (c.DispatchNeeded) c.Dispatch();
                    const int Ops = 2000;
                    long t0 = Machine.Now();
                    for (int k = 0; k < Ops; k++)
                    {
                        plat.Time += 1000;
                        if (k == 0) c.Start(hot); else c.Unblock(hot);
                        if (policies[p] != "priority") c.ReleaseJob(hot, hotJob, plat.Time + 500);
                        c.Dispatch();
                        c.Block(hot);
                        c.Dispatch();
                    }
                    long per = (Machine.Now() - t0) / (2 * Ops);
                    string e = c.CheckInvariants();
                    if (e != null) { t.Fail(policies[p] + " n=" + n + ": " + e); return; }
                    t.Bench("sched_decision_" + policies[p] + "_" + n, per, "ns");
                }
            }
            t.True(true, "decision costs measured for 3 policies x 3 sizes");
        }

        // --- ready-set scaling ------------------------------------------------

        private static readonly int[] ScaleSizes = new int[] { 10, 100, 1000, 10000 };
        private const int ScaleSteps = 1000;
        private const int PickGroup = 16;

        // Mean cost of an empty pair of clock reads, ns (subtracted from every sample).
        private static long EmptyPair()
        {
            long sum = 0;
            for (int i = 0; i < 1000; i++) { long a = Machine.Now(); long b = Machine.Now(); sum += b - a; }
            return sum / 1000;
        }

        // The workload of bench-host, run here on the kernel's own build of
        // sched/: every release, block and unblock timed on its own, pick-next
        // in groups; the mean per operation, in ns (under -icount with
        // clock=exact: instructions). Ratios N=10000 / N=10 are printed as
        // notes; the test checks that the core's invariants held and that
        // the ready set kept its size, not the figures.
        private static void ReadySetScaling(Check t)
        {
            long pair = EmptyPair();
            for (int a = 0; a < 2; a++)
            {
                ReadySetPattern pattern = a == 0 ? ReadySetPattern.Periodic : ReadySetPattern.Random;
                for (int p = 0; p < ReadySetBench.Policies.Length; p++)
                {
                    string policy = ReadySetBench.Policies[p];
                    long[] first = new long[4];
                    for (int z = 0; z < ScaleSizes.Length; z++)
                    {
                        int n = ScaleSizes[z];
                        string err;
                        ReadySetBench b = ReadySetBench.Create(policy, n, pattern, 42 + z, out err);
                        if (b == null) { t.Fail(policy + " n=" + n + ": " + err); return; }
                        int warm = b.Threads > 500 ? b.Threads : 500;
                        for (int k = 0; k < warm; k++) b.Step();
                        long rel = 0, pick = 0, blk = 0, unb = 0;
                        long switches0 = b.Core.SwitchCount;
                        for (int k = 0; k < ScaleSteps; k++)
                        {
                            b.PrepareRelease();
                            rel += Timed(b, ReadySetBench.OpRelease, pair);
                            long t0 = Machine.Now();
                            for (int g = 0; g < PickGroup; g++) b.Pick();
                            pick += Machine.Now() - t0 - pair;
                            b.PrepareBlock();
                            blk += Timed(b, ReadySetBench.OpBlock, pair);
                            b.PrepareUnblock();
                            unb += Timed(b, ReadySetBench.OpUnblock, pair);
                        }
                        err = b.Check();
                        if (!t.True(err == null, policy + " " + ReadySetBench.PatternName(pattern) + " n=" + n + ": " + err)) return;
                        // Periodic: every block is the running thread's job ending, so
                        // each one switches (random blocks rarely hit the running thread).
                        long switches = b.Core.SwitchCount - switches0;
                        if (pattern == ReadySetPattern.Periodic)
                            t.True(switches >= ScaleSteps, policy + " periodic n=" + n + ": every job end switched (" + switches + " switches)");
                        // Under plain emulation a mean can come out below the
                        // empty pair's cost (clock jitter): shown as 0.
                        long[] per = new long[] { NonNegative(rel / ScaleSteps), NonNegative(pick / (ScaleSteps * PickGroup)), NonNegative(blk / ScaleSteps), NonNegative(unb / ScaleSteps) };
                        for (int op = 0; op < 4; op++)
                        {
                            t.Bench("ready_" + policy + "_" + ReadySetBench.PatternName(pattern) + "_" + ReadySetBench.OpNames[op] + "_" + n, per[op], "ns");
                            if (z == 0) first[op] = per[op];
                            else if (z == ScaleSizes.Length - 1)
                                t.Note(policy + " " + ReadySetBench.PatternName(pattern) + " " + ReadySetBench.OpNames[op] + ": N=" + n + " / N=" + ScaleSizes[0]
                                    + " = " + Ratio(per[op], first[op]));
                        }
                    }
                }
            }
        }

        // One prepared operation, timed (less the empty pair), then the switch to the heir.
        private static long Timed(ReadySetBench b, int op, long pair)
        {
            long t0 = Machine.Now();
            b.Perform(op);
            long t1 = Machine.Now();
            b.Settle();
            return t1 - t0 - pair;
        }

        private static long NonNegative(long v) { return v < 0 ? 0 : v; }

        // a / b with two decimals, as text ("-" when b is 0).
        private static string Ratio(long a, long b)
        {
            if (b <= 0) return "-";
            long h = a * 100 / b;
            long frac = h % 100;
            return (h / 100) + "." + (frac < 10 ? "0" : "") + frac + "x";
        }
    }
}
