using System;
using System.Diagnostics;
using System.IO;

namespace Osprey.Sched.Sim
{
    /// <summary>
    /// bench-host: ns per release, pick-next, block and unblock with N ready threads for
    /// each policy, and bytes allocated per operation, on the real core with a do-nothing
    /// platform. Prints a table and "BENCH host POLICY OP N VALUE UNIT" lines.
    /// </summary>
    public static class Bench
    {
        sealed class NullPlatform : Platform
        {
            public long Clock;
            public override long Now() { return Clock; }
            public override void ArmTimer(long absoluteNs) { }
            public override void RequestSwitch() { }
        }

        static readonly string[] Policies = { "priority", "edf", "cbs" };
        static readonly int[] Sizes = { 10, 100, 1000, 10000 };
        static readonly string[] Ops = { "release", "pick-next", "block", "unblock" };

        sealed class Setup
        {
            public NullPlatform Platform = new NullPlatform();
            public SchedCore Core;
            public SchedThread[] Threads;
            public PriorityNode[] Nodes;
            public long[] Deadlines;
            public int[] Order;   // shuffled thread indices
        }

        static Setup Build(string policy, int n, Random rnd)
        {
            var s = new Setup();
            Scheduler sched;
            if (policy == "cbs") sched = new CbsScheduler(n);
            else { string err; sched = SchedulerTable.Create(policy, out err); }
            s.Core = new SchedCore(s.Platform, sched, null);
            s.Threads = new SchedThread[n];
            s.Nodes = new PriorityNode[n];
            s.Deadlines = new long[n];
            s.Order = new int[n];
            for (int i = 0; i < n; i++)
            {
                var t = new SchedThread(i + 1, rnd.Next(1, 255), "b" + i);
                s.Core.AddThread(t);
                if (policy == "cbs")
                {
                    var srv = new CbsServer(i + 1, 1000, 1000000000L, CbsMode.Soft); // 1 us per s each
                    CbsAdmission a;
                    if (((CbsScheduler)sched).Attach(t, srv, out a) != CbsStatus.Ok) throw new Exception(a.Message);
                }
                s.Core.Start(t);
                s.Nodes[i] = new PriorityNode();
                s.Deadlines[i] = 1000000L + rnd.Next(0, 100000000);
                s.Core.ReleaseJob(t, s.Nodes[i], s.Deadlines[i]);
                s.Threads[i] = t;
                s.Order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) { int j = rnd.Next(i + 1); int x = s.Order[i]; s.Order[i] = s.Order[j]; s.Order[j] = x; }
            return s;
        }

        // One measurement: returns (ns per op, bytes per op).
        static void Measure(Setup s, string op, long targetTicks, out double nsPerOp, out double bytesPerOp)
        {
            int n = s.Threads.Length;
            SchedCore core = s.Core;
            int batch = n <= 10 ? 5 : Math.Min(100, n / 10);
            long ops = 0, ticks = 0, bytes = 0;
            var perBatch = new System.Collections.Generic.List<double>();
            int cursor = 0;
            long overhead = TimestampOverhead();
            var rnd = new Random(7);
            Scheduler sch = core.Scheduler;
            SchedThread sink = null;
            while (ticks < targetTicks)
            {
                // Choose the batch.
                int start = cursor;
                cursor = (cursor + batch) % n;
                long b0 = GC.GetAllocatedBytesForCurrentThread();
                long t0, t1;
                if (op == "release")
                {
                    t0 = Stopwatch.GetTimestamp();
                    for (int k = 0; k < batch; k++)
                    {
                        int i = s.Order[(start + k) % n];
                        long d = s.Deadlines[i] + 1000 + ((i * 7919L) & 0xFFFFF);
                        s.Deadlines[i] = d;
                        core.ReleaseJob(s.Threads[i], s.Nodes[i], d);
                    }
                    t1 = Stopwatch.GetTimestamp();
                }
                else if (op == "pick-next")
                {
                    t0 = Stopwatch.GetTimestamp();
                    for (int k = 0; k < batch; k++) sink = sch.Highest();
                    t1 = Stopwatch.GetTimestamp();
                }
                else
                {
                    // block the batch, then unblock it; time the requested half.
                    long bt0 = Stopwatch.GetTimestamp();
                    for (int k = 0; k < batch; k++) core.Block(s.Threads[s.Order[(start + k) % n]]);
                    long bt1 = Stopwatch.GetTimestamp();
                    long bb = GC.GetAllocatedBytesForCurrentThread();
                    long ut0 = Stopwatch.GetTimestamp();
                    for (int k = 0; k < batch; k++) core.Unblock(s.Threads[s.Order[(start + k) % n]]);
                    long ut1 = Stopwatch.GetTimestamp();
                    long ub = GC.GetAllocatedBytesForCurrentThread();
                    if (op == "block") { t0 = bt0; t1 = bt1; bytes += bb - b0; }
                    else { t0 = ut0; t1 = ut1; bytes += ub - bb; }
                    ticks += Math.Max(0, t1 - t0 - overhead);
                    perBatch.Add((double)Math.Max(0, t1 - t0 - overhead) / batch);
                    ops += batch;
                    ticks += bt1 - bt0 + ut1 - ut0 - (t1 - t0); // count the other half against the time budget too
                    continue;
                }
                bytes += GC.GetAllocatedBytesForCurrentThread() - b0;
                ticks += Math.Max(0, t1 - t0 - overhead);
                perBatch.Add((double)Math.Max(0, t1 - t0 - overhead) / batch);
                ops += batch;
            }
            GC.KeepAlive(sink);
            // Median of the per-batch figures: robust against preemption and other load on the host.
            perBatch.Sort();
            nsPerOp = perBatch[perBatch.Count / 2] * 1e9 / Stopwatch.Frequency;
            bytesPerOp = (double)bytes / ops;
        }

        static long cachedOverhead = -1;
        static long TimestampOverhead()
        {
            if (cachedOverhead >= 0) return cachedOverhead;
            long best = long.MaxValue;
            for (int i = 0; i < 10000; i++)
            {
                long a = Stopwatch.GetTimestamp();
                long b = Stopwatch.GetTimestamp();
                if (b - a < best) best = b - a;
            }
            cachedOverhead = best;
            return best;
        }

        public static int Run(TextWriter o, bool quick)
        {
            long target = Stopwatch.Frequency / (quick ? 200 : 25); // 5 ms or 40 ms of measured time per cell
            var results = new double[Policies.Length, Ops.Length, Sizes.Length, 2];
            for (int p = 0; p < Policies.Length; p++)
            {
                for (int z = 0; z < Sizes.Length; z++)
                {
                    var s = Build(Policies[p], Sizes[z], new Random(42 + z));
                    for (int op = 0; op < Ops.Length; op++)
                    {
                        double ns, by;
                        Measure(s, Ops[op], target / 20, out ns, out by); // warm-up (JIT, caches)
                        Measure(s, Ops[op], target, out ns, out by);
                        results[p, op, z, 0] = ns;
                        results[p, op, z, 1] = by;
                        string err = s.Core.CheckInvariants();
                        if (err != null) { o.WriteLine("bench: invariant broken: " + err); return 1; }
                    }
                }
            }
            o.WriteLine("bench-host: ns per operation (bytes allocated per operation), N ready threads");
            o.WriteLine(string.Format("{0,-9} {1,-10} {2,16} {3,16} {4,16} {5,16}", "policy", "op", "N=10", "N=100", "N=1000", "N=10000"));
            for (int p = 0; p < Policies.Length; p++)
                for (int op = 0; op < Ops.Length; op++)
                {
                    string line = string.Format("{0,-9} {1,-10}", Policies[p], Ops[op]);
                    for (int z = 0; z < Sizes.Length; z++)
                        line += string.Format(" {0,16}", results[p, op, z, 0].ToString("0.0") + " (" + results[p, op, z, 1].ToString("0") + ")");
                    o.WriteLine(line);
                }
            o.WriteLine();
            for (int p = 0; p < Policies.Length; p++)
                for (int op = 0; op < Ops.Length; op++)
                    for (int z = 0; z < Sizes.Length; z++)
                    {
                        o.WriteLine("BENCH host " + Policies[p] + " " + Ops[op] + " " + Sizes[z] + " " + results[p, op, z, 0].ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " ns");
                        o.WriteLine("BENCH host " + Policies[p] + " " + Ops[op] + "-alloc " + Sizes[z] + " " + results[p, op, z, 1].ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " bytes");
                    }
            return 0;
        }
    }
}
