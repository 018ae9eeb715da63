// The per-task table that the simulator and the kernel print after a workload
// run (sched/analysis/RunReport.cs: "task kind cpu prio released jobs misses
// ... postponed rm-missed cpu-time"), read back for the comparisons.
namespace Osprey.QemuRunner.Stages;

/// <summary>One task's counts: what must be equal between the simulator and the kernel.</summary>
public sealed record TaskCounts(string Task, string Kind, string Released, string Jobs, string Misses, string Postponed, string RmMissed)
{
    public override string ToString() => $"{Task} {Kind} {Released} {Jobs} {Misses} {Postponed} {RmMissed}";
}

public static class TaskTable
{
    /// <summary>The columns compared, by header name.</summary>
    public static readonly string[] Compared = { "released", "jobs", "misses", "postponed", "rm-missed" };
    static readonly string[] Kinds = { "periodic", "aperiodic", "background" };

    /// <summary>
    /// The rows of the first table in <paramref name="text"/>: from its header line
    /// ("task kind cpu ...") to the first empty line; only task rows (kind periodic,
    /// aperiodic or background; overrun notes and other lines are left out). Columns are
    /// found by header name. A partitioned run on several CPUs prints one such table per
    /// CPU, each after a line "cpu N:" (sched/sim Program.Print): when the first table
    /// follows such a line, every table that follows the empty line after it under its
    /// own "cpu N:" line is read on, in order. Returns null when there is no such table,
    /// or sets <paramref name="error"/> when a header lacks a compared column.
    /// </summary>
    public static List<TaskCounts>? Read(string text, out string? error)
    {
        error = null;
        string[]? header = null;
        int[] at = Array.Empty<int>();
        var rows = new List<TaskCounts>();
        // perCpu: the first table came after "cpu N:"; between: after a table's end,
        // waiting for the next "cpu N:" line; expectHeader: that line was just seen.
        bool perCpu = false, between = false, expectHeader = false, lastWasCpu = false;
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            string line = LineCleaner.Clean(raw);
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            bool cpuLine = IsCpuTitle(f);
            if (header == null || expectHeader)
            {
                if (f.Length >= 3 && f[0] == "task" && f[1] == "kind" && f[2] == "cpu")
                {
                    if (header == null) perCpu = lastWasCpu;
                    header = f;
                    expectHeader = false;
                    at = Compared.Select(c => Array.IndexOf(header, c)).ToArray();
                    int missing = Array.IndexOf(at, -1);
                    if (missing >= 0) { error = $"the task table's header has no '{Compared[missing]}' column: {line}"; return null; }
                }
                else if (expectHeader) break;
                lastWasCpu = cpuLine;
                continue;
            }
            if (between)
            {
                if (line.Trim().Length == 0) continue;
                if (!cpuLine) break;
                between = false;
                expectHeader = true;
                continue;
            }
            if (line.Trim().Length == 0)
            {
                if (!perCpu) break;
                between = true;
                continue;
            }
            if (f.Length < header.Length - 1 || !Kinds.Contains(f[1])) continue;
            if (at.Max() >= f.Length) continue;
            rows.Add(new TaskCounts(f[0], f[1], f[at[0]], f[at[1]], f[at[2]], f[at[3]], f[at[4]]));
        }
        return header == null ? null : rows;
    }

    /// <summary>A per-CPU table's title: exactly "cpu N:".</summary>
    static bool IsCpuTitle(string[] f) =>
        f.Length == 2 && f[0] == "cpu" && f[1].Length > 1 && f[1].EndsWith(':') && f[1][..^1].All(char.IsDigit);

    /// <summary>Null when both tables hold the same tasks in the same order with equal counts, else the first difference.</summary>
    public static string? Difference(IReadOnlyList<TaskCounts> sim, IReadOnlyList<TaskCounts> kernel)
    {
        for (int i = 0; i < Math.Max(sim.Count, kernel.Count); i++)
        {
            if (i >= sim.Count) return $"task '{kernel[i].Task}' only in the kernel's table";
            if (i >= kernel.Count) return $"task '{sim[i].Task}' only in the simulator's table";
            if (sim[i] != kernel[i]) return $"simulator '{sim[i]}' vs kernel '{kernel[i]}'";
        }
        return null;
    }
}
