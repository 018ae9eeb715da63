using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace Osprey.Sched.Sim
{
    /// <summary>
    /// bench-host: ns per release, pick-next, block and unblock with N ready threads, for
    /// each policy and two access patterns, and bytes allocated per operation, measured on
    /// the real core (SchedCore entry points) with a do-nothing platform.
    ///
    /// Method: every release, block and unblock is timed on its own with two
    /// Stopwatch.GetTimestamp calls (their own cost, the mean of empty pairs, is
    /// subtracted); pick-next is timed in groups of 64 calls. A cell's figure for one round
    /// is the mean over its samples without outliers (see MeanNs), after a warm-up that
    /// touches every thread. The whole
    /// table is measured R times, round after round (so a burst of load from other processes
    /// hits different cells in different rounds); the report gives the best round's figure
    /// and the spread (worst - best) / best over the rounds.
    ///
    /// Patterns (what the operations act on):
    ///  - periodic: implicit-deadline periodic tasks sharing one period T, in EDF steady
    ///    state. Jobs are released in time order, each with the deadline release time + T,
    ///    so every new deadline is at or beyond every queued one. The thread acted on is the
    ///    most urgent one (Highest: the one that runs): release gives it its next job (a
    ///    postponed job released to a running thread); block is its job finishing (it waits
    ///    for its period); unblock wakes the thread that has waited longest, right after
    ///    its next job was released (untimed), as the period timer does.
    ///  - random: the thread acted on is a uniformly random ready thread; release gives it
    ///    a deadline uniformly random in [now + W, now + 2W), W = (N + M) x 150 ns (the bench
    ///    clock advances 150 ns per step), so it lands at a random place among the ready
    ///    deadlines (mostly in the upper part: threads not released for a while sit below);
    ///    block is it blocking on a resource; unblock wakes the thread that blocked longest
    ///    ago, with its unchanged deadline (a random place in the tree).
    /// In both patterns M = clamp(N/10, 1, 64) further threads wait in a FIFO, so the ready
    /// set holds N threads before every operation. Under fixed priority the same code runs
    /// (release is a no-op there, Highest is the most urgent priority). Under CBS every
    /// thread has a soft server with period T (periodic) or W (random) (budgets sum to 1/2); a
    /// release with a deadline earlier than the server's keeps the server's (CBS rule).
    /// After each operation the core dispatches its heir (untimed), as the platform would, so
    /// the most urgent thread is the executing one (and, in the periodic pattern, the one
    /// that releases or blocks). The figures are the ready-set work plus the core's
    /// entry-point work (charging the executing thread, choosing the heir, requesting a
    /// switch); the clock advances 50 ns per operation so charging is real.
    /// </summary>
    public static class Bench
    {
        sealed class NullPlatform : Platform
        {
            public long Clock = 1000000;
            public override long Now() { return Clock; }
            public override void ArmTimer(long absoluteNs) { }
            public override void RequestSwitch() { }
        }

        public enum Pattern { Periodic, Random }

        static readonly string[] AllPolicies = { "priority", "edf", "cbs" };
        static readonly int[] AllSizes = { 10, 100, 1000, 10000 };
        static string[] Policies = AllPolicies;
        static int[] Sizes = AllSizes;
        static readonly string[] Ops = { "release", "pick-next", "block", "unblock" };
        static readonly Pattern[] AllPatterns = { Pattern.Periodic, Pattern.Random };
        static Pattern[] Patterns = AllPatterns;
        const int OpRelease = 0, OpPick = 1, OpBlock = 2, OpUnblock = 3;
        const int PickGroup = 64;

        static string PatternName(Pattern p) { return p == Pattern.Periodic ? "periodic" : "random"; }

        sealed class Setup
        {
            public NullPlatform Platform = new NullPlatform();
            public SchedCore Core;
            public Scheduler Sched;
            public Pattern Pattern;
            public int N;
            public SchedThread[] Threads;   // Id = index + 1
            public PriorityNode[] Nodes;
            public long[] Deadlines;
            public long Period;             // periodic: the common period T; random: the window W
            public long ReleaseClock;       // periodic: the time of the latest release
            public int[] Waiting;           // FIFO of waiting (blocked) thread indices
            public int WaitHead, WaitCount;
            public ulong Rng;

            public int NextInt(int bound)
            {
                Rng ^= Rng << 13; Rng ^= Rng >> 7; Rng ^= Rng << 17;
                return (int)((Rng >> 1) % (ulong)bound);
            }

            public long NextLong(long bound)
            {
                Rng ^= Rng << 13; Rng ^= Rng >> 7; Rng ^= Rng << 17;
                return (long)((Rng >> 1) % (ulong)bound);
            }

            public int Index(SchedThread t) { return t.Id - 1; }

            public void PushWaiting(int i)
            {
                Waiting[(WaitHead + WaitCount) % Waiting.Length] = i;
                WaitCount++;
            }

            public int PopWaiting()
            {
                int i = Waiting[WaitHead];
                WaitHead = (WaitHead + 1) % Waiting.Length;
                WaitCount--;
                return i;
            }

            /// <summary>The thread the next release/block acts on (see the patterns).</summary>
            public int Victim()
            {
                if (Pattern == Pattern.Periodic) return Index(Sched.Highest());
                while (true)
                {
                    int i = NextInt(Threads.Length);
                    if (Threads[i].IsReady) return i;
                }
            }

            public long NewDeadline(int i)
            {
                if (Pattern == Pattern.Periodic)
                {
                    ReleaseClock += Period / Threads.Length; // one release every T / (N + M)
                    return ReleaseClock + Period;
                }
                return Platform.Clock + Period + 1 + NextLong(Period);
            }
        }

        static Setup Build(string policy, int n, Pattern pattern, int seed)
        {
            var s = new Setup();
            s.N = n;
            s.Pattern = pattern;
            s.Rng = 0x9E3779B97F4A7C15UL ^ (ulong)(seed * 1000003 + n);
            int m = Math.Clamp(n / 10, 1, 64);
            int total = n + m;
            Scheduler sched;
            if (policy == "cbs") sched = new CbsScheduler(total);
            else { string err; sched = SchedulerTable.Create(policy, out err); }
            s.Sched = sched;
            s.Core = new SchedCore(s.Platform, sched, null);
            s.Threads = new SchedThread[total];
            s.Nodes = new PriorityNode[total];
            s.Deadlines = new long[total];
            s.Waiting = new int[m + 1];
            s.Period = pattern == Pattern.Periodic ? (long)total * 10000 : (long)total * 150;
            for (int i = 0; i < total; i++)
            {
                var t = new SchedThread(i + 1, 1 + s.NextInt(254), "b" + i);
                s.Core.AddThread(t);
                if (policy == "cbs")
                {
                    // Budgets sum to half the CPU, so every server is admitted.
                    var srv = new CbsServer(i + 1, Math.Max(1, s.Period / (2 * total)), s.Period, CbsMode.Soft);
                    CbsAdmission a;
                    if (((CbsScheduler)sched).Attach(t, srv, out a) != CbsStatus.Ok) throw new Exception(a.Message);
                }
                s.Core.Start(t);
                s.Nodes[i] = new PriorityNode();
                // Later than the deadline the CBS wake-up rule gave at Start (now + server period).
                s.Deadlines[i] = s.Platform.Clock + s.Period + 1 + s.NextLong(s.Period);
                if (s.Deadlines[i] - s.Period > s.ReleaseClock) s.ReleaseClock = s.Deadlines[i] - s.Period;
                s.Core.ReleaseJob(t, s.Nodes[i], s.Deadlines[i]);
                s.Threads[i] = t;
            }
            // M threads start waiting, chosen as the pattern chooses.
            for (int k = 0; k < m; k++)
            {
                int i = s.Victim();
                s.Core.Block(s.Threads[i]);
                s.PushWaiting(i);
            }
            if (s.Core.DispatchNeeded) s.Core.Dispatch();
            return s;
        }

        static void Release(Setup s, int i)
        {
            long d = s.NewDeadline(i);
            s.Deadlines[i] = d;
            s.Core.ReleaseJob(s.Threads[i], s.Nodes[i], d);
        }

        /// <summary>Samples of one round: per-op ticks for release, pick-next (per call), block, unblock.</summary>
        sealed class Samples
        {
            public readonly long[][] Ticks = new long[4][];
            public readonly int[] Count = new int[4];
            public readonly long[] Bytes = new long[4];
            public readonly long[] Ops = new long[4];
            public Samples(int cap) { for (int k = 0; k < 4; k++) Ticks[k] = new long[cap]; }
            public void Reset() { for (int k = 0; k < 4; k++) { Count[k] = 0; Bytes[k] = 0; Ops[k] = 0; } }
        }

        /// <summary>Mean cost of an empty pair of timestamps, ticks (subtracted from every sample).</summary>
        static double overheadTicks;

        static double MeasureOverhead()
        {
            var a = new long[50001];
            for (int i = 0; i < a.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                long t1 = Stopwatch.GetTimestamp();
                a[i] = t1 - t0;
            }
            Array.Sort(a);
            long cut = a[a.Length / 2] * 4;
            double sum = 0;
            int used = 0;
            for (int k = 0; k < a.Length && a[k] <= cut; k++) { sum += a[k]; used++; }
            return sum / used;
        }

        static void Add(Samples sm, int op, long ticks)
        {
            if (sm.Count[op] < sm.Ticks[op].Length) sm.Ticks[op][sm.Count[op]++] = ticks;
        }

        /// <summary>
        /// One timed operation on t (release with deadline d, block or unblock), its bytes
        /// allocated, then the platform's switch to the new heir (untimed).
        /// </summary>
        static void Timed(Setup s, Samples sm, int op, SchedThread t, PriorityNode node, long d)
        {
            SchedCore core = s.Core;
            s.Platform.Clock += 50;
            long b0 = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp();
            if (op == OpRelease) core.ReleaseJob(t, node, d);
            else if (op == OpBlock) core.Block(t);
            else core.Unblock(t);
            long t1 = Stopwatch.GetTimestamp();
            sm.Bytes[op] += GC.GetAllocatedBytesForCurrentThread() - b0;
            sm.Ops[op]++;
            Add(sm, op, t1 - t0);
            if (core.DispatchNeeded) core.Dispatch();
        }

        /// <summary>count steps of: release; pick-next group; block; unblock (periodic: after a release).</summary>
        static void Run(Setup s, int count, Samples sm)
        {
            Scheduler sched = s.Sched;
            SchedThread sink = null;
            for (int step = 0; step < count; step++)
            {
                // release: the victim's next job
                int i = s.Victim();
                long d = s.NewDeadline(i);
                s.Deadlines[i] = d;
                Timed(s, sm, OpRelease, s.Threads[i], s.Nodes[i], d);

                // pick-next
                long b0 = GC.GetAllocatedBytesForCurrentThread();
                long t0 = Stopwatch.GetTimestamp();
                for (int k = 0; k < PickGroup; k++) sink = sched.Highest();
                long t1 = Stopwatch.GetTimestamp();
                sm.Bytes[OpPick] += GC.GetAllocatedBytesForCurrentThread() - b0;
                sm.Ops[OpPick] += PickGroup;
                if (sm.Count[OpPick] < sm.Ticks[OpPick].Length) sm.Ticks[OpPick][sm.Count[OpPick]++] = (t1 - t0) * 1000 / PickGroup;

                // block
                i = s.Victim();
                Timed(s, sm, OpBlock, s.Threads[i], null, 0);
                s.PushWaiting(i);

                // unblock the longest waiting thread (periodic: its period ended, its next job is released first)
                int u = s.PopWaiting();
                if (s.Pattern == Pattern.Periodic) Release(s, u);
                Timed(s, sm, OpUnblock, s.Threads[u], null, 0);
            }
            GC.KeepAlive(sink);
        }

        /// <summary>
        /// Mean ns per operation of the samples, leaving out those beyond 4 x median + 500 ns
        /// (an interrupt or a preemption by another process, not the operation). The mean and
        /// not the median: the clock ticks in 10 ns steps here, and the mean of many quantized
        /// samples with random phase is unbiased where the median is not.
        /// </summary>
        static double MeanNs(Samples sm, int op)
        {
            int c = sm.Count[op];
            if (c == 0) return 0;
            long[] a = sm.Ticks[op];
            Array.Sort(a, 0, c);
            long cut = a[c / 2] * 4 + 500 * Stopwatch.Frequency / 1000000000L;
            double sum = 0;
            int used = 0;
            for (int k = 0; k < c && a[k] <= cut; k++) { sum += a[k]; used++; }
            double ticks = sum / used - (op == OpPick ? overheadTicks * 1000.0 / PickGroup : overheadTicks);
            if (op == OpPick) ticks /= 1000.0;
            if (ticks < 0) ticks = 0;
            return ticks * 1e9 / Stopwatch.Frequency;
        }

        static string F(double v, string fmt) { return v.ToString(fmt, CultureInfo.InvariantCulture); }

        public static int Run(TextWriter o, bool quick) { return Run(o, quick, quick ? 1 : 5, false, null); }

        /// <summary>only: null, or policies, patterns and sizes to restrict the table to, separated by commas.</summary>
        public static int Run(TextWriter o, bool quick, int rounds, bool verbose, string only)
        {
            Policies = AllPolicies;
            Sizes = AllSizes;
            Patterns = AllPatterns;
            if (only != null)
            {
                var pol = new System.Collections.Generic.List<string>();
                var siz = new System.Collections.Generic.List<int>();
                var pat = new System.Collections.Generic.List<Pattern>();
                foreach (string w in only.Split(','))
                {
                    int n;
                    if (Array.IndexOf(AllPolicies, w) >= 0) pol.Add(w);
                    else if (w == "periodic") pat.Add(Pattern.Periodic);
                    else if (w == "random") pat.Add(Pattern.Random);
                    else if (int.TryParse(w, out n) && Array.IndexOf(AllSizes, n) >= 0) siz.Add(n);
                    else { o.WriteLine("bench: --only: unknown policy, pattern or size '" + w + "'"); return 2; }
                }
                if (pol.Count > 0) Policies = pol.ToArray();
                if (siz.Count > 0) Sizes = siz.ToArray();
                if (pat.Count > 0) Patterns = pat.ToArray();
            }
            if (rounds < 1) rounds = 1;
            int steps = quick ? 1500 : 6000;
            int np = Policies.Length, nz = Sizes.Length, nt = Patterns.Length;
            var setups = new Setup[nt, np, nz];
            for (int a = 0; a < nt; a++)
                for (int p = 0; p < np; p++)
                    for (int z = 0; z < nz; z++)
                        setups[a, p, z] = Build(Policies[p], Sizes[z], Patterns[a], 42 + Array.IndexOf(AllSizes, Sizes[z]));
            // results[a, p, op, z, round]
            var ns = new double[nt, np, Ops.Length, nz, rounds];
            var bytes = new long[nt, np, Ops.Length, nz];
            var ops = new long[nt, np, Ops.Length, nz];
            var sm = new Samples(steps);
            // A throwaway round: the JIT's tiered compilation replaces the first, quickly
            // compiled code with optimized code after enough calls (and a short delay).
            for (int a = 0; a < nt; a++)
                for (int p = 0; p < np; p++)
                    for (int z = 0; z < nz; z++)
                    {
                        sm.Reset();
                        Run(setups[a, p, z], 1000, sm);
                    }
            System.Threading.Thread.Sleep(300);
            for (int r = 0; r < rounds; r++)
            {
                overheadTicks = MeasureOverhead();
                for (int a = 0; a < nt; a++)
                    for (int p = 0; p < np; p++)
                        for (int z = 0; z < nz; z++)
                        {
                            Setup s = setups[a, p, z];
                            sm.Reset();
                            // Warm-up: JIT, and every thread's data at least once through the caches.
                            Run(s, Math.Max(quick ? 500 : 2000, s.Threads.Length), sm);
                            sm.Reset();
                            Run(s, steps, sm);
                            for (int op = 0; op < Ops.Length; op++)
                            {
                                ns[a, p, op, z, r] = MeanNs(sm, op);
                                bytes[a, p, op, z] += sm.Bytes[op];
                                ops[a, p, op, z] += sm.Ops[op];
                            }
                            if (verbose)
                                o.WriteLine("round " + r + " " + PatternName(Patterns[a]) + " " + Policies[p] + " N=" + Sizes[z] + " overhead " + F(overheadTicks, "0.0")
                                    + ": " + F(ns[a, p, 0, z, r], "0.0") + " " + F(ns[a, p, 1, z, r], "0.0") + " " + F(ns[a, p, 2, z, r], "0.0") + " " + F(ns[a, p, 3, z, r], "0.0"));
                            string err = s.Core.CheckInvariants();
                            if (err != null) { o.WriteLine("bench: invariant broken: " + err); return 1; }
                            if (s.Sched.ReadyCount != s.N) { o.WriteLine("bench: ready set holds " + s.Sched.ReadyCount + " threads, expected " + s.N); return 1; }
                        }
            }

            o.WriteLine("bench-host: ns per operation on the real core: best of " + rounds + " round(s) of per-operation means without outliers"
                + " (" + steps + " samples per cell and round), +-spread = (worst - best) / best over the rounds;"
                + " [bytes allocated per operation]");
            o.WriteLine("N = ready threads; ratio = N=" + Sizes[nz - 1] + " / N=" + Sizes[0] + " (targets: priority flat, edf within 2x from 10 to 10000, 0 bytes)");
            var best = new double[nt, np, Ops.Length, nz];
            var spread = new double[nt, np, Ops.Length, nz];
            for (int a = 0; a < nt; a++)
            {
                o.WriteLine();
                if (Patterns[a] == Pattern.Periodic)
                    o.WriteLine("pattern periodic: equal periods T, jobs released in time order with deadline release + T (at or beyond every queued deadline);"
                        + " release = the running (most urgent) thread's next job; block = its job ends; unblock = the longest waiting thread, its next job just released");
                else
                    o.WriteLine("pattern random: act on a random ready thread; release = a random deadline in [now + W, now + 2W), W = 150 ns x threads (a random place, mostly the upper part);"
                        + " block = it blocks; unblock = the longest-blocked thread, deadline unchanged (anywhere in the tree)");
                string head = string.Format("{0,-9} {1,-10}", "policy", "op");
                for (int z = 0; z < nz; z++) head += string.Format(" {0,20}", "N=" + Sizes[z]);
                o.WriteLine(head + string.Format(" {0,7}", "ratio"));
                for (int p = 0; p < np; p++)
                    for (int op = 0; op < Ops.Length; op++)
                    {
                        string line = string.Format("{0,-9} {1,-10}", Policies[p], Ops[op]);
                        for (int z = 0; z < nz; z++)
                        {
                            double lo = double.MaxValue, hi = 0;
                            for (int r = 0; r < rounds; r++)
                            {
                                double v = ns[a, p, op, z, r];
                                if (v < lo) lo = v;
                                if (v > hi) hi = v;
                            }
                            best[a, p, op, z] = lo;
                            spread[a, p, op, z] = lo > 0 ? (hi - lo) / lo : 0;
                            double bpo = ops[a, p, op, z] == 0 ? 0 : (double)bytes[a, p, op, z] / ops[a, p, op, z];
                            string cell = F(lo, "0.0") + " +-" + F(spread[a, p, op, z] * 100, "0") + "% [" + F(bpo, "0.##") + "]";
                            line += string.Format(" {0,20}", cell);
                        }
                        double ratio = best[a, p, op, 0] > 0 ? best[a, p, op, nz - 1] / best[a, p, op, 0] : 0;
                        line += string.Format(" {0,7}", F(ratio, "0.00") + "x");
                        o.WriteLine(line);
                    }
            }
            o.WriteLine();
            for (int a = 0; a < nt; a++)
                for (int p = 0; p < np; p++)
                {
                    if (Policies[p] == "priority" || nz < 2) continue;
                    string misses = "";
                    for (int op = 0; op < Ops.Length; op++)
                    {
                        double ratio = best[a, p, op, 0] > 0 ? best[a, p, op, nz - 1] / best[a, p, op, 0] : 0;
                        if (ratio > 2.0) misses += " " + Ops[op] + " (" + F(ratio, "0.00") + "x)";
                    }
                    o.WriteLine("target " + Policies[p] + " " + PatternName(Patterns[a]) + ": N=" + Sizes[nz - 1] + " within 2x of N=" + Sizes[0] + ": "
                        + (misses.Length == 0 ? "met for every operation" : "MISSED for" + misses));
                }
            o.WriteLine();
            for (int a = 0; a < nt; a++)
                for (int p = 0; p < np; p++)
                    for (int op = 0; op < Ops.Length; op++)
                        for (int z = 0; z < nz; z++)
                        {
                            string key = "BENCH host " + Policies[p] + " " + PatternName(Patterns[a]) + " " + Ops[op] + " " + Sizes[z];
                            double bpo = ops[a, p, op, z] == 0 ? 0 : (double)bytes[a, p, op, z] / ops[a, p, op, z];
                            o.WriteLine(key + " " + F(best[a, p, op, z], "0.0") + " ns spread=" + F(spread[a, p, op, z] * 100, "0") + "%");
                            o.WriteLine("BENCH host " + Policies[p] + " " + PatternName(Patterns[a]) + " " + Ops[op] + "-alloc " + Sizes[z] + " " + F(bpo, "0.##") + " bytes");
                        }
            return 0;
        }
    }
}
