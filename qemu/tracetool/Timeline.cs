// What the pictures show, computed once from a trace: per thread its
// execution slices (switch_in .. switch_out on one CPU), job releases with
// their deadlines, completions, deadline misses and budget overruns; per CPU
// the interrupt intervals (irq_entry .. irq_exit).

namespace Osprey.TraceTool;

public sealed class Slice
{
    public long Start, End;
    public int Cpu;
    /// <summary>The trace began (or lost events) while the thread ran: Start is a lower bound.</summary>
    public bool OpenStart;
    /// <summary>The trace ended while the thread ran.</summary>
    public bool OpenEnd;
}

/// <summary>A point event of a thread: release, completion, miss, budget overrun.</summary>
public sealed class Mark
{
    public long Time;
    public long Job = -1;
    /// <summary>Absolute deadline (releases and misses), or long.MaxValue.</summary>
    public long Deadline = long.MaxValue;
    public long Value;
}

public sealed class Row
{
    public int Cpu;
    public int Thread;
    public string Name = "";
    public int Index;
    public readonly List<Slice> Slices = new();
    public readonly List<Mark> Releases = new();
    public readonly List<Mark> Completions = new();
    public readonly List<Mark> Misses = new();
    public readonly List<Mark> Overruns = new();
    public long CpuTime => Slices.Sum(s => s.End - s.Start);
}

public sealed class IrqSlice
{
    public long Start, End;
    public int Vector;
}

public sealed class Timeline
{
    /// <summary>Time of the first and last event (the picture's span).</summary>
    public long T0, T1;
    public readonly List<Row> Rows = new();
    public readonly SortedDictionary<int, List<IrqSlice>> Irqs = new();
    public string? Source;
    public long EventCount;
    public long Dropped;

    public int SliceCount => Rows.Sum(r => r.Slices.Count);
    public int MissCount => Rows.Sum(r => r.Misses.Count);

    public Row? Find(int cpu, int thread) => Rows.FirstOrDefault(r => r.Cpu == cpu && r.Thread == thread);

    /// <summary>
    /// Build from a trace. A row per (cpu, thread id) seen in any event with
    /// a thread, ordered by CPU then id. Slices left open at the start or end
    /// of the trace are clipped to its span and flagged.
    /// </summary>
    public static Timeline Build(TraceFile f)
    {
        var t = new Timeline { Source = f.Source, EventCount = f.Events.Count, Dropped = f.TotalDropped };
        if (f.Events.Count == 0) return t;
        t.T0 = f.Events.Min(e => e.Time);
        t.T1 = f.Events.Max(e => e.Time);
        var rows = new Dictionary<(int, int), Row>();
        foreach (var e in f.Events)
        {
            if (e.Thread < 0 || rows.ContainsKey((e.Cpu, e.Thread))) continue;
            rows[(e.Cpu, e.Thread)] = new Row { Cpu = e.Cpu, Thread = e.Thread, Name = f.NameOf(e.Cpu, e.Thread) };
        }
        foreach (var r in rows.Values.OrderBy(r => r.Cpu).ThenBy(r => r.Thread))
        {
            r.Index = t.Rows.Count;
            t.Rows.Add(r);
        }

        var running = new Dictionary<int, (Row Row, long Since)>();
        var irqOpen = new Dictionary<int, (int Vector, long Since)>();
        // A thread that is switched out first was running when the trace began.
        var seenOnCpu = new HashSet<int>();
        foreach (var e in f.Events)
        {
            Row? row = e.Thread >= 0 ? rows[(e.Cpu, e.Thread)] : null;
            switch (e.Kind)
            {
                case "switch_in":
                    if (running.TryGetValue(e.Cpu, out var prev))
                        prev.Row.Slices.Add(new Slice { Start = prev.Since, End = e.Time, Cpu = e.Cpu });
                    running[e.Cpu] = (row!, e.Time);
                    seenOnCpu.Add(e.Cpu);
                    break;
                case "switch_out":
                    if (running.TryGetValue(e.Cpu, out var cur) && cur.Row == row)
                    {
                        row!.Slices.Add(new Slice { Start = cur.Since, End = e.Time, Cpu = e.Cpu });
                        running.Remove(e.Cpu);
                    }
                    else if (!seenOnCpu.Contains(e.Cpu) && row != null)
                    {
                        row.Slices.Add(new Slice { Start = t.T0, End = e.Time, Cpu = e.Cpu, OpenStart = true });
                    }
                    seenOnCpu.Add(e.Cpu);
                    break;
                case "release":
                    row?.Releases.Add(new Mark { Time = e.Time, Job = e.Long("job", -1), Deadline = e.Long("deadline", long.MaxValue) });
                    break;
                case "complete":
                    row?.Completions.Add(new Mark { Time = e.Time, Job = e.Long("job", -1), Value = e.Long("response", 0) });
                    break;
                case "deadline_miss":
                    row?.Misses.Add(new Mark { Time = e.Time, Job = e.Long("job", -1), Deadline = e.Long("deadline", e.Time) });
                    break;
                case "budget_exhausted":
                    row?.Overruns.Add(new Mark { Time = e.Time, Value = e.Long("budget", 0) });
                    break;
                case "irq_entry":
                    irqOpen[e.Cpu] = ((int)e.Long("vector", -1), e.Time);
                    break;
                case "irq_exit":
                    {
                        if (!t.Irqs.TryGetValue(e.Cpu, out var list)) t.Irqs[e.Cpu] = list = new List<IrqSlice>();
                        long since = irqOpen.TryGetValue(e.Cpu, out var o) ? o.Since : t.T0;
                        list.Add(new IrqSlice { Start = since, End = e.Time, Vector = (int)e.Long("vector", -1) });
                        irqOpen.Remove(e.Cpu);
                    }
                    break;
            }
        }
        foreach (var kv in running)
            kv.Value.Row.Slices.Add(new Slice { Start = kv.Value.Since, End = t.T1, Cpu = kv.Key, OpenEnd = true });
        return t;
    }
}
