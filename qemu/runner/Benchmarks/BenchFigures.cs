// Benchmark figures: the kernel's (and Linux-RT's) "# BENCH name value unit"
// serial lines, kept as "BENCH system mode name value unit" records in
// results.txt, the file both bench tables read.
using System.Globalization;

namespace Osprey.QemuRunner.Benchmarks;

/// <summary>One figure. <c>Value</c> keeps the text as printed; <c>Number</c> is its value.</summary>
public sealed record BenchFigure(string System, string Mode, string Name, string Value, string Unit)
{
    public double Number => double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : 0;
    public override string ToString() => $"BENCH {System} {Mode} {Name} {Value} {Unit}";
}

public static class BenchFigures
{
    /// <summary>The "# BENCH name value unit" lines (exactly those four words after '#') of a serial log.</summary>
    public static List<BenchFigure> Extract(string system, string mode, string log)
    {
        var list = new List<BenchFigure>();
        foreach (var raw in log.Replace("\r", "").Split('\n'))
        {
            string[] f = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 5 && f[0] == "#" && f[1] == "BENCH") list.Add(new BenchFigure(system, mode, f[2], f[3], f[4]));
        }
        return list;
    }

    /// <summary>The records of a results.txt ("BENCH system mode name value unit" lines; others are ignored).</summary>
    public static List<BenchFigure> ReadResults(string text)
    {
        var list = new List<BenchFigure>();
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            string[] f = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 6 && f[0] == "BENCH") list.Add(new BenchFigure(f[1], f[2], f[3], f[4], f[5]));
        }
        return list;
    }
}
