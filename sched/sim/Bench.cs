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
    /// The workload (the periodic and random patterns, the waiting threads, the CBS servers)
    /// is sched/measure/ReadySetBench.cs, shared with the kernel's bench suite, which runs it
    /// under -icount where its figures count instructions (no cache or load effects).
    /// </summary>
    public static class Bench
    {
        public enum Pattern { Periodic, Random }

        static readonly string[] AllPolicies = ReadySetBench.Policies;
        static readonly int[] AllSizes = { 10, 100, 1000, 10000 };
        static string[] Policies = AllPolicies;
        static int[] Sizes = AllSizes;
        static readonly string[] Ops = ReadySetBench.OpNames;
        static readonly Pattern[] AllPatterns = { Pattern.Periodic, Pattern.Random };
        static Pattern[] Patterns = AllPatterns;
        const int OpRelease = ReadySetBench.OpRelease, OpPick = ReadySetBench.OpPick, OpBlock = ReadySetBench.OpBlock, OpUnblock = ReadySetBench.OpUnblock;
        const int PickGroup = 64;

        static string PatternName(Pattern p) { return p == Pattern.Periodic ? "periodic" : "random"; }

        static ReadySetBench Build(string policy, int n, Pattern pattern, int seed)
        {
            string err;
            var b = ReadySetBench.Create(policy, n, pattern == Pattern.Periodic ? ReadySetPattern.Periodic : ReadySetPattern.Random, seed, out err);
            if (b == null) throw new Exception("bench: " + err);
            return b;
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

        /// <summary>count steps of: release; pick-next group; block; unblock, each operation timed on its own.</summary>
        static void Run(ReadySetBench s, int count, Samples sm)
        {
            SchedThread sink = null;
            for (int step = 0; step < count; step++)
            {
                s.PrepareRelease();
                Timed(s, sm, OpRelease);

                long b0 = GC.GetAllocatedBytesForCurrentThread();
                long t0 = Stopwatch.GetTimestamp();
                for (int k = 0; k < PickGroup; k++) sink = s.Pick();
                long t1 = Stopwatch.GetTimestamp();
                sm.Bytes[OpPick] += GC.GetAllocatedBytesForCurrentThread() - b0;
                sm.Ops[OpPick] += PickGroup;
                if (sm.Count[OpPick] < sm.Ticks[OpPick].Length) sm.Ticks[OpPick][sm.Count[OpPick]++] = (t1 - t0) * 1000 / PickGroup;

                s.PrepareBlock();
                Timed(s, sm, OpBlock);
                s.PrepareUnblock();
                Timed(s, sm, OpUnblock);
            }
            GC.KeepAlive(sink);
        }

        /// <summary>One prepared release, block or unblock, timed with its bytes allocated, then the switch to the heir (untimed).</summary>
        static void Timed(ReadySetBench s, Samples sm, int op)
        {
            long b0 = GC.GetAllocatedBytesForCurrentThread();
            long t0 = Stopwatch.GetTimestamp();
            s.Perform(op);
            long t1 = Stopwatch.GetTimestamp();
            sm.Bytes[op] += GC.GetAllocatedBytesForCurrentThread() - b0;
            sm.Ops[op]++;
            Add(sm, op, t1 - t0);
            s.Settle();
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
            var setups = new ReadySetBench[nt, np, nz];
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
                            ReadySetBench s = setups[a, p, z];
                            sm.Reset();
                            // Warm-up: JIT, and every thread's data at least once through the caches.
                            Run(s, Math.Max(quick ? 500 : 2000, s.Threads), sm);
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
                            string err = s.Check();
                            if (err != null) { o.WriteLine("bench: " + err); return 1; }
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
