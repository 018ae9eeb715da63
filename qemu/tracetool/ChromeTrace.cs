// Chrome trace-event JSON (the "JSON Array/Object Format" Perfetto and
// chrome://tracing open): process = CPU, thread = scheduled thread; a
// complete event ("X") per execution slice and per interrupt; instant
// events ("i", thread scope) for releases, completions, deadline misses
// and budget overruns; thread and process names as metadata ("M").
// Timestamps are microseconds from the first event (ns precision).
using System.Text;
using System.Text.Json;

namespace Osprey.TraceTool;

public static class ChromeTrace
{
    /// <summary>Thread ids of the interrupt rows: this plus the vector.</summary>
    public const int IrqTidBase = 1_000_000;

    public static string Render(Timeline t)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteString("displayTimeUnit", "ns");
            w.WriteStartObject("otherData");
            w.WriteString("format", "osprey-trace 2");
            if (t.Source != null) w.WriteString("source", t.Source);
            w.WriteNumber("t0_ns", t.T0);
            w.WriteNumber("dropped", t.Dropped);
            w.WriteEndObject();
            w.WriteStartArray("traceEvents");

            var cpus = new SortedSet<int>(t.Rows.Select(r => r.Cpu).Concat(t.Irqs.Keys));
            foreach (int cpu in cpus) Meta(w, "process_name", cpu, 0, "cpu " + cpu);
            foreach (Row r in t.Rows)
            {
                Meta(w, "thread_name", r.Cpu, r.Thread, r.Name);
                Meta(w, "thread_sort_index", r.Cpu, r.Thread, null, r.Index);
            }
            foreach (var kv in t.Irqs)
                foreach (int v in kv.Value.Select(s => s.Vector).Distinct())
                    Meta(w, "thread_name", kv.Key, IrqTidBase + v, "irq " + v);

            foreach (Row r in t.Rows)
            {
                foreach (Slice s in r.Slices)
                {
                    w.WriteStartObject();
                    w.WriteString("name", r.Name);
                    w.WriteString("cat", "exec");
                    w.WriteString("ph", "X");
                    Where(w, r.Cpu, r.Thread, Us(s.Start - t.T0));
                    w.WriteNumber("dur", Us(s.End - s.Start));
                    if (s.OpenStart || s.OpenEnd)
                    {
                        w.WriteStartObject("args");
                        if (s.OpenStart) w.WriteBoolean("began_before_trace", true);
                        if (s.OpenEnd) w.WriteBoolean("running_at_end", true);
                        w.WriteEndObject();
                    }
                    w.WriteEndObject();
                }
                foreach (Mark m in r.Releases) Instant(w, t, r, "release", m.Time, m.Job, m.Deadline, null, 0);
                foreach (Mark m in r.Completions) Instant(w, t, r, "complete", m.Time, m.Job, long.MaxValue, "response_ns", m.Value);
                foreach (Mark m in r.Misses) Instant(w, t, r, "deadline_miss", m.Time, m.Job, m.Deadline, null, 0);
                foreach (Mark m in r.Overruns) Instant(w, t, r, "budget_exhausted", m.Time, -1, long.MaxValue, "budget_ns", m.Value);
            }
            foreach (var kv in t.Irqs)
            {
                foreach (IrqSlice s in kv.Value)
                {
                    w.WriteStartObject();
                    w.WriteString("name", "irq " + s.Vector);
                    w.WriteString("cat", "irq");
                    w.WriteString("ph", "X");
                    Where(w, kv.Key, IrqTidBase + s.Vector, Us(s.Start - t.T0));
                    w.WriteNumber("dur", Us(s.End - s.Start));
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    static decimal Us(long ns) => ns / 1000m;

    static void Where(Utf8JsonWriter w, int pid, int tid, decimal ts)
    {
        w.WriteNumber("pid", pid);
        w.WriteNumber("tid", tid);
        w.WriteNumber("ts", ts);
    }

    static void Meta(Utf8JsonWriter w, string name, int pid, int tid, string? value, int sort = 0)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("ph", "M");
        w.WriteNumber("pid", pid);
        w.WriteNumber("tid", tid);
        w.WriteStartObject("args");
        if (value != null) w.WriteString("name", value);
        else w.WriteNumber("sort_index", sort);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    static void Instant(Utf8JsonWriter w, Timeline t, Row r, string name, long time, long job, long deadline, string? key, long value)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("cat", "job");
        w.WriteString("ph", "i");
        w.WriteString("s", "t");
        Where(w, r.Cpu, r.Thread, Us(time - t.T0));
        w.WriteStartObject("args");
        if (job >= 0) w.WriteNumber("job", job);
        if (deadline != long.MaxValue) w.WriteNumber("deadline_ms", Us(deadline - t.T0) / 1000m);
        if (key != null) w.WriteNumber(key, value);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
