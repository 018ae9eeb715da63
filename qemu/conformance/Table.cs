// The statistics table that the simulator and the kernel both print
// (sched/workload/RunReport.cs): a header line starting "task kind cpu",
// one row per task, a blank line. Columns: task kind cpu prio released
// jobs misses resp-min resp-mean resp-max postponed rm-missed cpu-time.
namespace Osprey.Conformance;

public static class Table
{
    /// <summary>The rows of the first table in the output; null when there is none.</summary>
    public static Dictionary<string, TaskCounts>? Read(string output)
    {
        Dictionary<string, TaskCounts>? rows = null;
        foreach (string raw in output.Replace("\r", "").Split('\n'))
        {
            string[] w = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (rows == null)
            {
                if (w.Length >= 3 && w[0] == "task" && w[1] == "kind" && w[2] == "cpu") rows = new();
                continue;
            }
            if (w.Length == 0) break;
            if (w.Length < 13 || (w[1] != "periodic" && w[1] != "aperiodic" && w[1] != "background")) continue;
            rows[w[0]] = new TaskCounts
            {
                Name = w[0],
                Released = long.Parse(w[4]),
                Jobs = long.Parse(w[5]),
                Misses = long.Parse(w[6]),
                Postponed = w[10],
                RmMissed = w[11] == "-" ? 0 : long.Parse(w[11]),
            };
        }
        return rows;
    }
}
