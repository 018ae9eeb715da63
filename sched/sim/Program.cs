using System;
using System.IO;
using System.Text;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Sched.Sim
{
    public static class Program
    {
        const string Usage =
            "usage: sim FILE [--trace OUT] [--sched priority|edf|cbs] [--duration TIME] [--check] [--overheads 'release=T decision=T switch=T timer-entry=T timer-exit=T']\n" +
            "       sim --bench [--quick] [--rounds N] [--only POLICY|PATTERN|N,...] [--verbose]\n" +
            "       sim --random-set KIND,SEED,INDEX [--overheads '...']   (print the props suite's set; KIND 0-4: fp, fp constrained, edf, edf constrained, guest cores)";

        public static int Main(string[] args)
        {
            string file = null, tracePath = null, sched = null, duration = null, overheads = null;
            bool bench = false, quick = false, check = false, verbose = false;
            int rounds = 0;
            string only = null, randomSet = null;
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                if (a == "--trace" && i + 1 < args.Length) tracePath = args[++i];
                else if (a == "--sched" && i + 1 < args.Length) sched = args[++i];
                else if (a == "--duration" && i + 1 < args.Length) duration = args[++i];
                else if (a == "--overheads" && i + 1 < args.Length) overheads = args[++i];
                else if (a == "--random-set" && i + 1 < args.Length) randomSet = args[++i];
                else if (a == "--bench") bench = true;
                else if (a == "--quick") quick = true;
                else if (a == "--verbose") verbose = true;
                else if (a == "--only" && i + 1 < args.Length) only = args[++i];
                else if (a == "--rounds" && i + 1 < args.Length)
                {
                    if (!int.TryParse(args[++i], out rounds) || rounds < 1 || rounds > 100) { Console.Error.WriteLine("sim: --rounds: expected 1..100\n" + Usage); return 2; }
                }
                else if (a == "--check") check = true;
                else if (a == "-h" || a == "--help") { Console.WriteLine(Usage); return 0; }
                else if (a.StartsWith("-")) { Console.Error.WriteLine("sim: unknown option '" + a + "'\n" + Usage); return 2; }
                else if (file == null) file = a;
                else { Console.Error.WriteLine("sim: more than one workload file\n" + Usage); return 2; }
            }
            if (bench) return Bench.Run(Console.Out, quick, rounds > 0 ? rounds : quick ? 1 : 5, verbose, only);
            if (randomSet != null) return RandomSet(randomSet, overheads);
            if (file == null) { Console.Error.WriteLine(Usage); return 2; }

            byte[] data;
            try { data = File.ReadAllBytes(file); }
            catch (Exception e) { Console.Error.WriteLine("sim: cannot read " + file + ": " + e.Message); return 2; }
            ParseResult pr = WorkloadParser.Parse(data);
            if (!pr.Ok) { Console.Error.WriteLine(file + ": " + pr.Error); return 1; }

            var o = new SimOptions { SchedulerOverride = sched, CheckInvariants = check };
            if (duration != null)
            {
                long d;
                string e = WorkloadParser.ParseTime(duration, out d);
                if (e != null || d <= 0) { Console.Error.WriteLine("sim: --duration: " + (e ?? "must be greater than 0")); return 2; }
                o.Duration = d;
            }
            if (overheads != null)
            {
                // The same fields as the file's 'overheads' line (e.g. the kernel's boot figures).
                ParseResult op = WorkloadParser.ParseText("overheads " + overheads + "\n");
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
                try
                {
                    using (var w = new StreamWriter(tracePath, false, new UTF8Encoding(false)))
                        o.Trace.Write(w, file);
                    Console.WriteLine("trace: " + o.Trace.Events.Count + " events written to " + tracePath);
                }
                catch (Exception e) { Console.Error.WriteLine("sim: cannot write trace " + tracePath + ": " + e.Message); return 2; }
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
                ParseResult op = WorkloadParser.ParseText("overheads " + overheads + "\n");
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
            o.WriteLine(RunReport.Title(file, w, r.Scheduler, r.Duration));
            o.WriteLine();
            o.WriteLine(RunReport.Header());
            foreach (TaskStats t in r.Tasks)
            {
                o.WriteLine(RunReport.Line(t));
                string over = RunReport.OverrunLine(t);
                if (over != null) o.WriteLine(over);
            }
            o.WriteLine();
            o.WriteLine(RunReport.Total(r.Tasks, r.Switches, r.IdleTimeNs));
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
