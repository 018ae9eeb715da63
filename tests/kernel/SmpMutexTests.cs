using Osprey.Kernel.Smp;
using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // The smp suite's tests of Smp.GlobalMutex (kernel/README.md, "Mutexes
    // across CPUs"):
    //  - inversion: the classic scenario split across CPUs, run twice. A low
    //    thread L on CPU 1 holds the mutex; a medium thread M on CPU 1 is
    //    released (from CPU 0) while L holds it and then runs for MediumNs;
    //    the high thread H (this test's thread, CPU 0) asks for the mutex;
    //    L's critical section lasts CriticalNs from H's request on.
    //    With the default ceiling (the top) L keeps CPU 1 until it unlocks:
    //    M's first instruction comes after L's unlock and H gets the mutex
    //    before M's run ends (under -icount: within L's critical section
    //    plus 1 ms). With CPU 1's ceiling lowered to L's priority (no
    //    helping) M preempts L and H waits through M's whole run: the term
    //    the default ceiling removes from the bound;
    //  - contention: a thread on every CPU takes the mutex Rounds times and
    //    increments a shared counter by read, delay, write: the counter adds
    //    up and no two threads were ever inside at once.
    internal static unsafe class SmpMutexTests
    {
        private const int LowPriority = 150, MediumPriority = 100, ThreadPriority = 100;
        private const long CriticalNs = 3000000;
        // M's run: long enough that H, once L unlocks, sees it before M ends even when the host stalls H's vCPU.
        private static long MediumNs { get { return KernelMain.Options.ExactClock ? 50000000L : 200000000L; } }
        // Bounds a lost wake-up; plain emulation on a loaded host stalls vCPUs for long stretches.
        private static long WaitNs { get { return KernelMain.Options.ExactClock ? 2000000000L : 30000000000L; } }

        private static GlobalMutex gm;
        private static Semaphore mediumGo, done;
        private static volatile bool lHolding, hAsked, mSawHolder, mDone;
        private static volatile int lStatus, mStatus, mLateLock;
        private static long lHeldNs;

        private static void Busy(long ns)
        {
            long t0 = Machine.Now();
            while (Machine.Now() - t0 < ns) Machine.SpinWaitHint();
        }

        private static void Low(object o)
        {
            lStatus = (int)gm.Lock();
            long t0 = Machine.Now();
            lHolding = true;
            // The critical section's measured part starts once H has asked
            // (H's CPU may be stalled by the host while L holds it).
            while (!hAsked) Machine.SpinWaitHint();
            Busy(CriticalNs);
            lHolding = false;
            lHeldNs = Machine.Now() - t0;
            gm.Unlock();
            Blocking.Release(done);
        }

        private static void Medium(object o)
        {
            mStatus = (int)Blocking.Obtain(mediumGo, WaitNs);
            mSawHolder = lHolding;
            Busy(MediumNs);
            mDone = true;
            // More urgent than a lowered ceiling of its CPU: refused.
            SyncStatus s = gm.Lock();
            mLateLock = (int)s;
            if (s == SyncStatus.Successful) gm.Unlock();
            Blocking.Release(done);
        }

        // One run of the scenario; ceiling1 is CPU 1's ceiling (-1: the top).
        // Returns H's wait in ns (-1 when the setup failed).
        private static long Scenario(Check t, int ceiling1, string label)
        {
            gm = new GlobalMutex();
            if (!t.True(gm.SetCeiling(1, ceiling1), label + ": ceiling set")) return -1;
            lHolding = false; hAsked = false; mSawHolder = false; mDone = false;
            lStatus = mStatus = mLateLock = -1;
            mediumGo = Remote.NewSemaphoreOn(1, 0, 1);
            done = Blocking.NewSemaphore(0, 2, WaitDiscipline.Priority);
            if (!t.True(mediumGo != null, label + ": a semaphore made on cpu 1")) return -1;
            if (!t.True(Remote.SpawnOn(1, "gm-medium", &Medium, null, MediumPriority) != null, label + ": M started on cpu 1")) return -1;
            if (!t.True(Remote.SpawnOn(1, "gm-low", &Low, null, LowPriority) != null, label + ": L started on cpu 1")) return -1;
            long start = Machine.Now();
            while (!lHolding && Machine.Now() - start < WaitNs) Machine.SpinWaitHint();
            if (!t.True(lHolding, label + ": L holds the mutex (L's lock " + lStatus + ", cpu 1 runs '" + PerCpu.Of(1).CurrentThread.Name + "', owner " + (gm.Owner == null ? "none" : gm.Owner.Name) + ")")) return -1;
            // M becomes ready on CPU 1 (a release from here: request + IPI), then H asks.
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Release(mediumGo), label + ": M released");
            long asked = Machine.Now();
            hAsked = true;
            SyncStatus s = gm.Lock();
            long waited = Machine.Now() - asked;
            bool mDoneWhenGot = mDone;
            t.Equal((long)SyncStatus.Successful, (long)s, label + ": H locked it");
            t.True(gm.Owner == Threads.Current, label + ": H is the owner");
            t.Equal((long)SyncStatus.AlreadyOwner, (long)gm.Lock(), label + ": a second lock by the owner");
            t.Equal((long)SyncStatus.Successful, (long)gm.Unlock(), label + ": H unlocked it");
            t.Equal((long)SyncStatus.NotOwner, (long)gm.Unlock(), label + ": unlock when not the owner");
            int ended = 0;
            while (ended < 2 && Blocking.Obtain(done, WaitNs) == SyncStatus.Successful) ended++;
            t.Equal(2, ended, label + ": L and M finished");
            t.Equal((long)SyncStatus.Successful, lStatus, label + ": L's lock");
            t.Equal((long)SyncStatus.Successful, mStatus, label + ": M's release arrived");
            t.Note(label + ": H waited " + waited + " ns; L held it " + lHeldNs + " ns (critical section " + CriticalNs + " ns), M runs " + MediumNs + " ns; M " + (mSawHolder ? "preempted L" : "ran after L's unlock"));
            if (ceiling1 < 0)
            {
                t.True(!mSawHolder, label + ": M did not run while L held the mutex");
                t.True(!mDoneWhenGot, label + ": H got the mutex before M's run ended");
                t.Equal((long)SyncStatus.Successful, mLateLock, label + ": M (priority " + MediumPriority + ") may lock under the top ceiling");
                if (KernelMain.Options.ExactClock)
                    t.True(waited <= CriticalNs + 1000000, label + ": H's wait (" + waited + " ns) within L's critical section + 1 ms");
            }
            else
            {
                t.True(mSawHolder, label + ": M preempted L inside its critical section");
                t.True(mDoneWhenGot, label + ": H got the mutex only after M's run");
                t.True(waited >= MediumNs, label + ": H's wait (" + waited + " ns) includes M's run");
                t.Equal((long)SyncStatus.InvalidCaller, mLateLock, label + ": M (more urgent than the ceiling " + ceiling1 + ") refused");
            }
            return waited;
        }

        internal static void Inversion(Check t)
        {
            if (!Smp.Smp.Online(1)) { t.Skip("cpu 1 does not run"); return; }
            long top = Scenario(t, -1, "top ceiling");
            long low = Scenario(t, LowPriority, "ceiling " + LowPriority + " on cpu 1");
            if (top >= 0 && low >= 0) t.True(top < low, "the top ceiling bounds H's wait below the lowered one's (" + top + " < " + low + " ns)");
        }

        // --- contention ------------------------------------------------------

        private const int DelaySpins = 20;
        // Under plain emulation every hand-off waits for the next vCPU's host thread: fewer rounds.
        private static int Rounds { get { return KernelMain.Options.ExactClock ? 1000 : 100; } }
        private static volatile int counter, inside, overlaps;
        private static int[] roundsBy;
        private static Semaphore finished;

        private static volatile bool go;

        private static void Contender(object o)
        {
            int me = Machine.CpuIndex;
            // All start together (the spawns reach the CPUs one by one).
            while (!go) Machine.SpinWaitHint();
            for (int r = 0; r < Rounds; r++)
            {
                if (gm.Lock() != SyncStatus.Successful) break;
                if (inside != 0) overlaps++;
                inside = 1;
                int v = counter;
                for (int k = 0; k < DelaySpins; k++) Machine.SpinWaitHint();
                counter = v + 1;
                inside = 0;
                gm.Unlock();
                roundsBy[me]++;
            }
            Blocking.Release(finished);
        }

        internal static void Contention(Check t)
        {
            int n = Smp.Smp.Cpus.Length, running = 0;
            gm = new GlobalMutex();
            counter = 0; inside = 0; overlaps = 0; go = false;
            roundsBy = new int[n];
            finished = Blocking.NewSemaphore(0, 64, WaitDiscipline.Priority);
            long start = Machine.Now();
            for (int i = 0; i < n; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                // CPU 0's contender runs below this thread, which waits.
                if (t.True(Remote.SpawnOn(i, "gm-contender", &Contender, null, i == 0 ? KernelMain.MainPriority + 1 : ThreadPriority) != null, "a contender on cpu " + i)) running++;
            }
            go = true;
            int ended = 0;
            while (ended < running && Blocking.Obtain(finished, WaitNs) == SyncStatus.Successful) ended++;
            long took = Machine.Now() - start;
            t.Equal(running, ended, "contenders that finished");
            for (int i = 0; i < n; i++) if (Smp.Smp.Online(i)) t.Equal(Rounds, roundsBy[i], "rounds done on cpu " + i);
            t.Note(running + " CPUs x " + Rounds + " locks in " + took + " ns; " + gm.Contended + " of " + gm.Acquisitions + " found it held, longest spin " + gm.LongestSpinNs + " ns");
            t.Equal(running * Rounds, counter, "the shared counter");
            t.Equal(0, overlaps, "times two threads were inside at once");
            t.Equal(running * Rounds, gm.Acquisitions, "locks granted");
            // Under -icount the interleaving repeats and requests meet (1,999
            // of 2,000 with two CPUs); plain emulation may run the vCPUs apart.
            if (running > 1 && KernelMain.Options.ExactClock) t.True(gm.Contended > 0, "some requests found the mutex held (the test contended)");
            t.True(gm.Owner == null, "free at the end");
        }
    }
}
