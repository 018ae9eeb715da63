// The end-of-run guest report that the kernel and the simulator print
// (kernel/workload/GuestCores.cs, sched/sim/GuestSim.cs), read back for the
// guest checks: the comparable lines, the guest clocks, the admitted cores
// and the cores that missed periods. Fields are split on blanks, numbered
// from 1 as the report's columns are counted (a missing field is "").
using System.Globalization;
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner.Stages;

public static class GuestReport
{
    static readonly Regex CoreHeader = new(@"^core +kind +dilation", RegexOptions.CultureInvariant);
    static readonly Regex ClockHeader = new(@"^core +guest-clock", RegexOptions.CultureInvariant);
    static readonly Regex GuestOnVcore = new(@"^guest .* on vcore", RegexOptions.CultureInvariant);
    static readonly Regex TaskHeader = new(@"^task +kind", RegexOptions.CultureInvariant);
    static readonly Regex RunTail = new(@", run .*", RegexOptions.CultureInvariant);
    static readonly Regex Admitted = new(@"^guest cores on cpu 0: .*, ([0-9]*) core\(s\), run .*", RegexOptions.CultureInvariant);

    static string[] Fields(string line) => line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
    static string F(string[] f, int n) => n <= f.Length ? f[n - 1] : "";
    static IEnumerable<string> Bare(IEnumerable<string> lines) => lines.Select(l => l.Replace("\r", ""));

    /// <summary>
    /// The lines both sides must print alike: "title ..." (the "guest cores on cpu" line up to
    /// ", run"), per row of the core table "core NAME PERIODS MISSES" (columns 1, 11, 13), per
    /// row of a guest's task table "task GUEST TASK JOBS MISSES" (columns 1, 6, 7), and every
    /// "rejected: " line, in the order printed.
    /// </summary>
    public static List<string> Comparable(IEnumerable<string> lines)
    {
        var o = new List<string>();
        bool core = false, task = false;
        string guest = "";
        foreach (string line in Bare(lines))
        {
            var f = Fields(line);
            if (line.StartsWith("guest cores on cpu", StringComparison.Ordinal)) { o.Add("title " + RunTail.Replace(line, "", 1)); continue; }
            if (CoreHeader.IsMatch(line)) { core = true; continue; }
            if (core && f.Length == 0) core = false;
            if (core) { o.Add($"core {F(f, 1)} {F(f, 11)} {F(f, 13)}"); continue; }
            if (GuestOnVcore.IsMatch(line)) { guest = F(f, 2); continue; }
            if (guest != "" && TaskHeader.IsMatch(line)) { task = true; continue; }
            if (task && f.Length == 0) task = false;
            if (task && line.StartsWith("guest ", StringComparison.Ordinal)) { task = false; guest = ""; }
            if (task) { o.Add($"task {guest} {F(f, 1)} {F(f, 6)} {F(f, 7)}"); continue; }
            if (line.StartsWith("rejected: ", StringComparison.Ordinal)) o.Add(line);
        }
        return o;
    }

    /// <summary>The guest-clock table: core name and clock in ns (null when unreadable), up to its first empty line.</summary>
    public static List<(string Core, long? Ns)> Clocks(IEnumerable<string> lines)
    {
        var o = new List<(string, long?)>();
        bool on = false;
        foreach (string line in Bare(lines))
        {
            if (!on) { on = ClockHeader.IsMatch(line); continue; }
            var f = Fields(line);
            if (f.Length == 0) break;
            o.Add((F(f, 1), Durations.ToNs(F(f, 2))));
        }
        return o;
    }

    /// <summary>The cores whose kernel clock is behind the simulator's or more than 1 ms past it
    /// ("core sim-ns kernel-ns"); cores in one table only are not compared.</summary>
    public static List<string> ClockDifferences(IEnumerable<string> simLines, IEnumerable<string> kernelLines)
    {
        var sim = Clocks(simLines);
        var bad = new List<string>();
        foreach (var (core, kns) in Clocks(kernelLines).OrderBy(c => c.Core, StringComparer.Ordinal))
            foreach (var (_, sns) in sim.Where(s => s.Core == core))
            {
                long s = sns ?? 0, k = kns ?? 0;
                if (k < s || k > s + 1_000_000) bad.Add($"{core} {s} {k}");
            }
        return bad;
    }

    /// <summary>The core counts of the "guest cores on cpu 0: ..., N core(s), run ..." lines, one per line.</summary>
    public static string AdmittedCores(IEnumerable<string> lines) =>
        string.Join("\n", Bare(lines).Select(l => Admitted.Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value));

    /// <summary>The core table's rows whose misses (column 11) are not 0, as "core misses".</summary>
    public static List<string> Misses(IEnumerable<string> lines)
    {
        var o = new List<string>();
        bool on = false;
        foreach (string line in Bare(lines))
        {
            if (!on) { on = CoreHeader.IsMatch(line); continue; }
            var f = Fields(line);
            if (f.Length == 0) break;
            string m = F(f, 11);
            bool zero = double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d == 0 : m == "0";
            if (!zero) o.Add($"{F(f, 1)} {m}");
        }
        return o;
    }
}
