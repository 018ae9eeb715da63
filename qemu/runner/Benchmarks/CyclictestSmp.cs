// The per-CPU figures of `cyclictest -S -q -N` on Linux-RT: qemu/linux-rt/init.sh
// copies cyclictest's output to the serial log as "# cyclictest-smp: LINE"
// lines; each summary line
//   T: <thread> (<tid>) P:99 I:1000 C: 10000 Min: <ns> Act: <ns> Avg: <ns> Max: <ns>
// becomes smp_cyclictest_cpu<thread>_min, _mean and _max (with -S thread N is
// pinned to CPU N).
using System.Globalization;
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner.Benchmarks;

public static class CyclictestSmp
{
    public const string Prefix = "# cyclictest-smp:";

    static readonly Regex Summary = new(
        @"^T:\s*(?<t>\d+)\s+\(\s*\d+\)\s+P:\s*\d+\s+I:\s*\d+\s+C:\s*(?<c>\d+)\s+Min:\s*(?<min>\d+)\s+Act:\s*\d+\s+Avg:\s*(?<avg>\d+)\s+Max:\s*(?<max>\d+)\s*$",
        RegexOptions.CultureInvariant);

    /// <summary>
    /// The figures of the summary lines in <paramref name="log"/>; null with
    /// <paramref name="error"/> set when a "T:" line does not parse, a CPU
    /// appears twice, a thread completed fewer than <paramref name="loops"/>
    /// loops, or CPUs 0 to <paramref name="cpus"/>-1 are not all there.
    /// </summary>
    public static List<BenchFigure>? Figures(string mode, string log, int cpus, long loops, out string? error)
    {
        error = null;
        var perCpu = new SortedDictionary<int, (string Min, string Avg, string Max)>();
        int lineNo = 0;
        foreach (var raw in log.Replace("\r", "").Split('\n'))
        {
            lineNo++;
            string line = raw.Trim();
            if (!line.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            string body = line.Substring(Prefix.Length).Trim();
            if (!body.StartsWith("T:", StringComparison.Ordinal)) continue;
            var m = Summary.Match(body);
            if (!m.Success) { error = $"log line {lineNo}: not a cyclictest summary line: '{body}'"; return null; }
            int t = int.Parse(m.Groups["t"].Value, CultureInfo.InvariantCulture);
            long c = long.Parse(m.Groups["c"].Value, CultureInfo.InvariantCulture);
            if (perCpu.ContainsKey(t)) { error = $"log line {lineNo}: a second summary for thread {t}"; return null; }
            if (c < loops) { error = $"log line {lineNo}: thread {t} completed {c} of {loops} loops"; return null; }
            perCpu[t] = (m.Groups["min"].Value, m.Groups["avg"].Value, m.Groups["max"].Value);
        }
        var missing = Enumerable.Range(0, cpus).Where(c => !perCpu.ContainsKey(c)).ToList();
        if (missing.Count > 0) { error = $"no cyclictest summary for CPU {string.Join(", ", missing)} (of {cpus})"; return null; }
        var list = new List<BenchFigure>();
        foreach (var (cpu, v) in perCpu)
        {
            list.Add(new BenchFigure("linux", mode, $"smp_cyclictest_cpu{cpu}_min", v.Min, "ns"));
            list.Add(new BenchFigure("linux", mode, $"smp_cyclictest_cpu{cpu}_mean", v.Avg, "ns"));
            list.Add(new BenchFigure("linux", mode, $"smp_cyclictest_cpu{cpu}_max", v.Max, "ns"));
        }
        return list;
    }
}
