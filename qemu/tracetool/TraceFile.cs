// The text trace format (sched/README.md, "Trace format") as read by the
// host: header, thread names, events, dropped counts. Also finds a dump
// inside a QEMU serial log (between "# trace begin" and "# trace end").
using System.Globalization;

namespace Osprey.TraceTool;

/// <summary>One event line: TIME CPU EVENT THREAD [key=value ...].</summary>
public sealed class TraceEvent
{
    public long Time;
    public int Cpu;
    public string Kind = "";
    /// <summary>Thread id, or -1 for "-".</summary>
    public int Thread;
    public int Line;
    public readonly List<KeyValuePair<string, string>> Args = new();

    public string? Arg(string key)
    {
        foreach (var kv in Args) if (kv.Key == key) return kv.Value;
        return null;
    }

    public long Long(string key, long missing)
    {
        string? v = Arg(key);
        return v != null && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long x) ? x : missing;
    }

    public bool Has(string key) => Arg(key) != null;
}

/// <summary>The trailer line of one CPU's ring: dropped CPU N kept=K capacity=C overflow=MODE.</summary>
public sealed record DropCount(int Cpu, long Dropped, long Kept, string Capacity, string Overflow);

public sealed class TraceFile
{
    public const string BeginMarker = "# trace begin";
    public const string EndMarker = "# trace end";
    public const string Magic = "# osprey-trace 2";

    public int Version;
    public string? Source;
    /// <summary>Thread names by (cpu of the ring that named it, id).</summary>
    public readonly Dictionary<(int Cpu, int Id), string> Names = new();
    public readonly List<TraceEvent> Events = new();
    public readonly List<DropCount> Dropped = new();
    public bool Complete;
    public readonly List<string> Warnings = new();

    public long TotalDropped => Dropped.Sum(d => d.Dropped);

    /// <summary>The thread's name: from its CPU's table, else any table, else its id.</summary>
    public string NameOf(int cpu, int id)
    {
        if (id < 0) return "-";
        if (Names.TryGetValue((cpu, id), out string? n)) return n;
        foreach (var kv in Names) if (kv.Key.Id == id) return kv.Value;
        return "thread " + id.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Parse trace text (a whole file in the format).</summary>
    public static TraceFile Parse(string text)
    {
        var f = new TraceFile();
        string[] lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        for (int i = 0; i < lines.Length; i++) f.ParseLine(lines[i].Trim(), i + 1);
        if (f.Version == 0) f.Warnings.Add("no '" + Magic + "' header line");
        if (!f.Complete) f.Warnings.Add("no '# end' line: the trace is cut short");
        return f;
    }

    void ParseLine(string l, int number)
    {
        if (l.Length == 0) return;
        if (l[0] == '#')
        {
            if (l.StartsWith("# osprey-trace ", StringComparison.Ordinal))
            {
                if (!int.TryParse(l.AsSpan(15), NumberStyles.None, CultureInfo.InvariantCulture, out Version))
                    Warnings.Add($"line {number}: bad version '{l}'");
                else if (Version != 2)
                    Warnings.Add($"line {number}: version {Version} (this tool reads version 2)");
            }
            else if (l.StartsWith("# source ", StringComparison.Ordinal)) Source = l.Substring(9);
            else if (l == "# end") Complete = true;
            return;
        }
        string[] w = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (w[0] == "thread")
        {
            if (w.Length >= 4 && TryInt(w[1], out int cpu) && TryInt(w[2], out int id))
            {
                int at = IndexOfWord(l, 3);
                Names[(cpu, id)] = l.Substring(at);
            }
            else Warnings.Add($"line {number}: bad thread line '{l}'");
            return;
        }
        if (w[0] == "dropped")
        {
            if (w.Length >= 3 && TryInt(w[1], out int cpu) && long.TryParse(w[2], NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                var kv = KeyValues(w, 3);
                Dropped.Add(new DropCount(cpu, n, kv.TryGetValue("kept", out var k) && long.TryParse(k, out long kk) ? kk : -1,
                    kv.GetValueOrDefault("capacity") ?? "?", kv.GetValueOrDefault("overflow") ?? "?"));
            }
            else Warnings.Add($"line {number}: bad dropped line '{l}'");
            return;
        }
        if (w.Length < 4 || !long.TryParse(w[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long time)
            || !TryInt(w[1], out int c))
        {
            Warnings.Add($"line {number}: not a trace line: '{l}'");
            return;
        }
        var e = new TraceEvent { Time = time, Cpu = c, Kind = w[2], Line = number };
        if (w[3] == "-") e.Thread = -1;
        else if (!TryInt(w[3], out e.Thread))
        {
            Warnings.Add($"line {number}: bad thread '{w[3]}'");
            return;
        }
        for (int i = 4; i < w.Length; i++)
        {
            int eq = w[i].IndexOf('=');
            if (eq <= 0) { Warnings.Add($"line {number}: field '{w[i]}' is not key=value"); continue; }
            e.Args.Add(new KeyValuePair<string, string>(w[i].Substring(0, eq), w[i].Substring(eq + 1)));
        }
        if (Events.Count > 0 && time < Events[^1].Time)
            Warnings.Add($"line {number}: time goes back ({time} after {Events[^1].Time})");
        Events.Add(e);
    }

    static bool TryInt(string s, out int v) => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v);

    static Dictionary<string, string> KeyValues(string[] w, int from)
    {
        var d = new Dictionary<string, string>();
        for (int i = from; i < w.Length; i++)
        {
            int eq = w[i].IndexOf('=');
            if (eq > 0) d[w[i].Substring(0, eq)] = w[i].Substring(eq + 1);
        }
        return d;
    }

    /// <summary>Index of the n-th (0-based) space-separated word of l.</summary>
    static int IndexOfWord(string l, int n)
    {
        int i = 0;
        for (int k = 0; k < n; k++)
        {
            while (i < l.Length && l[i] != ' ') i++;
            while (i < l.Length && l[i] == ' ') i++;
        }
        return i;
    }

    /// <summary>
    /// The trace text inside a log: the lines between the last "# trace
    /// begin" and the "# trace end" after it (dumps counts every begin
    /// marker). A text that starts with the format's header is returned as
    /// is; null when there is no trace.
    /// </summary>
    public static string? Extract(string log, out int dumps)
    {
        dumps = 0;
        string[] lines = log.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        int begin = -1;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() == BeginMarker) { dumps++; begin = i; }
        }
        if (begin < 0)
        {
            foreach (string l in lines)
            {
                if (l.Trim().Length == 0) continue;
                return l.Trim().StartsWith("# osprey-trace ", StringComparison.Ordinal) ? log : null;
            }
            return null;
        }
        var sb = new System.Text.StringBuilder();
        for (int i = begin + 1; i < lines.Length; i++)
        {
            string t = lines[i].Trim();
            if (t == EndMarker) break;
            sb.Append(t).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Read a trace file or a log holding a dump; null and error when there is none.</summary>
    public static TraceFile? Load(string path, out string? error)
    {
        error = null;
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = "cannot read " + path + ": " + e.Message;
            return null;
        }
        string? trace = Extract(text, out int dumps);
        if (trace == null)
        {
            error = path + ": no trace in it (neither a '" + Magic + "' file nor a log with a '" + BeginMarker + "' line; boot with 'trace' on the kernel command line)";
            return null;
        }
        var f = Parse(trace);
        if (dumps > 1) f.Warnings.Add(path + ": " + dumps + " dumps in the log; the last one is used");
        return f;
    }
}
