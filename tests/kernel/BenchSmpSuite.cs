using Osprey.Kernel.Smp;
using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // The multi-CPU benchmark rows (BENCHMARKS.md, "Multi-CPU"; run only by
    // name: selftest=bench_smp, booted with -smp 4 by `./build.sh bench`):
    //  - smp_wakeup_min|mean|max: CPU 0 reads the clock and releases a
    //    semaphore a more urgent thread of CPU 1 waits on (CPU 1 idle); the
    //    woken thread reads the clock as its first instruction after the
    //    obtain returns; 10,000 wake-ups, 200 us apart;
    //  - smp_pingpong_round_trip: a token handed between CPU 0 and CPU 1
    //    through two semaphores (one of each CPU), mean over 10,000 round
    //    trips;
    //  - smp_queue_pingpong_round_trip: the same between CPU 0 and CPU 1
    //    through two message queues (shared, made on CPU 0), a 16-byte
    //    message each way, its contents checked; mean over 10,000 round trips;
    //  - smp_cyclictest_cpu<N>_min|mean|max: on every CPU a top-priority
    //    thread released every 1 ms (10,000 releases; 1,000 under -icount)
    //    beside a busy thread
    //    of lower priority on the same CPU.
    // Each test also checks that what it measured happened.
    internal sealed unsafe class BenchSmpSuite : Suite
    {
        internal override string Name { get { return "bench_smp"; } }
        internal override bool ExplicitOnly { get { return true; } }
        internal override string[] TestNames { get { return new string[] { "smp_wakeup", "smp_pingpong", "smp_cyclictest", "smp_queue_pingpong" }; } }

        private const int Rounds = 10000;
        // 10,000 releases as Linux's cyclictest -l 10000 under plain emulation.
        // Under -icount 1,000: the four busy CPUs execute one instruction per
        // guest ns between them, so 10 s of guest time is 10^10 emulated
        // instructions (tens of minutes on a loaded 2-core host); the
        // figures are instruction counts and repeat from run to run.
        private static int Releases { get { return KernelMain.Options.ExactClock ? 1000 : 10000; } }
        private const long Ms = 1000000, GapNs = 200000;
        private const int Urgent = 1, Waker = 2, BusyPriority = 200;
        // Bounds a lost wake-up; plain emulation on a loaded host stalls vCPUs.
        private static long WaitNs { get { return KernelMain.Options.ExactClock ? 1000000000L : 20000000000L; } }

        internal override void Run(int index, Check t)
        {
            if (!Smp.Smp.Online(1)) { t.Skip("one CPU runs: no cross-CPU figure to measure"); return; }
            Thread me = Threads.Current;
            int before = me.BasePriority;
            Threads.SetPriority(me, Waker);
            switch (index)
            {
                case 0: Wakeup(t); break;
                case 1: PingPong(t); break;
                case 2: Cyclic(t); break;
                case 3: QueuePingPong(t); break;
            }
            Threads.SetPriority(me, before);
        }

        // --- cross-CPU wake-up --------------------------------------------------

        private static Semaphore wake, back;
        private static long[] latency;
        private static volatile int woken;
        private static long postedAt;

        private static void Sleeper(object o)
        {
            for (int i = 0; i < Rounds; i++)
            {
                if (Blocking.Obtain(wake, WaitNs) != SyncStatus.Successful) return;
                latency[i] = Machine.Now() - postedAt;
                woken++;
                Blocking.Release(back);
            }
        }

        private static void Wakeup(Check t)
        {
            latency = new long[Rounds];
            woken = 0;
            wake = Remote.NewSemaphoreOn(1, 0, 1);
            back = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
            if (!t.True(wake != null, "a semaphore made on cpu 1")) return;
            if (!t.True(Remote.SpawnOn(1, "bench-sleeper", &Sleeper, null, Urgent) != null, "the sleeper started on cpu 1")) return;
            int notBlocked = 0, done = 0;
            for (int i = 0; i < Rounds; i++)
            {
                // CPU 1 goes idle with the sleeper blocked; CPU 0 sleeps too.
                Threads.SleepFor(GapNs);
                long start = Machine.Now();
                if (wake.WaitingCount != 1) notBlocked++;
                while (wake.WaitingCount != 1 && Machine.Now() - start < WaitNs) Machine.SpinWaitHint();
                postedAt = Machine.Now();
                if (Blocking.Release(wake) != SyncStatus.Successful) break;
                if (Blocking.Obtain(back, WaitNs) != SyncStatus.Successful) break;
                done++;
            }
            t.Equal(Rounds, done, "wake-ups completed");
            t.Equal(Rounds, woken, "wake-ups seen on cpu 1");
            long min = long.MaxValue, max = 0, sum = 0;
            for (int i = 0; i < done; i++)
            {
                long l = latency[i];
                if (!t.True(l > 0, "wake-up " + i + " after its post (" + l + " ns)")) return;
                if (l < min) min = l;
                if (l > max) max = l;
                sum += l;
            }
            if (done == 0) return;
            t.Note(done + " wake-ups; the sleeper was not yet blocked " + notBlocked + " times after the " + GapNs + " ns gap (then waited for)");
            t.Bench("smp_wakeup_min", min, "ns");
            t.Bench("smp_wakeup_mean", sum / done, "ns");
            t.Bench("smp_wakeup_max", max, "ns");
        }

        // --- cross-CPU ping-pong ------------------------------------------------

        private static Semaphore ping, pong;
        private static volatile int pongRounds;

        private static void Ponger(object o)
        {
            for (int r = 0; r < Rounds; r++)
            {
                if (Blocking.Obtain(ping, WaitNs) != SyncStatus.Successful) return;
                pongRounds++;
                Blocking.Release(pong);
            }
        }

        private static void PingPong(Check t)
        {
            pongRounds = 0;
            ping = Remote.NewSemaphoreOn(1, 0, 1);
            pong = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
            if (!t.True(ping != null, "a semaphore made on cpu 1")) return;
            if (!t.True(Remote.SpawnOn(1, "bench-ponger", &Ponger, null, Waker) != null, "the ponger started on cpu 1")) return;
            int done = 0;
            long start = Machine.Now();
            for (int r = 0; r < Rounds; r++)
            {
                if (Blocking.Release(ping) != SyncStatus.Successful) break;
                if (Blocking.Obtain(pong, WaitNs) != SyncStatus.Successful) break;
                done++;
            }
            long took = Machine.Now() - start;
            t.Equal(Rounds, done, "round trips completed on cpu 0");
            t.Equal(Rounds, pongRounds, "round trips seen on cpu 1");
            if (done == 0) return;
            t.Bench("smp_pingpong_round_trip", took / done, "ns");
        }

        // --- cross-CPU ping-pong through message queues ---------------------------

        private const int MessageBytes = 16;
        private static MessageQueue pingQ, pongQ;
        private static volatile int queueRounds, queueBad;

        private static void QueuePonger(object o)
        {
            byte[] b = new byte[MessageBytes];
            for (int r = 0; r < Rounds; r++)
            {
                int length;
                if (Blocking.Receive(pingQ, b, WaitNs, out length) != SyncStatus.Successful) return;
                if (length != MessageBytes || b[0] != (byte)r || b[MessageBytes - 1] != (byte)(r >> 8)) queueBad++;
                queueRounds++;
                if (Blocking.Send(pongQ, b, length, WaitNs) != SyncStatus.Successful) return;
            }
        }

        private static void QueuePingPong(Check t)
        {
            queueRounds = 0; queueBad = 0;
            pingQ = Blocking.NewMessageQueue(MessageBytes, 1, WaitDiscipline.Fifo);
            pongQ = Blocking.NewMessageQueue(MessageBytes, 1, WaitDiscipline.Fifo);
            if (!t.True(Remote.SpawnOn(1, "bench-qponger", &QueuePonger, null, Waker) != null, "the ponger started on cpu 1")) return;
            byte[] m = new byte[MessageBytes], back = new byte[MessageBytes];
            int done = 0, echoed = 0;
            long start = Machine.Now();
            for (int r = 0; r < Rounds; r++)
            {
                m[0] = (byte)r;
                m[MessageBytes - 1] = (byte)(r >> 8);
                if (Blocking.Send(pingQ, m, MessageBytes, WaitNs) != SyncStatus.Successful) break;
                int length;
                if (Blocking.Receive(pongQ, back, WaitNs, out length) != SyncStatus.Successful) break;
                if (length == MessageBytes && back[0] == (byte)r && back[MessageBytes - 1] == (byte)(r >> 8)) echoed++;
                done++;
            }
            long took = Machine.Now() - start;
            t.Equal(Rounds, done, "round trips completed on cpu 0");
            t.Equal(Rounds, queueRounds, "messages received on cpu 1");
            t.Equal(0, queueBad, "messages cpu 1 found wrong");
            t.Equal(Rounds, echoed, "answers with the message sent");
            if (done == 0) return;
            t.Bench("smp_queue_pingpong_round_trip", took / done, "ns");
        }

        // --- per-CPU cyclictest under load -----------------------------------------

        private static long[][] lat;
        private static volatile bool stop;
        private static long[] busyLoops;
        private static Semaphore finished, busyEnded;

        private static void Periodic(object o)
        {
            long[] mine = lat[Machine.CpuIndex];
            long next = Machine.Now() + Ms;
            for (int i = 0; i < mine.Length; i++)
            {
                Threads.SleepUntil(next);
                mine[i] = Machine.Now() - next;
                next += Ms;
            }
            Blocking.Release(finished);
        }

        private static void Busy(object o)
        {
            int me = Machine.CpuIndex;
            long n = 0;
            while (!stop) { n++; Machine.SpinWaitHint(); }
            busyLoops[me] = n;
            Blocking.Release(busyEnded);
        }

        private static void Cyclic(Check t)
        {
            int n = Smp.Smp.Cpus.Length, running = 0;
            lat = new long[n][];
            busyLoops = new long[n];
            stop = false;
            finished = Blocking.NewSemaphore(0, 64, WaitDiscipline.Priority);
            busyEnded = Blocking.NewSemaphore(0, 64, WaitDiscipline.Priority);
            for (int i = 0; i < n; i++) lat[i] = new long[Releases];
            for (int i = 0; i < n; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                // The busy thread first: the periodic one starts releasing at once.
                if (!t.True(Remote.SpawnOn(i, "bench-busy", &Busy, null, BusyPriority) != null, "a busy thread on cpu " + i)) continue;
                if (t.True(Remote.SpawnOn(i, "bench-cyclic", &Periodic, null, 0) != null, "a periodic thread on cpu " + i)) running++;
            }
            // Wait for the periodic threads, noting progress once a second
            // (the runner's stall watch needs output).
            int ended = 0, idle = 0;
            long start = Machine.Now();
            while (ended < running)
            {
                SyncStatus s = Blocking.Obtain(finished, 1000 * Ms);
                if (s == SyncStatus.Successful) { ended++; idle = 0; continue; }
                if (s != SyncStatus.Timeout || ++idle > 60) break;
                t.Note("cyclictest: " + (Machine.Now() - start) / Ms + " ms");
            }
            stop = true;
            int busyDone = 0;
            while (busyDone < running && Blocking.Obtain(busyEnded, WaitNs) == SyncStatus.Successful) busyDone++;
            t.Equal(running, ended, "periodic threads that finished");
            t.Equal(running, busyDone, "busy threads that stopped");
            for (int c = 0; c < n; c++)
            {
                if (!Smp.Smp.Online(c)) continue;
                long min = long.MaxValue, max = 0, sum = 0;
                bool early = false;
                for (int i = 0; i < Releases; i++)
                {
                    long l = lat[c][i];
                    if (l < 0) { t.Fail("cpu " + c + ": release " + i + " woke " + (-l) + " ns early"); early = true; break; }
                    if (l < min) min = l;
                    if (l > max) max = l;
                    sum += l;
                }
                if (early) continue;
                t.True(busyLoops[c] > 0, "cpu " + c + "'s busy thread ran (" + busyLoops[c] + " loops)");
                t.Bench("smp_cyclictest_cpu" + c + "_min", min, "ns");
                t.Bench("smp_cyclictest_cpu" + c + "_mean", sum / Releases, "ns");
                t.Bench("smp_cyclictest_cpu" + c + "_max", max, "ns");
            }
        }
    }
}
