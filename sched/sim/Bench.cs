using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;

namespace Osprey.Sched.Sim
{
    /// <summary>
    /// bench-host: ns per release, pick-next, block and unblock with N ready threads, for
    /// each policy and two access patterns, and bytes allocated per operation, measured on
    /// the real core (SchedCore entry points) with a do-nothing platform.
    ///
    /// Method: BenchmarkDotNet, in process (ReadySetOps): every iteration times one
    /// operation (pick-next: a group of 64 calls), the untimed rest of the workload's step
    /// around it in the iteration setup and cleanup; BenchmarkDotNet subtracts its own
    /// overhead (the mean of empty iterations) and leaves out upper outliers (an interrupt
    /// or a preemption by another process, not the operation); its memory diagnoser gives
    /// the bytes allocated per operation. The whole table is measured R times, round after
    /// round (so a burst of load from other processes hits different cells in different
    /// rounds); the report gives the best round's mean and the spread (worst - best) / best
    /// over the rounds.
    ///
    /// The workload (the periodic and random patterns, the waiting threads, the CBS servers)
    /// is sched/measure/ReadySetBench.cs, shared with the kernel's bench suite, which runs it
    /// under -icount where its figures count instructions (no cache or load effects).
    /// </summary>
    public static class Bench
    {
        static readonly string[] AllPolicies = ReadySetBench.Policies;
        static readonly int[] AllSizes = { 10, 100, 1000, 10000 };
        static readonly string[] Ops = ReadySetBench.OpNames;
        static readonly ReadySetPattern[] AllPatterns = { ReadySetPattern.Periodic, ReadySetPattern.Random };

        static string F(double v, string fmt) { return v.ToString(fmt, CultureInfo.InvariantCulture); }

        public static int Run(TextWriter o, bool quick) { return Run(o, quick, quick ? 1 : 5, false, null); }

        /// <summary>The BenchmarkDotNet job: in process, one invocation per iteration, no forced collections.</summary>
        static IConfig Config(int iterations, int warmups, TextWriter log)
        {
            Job job = Job.Default
                .WithToolchain(InProcessNoEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithInvocationCount(1).WithUnrollFactor(1)
                .WithIterationCount(iterations).WithWarmupCount(warmups)
                .WithGcForce(false);
            return ManualConfig.CreateEmpty()
                .AddJob(job)
                .AddDiagnoser(MemoryDiagnoser.Default)
                .AddColumnProvider(DefaultColumnProviders.Instance)
                .AddLogger(new TextLogger(log))
                .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "osprey-bench-host"))
                .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary);
        }

        /// <summary>only: null, or policies, patterns and sizes to restrict the table to, separated by commas.</summary>
        public static int Run(TextWriter o, bool quick, int rounds, bool verbose, string only)
        {
            string[] policies = AllPolicies;
            int[] sizes = AllSizes;
            ReadySetPattern[] patterns = AllPatterns;
            if (only != null)
            {
                var pol = new List<string>();
                var siz = new List<int>();
                var pat = new List<ReadySetPattern>();
                foreach (string w in only.Split(','))
                {
                    int n;
                    if (Array.IndexOf(AllPolicies, w) >= 0) pol.Add(w);
                    else if (w == "periodic") pat.Add(ReadySetPattern.Periodic);
                    else if (w == "random") pat.Add(ReadySetPattern.Random);
                    else if (int.TryParse(w, out n) && Array.IndexOf(AllSizes, n) >= 0) siz.Add(n);
                    else { o.WriteLine("bench: --only: unknown policy, pattern or size '" + w + "'"); return 2; }
                }
                if (pol.Count > 0) policies = pol.ToArray();
                if (siz.Count > 0) sizes = siz.ToArray();
                if (pat.Count > 0) patterns = pat.ToArray();
            }
            if (rounds < 1) rounds = 1;
            int steps = quick ? 1500 : 6000;
            ReadySetOps.PolicyValues = policies;
            ReadySetOps.SizeValues = sizes;
            ReadySetOps.PatternValues = patterns;
            ReadySetOps.WarmupSteps = quick ? 500 : 2000;
            ReadySetOps.Errors.Clear();
            int np = policies.Length, nz = sizes.Length, nt = patterns.Length;
            var ns = new double[nt, np, Ops.Length, nz, rounds];
            var bytes = new double[nt, np, Ops.Length, nz];
            string logPath = Path.Combine(Path.GetTempPath(), "osprey-bench-host.log");
            using (var log = new StreamWriter(logPath, false))
            {
                for (int r = 0; r < rounds; r++)
                {
                    Summary sum = BenchmarkRunner.Run<ReadySetOps>(Config(steps, quick ? 50 : 200, log));
                    if (sum.HasCriticalValidationErrors || sum.Reports.Length == 0)
                    {
                        o.WriteLine("bench: BenchmarkDotNet did not run the benchmarks; see " + logPath);
                        foreach (var e in sum.ValidationErrors) o.WriteLine("bench: " + e.Message);
                        return 1;
                    }
                    foreach (BenchmarkReport rep in sum.Reports)
                    {
                        var c = rep.BenchmarkCase;
                        int a = Array.IndexOf(patterns, (ReadySetPattern)c.Parameters["Pattern"]);
                        int p = Array.IndexOf(policies, (string)c.Parameters["Policy"]);
                        int z = Array.IndexOf(sizes, (int)c.Parameters["N"]);
                        int op = Array.IndexOf(Ops, ReadySetOps.OpName(c.Descriptor.WorkloadMethod.Name));
                        if (rep.ResultStatistics == null)
                        {
                            o.WriteLine("bench: no result for " + c.DisplayInfo + "; see " + logPath);
                            return 1;
                        }
                        ns[a, p, op, z, r] = Math.Max(0, rep.ResultStatistics.Mean);
                        long? b = rep.GcStats.GetBytesAllocatedPerOperation(c);
                        bytes[a, p, op, z] = Math.Max(bytes[a, p, op, z], b ?? 0);
                        if (verbose)
                            o.WriteLine("round " + r + " " + ReadySetBench.PatternName(patterns[a]) + " " + policies[p] + " N=" + sizes[z] + " " + Ops[op]
                                + ": " + F(ns[a, p, op, z, r], "0.0") + " ns, " + (b ?? 0) + " bytes");
                    }
                    if (ReadySetOps.Errors.Count > 0) { o.WriteLine("bench: " + ReadySetOps.Errors[0]); return 1; }
                }
            }
            Print(o, rounds, steps, policies, sizes, patterns, ns, bytes);
            return 0;
        }

        static void Print(TextWriter o, int rounds, int steps, string[] policies, int[] sizes, ReadySetPattern[] patterns, double[,,,,] ns, double[,,,] bytes)
        {
            int np = policies.Length, nz = sizes.Length, nt = patterns.Length;
            o.WriteLine("bench-host: ns per operation on the real core (BenchmarkDotNet, in process): best of " + rounds + " round(s) of per-operation means without outliers"
                + " (" + steps + " samples per cell and round), +-spread = (worst - best) / best over the rounds;"
                + " [bytes allocated per operation, memory diagnoser]");
            o.WriteLine("N = ready threads; ratio = N=" + sizes[nz - 1] + " / N=" + sizes[0] + " (targets: priority flat, edf within 2x from 10 to 10000, 0 bytes)");
            var best = new double[nt, np, Ops.Length, nz];
            var spread = new double[nt, np, Ops.Length, nz];
            for (int a = 0; a < nt; a++)
            {
                o.WriteLine();
                if (patterns[a] == ReadySetPattern.Periodic)
                    o.WriteLine("pattern periodic: equal periods T, jobs released in time order with deadline release + T (at or beyond every queued deadline);"
                        + " release = the running (most urgent) thread's next job; block = its job ends; unblock = the longest waiting thread, its next job just released");
                else
                    o.WriteLine("pattern random: act on a random ready thread; release = a random deadline in [now + W, now + 2W), W = 150 ns x threads (a random place, mostly the upper part);"
                        + " block = it blocks; unblock = the longest-blocked thread, deadline unchanged (anywhere in the tree)");
                string head = string.Format("{0,-9} {1,-10}", "policy", "op");
                for (int z = 0; z < nz; z++) head += string.Format(" {0,20}", "N=" + sizes[z]);
                o.WriteLine(head + string.Format(" {0,7}", "ratio"));
                for (int p = 0; p < np; p++)
                    for (int op = 0; op < Ops.Length; op++)
                    {
                        string line = string.Format("{0,-9} {1,-10}", policies[p], Ops[op]);
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
                            string cell = F(lo, "0.0") + " +-" + F(spread[a, p, op, z] * 100, "0") + "% [" + F(bytes[a, p, op, z], "0.##") + "]";
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
                    if (policies[p] == "priority" || nz < 2) continue;
                    string misses = "";
                    for (int op = 0; op < Ops.Length; op++)
                    {
                        double ratio = best[a, p, op, 0] > 0 ? best[a, p, op, nz - 1] / best[a, p, op, 0] : 0;
                        if (ratio > 2.0) misses += " " + Ops[op] + " (" + F(ratio, "0.00") + "x)";
                    }
                    o.WriteLine("target " + policies[p] + " " + ReadySetBench.PatternName(patterns[a]) + ": N=" + sizes[nz - 1] + " within 2x of N=" + sizes[0] + ": "
                        + (misses.Length == 0 ? "met for every operation" : "MISSED for" + misses));
                }
            string alloc = "";
            for (int a = 0; a < nt; a++)
                for (int p = 0; p < np; p++)
                    for (int op = 0; op < Ops.Length; op++)
                        for (int z = 0; z < nz; z++)
                            if (bytes[a, p, op, z] > 0)
                                alloc += " " + policies[p] + " " + ReadySetBench.PatternName(patterns[a]) + " " + Ops[op] + " N=" + sizes[z] + " (" + F(bytes[a, p, op, z], "0.##") + " bytes)";
            o.WriteLine("target allocation: 0 bytes per operation: " + (alloc.Length == 0 ? "met for every operation" : "MISSED for" + alloc));
            o.WriteLine();
            for (int a = 0; a < nt; a++)
                for (int p = 0; p < np; p++)
                    for (int op = 0; op < Ops.Length; op++)
                        for (int z = 0; z < nz; z++)
                        {
                            string key = "BENCH host " + policies[p] + " " + ReadySetBench.PatternName(patterns[a]) + " " + Ops[op] + " " + sizes[z];
                            o.WriteLine(key + " " + F(best[a, p, op, z], "0.0") + " ns spread=" + F(spread[a, p, op, z] * 100, "0") + "%");
                            o.WriteLine("BENCH host " + policies[p] + " " + ReadySetBench.PatternName(patterns[a]) + " " + Ops[op] + "-alloc " + sizes[z] + " " + F(bytes[a, p, op, z], "0.##") + " bytes");
                        }
        }

        /// <summary>BenchmarkDotNet's own progress and summary, to a file (the table is the report).</summary>
        sealed class TextLogger : ILogger
        {
            readonly TextWriter _w;
            public TextLogger(TextWriter w) { _w = w; }
            public string Id => "osprey-bench-host";
            public int Priority => 0;
            public void Write(LogKind logKind, string text) { _w.Write(text); }
            public void WriteLine() { _w.WriteLine(); }
            public void WriteLine(LogKind logKind, string text) { _w.WriteLine(text); }
            public void Flush() { _w.Flush(); }
        }
    }
}
