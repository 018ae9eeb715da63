// The two benchmark tables and their verdicts:
//  - Compare: each figure of Osprey and Linux-RT under -icount and plain
//    emulation, with the ratio Linux / Osprey and the two targets, then the
//    multi-CPU rows (smp_*, always listed; BENCHMARKS.md names them);
//  - ReadyScaling: the kernel's ready-set figures under -icount as one row
//    per policy, pattern and operation, N=10..10000, the ratio N=10000 / N=10
//    and the flatness targets.
using System.Globalization;
using System.Text;

namespace Osprey.QemuRunner.Benchmarks;

public static class BenchTables
{
    static string F(string fmt, params object?[] a) => string.Format(CultureInfo.InvariantCulture, fmt, a);

    /// <summary>Wake-up latency max under -icount: Linux-RT / Osprey must be at least this.</summary>
    public const double LatencyTarget = 5;
    /// <summary>Semaphore ping-pong under -icount: Linux pipe ping-pong / Osprey must be at least this.</summary>
    public const double PingPongTarget = 10;

    /// <summary>The CPUs of the multi-CPU boots (QEMU -smp).</summary>
    public const int SmpCpus = 4;
    /// <summary>The Osprey cell of a multi-CPU row the kernel did not print.</summary>
    public const string NotMeasured = "\u2014";
    public const string NotMeasuredNote = NotMeasured + " Osprey: not measured in this run (no multi-CPU boot of the kernel: --linux-only, or its boot printed no figures)";
    /// <summary>Why linux-ic is empty in the multi-CPU rows of a run with Linux.</summary>
    public const string LinuxIcountNote = "- linux-ic: not run: Linux-RT does not finish booting under -icount with -smp in this QEMU (BENCHMARKS.md, \"Multi-CPU\")";
    /// <summary>The note when the kernel printed some multi-CPU figures but not every row's.</summary>
    public const string PartlyMeasuredNote = NotMeasured + " Osprey: not printed by the kernel's bench_smp suite";

    /// <summary>
    /// The multi-CPU rows, in table order: the figures both systems print under
    /// -smp 4 (Osprey: the bench_smp suite; Linux: qemu/linux-rt/init.sh with
    /// osprey_bench=smp), all in ns.
    /// </summary>
    public static IReadOnlyList<string> SmpRows { get; } = BuildSmpRows();

    static List<string> BuildSmpRows()
    {
        var rows = new List<string>();
        for (int cpu = 0; cpu < SmpCpus; cpu++)
            foreach (var s in new[] { "min", "mean", "max" }) rows.Add($"smp_cyclictest_cpu{cpu}_{s}");
        rows.Add("smp_pingpong_round_trip");
        rows.Add("smp_queue_pingpong_round_trip");
        foreach (var s in new[] { "min", "mean", "max" }) rows.Add($"smp_wakeup_{s}");
        return rows;
    }

    static bool IsSmp(string name) => name.StartsWith("smp_", StringComparison.Ordinal);

    /// <summary>The comparison table (every figure but the ready_* ones), then the targets met or MISSED, then the multi-CPU rows.</summary>
    public static string Compare(IEnumerable<BenchFigure> figures)
    {
        var val = new Dictionary<string, BenchFigure>();
        var unit = new Dictionary<string, string>();
        var order = new List<string>();
        var smpOrder = new List<string>(SmpRows);
        foreach (var b in figures)
        {
            if (b.Name.StartsWith("ready_", StringComparison.Ordinal)) continue;
            val[$"{b.System} {b.Mode} {b.Name}"] = b;
            unit[b.Name] = b.Unit;
            var list = IsSmp(b.Name) ? smpOrder : order;
            if (!list.Contains(b.Name)) list.Add(b.Name);
        }
        string Cell(string k) => val.TryGetValue(k, out var b) ? b.Value : "-";
        string Ratio(string o, string l) =>
            val.TryGetValue(o, out var ob) && val.TryGetValue(l, out var lb) && ob.Number != 0 ? F("{0:F1}x", lb.Number / ob.Number) : "-";
        const string Row = "{0,-30} {1,-10} {2,12} {3,12} {4,8} {5,12} {6,12} {7,8}";
        var sb = new StringBuilder();
        sb.Append(F(Row, "figure", "unit", "osprey-ic", "linux-ic", "ratio", "osprey-pl", "linux-pl", "ratio")).Append('\n');
        foreach (var f in order)
            sb.Append(F(Row, f, unit[f], Cell("osprey icount " + f), Cell("linux icount " + f), Ratio("osprey icount " + f, "linux icount " + f),
                Cell("osprey plain " + f), Cell("linux plain " + f), Ratio("osprey plain " + f, "linux plain " + f))).Append('\n');
        if (Target(val, "cyclictest_max", LatencyTarget) is var (lat, met1))
            sb.Append(F("\ntarget: wake-up latency max under icount at least 5x below Linux-RT: {0:F1}x ({1})\n", lat, met1 ? "met" : "MISSED"));
        if (Target(val, "pingpong_round_trip", PingPongTarget) is var (pp, met2))
            sb.Append(F("target: semaphore ping-pong at least 10x cheaper than Linux pipe ping-pong under icount: {0:F1}x ({1})\n", pp, met2 ? "met" : "MISSED"));

        // Multi-CPU rows: listed even before either system prints them; an
        // Osprey cell without a figure reads NotMeasured, explained below.
        bool ospreySmp = val.Values.Any(b => b.System == "osprey" && IsSmp(b.Name));
        bool ospreyMissing = false;
        string OspreyCell(string k)
        {
            if (val.TryGetValue(k, out var b)) return b.Value;
            ospreyMissing = true;
            return NotMeasured;
        }
        sb.Append(F("\nmulti-CPU (-smp {0})\n", SmpCpus));
        foreach (var f in smpOrder)
        {
            // Without a Linux run the Linux columns say "-" as in the rows above.
            sb.Append(F(Row, f, unit.TryGetValue(f, out var u) ? u : "ns",
                OspreyCell("osprey icount " + f), Cell("linux icount " + f), Ratio("osprey icount " + f, "linux icount " + f),
                OspreyCell("osprey plain " + f), Cell("linux plain " + f), Ratio("osprey plain " + f, "linux plain " + f))).Append('\n');
        }
        if (ospreyMissing) sb.Append(ospreySmp ? PartlyMeasuredNote : NotMeasuredNote).Append('\n');
        bool linuxIcount = val.Values.Any(b => b.System == "linux" && b.Mode == "icount");
        bool linuxIcountSmp = val.Values.Any(b => b.System == "linux" && b.Mode == "icount" && IsSmp(b.Name));
        if (linuxIcount && !linuxIcountSmp) sb.Append(LinuxIcountNote).Append('\n');
        return sb.ToString();
    }

    /// <summary>Linux / Osprey under -icount for <paramref name="name"/> and whether it reaches <paramref name="factor"/>; null when a figure is missing.</summary>
    static (double Ratio, bool Met)? Target(Dictionary<string, BenchFigure> val, string name, double factor)
    {
        if (!val.TryGetValue("osprey icount " + name, out var o) || !val.TryGetValue("linux icount " + name, out var l)) return null;
        return (o.Number != 0 ? l.Number / o.Number : double.PositiveInfinity, l.Number >= factor * o.Number);
    }

    public static readonly int[] Sizes = { 10, 100, 1000, 10000 };
    /// <summary>N=10000 / N=10 at most: fixed priority is flat, the deadline-ordered policies within 2x.</summary>
    public static double ScalingLimit(string policy) => policy == "priority" ? 1.10 : 2.0;

    /// <summary>
    /// The ready-set scaling table of the Osprey -icount figures named
    /// ready_POLICY_PATTERN_OP_N, with its targets line; null when there are none.
    /// <paramref name="missed"/> lists the rows over their limit.
    /// </summary>
    public static string? ReadyScaling(IEnumerable<BenchFigure> figures, out List<string> missed)
    {
        missed = new List<string>();
        var rows = new List<string>();
        var val = new Dictionary<(string Row, int N), BenchFigure>();
        foreach (var b in figures)
        {
            if (b.System != "osprey" || b.Mode != "icount" || !b.Name.StartsWith("ready_", StringComparison.Ordinal)) continue;
            string[] f = b.Name.Split('_');
            if (f.Length != 5 || !int.TryParse(f[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)) continue;
            string row = $"{f[1]} {f[2]} {f[3]}";
            val[(row, n)] = b;
            if (!rows.Contains(row)) rows.Add(row);
        }
        if (rows.Count == 0) return null;
        const string Head = "{0,-9} {1,-9} {2,-10} {3,8} {4,8} {5,8} {6,8} {7,7}";
        var sb = new StringBuilder();
        sb.Append(F(Head, "policy", "pattern", "op", "N=10", "N=100", "N=1000", "N=10000", "ratio")).Append('\n');
        foreach (var r in rows)
        {
            string[] k = r.Split(' ');
            string Cell(int n) => val.TryGetValue((r, n), out var b) ? b.Value : "";
            double v10 = val.TryGetValue((r, 10), out var a) ? a.Number : 0;
            double v10k = val.TryGetValue((r, 10000), out var z) ? z.Number : 0;
            double ratio = v10 > 0 ? v10k / v10 : 0;
            sb.Append(F("{0,-9} {1,-9} {2,-10} {3,8} {4,8} {5,8} {6,8} {7,6:F2}x", k[0], k[1], k[2], Cell(10), Cell(100), Cell(1000), Cell(10000), ratio)).Append('\n');
            if (ratio > ScalingLimit(k[0])) missed.Add(F("{0} ({1:F2}x)", r, ratio));
        }
        sb.Append(F("\ntargets (instructions): priority flat (N=10000 within 1.10x of N=10), edf and cbs N=10000 within 2x of N=10: {0}\n",
            missed.Count == 0 ? "met for every operation" : "MISSED for " + string.Join(" ", missed)));
        return sb.ToString();
    }
}
