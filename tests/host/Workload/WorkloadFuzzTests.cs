using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using NUnit.Framework;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Workload
{
    /// <summary>
    /// Fuzzing of the workload format and its analysis: the example files (sched/examples/*.wl and
    /// kernel/default.wl) mutated (digits changed, huge and tiny numbers, fields removed or duplicated,
    /// lines deleted or duplicated up to thousands of times, bytes inserted, files cut, new timed lines),
    /// seeded so every run repeats. Each input is parsed and, when accepted, analysed on every CPU under
    /// every scheduler (what the simulator and the kernel print). Checks: no exception, no input over a
    /// second, every refusal (file or guest) names its line and field.
    /// 3,000 inputs per run; OSPREY_FUZZ_INPUTS=N (e.g. 100000) for the long mode, OSPREY_FUZZ_SEED=S
    /// for another seed (sched/README.md, "Fuzzing").
    /// </summary>
    [TestFixture]
    public class WorkloadFuzzTests
    {
        const int DefaultInputs = 3000;

        static int Inputs()
        {
            string s = Environment.GetEnvironmentVariable("OSPREY_FUZZ_INPUTS");
            return int.TryParse(s, out int n) && n > 0 ? n : DefaultInputs;
        }

        static int Seed()
        {
            string s = Environment.GetEnvironmentVariable("OSPREY_FUZZ_SEED");
            return int.TryParse(s, out int n) ? n : 20261204;
        }

        static List<string> Corpus()
        {
            string ex = ParserTests.FindExamples();
            var files = new List<string>(Directory.GetFiles(ex, "*.wl"));
            files.Sort(StringComparer.Ordinal);
            string def = Path.Combine(Path.GetDirectoryName(ex), "..", "kernel", "default.wl");
            if (File.Exists(def)) files.Add(def);
            var texts = new List<string>();
            foreach (string f in files) texts.Add(File.ReadAllText(f));
            return texts;
        }

        static readonly string[] Huge =
        {
            "1152921504606846976ns", "1152921504606846977ns", "9223372036854775807ns", "9223372036854775808ns",
            "18446744073709551616ns", "110680464442258309696ns", "4611686018427387904ns", "1152921504606846s",
            "99999999999999999999999999999999ms", "1000000s", "2305843009213693952ns", "0.000000001s", "1.9999999999s",
        };
        static readonly string[] Tiny = { "0", "1ns", "200ns", "999ns", "1us", "9999ns", "10us", "2us", "1999ns" };
        static readonly string[] Units = { "ns", "us", "ms", "s", "", "S", "sec", " ms" };
        static readonly string[] Templates =
        {
            "periodic name=F{0} wcet={1} period={2} jobs={3} start={4}",
            "periodic name=F{0} wcet={1} period={2} phase={2} deadline={1}",
            "periodic name=F{0} wcet={1} period={2} budget={1} overrun=hard",
            "aperiodic name=F{0} wcet={1} arrivals={4}, {2}, {2} deadline={2}",
            "background name=F{0} priority={3} start={4}",
            "guest name=G{0} workload=hog\n vcore period={2} slice={1} start={4} remove={2} add={2}\nend",
            "guest name=G{0} workload=periodic dilation={3}/1\n vcore period={2} slice={1}\n periodic name=t wcet={1} period={2}\nend",
            "duration {2}", "share {3}%", "scheduler edf", "scheduler cbs", "seed {3}",
        };

        static string Number(Random rng)
        {
            int k = rng.Next(10);
            if (k < 3) return Huge[rng.Next(Huge.Length)];
            if (k < 5) return Tiny[rng.Next(Tiny.Length)];
            if (k < 7) return rng.Next(1, 1000) + Units[rng.Next(4)];
            long v = (long)(rng.NextDouble() * Math.Pow(10, rng.Next(1, 20)));
            return v + Units[rng.Next(Units.Length)];
        }

        static string Mutate(string text, Random rng)
        {
            var lines = new List<string>(text.Split('\n'));
            int n = 1 + rng.Next(4);
            for (int m = 0; m < n; m++)
            {
                if (lines.Count == 0) lines.Add("");
                int li = rng.Next(lines.Count);
                string line = lines[li];
                switch (rng.Next(12))
                {
                    case 0: // change a digit
                    {
                        var idx = new List<int>();
                        for (int i = 0; i < line.Length; i++) if (char.IsDigit(line[i])) idx.Add(i);
                        if (idx.Count == 0) break;
                        int at = idx[rng.Next(idx.Count)];
                        lines[li] = line.Substring(0, at) + (char)('0' + rng.Next(10)) + line.Substring(at + 1);
                        break;
                    }
                    case 1: // a value replaced by a huge, tiny or random number
                    case 2:
                    {
                        var toks = line.Split(' ');
                        var eqs = new List<int>();
                        for (int i = 0; i < toks.Length; i++) if (toks[i].Contains('=')) eqs.Add(i);
                        if (eqs.Count == 0) { lines[li] = line + " " + Number(rng); break; }
                        int t = eqs[rng.Next(eqs.Count)];
                        toks[t] = toks[t].Substring(0, toks[t].IndexOf('=') + 1) + Number(rng);
                        lines[li] = string.Join(" ", toks);
                        break;
                    }
                    case 3: // remove a field
                    {
                        var toks = new List<string>(line.Split(' '));
                        if (toks.Count < 2) break;
                        toks.RemoveAt(1 + rng.Next(toks.Count - 1));
                        lines[li] = string.Join(" ", toks);
                        break;
                    }
                    case 4: // duplicate a field
                    {
                        var toks = line.Split(' ');
                        lines[li] = line + " " + toks[rng.Next(toks.Length)];
                        break;
                    }
                    case 5: // duplicate a line many times
                    {
                        int times = rng.Next(3) == 0 ? rng.Next(1000, 6000) : rng.Next(2, 40);
                        // At most about 1 MB of copies (the kernel takes files up to 1 MiB).
                        times = Math.Min(times, Math.Max(2, 1000000 / (line.Length + 1)));
                        var copies = new List<string>();
                        for (int i = 0; i < times; i++)
                            copies.Add(rng.Next(2) == 0 ? line : line.Replace("name=", "name=d" + i));
                        lines.InsertRange(li, copies);
                        break;
                    }
                    case 6: lines.RemoveAt(li); break;
                    case 7: // bytes inserted
                    {
                        int at = rng.Next(line.Length + 1);
                        char c = rng.Next(4) == 0 ? (char)rng.Next(0, 256) : " =,#/%.-\t\r"[rng.Next(10)];
                        lines[li] = line.Substring(0, at) + c + line.Substring(at);
                        break;
                    }
                    case 8: // the file cut somewhere
                    {
                        string all = string.Join("\n", lines);
                        int cut = rng.Next(all.Length + 1);
                        lines = new List<string>(all.Substring(0, cut).Split('\n'));
                        break;
                    }
                    case 9: // a unit swapped
                        lines[li] = line.Replace("ms", Units[rng.Next(Units.Length)]);
                        break;
                    case 10: // a new line from a template
                    {
                        string tpl = Templates[rng.Next(Templates.Length)];
                        string s = tpl.Replace("{0}", rng.Next(100000).ToString()).Replace("{1}", Number(rng)).Replace("{2}", Number(rng))
                            .Replace("{3}", rng.Next(0, 300).ToString()).Replace("{4}", Number(rng));
                        lines.Insert(li, s);
                        break;
                    }
                    default: // a long arrival list
                    {
                        var sb = new StringBuilder("aperiodic name=arr" + rng.Next(1000) + " wcet=1us arrivals=");
                        int count = rng.Next(2) == 0 ? rng.Next(1, 100) : rng.Next(5000, 60000);
                        for (int i = 0; i < count; i++) sb.Append(i == 0 ? "" : rng.Next(3) == 0 ? " , " : ",").Append(i * 7).Append("us");
                        lines.Insert(li, sb.ToString());
                        break;
                    }
                }
            }
            return string.Join("\n", lines);
        }

        static bool NamesLineAndField(string error, out int line)
        {
            line = 0;
            if (!error.StartsWith("line ")) return false;
            int i = 5;
            while (i < error.Length && char.IsDigit(error[i])) line = line * 10 + (error[i++] - '0');
            if (line <= 0 || i >= error.Length || error[i] != ':') return false;
            string rest = error.Substring(i + 1);
            // "field 'f': ...", a whole line ("unknown directive 'x'", "expected key=value after 'd'", ...)
            // names its directive in quotes, a bad byte its column.
            return rest.StartsWith(" field '") || rest.Contains("'") || rest.Contains("at column");
        }

        /// <summary>Parses and analyses one input; returns null when every check holds, else what failed.</summary>
        static string Check(byte[] input, out bool accepted, out double ms)
        {
            var sw = Stopwatch.StartNew();
            string e = CheckOne(input, out accepted);
            ms = sw.Elapsed.TotalMilliseconds;
            return e;
        }

        static string CheckOne(byte[] input, out bool accepted)
        {
            accepted = false;
            try
            {
                ParseResult r = WorkloadParser.Parse(input);
                if (!r.Ok)
                {
                    if (r.Workload != null) return "refused but a workload returned";
                    if (r.Line <= 0 || string.IsNullOrEmpty(r.Field)) return "refusal without line and field: line " + r.Line + " field '" + r.Field + "': " + r.Error;
                    if (!NamesLineAndField(r.Error, out int l) || l != r.Line) return "refusal text does not name line and field: " + r.Error;
                    return null;
                }
                accepted = true;
                WorkloadSpec w = r.Workload;
                foreach (string g in w.GuestErrors)
                    if (!NamesLineAndField(g, out _) || !g.Contains("field '") && !g.Contains("'"))
                        return "guest refusal without line and field: " + g;
                var cpus = new SortedSet<int>();
                foreach (TaskSpec t in w.Tasks) cpus.Add(t.Cpu);
                foreach (int cpu in cpus)
                    foreach (SchedulerKind k in new[] { SchedulerKind.Priority, SchedulerKind.Edf, SchedulerKind.Cbs })
                    {
                        string[] lines = WorkloadAnalysis.Describe(w, k, cpu);
                        if (lines.Length == 0) return "no verdict";
                    }
                long d = RunReport.DefaultDuration(w);
                if (d <= 0) return "default duration " + d;
                return null;
            }
            catch (Exception e)
            {
                return "exception: " + e;
            }
        }

        [Test]
        public void MutatedExamplesParseAndAnalyseSafelyAndFast()
        {
            int inputs = Inputs();
            var rng = new Random(Seed());
            List<string> corpus = Corpus();
            Assert.That(corpus.Count, Is.GreaterThanOrEqualTo(10));
            int acceptedCount = 0, refused = 0;
            double worst = 0, total = 0;
            string worstInput = null;
            var failures = new List<string>();
            var fields = new SortedDictionary<string, int>();
            // Warm-up (JIT compilation is not the parser's time): every corpus file once.
            foreach (string c in corpus) Check(Encoding.ASCII.GetBytes(c), out _, out _);
            var total_sw = Stopwatch.StartNew();
            for (int i = 0; i < inputs; i++)
            {
                string text = Mutate(corpus[rng.Next(corpus.Count)], rng);
                byte[] data = new byte[text.Length];
                for (int k = 0; k < text.Length; k++) data[k] = text[k] < 256 ? (byte)text[k] : (byte)'?';
                string fail = Check(data, out bool ok, out double ms);
                total += ms;
                if (ms > worst) { worst = ms; worstInput = text; }
                if (ok) acceptedCount++; else refused++;
                if (!ok)
                {
                    var r = WorkloadParser.Parse(data);
                    fields.TryGetValue(r.Field ?? "", out int c);
                    fields[r.Field ?? ""] = c + 1;
                }
                if (fail == null && ms > 1000) fail = "took " + ms.ToString("F0") + " ms";
                if (fail != null && failures.Count < 5) failures.Add("input " + i + ": " + fail + "\n--- input (first 2000 chars) ---\n" + (text.Length > 2000 ? text.Substring(0, 2000) : text));
            }
            TestContext.Out.WriteLine("workload fuzz: " + inputs + " inputs (seed " + Seed() + "), " + acceptedCount + " accepted, " + refused
                + " refused; " + total_sw.Elapsed.TotalSeconds.ToString("F1") + " s in all, mean " + (total / inputs).ToString("F2")
                + " ms, worst " + worst.ToString("F1") + " ms (" + (worstInput == null ? 0 : worstInput.Length) + " bytes)");
            if (Environment.GetEnvironmentVariable("OSPREY_FUZZ_SHOW_WORST") != null) TestContext.Out.WriteLine("worst input:\n" + (worstInput.Length > 3000 ? worstInput.Substring(0, 3000) : worstInput));
            var top = new StringBuilder("refusals by field:");
            foreach (var kv in fields) if (kv.Value >= inputs / 200) top.Append(" " + kv.Key + "=" + kv.Value);
            TestContext.Out.WriteLine(top.ToString());
            Assert.That(failures, Is.Empty, string.Join("\n\n", failures));
            Assert.That(acceptedCount, Is.GreaterThan(inputs / 20), "the mutations should leave some files valid");
            Assert.That(refused, Is.GreaterThan(inputs / 20));
        }
    }
}
