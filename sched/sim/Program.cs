using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.IO;
using System.Text;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Sched.Sim
{
    public static class Program
    {
        const string Usage =
            "usage: sim FILE [--trace OUT] [--sched priority|edf|cbs|gedf] [--duration TIME] [--check] [--ipi-latency TIME] [--overheads 'release=T decision=T switch=T timer-entry=T timer-exit=T']\n" +
            "       sim --bench [--quick] [--rounds N] [--only POLICY|PATTERN|N,...] [--verbose]\n" +
            "       sim --random-set KIND,SEED,INDEX [--overheads '...']   (print the props suite's set; KIND 0-4: fp, fp constrained, edf, edf constrained, guest cores)";

        public static int Main(string[] args)
        {
            var fileArg = new Argument<string>("FILE") { Description = "a workload file (sched/README.md)", Arity = ArgumentArity.ZeroOrOne };
            var traceOpt = new Option<string>("--trace") { Description = "write the scheduling trace to this file" };
            var schedOpt = new Option<string>("--sched") { Description = "run under this policy instead of the file's" };
            schedOpt.AcceptOnlyFromAmong("priority", "edf", "cbs", "gedf");
            var ipiOpt = new Option<string>("--ipi-latency") { Description = "global scheduling: delay of a reschedule request to another CPU (replaces the file's ipi-latency)" };
            var durationOpt = new Option<string>("--duration") { Description = "simulated time, e.g. 2s" };
            var checkOpt = new Option<bool>("--check") { Description = "check the core's invariants after every event" };
            var benchOpt = new Option<bool>("--bench") { Description = "the ready-set benchmark (bench-host)" };
            var quickOpt = new Option<bool>("--quick") { Description = "bench: a CI-size run" };
            var roundsOpt = new Option<int>("--rounds") { Description = "bench: rounds, 1..100 (default 5, quick 1)" };
            roundsOpt.Validators.Add(r =>
            {
                int n = r.GetValueOrDefault<int>();
                if (n < 1 || n > 100) r.AddError("--rounds: expected 1..100");
            });
            var onlyOpt = new Option<string>("--only") { Description = "bench: policies, patterns and sizes, separated by commas" };
            var verboseOpt = new Option<bool>("--verbose") { Description = "bench: every round's figures" };
            var overheadsOpt = new Option<string>("--overheads") { Description = "model these kernel overheads (release=.. decision=.. switch=.. timer-entry=.. timer-exit=..)" };
            var randomSetOpt = new Option<string>("--random-set") { Description = "print the random set KIND,SEED,INDEX of the property test" };
            var root = new RootCommand("sim: the host scheduling simulator and the ready-set benchmark")
            {
                fileArg, traceOpt, schedOpt, ipiOpt, durationOpt, checkOpt, benchOpt, quickOpt, roundsOpt, onlyOpt, verboseOpt, overheadsOpt, randomSetOpt,
            };
            if (Array.IndexOf(args, "-h") >= 0 || Array.IndexOf(args, "--help") >= 0) { Console.WriteLine(Usage); return 0; }
            System.CommandLine.ParseResult cl = root.Parse(args);
            if (cl.Errors.Count > 0)
            {
                string m = cl.Errors[0].Message;
                if (m.StartsWith("Unrecognized command or argument", StringComparison.Ordinal) && cl.UnmatchedTokens.Count > 0)
                    m = cl.UnmatchedTokens[0].StartsWith("-") ? "unknown option '" + cl.UnmatchedTokens[0] + "'" : "more than one workload file";
                Console.Error.WriteLine("sim: " + m + "\n" + Usage);
                return 2;
            }
            string file = cl.GetValue(fileArg), tracePath = cl.GetValue(traceOpt), sched = cl.GetValue(schedOpt), duration = cl.GetValue(durationOpt);
            // The parser takes an unknown option for the FILE argument.
            if (file != null && file.StartsWith("-")) { Console.Error.WriteLine("sim: unknown option '" + file + "'\n" + Usage); return 2; }
            bool check = cl.GetValue(checkOpt), quick = cl.GetValue(quickOpt);
            int rounds = cl.GetValue(roundsOpt);
            string overheads = cl.GetValue(overheadsOpt), randomSet = cl.GetValue(randomSetOpt);
            if (cl.GetValue(benchOpt)) return Bench.Run(Console.Out, quick, rounds > 0 ? rounds : quick ? 1 : 5, cl.GetValue(verboseOpt), cl.GetValue(onlyOpt));
            if (randomSet != null) return RandomSet(randomSet, overheads);
            if (file == null) { Console.Error.WriteLine(Usage); return 2; }

            byte[] data;
            try { data = File.ReadAllBytes(file); }
            catch (Exception e) { Console.Error.WriteLine("sim: cannot read " + file + ": " + e.Message); return 2; }
            Osprey.Sched.Workload.ParseResult pr = WorkloadParser.Parse(data);
            if (!pr.Ok) { Console.Error.WriteLine(file + ": " + pr.Error); return 1; }

            var o = new SimOptions { SchedulerOverride = sched, CheckInvariants = check };
            if (duration != null)
            {
                long d;
                string e = WorkloadParser.ParseTime(duration, out d);
                if (e != null || d <= 0) { Console.Error.WriteLine("sim: --duration: " + (e ?? "must be greater than 0")); return 2; }
                o.Duration = d;
            }
            string ipi = cl.GetValue(ipiOpt);
            if (ipi != null)
            {
                long d;
                string e = WorkloadParser.ParseTime(ipi, out d);
                if (e != null || d < 0) { Console.Error.WriteLine("sim: --ipi-latency: " + (e ?? "must be 0 or more")); return 2; }
                o.IpiLatency = d;
            }
            if (overheads != null)
            {
                // The same fields as the file's 'overheads' line (e.g. the kernel's boot figures).
                Osprey.Sched.Workload.ParseResult op = WorkloadParser.ParseText("overheads " + overheads + "\n");
                if (!op.Ok) { Console.Error.WriteLine("sim: --overheads: " + op.Error); return 2; }
                o.Overheads = op.Workload.Overheads;
                o.Overheads.Source = "given with --overheads";
                o.OverheadsGiven = true;
            }
            if (tracePath != null) o.Trace = new TraceLog();
            SimResult r = Simulator.Run(pr.Workload, o);
            Print(Console.Out, file, pr.Workload, r);
            if (tracePath != null)
            {
                // NAME.svg or NAME.json: the raw trace goes to NAME.trace, and the trace tool draws both pictures from it.
                string ext = Path.GetExtension(tracePath).ToLowerInvariant();
                bool picture = ext == ".svg" || ext == ".json";
                string raw = picture ? Path.ChangeExtension(tracePath, ".trace") : tracePath;
                try
                {
                    string dir = Path.GetDirectoryName(Path.GetFullPath(raw));
                    if (dir != null) Directory.CreateDirectory(dir);
                    using (var w = new StreamWriter(raw, false, new UTF8Encoding(false)))
                        o.Trace.Write(w, file);
                    Console.WriteLine("trace: " + o.Trace.Events.Count + " events written to " + raw);
                }
                catch (Exception e) { Console.Error.WriteLine("sim: cannot write trace " + raw + ": " + e.Message); return 2; }
                if (picture && Osprey.TraceTool.TraceToolApp.Run(new[] { raw, tracePath }, Console.Out, Console.Error) != 0) return 2;
            }
            if (r.Error != null) { Console.Error.WriteLine("sim: " + r.Error); return 3; }
            return 0;
        }

        /// <summary>Prints set INDEX of the props sequence SEED of KIND as a workload file.</summary>
        static int RandomSet(string arg, string overheads)
        {
            string[] p = arg.Split(',');
            int kind, index; ulong seed;
            if (p.Length != 3 || !int.TryParse(p[0], out kind) || kind < 0 || kind > 4 || !ulong.TryParse(p[1], out seed) || !int.TryParse(p[2], out index) || index < 0)
            { Console.Error.WriteLine("sim: --random-set: expected KIND,SEED,INDEX (KIND 0..4)"); return 2; }
            Overheads o = Overheads.None;
            if (overheads != null)
            {
                Osprey.Sched.Workload.ParseResult op = WorkloadParser.ParseText("overheads " + overheads + "\n");
                if (!op.Ok) { Console.Error.WriteLine("sim: --overheads: " + op.Error); return 2; }
                o = op.Workload.Overheads;
            }
            WorkloadSpec w = RandomSets.Make(seed, index, (RandomSetKind)kind, o);
            if (w == null) { Console.Error.WriteLine("sim: no utilization admits set " + index + " of this shape"); return 1; }
            Console.Write(RandomSets.ToText(w, "set " + index + " of seed " + seed + ": " + RandomSets.KindName((RandomSetKind)kind)));
            return 0;
        }

        public static void Print(TextWriter o, string file, WorkloadSpec w, SimResult r)
        {
            if (r.Guests != null) { GuestSim.Print(o, file, w, r); return; }
            if (r.ClusterSize > 0) { PrintCluster(o, file, w, r); return; }
            o.WriteLine(RunReport.Title(file, w, r.Scheduler, r.Duration));
            o.WriteLine();
            if (r.Cpus.Length > 1)
            {
                // Partitioned on several CPUs: one table per CPU.
                for (int k = 0; k < r.Cpus.Length; k++)
                {
                    int cpu = r.Cpus[k];
                    var mine = new System.Collections.Generic.List<TaskStats>();
                    foreach (TaskStats t in r.Tasks) if (t.Cpu == cpu) mine.Add(t);
                    o.WriteLine("cpu " + cpu + ":");
                    Table(o, mine.ToArray());
                    o.WriteLine("cpu " + cpu + " " + RunReport.Total(mine.ToArray(), r.CpuSwitches[k], r.CpuIdleNs[k]));
                    o.WriteLine();
                }
            }
            else Table(o, r.Tasks);
            if (r.Cpus.Length <= 1) o.WriteLine();
            o.WriteLine(RunReport.Total(r.Tasks, r.Switches, r.IdleTimeNs));
            Tail(o, w, r);
        }

        static void Table(TextWriter o, TaskStats[] tasks)
        {
            o.WriteLine(RunReport.Header());
            foreach (TaskStats t in tasks)
            {
                o.WriteLine(RunReport.Line(t));
                string over = RunReport.OverrunLine(t);
                if (over != null) o.WriteLine(over);
            }
        }

        /// <summary>Global EDF: the cluster's table, then a line per CPU (switches, migrations in, reschedule IPIs, idle) and the migrations per task.</summary>
        static void PrintCluster(TextWriter o, string file, WorkloadSpec w, SimResult r)
        {
            o.WriteLine(RunReport.Title(file, w, r.Scheduler, r.Duration) + ", cluster of " + r.ClusterSize + " CPU(s), ipi latency " + Format.Time(r.IpiLatency));
            o.WriteLine();
            Table(o, r.Tasks);
            o.WriteLine();
            o.WriteLine(RunReport.Total(r.Tasks, r.Switches, r.IdleTimeNs) + ", " + r.Migrations + " migrations");
            for (int k = 0; k < r.Cpus.Length; k++)
                o.WriteLine("cpu " + r.Cpus[k] + ": " + r.CpuSwitches[k] + " switches, " + r.CpuMigrations[k] + " migrations in, "
                    + r.CpuIpis[k] + " reschedule IPIs, idle " + Format.Time(r.CpuIdleNs[k]));
            var sb = new StringBuilder("migrations per task:");
            foreach (TaskStats t in r.Tasks) sb.Append(" " + t.Name + "=" + t.Migrations);
            o.WriteLine(sb.ToString());
            Tail(o, w, r);
        }

        static void Tail(TextWriter o, WorkloadSpec w, SimResult r)
        {
            foreach (string v in r.Verdicts) o.WriteLine("analysis " + v);
            if (w.GuestErrors != null) foreach (string m in w.GuestErrors) o.WriteLine("rejected: " + m);
            foreach (string n in r.Notes) o.WriteLine("note: " + n);
            foreach (var kv in r.Analysis)
            {
                bool missed = false;
                foreach (TaskStats t in r.Tasks)
                {
                    TaskSpec spec = w.FindTask(t.Name);
                    bool overBudget = r.Scheduler == SchedulerKind.Cbs && spec != null && spec.Budget > 0 && spec.Wcet > spec.Budget;
                    if (t.Cpu == kv.Key && t.Misses > 0 && t.Kind == TaskKind.Periodic && !overBudget) missed = true;
                }
                if (kv.Value == AnalysisVerdict.Schedulable && missed)
                    o.WriteLine("note: cpu " + kv.Key + ": analysis accepted but periodic tasks missed (jitter-free analysis assumptions violated? check aperiodic/background priorities)");
            }
        }
    }
}
