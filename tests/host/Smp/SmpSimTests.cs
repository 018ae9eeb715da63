using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;
using Osprey.Sched.Analysis;
using Osprey.Sched.Sim;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Smp
{
    /// <summary>
    /// Many CPUs in the simulator: partitioned runs equal the CPUs run alone,
    /// global EDF keeps its invariants at every event, GFB-accepted sets never
    /// miss, global EDF on one CPU is EDF, Dhall's effect, IPI latency, migrations.
    /// </summary>
    [TestFixture]
    public class SmpSimTests
    {
        const long Ms = 1000000, Us = 1000;

        static string Examples { get { return Osprey.Tests.Workload.ParserTests.FindExamples(); } }

        static WorkloadSpec Load(string name)
        {
            var r = WorkloadParser.Parse(File.ReadAllBytes(Path.Combine(Examples, name)));
            Assert.That(r.Ok, Is.True, r.Error);
            return r.Workload;
        }

        static WorkloadSpec Text(string text)
        {
            var r = WorkloadParser.ParseText(text);
            Assert.That(r.Ok, Is.True, r.Error + "\n" + text);
            return r.Workload;
        }

        static SimResult Run(WorkloadSpec w, string sched = null, TraceLog trace = null, long ipi = -1, long duration = 0)
        {
            var r = Simulator.Run(w, new SimOptions { SchedulerOverride = sched, CheckInvariants = true, Trace = trace, IpiLatency = ipi, Duration = duration });
            Assert.That(r.Error, Is.Null);
            return r;
        }

        static string Stats(TaskStats t)
        {
            return t.Name + " cpu=" + t.Cpu + " rel=" + t.Released + " jobs=" + t.Jobs + " miss=" + t.Misses + " rmin=" + t.RespMin + " rmax=" + t.RespMax
                + " rsum=" + t.RespSum + " post=" + t.MaxPostponed + "/" + t.EndPostponed + " rm=" + t.PeriodMissed + " cpu-time=" + t.CpuTimeNs + " first-miss=" + t.FirstMissAt;
        }

        // ------------------------------------------------------ partitioned --

        /// <summary>A random partitioned set on m CPUs: periodic tasks (some with jitter or
        /// constrained deadlines), an aperiodic task and a background one, per CPU.</summary>
        static string RandomPartitioned(Random rng, int m, string sched)
        {
            var sb = new System.Text.StringBuilder();
            sb.Append("scheduler " + sched + "\ncpus " + m + "\nduration 48ms\nseed " + rng.Next(1, 1000) + "\n");
            long[] periods = { 2, 3, 4, 6, 8, 12 };
            int id = 0;
            for (int c = 0; c < m; c++)
            {
                int n = rng.Next(1, 5);
                for (int i = 0; i < n; i++)
                {
                    long t = periods[rng.Next(periods.Length)] * Ms;
                    long wcet = Math.Max(50 * Us, (long)(t * rng.NextDouble() * 0.5) / Us * Us);
                    sb.Append("periodic name=p" + (id++) + " wcet=" + wcet / Us + "us period=" + t / Us + "us cpu=" + c);
                    if (rng.Next(3) == 0) sb.Append(" deadline=" + Math.Max(wcet, t - rng.Next(0, (int)(t / 2 / Us)) * Us) / Us + "us");
                    if (rng.Next(3) == 0) sb.Append(" jitter=" + wcet / 2 / Us + "us");
                    sb.Append("\n");
                }
                if (rng.Next(2) == 0) sb.Append("aperiodic name=a" + (id++) + " wcet=300us arrivals=1ms,5ms,5100us,20ms deadline=4ms cpu=" + c + "\n");
                if (rng.Next(3) == 0) sb.Append("background name=b" + (id++) + " wcet=2ms start=3ms cpu=" + c + "\n");
            }
            return sb.ToString();
        }

        /// <summary>The run of several CPUs equals, task by task and event by event, each CPU's tasks run alone.</summary>
        static void AssertPartitionedEqualsAlone(WorkloadSpec w, string label)
        {
            var trace = new TraceLog();
            SimResult all = Run(w, null, trace);
            var cpus = w.Tasks.Select(t => t.Cpu).Distinct().OrderBy(c => c).ToList();
            Assert.That(all.Cpus, Is.EqualTo(cpus.ToArray()), label);
            foreach (int c in cpus)
            {
                var alone = Text("duration 1ms\n");   // a fresh spec; fields copied below
                alone.Scheduler = w.Scheduler; alone.SchedulerGiven = w.SchedulerGiven; alone.Duration = w.Duration; alone.Seed = w.Seed;
                alone.Overheads = w.Overheads;
                alone.Tasks = w.Tasks.Where(t => t.Cpu == c).ToArray();
                var tr = new TraceLog();
                SimResult one = Run(alone, null, tr);
                foreach (TaskStats t in one.Tasks)
                    Assert.That(Stats(all.Task(t.Name)), Is.EqualTo(Stats(t)), label + " cpu " + c);
                var mine = trace.Events.Where(e => e.Cpu == c).Select(e => e.ToString()).ToList();
                var theirs = tr.Events.Select(e => e.ToString()).ToList();
                Assert.That(mine, Is.EqualTo(theirs), label + " cpu " + c + ": trace");
                int k = Array.IndexOf(all.Cpus, c);
                Assert.That(all.CpuIdleNs[k], Is.EqualTo(one.IdleTimeNs), label + " cpu " + c + ": idle");
                Assert.That(all.CpuSwitches[k], Is.EqualTo(one.Switches), label + " cpu " + c + ": switches");
            }
            Assert.That(all.Migrations, Is.EqualTo(0), label + ": partitioned tasks never migrate");
        }

        [Test]
        public void PartitionedExamplesEqualTheirCpusRunAlone()
        {
            AssertPartitionedEqualsAlone(Load("smp-partitioned-2cpu.wl"), "smp-partitioned-2cpu.wl");
            AssertPartitionedEqualsAlone(Load("smp-partitioned-4cpu.wl"), "smp-partitioned-4cpu.wl");
        }

        [Test]
        public void RandomPartitionedSetsEqualTheirCpusRunAlone()
        {
            var rng = new Random(4242);
            string[] scheds = { "edf", "priority", "cbs" };
            for (int i = 0; i < 30; i++)
            {
                string text = RandomPartitioned(rng, rng.Next(2, 5), scheds[i % 3]);
                AssertPartitionedEqualsAlone(Text(text), "set " + i + ":\n" + text);
            }
        }

        [Test]
        public void PartitionedExamplesMeetEveryDeadlineAndAnalysisPerCpu()
        {
            SimResult two = Run(Load("smp-partitioned-2cpu.wl"));
            Assert.That(two.TotalMisses, Is.EqualTo(0));
            Assert.That(two.Analysis.Keys, Is.EquivalentTo(new[] { 0, 1 }));
            Assert.That(two.Analysis.Values, Is.All.EqualTo(AnalysisVerdict.Schedulable));
            Assert.That(two.Verdicts.Count(v => v.StartsWith("cpu 1: ")), Is.GreaterThan(0));
            SimResult four = Run(Load("smp-partitioned-4cpu.wl"));
            Assert.That(four.TotalMisses, Is.EqualTo(0));
            Assert.That(four.Analysis.Keys, Is.EquivalentTo(new[] { 0, 1, 2, 3 }));
            Assert.That(four.Analysis.Values, Is.All.EqualTo(AnalysisVerdict.Schedulable));
            Assert.That(four.Task("h3").RespMax, Is.EqualTo(16 * Ms), "harmonic set at U = 1: the RTA response of h3");
        }

        [Test]
        public void PartitionedTablesArePrintedPerCpu()
        {
            var w = Load("smp-partitioned-2cpu.wl");
            var sw = new StringWriter();
            Program.Print(sw, "x.wl", w, Run(w));
            string s = sw.ToString();
            Assert.That(s, Does.Contain("\ncpu 0:\n"));
            Assert.That(s, Does.Contain("\ncpu 1:\n"));
            Assert.That(s, Does.Contain("cpu 1 total: "));
            Assert.That(s, Does.Contain("analysis cpu 1: "));
        }

        // ----------------------------------------------------------- global --

        /// <summary>A random implicit- or constrained-deadline periodic set for m CPUs (periods with hyperperiod 24ms).</summary>
        static string RandomGlobal(Random rng, int m, bool constrained, double total, out int n)
        {
            long[] periods = { 2, 3, 4, 6, 8, 12 };
            n = rng.Next(m + 1, 3 * m + 2);
            // UUniFast-discard: n utilizations summing to total, each at most 1.
            double[] u = new double[n];
            for (int tries = 0; ; tries++)
            {
                double sum = total;
                bool ok = true;
                for (int i = 0; i < n - 1; i++)
                {
                    double next = sum * Math.Pow(rng.NextDouble(), 1.0 / (n - 1 - i));
                    u[i] = sum - next;
                    sum = next;
                }
                u[n - 1] = sum;
                foreach (double x in u) if (x > 0.95 || x < 0.005) ok = false;
                if (ok || tries > 100) break;
            }
            var sb = new System.Text.StringBuilder();
            sb.Append("scheduler gedf\ncpus " + m + "\n");
            for (int i = 0; i < n; i++)
            {
                long t = periods[rng.Next(periods.Length)] * Ms;
                long c = Math.Max(10 * Us, Math.Min(t, (long)(u[i] * t) / Us * Us));
                sb.Append("periodic name=t" + i + " wcet=" + c / Us + "us period=" + t / Us + "us");
                if (constrained && rng.Next(2) == 0)
                {
                    long d = Math.Max(c, t - (long)(rng.NextDouble() * (t - c)) / Us * Us);
                    sb.Append(" deadline=" + d / Us + "us");
                }
                sb.Append("\n");
            }
            return sb.ToString();
        }

        [Test]
        public void GfbAcceptedRandomSetsNeverMiss()
        {
            var rng = new Random(20031);
            int accepted = 0, rejected = 0, density = 0;
            for (int i = 0; i < 200; i++)
            {
                int m = 2 + i % 3;
                bool constrained = i % 2 == 1;
                string text = RandomGlobal(rng, m, constrained, m * (0.25 + 0.6 * rng.NextDouble()), out _);
                WorkloadSpec w = Text(text + "duration 48ms\n");
                SimResult r = Run(w);
                Assert.That(r.ClusterSize, Is.EqualTo(m));
                if (!r.Gfb.Accepted) { rejected++; continue; }
                accepted++;
                if (r.Gfb.Density) density++;
                Assert.That(r.TotalMisses, Is.EqualTo(0), "GFB accepted (" + r.Gfb.Describe() + ") but the simulator missed:\n" + text);
                Assert.That(r.Gfb.MarginPpb, Is.GreaterThanOrEqualTo(0));
            }
            TestContext.WriteLine("GFB accepted " + accepted + " (" + density + " by density), rejected " + rejected + " of 200");
            Assert.That(accepted, Is.GreaterThanOrEqualTo(50), "the property must be exercised");
            Assert.That(density, Is.GreaterThanOrEqualTo(20), "the density version must be exercised");
            Assert.That(rejected, Is.GreaterThanOrEqualTo(20), "the bound must also reject");
        }

        [Test]
        public void GlobalEdfInvariantsHoldAtEveryEvent()
        {
            // CheckInvariants (Run) checks after every step: the cluster's heirs are the M most urgent
            // ready threads, no heir executes elsewhere, and (no switch pending) the executing threads
            // are the min(M, ready) most urgent: no CPU idles while a ready job waits.
            var rng = new Random(77);
            for (int i = 0; i < 60; i++)
            {
                int m = 2 + i % 4;
                string text = RandomGlobal(rng, m, i % 2 == 0, m * (0.5 + 0.7 * rng.NextDouble()), out _)
                    + "aperiodic name=ap wcet=700us arrivals=1ms,1ms,9ms,9100us deadline=3ms\n"
                    + "background name=bg wcet=5ms start=2ms\nduration 30ms\n";
                Run(Text(text), null, null, i % 3 == 0 ? 50 * Us : 0);
            }
            Run(Load("gedf-4cpu.wl"));
            Run(Load("gedf-dhall.wl"));
            Run(Load("gedf-4cpu.wl"), null, null, 100 * Us);
        }

        [Test]
        public void GlobalEdfOnOneCpuIsEdfExactly()
        {
            // Same decisions: the same trace, event by event, and the same statistics.
            var files = new List<(string, string)>();
            foreach (string f in Directory.GetFiles(Examples, "*.wl").OrderBy(x => x))
            {
                var pr = WorkloadParser.Parse(File.ReadAllBytes(f));
                if (!pr.Ok || pr.Workload.Guests.Length > 0 || pr.Workload.Tasks.Any(t => t.Cpu != 0) || pr.Workload.Cpus > 1) continue;
                files.Add((Path.GetFileName(f), File.ReadAllText(f)));
            }
            var rng = new Random(5);
            for (int i = 0; i < 40; i++)
                files.Add(("random " + i, RandomGlobal(rng, 1, i % 2 == 0, 0.5 + 0.7 * rng.NextDouble(), out _).Replace("cpus 1\n", "")
                    + (i % 3 == 0 ? "aperiodic name=ap wcet=700us arrivals=1ms,1ms,9ms deadline=3ms\nbackground name=bg wcet=3ms start=2ms\n" : "")
                    + "duration 30ms\n"));
            Assert.That(files.Count, Is.GreaterThan(45));
            foreach (var (name, text) in files)
            {
                WorkloadSpec w = Text(text);
                var te = new TraceLog();
                var tg = new TraceLog();
                SimResult edf = Run(w, "edf", te);
                SimResult gedf = Run(w, "gedf", tg);
                Assert.That(gedf.ClusterSize, Is.EqualTo(1), name);
                Assert.That(gedf.Tasks.Select(Stats), Is.EqualTo(edf.Tasks.Select(Stats)), name);
                var a = new StringWriter(); te.Write(a, null);
                var b = new StringWriter(); tg.Write(b, null);
                Assert.That(b.ToString(), Is.EqualTo(a.ToString()), name + ": trace");
                Assert.That(gedf.Switches, Is.EqualTo(edf.Switches), name);
                Assert.That(gedf.Migrations, Is.EqualTo(0), name);
            }
        }

        [Test]
        public void GedfFourCpuExampleIsAcceptedAndMeetsEveryDeadline()
        {
            var w = Load("gedf-4cpu.wl");
            var trace = new TraceLog();
            SimResult r = Run(w, null, trace);
            Assert.That(r.ClusterSize, Is.EqualTo(4));
            Assert.That(r.Gfb.Accepted, Is.True, r.Gfb.Describe());
            Assert.That(r.Gfb.Density, Is.False);
            Assert.That(r.Gfb.MarginPpb, Is.EqualTo(125000000));
            Assert.That(r.Gfb.SumPpb, Is.EqualTo(2375000000));
            Assert.That(r.TotalMisses, Is.EqualTo(0));
            Assert.That(r.TotalJobs, Is.GreaterThan(0));
            // Jobs migrate; the counts agree per task, per CPU and in all, and with the trace.
            Assert.That(r.Migrations, Is.GreaterThan(0));
            Assert.That(r.Tasks.Sum(t => t.Migrations), Is.EqualTo(r.Migrations));
            Assert.That(r.CpuMigrations.Sum(), Is.EqualTo(r.Migrations));
            long fromTrace = 0;
            var last = new Dictionary<string, int>();
            foreach (var e in trace.Events.Where(e => e.Kind == "switch_in"))
            {
                if (last.TryGetValue(e.Thread, out int c) && c != e.Cpu) fromTrace++;
                last[e.Thread] = e.Cpu;
            }
            Assert.That(fromTrace, Is.EqualTo(r.Migrations));
            Assert.That(trace.Events.Select(e => e.Cpu).Distinct().OrderBy(c => c), Is.EqualTo(new[] { 0, 1, 2, 3 }));
            // Every CPU busy: U = 2.375 of 4 CPUs leaves 1.625 CPUs idle in all.
            long idle = r.CpuIdleNs.Sum();
            Assert.That(idle, Is.EqualTo(r.Duration * 4 - r.Tasks.Sum(t => t.CpuTimeNs)));
            Assert.That(idle, Is.EqualTo(r.Duration * 1625 / 1000));
        }

        [Test]
        public void DhallEffectGlobalMissesPartitionedMeets()
        {
            var w = Load("gedf-dhall.wl");
            SimResult g = Run(w);
            Assert.That(g.ClusterSize, Is.EqualTo(2));
            Assert.That(g.Gfb.Verdict, Is.EqualTo(AnalysisVerdict.Inconclusive), g.Gfb.Describe());
            Assert.That(g.Task("heavy").Misses, Is.GreaterThan(0));
            Assert.That(g.Task("heavy").FirstMissAt, Is.EqualTo(10500 * Us), "the heavy job ends at 11ms, after its deadline 10.5ms");
            Assert.That(g.Task("light1").Misses + g.Task("light2").Misses, Is.EqualTo(0));
            Assert.That(g.Notes.Any(n => n.Contains("cpu fields are not used under gedf")), Is.True);
            SimResult p = Run(w, "edf");
            Assert.That(p.ClusterSize, Is.EqualTo(0));
            Assert.That(p.TotalMisses, Is.EqualTo(0));
            Assert.That(p.Analysis.Values, Is.All.EqualTo(AnalysisVerdict.Schedulable));
        }

        [Test]
        public void IpiLatencyDelaysARemotePreemption()
        {
            // x and y run on CPUs 0 and 1; z (deadline 1.5ms) is released at 1ms by CPU 0's timer
            // (every task's home) and preempts y on CPU 1 through a reschedule IPI.
            string text = "scheduler gedf\ncpus 2\nduration 10ms\n"
                + "periodic name=x wcet=5ms period=10ms\nperiodic name=y wcet=5ms period=10ms\n"
                + "periodic name=z wcet=500us period=10ms deadline=1500us phase=1ms\n";
            WorkloadSpec w = Text(text);
            SimResult r0 = Run(w);
            Assert.That(r0.Task("z").RespMax, Is.EqualTo(500 * Us));
            Assert.That(r0.CpuIpis[1], Is.GreaterThan(0));
            SimResult r1 = Run(w, null, null, 120 * Us);
            Assert.That(r1.Task("z").RespMax, Is.EqualTo(620 * Us), "the switch on CPU 1 waits for the IPI");
            // y's first dispatch on CPU 1 waits for an IPI as well (its release is CPU 0's): it starts at
            // 120us, runs to 1.12ms, waits for z (to 1.62ms) and ends 120us later than without latency.
            Assert.That(r0.Task("y").RespMax, Is.EqualTo(5500 * Us));
            Assert.That(r1.Task("y").RespMax, Is.EqualTo(5620 * Us));
            Assert.That(r1.Task("x").RespMax, Is.EqualTo(5000 * Us), "x runs on CPU 0, where the releases happen");
            Assert.That(r1.TotalMisses, Is.EqualTo(0));
        }

        [Test]
        public void GlobalEdfTableListsCpusAndMigrations()
        {
            var w = Load("gedf-4cpu.wl");
            var sw = new StringWriter();
            Program.Print(sw, "gedf-4cpu.wl", w, Run(w));
            string s = sw.ToString();
            Assert.That(s, Does.Contain("scheduler gedf, duration 400ms"));
            Assert.That(s, Does.Contain("cluster of 4 CPU(s), ipi latency 0"));
            Assert.That(s, Does.Contain("\ncpu 3: "));
            Assert.That(s, Does.Contain("migrations per task: a="));
            Assert.That(s, Does.Contain("analysis cpus 0-3: global EDF, GFB bound (implicit deadlines, M = 4): schedulable: U_sum = 2.375 <= M - (M-1)*U_max = 4 - 3*0.5 = 2.5 (U_max: task 'a'); margin 0.125"));
        }
    }
}
