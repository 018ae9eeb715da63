// FILE.expect: the per-task results theory predicts for FILE.wl.
//
//   # comments (the derivation) run from '#' to the end of the line
//   expect        TASK released=N jobs=N misses=N postponed=MAX/END rm-missed=N
//   expect-sim    TASK ...      (the simulator only: zero overheads)
//   expect-kernel TASK ...      (the kernel only: overheads of a few us per job)
//
// Every task needs an expectation for each side (`expect` gives both), with
// all five fields. Errors name the file, the line and the field.
namespace Osprey.Conformance;

public sealed class TaskCounts
{
    public string Name = "";
    public long Released, Jobs, Misses, RmMissed;
    public string Postponed = "";   // MAX/END, or "-" for tasks without a period

    public override string ToString() =>
        $"released={Released} jobs={Jobs} misses={Misses} postponed={Postponed} rm-missed={RmMissed}";

    public bool SameAs(TaskCounts o) =>
        Released == o.Released && Jobs == o.Jobs && Misses == o.Misses && RmMissed == o.RmMissed && Postponed == o.Postponed;
}

public sealed class Expectation
{
    public readonly Dictionary<string, TaskCounts> Sim = new();
    public readonly Dictionary<string, TaskCounts> Kernel = new();
    public readonly List<string> Order = new();

    static readonly string[] Fields = { "released", "jobs", "misses", "postponed", "rm-missed" };

    /// <summary>Parses the text; null and an error naming line and field when it is bad.</summary>
    public static Expectation? Parse(string path, string text, out string? error)
    {
        var e = new Expectation();
        error = null;
        string[] lines = text.Replace("\r", "").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int hash = line.IndexOf('#');
            if (hash >= 0) line = line.Substring(0, hash);
            string[] w = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (w.Length == 0) continue;
            string where = $"{path}: line {i + 1}";
            bool sim = w[0] == "expect" || w[0] == "expect-sim";
            bool kernel = w[0] == "expect" || w[0] == "expect-kernel";
            if (!sim && !kernel) { error = $"{where}: unknown directive '{w[0]}' (expected expect, expect-sim or expect-kernel)"; return null; }
            if (w.Length < 2 || w[1].Contains('=')) { error = $"{where}: field 'task': missing task name"; return null; }
            var c = new TaskCounts { Name = w[1] };
            var seen = new HashSet<string>();
            for (int k = 2; k < w.Length; k++)
            {
                int eq = w[k].IndexOf('=');
                string key = eq < 0 ? w[k] : w[k].Substring(0, eq);
                string val = eq < 0 ? "" : w[k].Substring(eq + 1);
                if (Array.IndexOf(Fields, key) < 0) { error = $"{where}: field '{key}': unknown (expected {string.Join(", ", Fields)})"; return null; }
                if (!seen.Add(key)) { error = $"{where}: field '{key}': given twice"; return null; }
                if (key == "postponed")
                {
                    string[] p = val.Split('/');
                    if (!(val == "-" || (p.Length == 2 && long.TryParse(p[0], out _) && long.TryParse(p[1], out _))))
                    { error = $"{where}: field 'postponed': expected MAX/END or '-', got '{val}'"; return null; }
                    c.Postponed = val;
                    continue;
                }
                if (!long.TryParse(val, out long n) || n < 0) { error = $"{where}: field '{key}': expected a count >= 0, got '{val}'"; return null; }
                if (key == "released") c.Released = n;
                else if (key == "jobs") c.Jobs = n;
                else if (key == "misses") c.Misses = n;
                else c.RmMissed = n;
            }
            foreach (string f in Fields)
                if (!seen.Contains(f)) { error = $"{where}: field '{f}': missing (every field is checked)"; return null; }
            if (sim && !Add(e.Sim, c, where, "simulator", out error)) return null;
            if (kernel && !Add(e.Kernel, c, where, "kernel", out error)) return null;
            if (!e.Order.Contains(c.Name)) e.Order.Add(c.Name);
        }
        foreach (string t in e.Order)
        {
            if (!e.Sim.ContainsKey(t)) { error = $"{path}: task '{t}' has no expectation for the simulator"; return null; }
            if (!e.Kernel.ContainsKey(t)) { error = $"{path}: task '{t}' has no expectation for the kernel"; return null; }
        }
        if (e.Order.Count == 0) { error = $"{path}: no expectations"; return null; }
        return e;
    }

    static bool Add(Dictionary<string, TaskCounts> d, TaskCounts c, string where, string side, out string? error)
    {
        error = null;
        if (d.ContainsKey(c.Name)) { error = $"{where}: field 'task': '{c.Name}' already has an expectation for the {side}"; return false; }
        d[c.Name] = c;
        return true;
    }
}
