using Osprey.Kernel.Arch;
using Osprey.Kernel.Smp;
using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // TLB shootdown across CPUs (Machine.Unmap, kernel/arch/x86_64/Tlb.cs),
    // part of the arch suite. QEMU's emulated CPUs keep their own TLBs and
    // drop an entry only on their own INVLPG or CR3 write, as hardware
    // does: without the shootdown, a CPU that read a page keeps reading it
    // after another CPU unmapped it.
    internal static unsafe class TlbTests
    {
        private const ulong Marker = 0x7AB1E5_0000_0000UL;
        private const long WaitNs = 2000000000;
        private static ulong page;                 // a frame of its own, identity-mapped
        private static ulong[] readValue, faultVector, faultCr2;
        private static bool[] readOk, faulted;
        private static ulong probeAddress;

        private static ulong Page()
        {
            if (page == 0) page = Memory.PhysicalMemory.AllocatePages(1, 4096);
            return page;
        }

        private static int OnlineCount()
        {
            int n = 0;
            for (int i = 0; i < PerCpu.Count; i++) if (Smp.Smp.Online(i)) n++;
            return n;
        }

        // On CPU `me` (in its reschedule-IPI handler, or here): read the probe
        // address under a quiet catch (the translation is now in its TLB).
        private static void ReadHere(object o)
        {
            int me = Machine.CpuIndex;
            ulong v;
            readOk[me] = Faults.TryRead(probeAddress, out v);
            readValue[me] = v;
        }

        private static void ReadFault(ulong address) { Faults.Read64(address); }

        // On CPU `me`: read the probe address under a catch, recording the fault.
        private static void CatchHere(object o)
        {
            int me = Machine.CpuIndex;
            faulted[me] = Faults.Catch(&ReadFault, probeAddress);
            faultVector[me] = Faults.LastVector;
            faultCr2[me] = Faults.LastCr2;
        }

        private static void RunEverywhere(delegate*<object, void> fn, Check t, string what)
        {
            for (int i = 0; i < PerCpu.Count; i++)
                if (Smp.Smp.Online(i)) t.True(Remote.RunOn(i, fn, null), what + " on cpu " + i);
        }

        private static void Reset(int n)
        {
            readValue = new ulong[n]; faultVector = new ulong[n]; faultCr2 = new ulong[n];
            readOk = new bool[n]; faulted = new bool[n];
        }

        // A page read on every CPU (each caches the translation), unmapped
        // on CPU 0: afterwards a read on every CPU faults (#PF at that
        // address), none returns the frame's contents.
        internal static void UnmapReachesEveryCpu(Check t)
        {
            int n = PerCpu.Count;
            ulong p = Page();
            if (!t.True(p != 0, "a frame for the test page")) return;
            Reset(n);
            probeAddress = p;
            *(ulong*)p = Marker;
            RunEverywhere(&ReadHere, t, "read the page");
            for (int i = 0; i < n; i++)
                if (Smp.Smp.Online(i)) t.True(readOk[i] && readValue[i] == Marker, "cpu " + i + " read the page (" + readValue[i] + ")");
            long[] handled0 = new long[n];
            for (int i = 0; i < n; i++) handled0[i] = Machine.TlbShootdownsHandled(i);
            long started0 = Machine.TlbShootdownsStarted(0);
            Machine.Unmap(p, 4096);
            t.False(Machine.IsMapped(p), "unmapped in the tables");
            int online = OnlineCount();
            t.Note(online + " CPU(s) online, " + Machine.TlbShootdownCpus + " take part in shootdowns");
            if (online > 1)
            {
                t.Equal(online, Machine.TlbShootdownCpus, "every running CPU takes part");
                t.Equal(started0 + 1, Machine.TlbShootdownsStarted(0), "cpu 0 started one shootdown");
                for (int i = 1; i < n; i++)
                    if (Smp.Smp.Online(i)) t.True(Machine.TlbShootdownsHandled(i) > handled0[i], "cpu " + i + " carried it out before Unmap returned");
            }
            else
            {
                t.Equal(started0, Machine.TlbShootdownsStarted(0), "one CPU: no shootdown sent");
            }
            RunEverywhere(&CatchHere, t, "read again");
            for (int i = 0; i < n; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                t.True(faulted[i], "cpu " + i + ": the read faults (no stale translation)");
                t.Equal(14, (long)faultVector[i], "cpu " + i + ": a page fault");
                t.EqualHex(p, faultCr2[i], "cpu " + i + ": at the unmapped page");
            }
            Machine.Map(p, 4096, CacheMode.WriteBack, PageAccess.ReadWrite);
            t.EqualHex(Marker, *(ulong*)p, "mapped again: the frame kept its contents");
            UnmapRangeWithFullFlush(t);
        }

        private static ulong range;      // RangePages frames of its own
        private const ulong RangePages = Machine.TlbFullFlushPages * 2;

        // A range above the per-page limit: the others flush their whole
        // TLB; a read of its last page (cached before) faults everywhere.
        private static void UnmapRangeWithFullFlush(Check t)
        {
            int n = PerCpu.Count;
            if (range == 0) range = Memory.PhysicalMemory.AllocatePages(RangePages, 4096);
            if (!t.True(range != 0, "frames for a " + RangePages + "-page range")) return;
            ulong last = range + (RangePages - 1) * 4096;
            *(ulong*)last = Marker + 1;
            Reset(n);
            probeAddress = last;
            RunEverywhere(&ReadHere, t, "read the range's last page");
            long[] full0 = new long[n];
            for (int i = 0; i < n; i++) full0[i] = Machine.TlbFullFlushes(i);
            Machine.Unmap(range, RangePages * 4096);
            RunEverywhere(&CatchHere, t, "read the range's last page again");
            for (int i = 0; i < n; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                t.True(readOk[i] && readValue[i] == Marker + 1, "cpu " + i + " read the last page before");
                t.True(faulted[i] && faultCr2[i] == last, "cpu " + i + ": it faults after the " + RangePages + "-page unmap");
                if (i > 0) t.Equal(full0[i] + 1, Machine.TlbFullFlushes(i), "cpu " + i + " flushed its whole TLB once");
            }
            Machine.Map(range, RangePages * 4096, CacheMode.WriteBack, PageAccess.ReadWrite);
        }

        // --- every CPU shooting at once ------------------------------------

        // 40 rounds each under -icount; 10 in plain emulation, where each
        // shootdown waits for the host to run every target's emulated CPU
        // (tens of ms each on a loaded host).
        private static int Rounds;
        private static ulong[] pages;
        private static volatile int go, finishedCount;
        private static int[] roundsDone;
        private static long[] began, ended;

        // Rounds of unmap and map of this CPU's own page; the last round
        // leaves it unmapped.
        private static void Shooter(object o)
        {
            int me = Machine.CpuIndex;
            long start = Machine.Now();
            while (go == 0 && Machine.Now() - start < WaitNs) Machine.SpinWaitHint();
            began[me] = Machine.Now();
            for (int r = 0; r < Rounds; r++)
            {
                Machine.Unmap(pages[me], 4096);
                if (r < Rounds - 1) Machine.Map(pages[me], 4096, CacheMode.WriteBack, PageAccess.ReadWrite);
                roundsDone[me]++;
            }
            ended[me] = Machine.Now();
#pragma warning disable 420     // an atomic add on the volatile counter: intended
            fixed (int* p = &finishedCount) Machine.TakeTicket((uint*)p);
#pragma warning restore 420
        }

        private static int[] stale;
        // On CPU `me`: every CPU's page must fault here.
        private static void CheckAllPages(object o)
        {
            int me = Machine.CpuIndex;
            for (int k = 0; k < pages.Length; k++)
            {
                if (pages[k] == 0) continue;
                ulong v;
                if (Faults.TryRead(pages[k], out v)) stale[me]++;
            }
        }

        // Every running CPU unmaps and maps its own page Rounds times, all
        // at once, so shootdowns cross: each initiator waits for the ticket
        // with interrupts off while carrying out the others' requests. All
        // finish; afterwards no CPU reads any of the (unmapped) pages.
        internal static void ConcurrentShootdowns(Check t)
        {
            int n = PerCpu.Count;
            int online = OnlineCount();
            if (online < 2) { t.Skip("one CPU: no shootdown to cross"); return; }
            Rounds = KernelMain.Options.ExactClock ? 40 : 10;
            pages = new ulong[n]; roundsDone = new int[n]; stale = new int[n]; began = new long[n]; ended = new long[n];
            for (int i = 0; i < n; i++)
                if (Smp.Smp.Online(i)) { pages[i] = Memory.PhysicalMemory.AllocatePages(1, 4096); *(ulong*)pages[i] = Marker + (ulong)i; }
            // Each CPU reads every page first: every TLB holds every translation.
            for (int k = 0; k < n; k++)
            {
                if (pages[k] == 0) continue;
                probeAddress = pages[k];
                Reset(n);
                RunEverywhere(&ReadHere, t, "read page " + k);
            }
            go = 0; finishedCount = 0;
            int spawned = 0;
            for (int i = 1; i < n; i++)
                if (Smp.Smp.Online(i) && t.True(Remote.SpawnOn(i, "tlb-shooter", &Shooter, null, 100) != null, "a shooter on cpu " + i)) spawned++;
            // Counted from here: the spawns above unmap their stacks' guard pages.
            long[] started0 = new long[n], handled0 = new long[n];
            for (int i = 0; i < n; i++) { started0[i] = Machine.TlbShootdownsStarted(i); handled0[i] = Machine.TlbShootdownsHandled(i); }
            long begin = Machine.Now();
            go = 1;
            Shooter(null);      // CPU 0's share, in the test thread
            // Plain emulation on a loaded host can take seconds (each
            // shootdown needs every target's emulated CPU to be run by the
            // host): wait while rounds progress, give up after 10 s with
            // none (a lost acknowledgement would have panicked after 5 s).
            int lastTotal = -1;
            long lastProgress = Machine.Now();
            while (finishedCount < spawned + 1)
            {
                int total = 0;
                for (int i = 0; i < n; i++) total += roundsDone[i];
                if (total != lastTotal) { lastTotal = total; lastProgress = Machine.Now(); }
                else if (Machine.Now() - lastProgress > WaitNs * 5) break;
                Threads.SleepFor(100000);
            }
            long took = Machine.Now() - begin;
            t.Equal(spawned + 1, finishedCount, "every CPU finished its rounds");
            string counts = "";
            for (int i = 0; i < n; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                t.Equal(Rounds, roundsDone[i], "rounds done on cpu " + i);
                long s = Machine.TlbShootdownsStarted(i) - started0[i], h = Machine.TlbShootdownsHandled(i) - handled0[i];
                counts += " cpu " + i + ": " + s + " started, " + h + " handled, rounds from " + (began[i] - begin) + " to " + (ended[i] - begin) + " ns;";
                t.Equal(Rounds, s, "shootdowns started by cpu " + i + " (one per unmap; maps of absent pages need none)");
                // One request at a time, each acknowledged by every other
                // CPU before the next: this CPU carried out every other
                // CPU's unmaps (and any other shootdown meanwhile).
                t.True(h >= (long)Rounds * (online - 1), "cpu " + i + " carried out the " + Rounds * (online - 1) + " unmaps of the others (" + h + ")");
            }
            t.Note(online + " CPUs x " + Rounds + " unmaps in " + took + " ns;" + counts);
            RunEverywhere(&CheckAllPages, t, "probe every page");
            int staleTotal = 0;
            for (int i = 0; i < n; i++) staleTotal += stale[i];
            t.Equal(0, staleTotal, "pages still readable on some CPU after the last unmaps");
            for (int i = 0; i < n; i++) if (pages[i] != 0) Machine.Map(pages[i], 4096, CacheMode.WriteBack, PageAccess.ReadWrite);
        }

        // The cost of one shootdown, seen by the initiator: Unmap of one
        // page on CPU 0 while the others idle (their idle threads halt;
        // the IPI wakes them), from the call to every acknowledgement.
        internal static void RoundTrip(Check t)
        {
            ulong p = Page();
            if (!t.True(p != 0, "a frame for the test page")) return;
            const int N = 50;
            long min = long.MaxValue, max = 0, total = 0;
            long handled0 = 0;
            for (int i = 1; i < PerCpu.Count; i++) handled0 += Machine.TlbShootdownsHandled(i);
            for (int r = 0; r < N; r++)
            {
                long t0 = Machine.Now();
                Machine.Unmap(p, 4096);
                long d = Machine.Now() - t0;
                Machine.Map(p, 4096, CacheMode.WriteBack, PageAccess.ReadWrite);
                if (d < min) min = d;
                if (d > max) max = d;
                total += d;
            }
            long handled = 0;
            for (int i = 1; i < PerCpu.Count; i++) handled += Machine.TlbShootdownsHandled(i);
            int online = OnlineCount();
            t.Note(online + " CPU(s): Unmap of one page " + (total / N) + " ns mean, " + min + " min, " + max + " max over " + N + (online > 1 ? " (each acknowledged by " + (online - 1) + " other CPU(s))" : " (no other CPU: no IPI)"));
            t.Bench(online > 1 ? "tlb_shootdown_round_trip_" + online + "cpu" : "tlb_unmap_local", total / N, "ns");
            t.Equal((long)N * (online - 1), handled - handled0, "requests carried out by the other CPUs (one each per unmap)");
        }
    }
}
