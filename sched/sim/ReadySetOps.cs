using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace Osprey.Sched.Sim
{
    /// <summary>
    /// The BenchmarkDotNet benchmarks of bench-host: one release, pick-next, block or unblock
    /// of the ready-set workload (sched/measure/ReadySetBench.cs) per iteration, on the real
    /// core with N ready threads. Every iteration is one invocation: the iteration setup
    /// prepares the operation and does the untimed rest of the step before it, the cleanup
    /// the untimed rest after it (the switch to the heir, the other operations), so the
    /// ready set holds N threads before every timed call, as in the kernel's bench suite.
    /// Pick-next changes nothing and is timed in groups of <see cref="PickGroup"/> calls.
    /// </summary>
    public class ReadySetOps
    {
        public const int PickGroup = 64;
        const int OpRelease = ReadySetBench.OpRelease, OpBlock = ReadySetBench.OpBlock, OpUnblock = ReadySetBench.OpUnblock;

        /// <summary>The cells to measure (set by Bench before a run; --only narrows them).</summary>
        public static string[] PolicyValues = ReadySetBench.Policies;
        public static ReadySetPattern[] PatternValues = { ReadySetPattern.Periodic, ReadySetPattern.Random };
        public static int[] SizeValues = { 10, 100, 1000, 10000 };
        /// <summary>Untimed steps in the global setup: every thread's data through the caches at least once.</summary>
        public static int WarmupSteps = 2000;

        public static IEnumerable<string> Policies() => PolicyValues;
        public static IEnumerable<ReadySetPattern> Patterns() => PatternValues;
        public static IEnumerable<int> Sizes() => SizeValues;

        [ParamsSource(nameof(Patterns))] public ReadySetPattern Pattern;
        [ParamsSource(nameof(Policies))] public string Policy;
        [ParamsSource(nameof(Sizes))] public int N;

        ReadySetBench s;
        SchedThread sink;

        /// <summary>Seeds as the kernel's suite: 42 + the size's place in 10, 100, 1000, 10000.</summary>
        public static int Seed(int n) => 42 + Math.Max(0, Array.IndexOf(new[] { 10, 100, 1000, 10000 }, n));

        [GlobalSetup]
        public void Setup()
        {
            string err;
            s = ReadySetBench.Create(Policy, N, Pattern, Seed(N), out err);
            if (s == null) throw new InvalidOperationException("bench: " + err);
            for (int i = Math.Max(WarmupSteps, s.Threads); i > 0; i--) s.Step();
        }

        /// <summary>Null when the core's invariants held through the run, else what is wrong.</summary>
        [GlobalCleanup]
        public void Cleanup()
        {
            string err = s.Check();
            if (err != null) Errors.Add(Pattern + " " + Policy + " N=" + N + ": " + err);
        }

        /// <summary>Invariant violations seen by the cleanups (the runs are in process).</summary>
        public static readonly List<string> Errors = new List<string>();

        void ReleasePart() { s.PrepareRelease(); s.Perform(OpRelease); s.Settle(); }
        void BlockPart() { s.PrepareBlock(); s.Perform(OpBlock); s.Settle(); }
        void UnblockPart() { s.PrepareUnblock(); s.Perform(OpUnblock); s.Settle(); }

        [IterationSetup(Target = nameof(Release))] public void BeforeRelease() { s.PrepareRelease(); }
        [Benchmark] public void Release() { s.Perform(OpRelease); }
        [IterationCleanup(Target = nameof(Release))] public void AfterRelease() { s.Settle(); BlockPart(); UnblockPart(); }

        [IterationSetup(Target = nameof(PickNext))] public void BeforePick() { ReleasePart(); }
        [Benchmark(OperationsPerInvoke = PickGroup)]
        public void PickNext()
        {
            for (int k = 0; k < PickGroup; k++) sink = s.Pick();
        }
        [IterationCleanup(Target = nameof(PickNext))] public void AfterPick() { BlockPart(); UnblockPart(); }

        [IterationSetup(Target = nameof(Block))] public void BeforeBlock() { ReleasePart(); s.PrepareBlock(); }
        [Benchmark] public void Block() { s.Perform(OpBlock); }
        [IterationCleanup(Target = nameof(Block))] public void AfterBlock() { s.Settle(); UnblockPart(); }

        [IterationSetup(Target = nameof(Unblock))] public void BeforeUnblock() { ReleasePart(); BlockPart(); s.PrepareUnblock(); }
        [Benchmark] public void Unblock() { s.Perform(OpUnblock); }
        [IterationCleanup(Target = nameof(Unblock))] public void AfterUnblock() { s.Settle(); GC.KeepAlive(sink); }

        /// <summary>The table's operation names, by benchmark method.</summary>
        public static string OpName(string method) =>
            method == nameof(Release) ? "release" : method == nameof(PickNext) ? "pick-next" : method == nameof(Block) ? "block" : "unblock";
    }
}
