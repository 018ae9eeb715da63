using Osprey.Kernel.Smp;
using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // The application processors: every enabled CPU of the MADT (or
    // cpus=N of them) started, each with its own scheduling core; each AP's
    // local APIC timer, calibrated against the boot CPU's TSC, wakes its
    // sleeping main thread; a fixed IPI from CPU 0 reaches each AP and its
    // answer comes back. With one CPU
    // (QEMU -smp 1, or cpus=1) the AP tests are skipped, not passed.
    internal sealed unsafe class SmpSuite : Suite
    {
        internal override string Name { get { return "smp"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "cpus_running", "ap_apic_timer_calibrated", "ap_timer_wakes_sleeper", "ipi_round_trip", "cross_cpu_wakeup", "semaphore_ping_pong", "releases_from_every_cpu", "thread_moved_to_cpu", "shared_structures_under_contention", "mutex_inversion_across_cpus", "mutex_contention_across_cpus", "semaphore_wakes_across_cpus", "queue_wakes_across_cpus", "events_any_all_across_cpus", "timeouts_race_releases", "queue_ping_pong", "shared_objects_stress", "mutex_stays_on_its_cpu" }; }
        }

        private const int Shots = 5;
        private const long ShotNs = 1000000;
        private const int Rounds = 20;
        private const long WaitNs = 2000000000;   // bounds a lost interrupt, far above any expected time

        internal override void Run(int index, Check t)
        {
            if (index > 0 && Smp.Smp.Count == 1)
            {
                t.Skip("one CPU started (" + (Smp.Smp.NotStartedReason != null ? Smp.Smp.NotStartedReason : "no other CPU checked in") + "): no application processor to test");
                return;
            }
            switch (index)
            {
                case 0: CheckedIn(t); break;
                case 1: Calibrated(t); break;
                case 2: TimerFires(t); break;
                case 3: IpiRoundTrip(t); break;
                case 4: CrossCpuWakeup(t); break;
                case 5: PingPong(t); break;
                case 6: ReleasesFromEveryCpu(t); break;
                case 7: MovedThread(t); break;
                case 8: Contention(t); break;
                case 9: SmpMutexTests.Inversion(t); break;
                case 10: SmpMutexTests.Contention(t); break;
                case 11: SmpSyncTests.SemaphoreWakeups(t); break;
                case 12: SmpSyncTests.QueueWakeups(t); break;
                case 13: SmpSyncTests.EventWakeups(t); break;
                case 14: SmpSyncTests.TimeoutsRaceReleases(t); break;
                case 15: SmpSyncTests.QueuePingPong(t); break;
                case 16: SmpSyncTests.Stress(t); break;
                case 17: SmpSyncTests.MutexStaysLocal(t); break;
            }
        }

        private static void CheckedIn(Check t)
        {
            int enabled = Smp.Smp.EnabledInMadt;
            int expected = Smp.Smp.Limit > 0 && Smp.Smp.Limit < enabled ? Smp.Smp.Limit : enabled;
            t.Note(Smp.Smp.Count + " CPUs started, " + enabled + " enabled in the MADT" + (Smp.Smp.Limit > 0 ? ", cpus=" + Smp.Smp.Limit : ""));
            t.Equal(expected, Smp.Smp.Count, "CPUs running");
            t.Equal(0, Smp.Smp.LeftOut, "CPUs left out");
            t.Equal(enabled - expected, Smp.Smp.NotStartedByLimit, "CPUs not started because of cpus=");
            t.Equal(Machine.ApicId, Smp.Smp.Cpus[0].ApicId, "CPU 0 is the boot CPU");
            t.Equal(0, Machine.CpuIndex, "the self-tests run on CPU 0");
            Acpi.AcpiInfo acpi = Acpi.AcpiDiscovery.Info;
            for (int i = 0; i < Smp.Smp.Cpus.Length; i++)
            {
                Processor p = Smp.Smp.Cpus[i];
                if (!t.True(Smp.Smp.Online(i), "cpu " + i + " runs")) continue;
                bool inMadt = false;
                for (int k = 0; acpi != null && k < acpi.CpuCount; k++) if (acpi.Cpus[k].Enabled && acpi.Cpus[k].ApicId == p.ApicId) inMadt = true;
                t.True(inMadt || Smp.Smp.EnabledInMadt <= 1, "cpu " + i + " (APIC id " + p.ApicId + ") is an enabled MADT processor");
                for (int k = 0; k < i; k++) t.True(Smp.Smp.Cpus[k].ApicId != p.ApicId, "cpus " + k + " and " + i + " have distinct APIC ids");
                if (i == 0) continue;
                long us = (p.ArrivedNs - p.SipiNs) / 1000;
                t.Note("cpu " + i + " (APIC id " + p.ApicId + "): first C# instruction " + us + " us after its first SIPI");
                t.True(p.ArrivedNs > p.SipiNs, "cpu " + i + " ran after its SIPI");
                // Its own scheduler: a core of the boot CPU's policy, an idle
                // thread, and its boot context as a main thread, suspended
                // while it has no command.
                Threading.PerCpu c = Threading.PerCpu.Of(i);
                t.Equal(i, c.Index, "cpu " + i + "'s per-CPU block has its index");
                t.True(c.Core != null && c.Idle != null && c.Main != null, "cpu " + i + " has a scheduling core, an idle thread and a main thread");
                if (c.Core != null) t.Equal(Smp.Smp.Policy, c.Core.Scheduler.Name, "cpu " + i + "'s policy");
            }
        }

        // The AP's rate, measured against the TSC over 2 ms, against the
        // boot CPU's (measured against the HPET, PM timer or PIT). QEMU
        // runs every APIC timer at one rate. Under -icount both are exact
        // to a few counts; plain emulation allows 2% (a host stall between
        // the paired reads).
        private static void Calibrated(Check t)
        {
            long bsp = Smp.Smp.BootApicHz;
            long tolerancePpm = Kernel.KernelMain.Options.ExactClock ? 1000 : 20000;
            for (int i = 1; i < Smp.Smp.Cpus.Length; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                long hz = Smp.Smp.Cpus[i].ApicHz;
                t.Note("cpu " + i + ": APIC timer " + hz + " Hz, boot CPU " + bsp + " Hz");
                long diff = hz > bsp ? hz - bsp : bsp - hz;
                t.True(hz > 0 && diff * 1000000 / bsp <= tolerancePpm, "cpu " + i + "'s APIC timer rate within " + tolerancePpm + " ppm of the boot CPU's (" + hz + " vs " + bsp + " Hz)");
            }
        }

        // Each AP's main thread sleeps 5 times 1 ms on its own core: its
        // one-shot timer (armed through Machine.ArmTimer on that CPU) must
        // fire for each wake-up, never early.
        private static void TimerFires(Check t)
        {
            for (int i = 1; i < Smp.Smp.Cpus.Length; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                Processor p = Smp.Smp.Cpus[i];
                bool done = Smp.Smp.RunOn(i, SmpCommands.Sleeps, Shots, ShotNs, WaitNs);
                if (!t.True(done, "cpu " + i + " finished its sleeps")) continue;
                t.Note("cpu " + i + ": " + Shots + " sleeps of " + ShotNs + " ns in " + p.Result1 + " ns, " + p.Result0 + " timer interrupts");
                t.True(p.Result0 >= Shots, "cpu " + i + "'s timer fired for every sleep (" + p.Result0 + " interrupts)");
                t.True(p.Result1 >= Shots * ShotNs, "cpu " + i + "'s sleeps took at least their length (" + p.Result1 + " ns)");
                // Under -icount nothing else delays them: one interrupt each, within 1%.
                if (Kernel.KernelMain.Options.ExactClock)
                {
                    t.Equal(Shots, p.Result0, "cpu " + i + ": one timer interrupt per sleep");
                    t.True(p.Result1 <= Shots * ShotNs * 101 / 100, "cpu " + i + "'s sleeps took at most 1% more than their length (" + p.Result1 + " ns)");
                }
            }
        }

        private static void IpiRoundTrip(Check t)
        {
            for (int i = 1; i < Smp.Smp.Cpus.Length; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                Processor p = Smp.Smp.Cpus[i];
                int pings0 = p.PingsReceived, pongs0 = p.PongsSent, back0 = Smp.Smp.PongsReceived;
                int answered = 0;
                long worst = 0;
                for (int r = 0; r < Rounds; r++)
                {
                    int before = Smp.Smp.PongsReceived;
                    long sent = Machine.Now();
                    string error;
                    if (!t.True(Machine.SendIpi(p.ApicId, Smp.Smp.PingVector, out error), "cpu " + i + "'s APIC accepted the IPI: " + error)) break;
                    while (Smp.Smp.PongsReceived == before && Machine.Now() - sent < WaitNs) Machine.SpinWaitHint();
                    if (Smp.Smp.PongsReceived == before) break;
                    long took = Machine.Now() - sent;
                    if (took > worst) worst = took;
                    if (Smp.Smp.LastPongFrom == i) answered++;
                }
                t.Note("cpu " + i + ": " + Rounds + " IPI round trips, slowest " + worst + " ns");
                t.Equal(Rounds, p.PingsReceived - pings0, "IPIs received on cpu " + i);
                t.Equal(Rounds, p.PongsSent - pongs0, "answers sent by cpu " + i);
                t.Equal(Rounds, Smp.Smp.PongsReceived - back0, "answers received on cpu 0");
                t.Equal(Rounds, answered, "answers that came from cpu " + i);
            }
        }

        // --- threads on other CPUs and semaphores across CPUs ---------------

        private const int ThreadPriority = 100;     // more urgent than an AP's main thread
        private static Semaphore wakeSem, doneSem, ping, pong, shared;
        private static volatile int wokeOn, pongRounds, pongFailures;
        private static long wokeAt;
        private static SyncStatus wokeStatus;
        private static int[] postedBy;
        private const int PingPongRounds = 200, ReleasesPerCpu = 1000;

        private static void Sleeper(object o)
        {
            wokeStatus = Blocking.Obtain(wakeSem, WaitNs);
            wokeAt = Machine.Now();
            wokeOn = Machine.CpuIndex;
            Blocking.Release(doneSem);
        }

        // A thread of CPU 1 blocks on a semaphore of CPU 1; CPU 0 releases it:
        // under the semaphore's lock CPU 0 hands the unit over and passes the
        // wake to CPU 1 (its hand-off list and a reschedule IPI), whose core
        // wakes the thread there.
        private static void CrossCpuWakeup(Check t)
        {
            if (!Smp.Smp.Online(1)) { t.Skip("cpu 1 does not run"); return; }
            wokeOn = -1; wokeAt = 0; wokeStatus = SyncStatus.Blocked;
            wakeSem = Remote.NewSemaphoreOn(1, 0, 1);
            doneSem = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
            if (!t.True(wakeSem != null, "a semaphore made on cpu 1")) return;
            t.True(wakeSem.Core == PerCpu.Of(1).Core, "it belongs to cpu 1's core");
            Thread b = Remote.SpawnOn(1, "smp-sleeper", &Sleeper, null, ThreadPriority);
            if (!t.True(b != null, "a thread started on cpu 1")) return;
            long start = Machine.Now();
            while (wakeSem.WaitingCount == 0 && Machine.Now() - start < WaitNs) Machine.SpinWaitHint();
            t.Equal(1, wakeSem.WaitingCount, "the thread blocked on the semaphore (on cpu 1)");
            long posted = Machine.Now();
            SyncStatus r = Blocking.Release(wakeSem);
            SyncStatus d = Blocking.Obtain(doneSem, WaitNs);
            t.Equal((long)SyncStatus.Successful, (long)r, "the release from cpu 0 succeeded");
            t.Equal((long)SyncStatus.Successful, (long)d, "the woken thread signalled back (a release from cpu 1 to cpu 0)");
            t.Equal((long)SyncStatus.Successful, (long)wokeStatus, "its obtain succeeded");
            t.Equal(1, wokeOn, "it ran on cpu 1");
            t.True(wokeAt >= posted, "after the release");
            t.Note("woken " + (wokeAt - posted) + " ns after the release");
        }

        private static void Ponger(object o)
        {
            for (int r = 0; r < PingPongRounds; r++)
            {
                if (Blocking.Obtain(ping, WaitNs) != SyncStatus.Successful) { pongFailures++; return; }
                pongRounds++;
                Blocking.Release(pong);
            }
        }

        // CPU 0 and CPU 1 take turns through two semaphores, one on each CPU.
        private static void PingPong(Check t)
        {
            if (!Smp.Smp.Online(1)) { t.Skip("cpu 1 does not run"); return; }
            pongRounds = 0; pongFailures = 0;
            ping = Remote.NewSemaphoreOn(1, 0, 1);
            pong = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
            if (!t.True(ping != null, "a semaphore made on cpu 1")) return;
            Thread b = Remote.SpawnOn(1, "smp-ponger", &Ponger, null, ThreadPriority);
            if (!t.True(b != null, "a thread started on cpu 1")) return;
            int done = 0;
            long start = Machine.Now();
            for (int r = 0; r < PingPongRounds; r++)
            {
                if (Blocking.Release(ping) != SyncStatus.Successful) break;
                if (Blocking.Obtain(pong, WaitNs) != SyncStatus.Successful) break;
                done++;
            }
            long took = Machine.Now() - start;
            t.Note(done + " rounds in " + took + " ns (" + (done > 0 ? took / done : 0) + " ns per round trip)");
            t.Bench("smp_semaphore_round_trip", done > 0 ? took / done : 0, "ns");
            t.Equal(PingPongRounds, done, "rounds completed on cpu 0");
            t.Equal(PingPongRounds, pongRounds, "rounds completed on cpu 1");
            t.Equal(0, pongFailures, "obtains that failed on cpu 1");
            t.Equal(0, ping.Count, "no unit left on cpu 1's semaphore");
            t.Equal(0, pong.Count, "no unit left on cpu 0's semaphore");
        }

        private static void Poster(object o)
        {
            int me = Machine.CpuIndex;
            // A full queue (CPU 0 behind) is reported, not waited in: back
            // off and release again.
            for (int k = 0; k < ReleasesPerCpu; k++)
            {
                SyncStatus s;
                while ((s = Blocking.Release(shared)) == SyncStatus.TooMany) Threads.SleepFor(20000);
                if (s == SyncStatus.Successful) postedBy[me]++;
            }
        }

        // Every AP's thread releases one semaphore of CPU 0 at once
        // (contending on its lock); CPU 0 takes every unit: no release lost
        // or doubled.
        private static void ReleasesFromEveryCpu(Check t)
        {
            int aps = 0;
            for (int i = 1; i < Smp.Smp.Cpus.Length; i++) if (Smp.Smp.Online(i)) aps++;
            postedBy = new int[Smp.Smp.Cpus.Length];
            shared = Blocking.NewSemaphore(0, 1000000, WaitDiscipline.Priority);
            RemoteQueue q = Remote.Queues[0];
            long posted0 = q.Posted, handled0 = q.Handled, full0 = q.Full;
            for (int i = 1; i < Smp.Smp.Cpus.Length; i++)
                if (Smp.Smp.Online(i)) t.True(Remote.SpawnOn(i, "smp-poster", &Poster, null, ThreadPriority) != null, "a poster started on cpu " + i);
            int expected = aps * ReleasesPerCpu, taken = 0;
            long start = Machine.Now();
            while (taken < expected && Blocking.Obtain(shared, WaitNs) == SyncStatus.Successful) taken++;
            long took = Machine.Now() - start;
            // Nothing more may come: wait a moment, then count what is left.
            Threads.SleepFor(2000000);
            int total = 0;
            for (int i = 1; i < postedBy.Length; i++) { total += postedBy[i]; if (Smp.Smp.Online(i)) t.Equal(ReleasesPerCpu, postedBy[i], "releases queued by cpu " + i); }
            t.Note(aps + " CPUs released " + total + " units in " + took + " ns; cpu 0's queue full " + (q.Full - full0) + " times");
            t.Equal(expected, taken, "units cpu 0 obtained");
            t.Equal(0, shared.Count, "units left over");
            t.Equal(q.Posted - posted0, q.Handled - handled0, "requests queued and handled on cpu 0");
        }

        private static volatile int ranOn;
        private static void Reporter(object o)
        {
            ranOn = Machine.CpuIndex;
            Blocking.Release(doneSem);
        }

        // A thread created here with cpu = the last running CPU runs there;
        // moving is refused for a started thread and for a CPU that does
        // not run, and joining it from here is refused (its joiners block on
        // its own core).
        private static void MovedThread(Check t)
        {
            int target = 0;
            for (int i = 1; i < Smp.Smp.Cpus.Length; i++) if (Smp.Smp.Online(i)) target = i;
            ranOn = -1;
            doneSem = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
            Thread th;
            ThreadStatus s = Threads.Create("smp-moved", &Reporter, null, ThreadPriority, 0, target, out th);
            if (!t.Equal((long)ThreadStatus.Successful, (long)s, "created for cpu " + target)) return;
            t.True(th.Core == PerCpu.Of(target).Core, "it belongs to cpu " + target + "'s core");
            t.Equal((long)ThreadStatus.InvalidCpu, (long)Threads.SetCpu(th, Smp.Smp.Cpus.Length), "moving to a CPU that does not exist");
            t.Equal((long)ThreadStatus.OtherCpu, (long)Threads.SetCpu(th, 0), "moving it from a CPU it is not on");
            t.Equal((long)ThreadStatus.Successful, (long)Threads.Start(th), "started (on its CPU)");
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Obtain(doneSem, WaitNs), "it signalled back");
            t.Equal(target, ranOn, "it ran on cpu " + target);
            t.Equal((long)ThreadStatus.AlreadyStarted, (long)Threads.SetCpu(th, 0), "a started thread is not moved");
            t.Equal((long)ThreadStatus.OtherCpu, (long)Threads.Join(th, 0), "joined only from its own CPU");
        }

        // Every running CPU's thread, at once, for ContentionRounds rounds: a heap
        // block and (every 8th round) a frame, each filled with a canary
        // naming CPU and round; a thread stack taken and given back (the
        // stack free list); a release of one semaphore of CPU 0, whose test
        // thread obtains every unit. Afterwards every canary is intact (no
        // block or frame handed out twice), the stack counts add up, every
        // unit arrived.
        private const int ContentionRounds = 200, BlockBytes = 48, FrameEvery = 8;
        private static ulong[][] blocks, frames;
        private static int[] roundsDone, releasesQueued;
        private static Semaphore finished;

        private static ulong Canary(int cpu, int round, int word) { return 0x5A00000000000000UL | ((ulong)cpu << 40) | ((ulong)round << 8) | (ulong)word; }

        private static void Contender(object o)
        {
            int me = Machine.CpuIndex;
            ulong[] myBlocks = blocks[me], myFrames = frames[me];
            for (int r = 0; r < ContentionRounds; r++)
            {
                ulong* b = (ulong*)Memory.Heap.Allocate(BlockBytes);
                for (int w = 0; w < BlockBytes / 8; w++) b[w] = Canary(me, r, w);
                myBlocks[r] = (ulong)b;
                if (r % FrameEvery == 0)
                {
                    ulong fr = Memory.PhysicalMemory.AllocatePages(1, 4096);
                    if (fr != 0) { ((ulong*)fr)[0] = Canary(me, r, 0); ((ulong*)fr)[511] = Canary(me, r, 511); }
                    myFrames[r / FrameEvery] = fr;
                }
                Stack st = Stack.Allocate(8192);
                if (st != null) Stack.Release(st);
                SyncStatus s;
                while ((s = Blocking.Release(shared)) == SyncStatus.TooMany) Threads.SleepFor(20000);
                if (s == SyncStatus.Successful) releasesQueued[me]++;
                roundsDone[me]++;
            }
            Blocking.Release(finished);
        }

        private static void Contention(Check t)
        {
            int n = Smp.Smp.Cpus.Length, running = 0;
            blocks = new ulong[n][]; frames = new ulong[n][];
            roundsDone = new int[n]; releasesQueued = new int[n];
            for (int i = 0; i < n; i++) { blocks[i] = new ulong[ContentionRounds]; frames[i] = new ulong[ContentionRounds / FrameEvery + 1]; }
            shared = Blocking.NewSemaphore(0, 1000000, WaitDiscipline.Priority);
            finished = Blocking.NewSemaphore(0, 64, WaitDiscipline.Priority);
            long stacks0 = Stack.Allocated + Stack.Reused;
            ulong heapCount0 = Memory.Heap.AllocationCount;
            long start = Machine.Now();
            for (int i = 0; i < n; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                // CPU 0's contender runs below this thread's priority: it
                // shares CPU 0 with the consumer loop here.
                if (t.True(Remote.SpawnOn(i, "smp-contender", &Contender, null, i == 0 ? KernelMain.MainPriority + 1 : ThreadPriority) != null, "a contender on cpu " + i)) running++;
            }
            int expected = running * ContentionRounds, taken = 0;
            while (taken < expected && Blocking.Obtain(shared, WaitNs) == SyncStatus.Successful) taken++;
            int ended = 0;
            while (ended < running && Blocking.Obtain(finished, WaitNs) == SyncStatus.Successful) ended++;
            long took = Machine.Now() - start;
            t.Equal(running, ended, "contenders that finished");
            t.Equal(expected, taken, "semaphore units obtained on cpu 0 (no release lost)");
            t.Equal(0, shared.Count, "units left over (none doubled)");
            int rounds = 0, broken = 0, missing = 0;
            for (int i = 0; i < n; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                rounds += roundsDone[i];
                t.Equal(ContentionRounds, releasesQueued[i], "releases queued by cpu " + i);
                for (int r = 0; r < ContentionRounds; r++)
                {
                    ulong* b = (ulong*)blocks[i][r];
                    if (b == null) { missing++; continue; }
                    for (int w = 0; w < BlockBytes / 8; w++) if (b[w] != Canary(i, r, w)) broken++;
                    if (r % FrameEvery == 0)
                    {
                        ulong* fr = (ulong*)frames[i][r / FrameEvery];
                        if (fr == null) { missing++; continue; }
                        if (fr[0] != Canary(i, r, 0) || fr[511] != Canary(i, r, 511)) broken++;
                    }
                }
            }
            t.Note(running + " CPUs, " + rounds + " rounds in " + took + " ns; heap lock contended " + Memory.Heap.LockContended + ", frame lock " + Memory.PhysicalMemory.LockContended + ", cpu 0 request queue " + Remote.Queues[0].Contended);
            t.Equal(expected, rounds, "rounds done");
            t.Equal(0, missing, "blocks or frames not handed out");
            t.Equal(0, broken, "canaries overwritten (a block or frame handed out twice)");
            t.Equal(expected + running, Stack.Allocated + Stack.Reused - stacks0, "stacks taken (one per round and each contender's own) = new + reused");
            t.True(Memory.Heap.AllocationCount - heapCount0 >= (ulong)expected, "the heap counted every block (" + (Memory.Heap.AllocationCount - heapCount0) + " allocations)");
        }
    }
}
