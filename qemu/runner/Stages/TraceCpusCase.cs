// The kernel's trace of a partitioned run on several CPUs: a workload whose
// tasks name their `cpu` booted with `trace exit` on as many CPUs under
// -icount. The dump must hold one ring per CPU (a `dropped` line each,
// nothing dropped, times never going back), and each task's events on its
// own CPU's track only: named there, switched in there, and as many
// `complete` and `deadline_miss` records there as the kernel's table has
// jobs and misses (releases: the table's count, or one fewer when the last
// falls exactly at the end, as on one CPU). One test.
using System.Globalization;
using System.Text.RegularExpressions;
using Osprey.TraceTool;

namespace Osprey.QemuRunner.Stages;

public sealed class TraceCpusCase : TestCase
{
    readonly string _workload;
    readonly int _cpus;
    public TraceCpusCase(string workload, int cpus) { _workload = workload; _cpus = cpus; }
    public override string Name => "trace-cpus";

    public override Tally Run(TestEnv env)
    {
        string log = env.Log(Name + ".log");
        var k = Capture.Run(env.KernelBoot(true, _workload, "trace exit", new[] { "-smp", _cpus.ToString(CultureInfo.InvariantCulture) }), 120, log);
        var problems = new List<string>();
        if (k.ExitCode != ExitCodes.Pass) problems.Add($"QEMU status {k.Status}, expected {ExitCodes.Pass}");
        problems.AddRange(Check(k.Text, File.ReadAllText(Path.Combine(env.Root, _workload)), _cpus, out int events));
        if (problems.Count == 0)
        {
            env.Output.WriteLine($"trace on {_cpus} CPUs: {Path.GetFileName(_workload)}: {events} events, every task's jobs and misses on its CPU's track agree with the table: ok");
            return Tally.Pass;
        }
        env.Output.WriteLine($"trace on {_cpus} CPUs: FAILED ({env.Rel(log)}):");
        foreach (var p in problems.Take(10)) env.Output.WriteLine("  " + p);
        foreach (var l in k.Tail(5)) env.Output.WriteLine(l);
        return Tally.Fail;
    }

    /// <summary>
    /// What is wrong with the trace in <paramref name="log"/> of a partitioned
    /// run of <paramref name="workloadText"/> on <paramref name="cpus"/> CPUs
    /// (empty: nothing). Each task's CPU is its `cpu=` field in the file.
    /// </summary>
    public static List<string> Check(string log, string workloadText, int cpus, out int events)
    {
        var p = new List<string>();
        events = 0;
        string? text = TraceFile.Extract(log, out int dumps);
        if (text == null) { p.Add("no trace dump in the log"); return p; }
        if (dumps != 1) p.Add($"{dumps} dumps in the log, expected 1");
        TraceFile f = TraceFile.Parse(text);
        events = f.Events.Count;
        foreach (var w in f.Warnings) p.Add("trace: " + w);
        for (int c = 0; c < cpus; c++)
        {
            var d = f.Dropped.Where(x => x.Cpu == c).ToList();
            if (d.Count != 1) p.Add($"CPU {c}: {d.Count} 'dropped' lines, expected 1 (one ring per CPU)");
            else if (d[0].Dropped != 0) p.Add($"CPU {c}: {d[0].Dropped} events dropped");
            else if (d[0].Kept != f.Events.Count(e => e.Cpu == c)) p.Add($"CPU {c}: the ring kept {d[0].Kept} events but the dump has {f.Events.Count(e => e.Cpu == c)}");
        }
        if (f.Dropped.Any(x => x.Cpu < 0 || x.Cpu >= cpus)) p.Add("a ring of a CPU the machine does not have");

        var home = new Dictionary<string, int>();
        foreach (Match m in Regex.Matches(workloadText, @"^\s*(periodic|aperiodic|background)\b.*$", RegexOptions.Multiline))
        {
            var name = Regex.Match(m.Value, @"\bname=(\S+)");
            var cpu = Regex.Match(m.Value, @"\bcpu=(\d+)");
            if (name.Success) home[name.Groups[1].Value] = cpu.Success ? int.Parse(cpu.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        }
        var table = TaskTable.Read(log, out string? terr);
        if (table == null || terr != null) { p.Add("no task table in the log" + (terr != null ? ": " + terr : "")); return p; }
        if (table.Count != home.Count) p.Add($"the table has {table.Count} tasks, the file {home.Count}");
        var used = new HashSet<int>();
        foreach (var row in table)
        {
            if (!home.TryGetValue(row.Task, out int c)) { p.Add($"task '{row.Task}' of the table is not in the file"); continue; }
            used.Add(c);
            var ids = f.Names.Where(n => n.Key.Cpu == c && n.Value == row.Task).Select(n => n.Key.Id).ToList();
            if (ids.Count != 1) { p.Add($"task '{row.Task}': named {ids.Count} times on CPU {c}'s track, expected once"); continue; }
            int id = ids[0];
            var mine = f.Events.Where(e => e.Thread == id).ToList();
            long Count(string kind) => mine.Count(e => e.Cpu == c && e.Kind == kind);
            if (Count("switch_in") == 0) p.Add($"task '{row.Task}': never switched in on CPU {c}");
            var elsewhere = mine.Where(e => e.Cpu != c).ToList();
            if (elsewhere.Count > 0) p.Add($"task '{row.Task}' (CPU {c}): {elsewhere.Count} event(s) on another CPU's track, the first at trace line {elsewhere[0].Line} ({elsewhere[0].Kind} on CPU {elsewhere[0].Cpu})");
            long jobs = long.Parse(row.Jobs, CultureInfo.InvariantCulture), misses = long.Parse(row.Misses, CultureInfo.InvariantCulture);
            long released = long.Parse(row.Released, CultureInfo.InvariantCulture);
            if (Count("complete") != jobs) p.Add($"task '{row.Task}': {Count("complete")} 'complete' on CPU {c}, the table has {jobs} jobs");
            if (Count("deadline_miss") != misses) p.Add($"task '{row.Task}': {Count("deadline_miss")} 'deadline_miss' on CPU {c}, the table has {misses} misses");
            long rel = Count("release");
            if (rel < released - 1 || rel > released) p.Add($"task '{row.Task}': {rel} 'release' on CPU {c}, the table has {released} released");
        }
        for (int c = 0; c < cpus; c++)
            if (!used.Contains(c)) p.Add($"no task of the file runs on CPU {c}: the check needs a task on every CPU");
        return p;
    }
}
