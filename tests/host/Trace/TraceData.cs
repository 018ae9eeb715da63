using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Osprey.Sched.Sim;
using Osprey.Sched.Workload;
using Osprey.TraceTool;
using NUnit.Framework;

namespace Osprey.Tests.Trace
{
    /// <summary>Shared helpers: fixture paths, simulator traces, counts over parsed traces, the statistics table in a log.</summary>
    static class TraceData
    {
        public static string DataDir([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source), "data");

        public static string Fixture(string name) => Path.Combine(DataDir(), name);

        public static string Examples => Osprey.Tests.Workload.ParserTests.FindExamples();

        /// <summary>Simulate an example file; its result and its trace as text.</summary>
        public static SimResult Simulate(string file, out string text, long duration = 0, string sched = null)
        {
            var pr = WorkloadParser.Parse(File.ReadAllBytes(Path.Combine(Examples, file)));
            Assert.That(pr.Ok, Is.True, pr.Error);
            var log = new TraceLog();
            var r = Simulator.Run(pr.Workload, new SimOptions { Trace = log, Duration = duration, SchedulerOverride = sched, CheckInvariants = true });
            Assert.That(r.Error, Is.Null);
            var sw = new StringWriter();
            log.Write(sw, file);
            text = sw.ToString();
            return r;
        }

        public static int Count(TraceFile f, string kind, string thread = null) =>
            f.Events.Count(e => e.Kind == kind && (thread == null || f.NameOf(e.Cpu, e.Thread) == thread));

        /// <summary>Execution slices as the timeline must find them: one per switch_in, plus one per CPU whose first switch is a switch_out.</summary>
        public static int ExpectedSlices(TraceFile f)
        {
            int n = f.Events.Count(e => e.Kind == "switch_in");
            foreach (int cpu in f.Events.Select(e => e.Cpu).Distinct())
            {
                var first = f.Events.FirstOrDefault(e => e.Cpu == cpu && (e.Kind == "switch_in" || e.Kind == "switch_out"));
                if (first != null && first.Kind == "switch_out") n++;
            }
            return n;
        }

        /// <summary>Threads that appear in events (thread field not "-"), as (cpu, id).</summary>
        public static HashSet<(int, int)> Threads(TraceFile f) =>
            new HashSet<(int, int)>(f.Events.Where(e => e.Thread >= 0).Select(e => (e.Cpu, e.Thread)));

        public sealed class TableRow
        {
            public string Name, Kind;
            public long Released, Jobs, Misses, EndPostponed;
        }

        /// <summary>The statistics table the kernel (or simulator) printed in a log.</summary>
        public static List<TableRow> Table(string log)
        {
            var rows = new List<TableRow>();
            bool on = false;
            foreach (string raw in log.Replace("\r", "").Split('\n'))
            {
                string l = raw.Trim();
                if (l.StartsWith("task ") && l.Contains(" kind ")) { on = true; continue; }
                if (!on) continue;
                if (l.Length == 0) break;
                string[] w = l.Split(' ', System.StringSplitOptions.RemoveEmptyEntries);
                // task kind cpu prio released jobs misses resp-min resp-mean resp-max postponed rm-missed cpu-time
                rows.Add(new TableRow
                {
                    Name = w[0], Kind = w[1], Released = long.Parse(w[4]), Jobs = long.Parse(w[5]), Misses = long.Parse(w[6]),
                    EndPostponed = long.Parse(w[10].Split('/')[1]),
                });
            }
            return rows;
        }
    }
}
