// One QEMU boot: the KTAP run, the smoke run (an expected line) and the
// offline re-check of a saved log. Prints the report, writes the result file.
using System.Globalization;
using System.Text;

namespace Osprey.QemuRunner;

public static class BootRun
{
    const int TailLines = 20;

    static StreamWriter? OpenLog(RunnerOptions o, TextWriter output)
    {
        if (o.LogPath == null) return null;
        try
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(o.LogPath));
            if (dir != null) Directory.CreateDirectory(dir);
            return new StreamWriter(o.LogPath, false, new UTF8Encoding(false)) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"KtapRunner: cannot write log {o.LogPath}: {e.Message}");
            return null;
        }
    }

    static void WriteResult(RunnerOptions o, KtapReport rep, TextWriter output)
    {
        if (o.ResultPath == null) return;
        try
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(o.ResultPath));
            if (dir != null) Directory.CreateDirectory(dir);
            File.WriteAllText(o.ResultPath, rep.ResultFileText);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"KtapRunner: cannot write result file {o.ResultPath}: {e.Message}");
        }
    }

    static string Describe(ProcessRunner.Result r, RunnerOptions o) => r.Reason switch
    {
        StopReason.Exited => r.ExitCode is int c ? $"exited with status {c}" : "exited (status unknown)",
        StopReason.KilledAfterEndMarker => $"killed {o.GraceSeconds:0.#} s after the end marker",
        StopReason.Timeout => $"killed at the {o.TimeoutSeconds:0.#} s time limit",
        StopReason.Stall => $"killed: no output for {o.StallSeconds:0.#} s",
        StopReason.KilledAfterExpectedLine => "killed after the expected line",
        _ => r.Reason.ToString(),
    };

    public static int RunKtap(RunnerOptions o, TextWriter output) => RunKtap(o, output, out _);

    /// <summary>One KTAP boot; <paramref name="rep"/> is its report (counts, failures, benchmarks).</summary>
    public static int RunKtap(RunnerOptions o, TextWriter output, out KtapReport rep)
    {
        var run = RunKtapCore(o, output, null);
        rep = run.Report;
        return rep.Success ? 0 : 1;
    }

    /// <summary>One KTAP run and what it showed: the report, how QEMU
    /// ended, when the first line containing <c>watch[0]</c> arrived
    /// (seconds from the start; null if it never did), and the lines that
    /// start with any entry of <c>watch</c>.</summary>
    public sealed record KtapRun(KtapReport Report, ProcessRunner.Result Process, double? WatchSeconds, List<string> Lines);

    public static string DescribeEnd(ProcessRunner.Result r, RunnerOptions o) => Describe(r, o);

    public static KtapRun RunKtapCore(RunnerOptions o, TextWriter output, string[]? watch)
    {
        KtapReport rep;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double? watchSeconds = null;
        var watched = new List<string>();
        var parser = new KtapParser(o.Label) { ForbiddenSkip = o.ForbidSkip };
        var tail = new Queue<string>();
        using var log = OpenLog(o, output);
        var printedSuites = new HashSet<KtapLevel>();

        var pr = new ProcessRunner(o);
        var res = pr.Run((line, isErr) =>
        {
            if (isErr)
            {
                log?.WriteLine("[stderr] " + line);
                line = LineCleaner.Clean(line);
                Remember(tail, "[stderr] " + line);
                if (o.Echo) output.WriteLine("[stderr] " + line);
                return ProcessRunner.LineAction.Continue;
            }
            log?.WriteLine(line);
            line = LineCleaner.Clean(line);
            Remember(tail, line);
            if (o.Echo) output.WriteLine(line);
            if (watch != null)
            {
                if (watchSeconds == null && line.Contains(watch[0], StringComparison.Ordinal)) watchSeconds = clock.Elapsed.TotalSeconds;
                foreach (var w in watch)
                    if (line.StartsWith(w, StringComparison.Ordinal)) { watched.Add(line); break; }
            }
            bool hadEnd = parser.SawEndMarker;
            parser.Feed(line);
            if (!o.Quiet) PrintFinishedSuites(parser, printedSuites, output, o.Label);
            if (!hadEnd && parser.SawEndMarker) return ProcessRunner.LineAction.StartGrace;
            return ProcessRunner.LineAction.Continue;
        });

        if (res.StartError != null)
        {
            rep = new KtapReport { Label = o.Label, Failed = 1 };
            rep.Errors.Add(new HarnessError(res.StartError, true));
        }
        else
        {
            rep = parser.Complete(new RunOutcome(res.Reason, res.ExitCode, o.TimeoutSeconds, o.StallSeconds));
        }
        string how = Describe(res, o);
        log?.WriteLine($"[runner] {how} after {res.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s");

        if (!rep.Success && !o.Echo
            && (res.Reason is StopReason.Timeout or StopReason.Stall || rep.Panicked || !rep.SawKtap
                || res.Reason == StopReason.Exited && res.ExitCode is not (ExitCodes.Pass or ExitCodes.Fail)))
        {
            PrintTail(tail, o, output);
        }
        output.WriteLine($"ktap[{o.Label}]: QEMU {how} ({res.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
        output.Write(rep.Format());
        WriteResult(o, rep, output);
        return new KtapRun(rep, res, watchSeconds, watched);
    }

    static void PrintFinishedSuites(KtapParser parser, HashSet<KtapLevel> printed, TextWriter output, string label)
    {
        var root = parser.Root;
        if (root == null) return;
        foreach (var r in root.Results)
        {
            if (r.Child == null || !printed.Add(r.Child)) continue;
            int p = 0, f = 0, s = 0;
            Count(r.Child, ref p, ref f, ref s);
            string status = r.Skipped ? "skip" : r.Ok && f == 0 ? "ok" : "FAIL";
            output.WriteLine($"  [{label}] {status,-4} {r.Child.DisplayName}: {p} passed, {f} failed, {s} skipped");
        }
    }

    static void Count(KtapLevel l, ref int p, ref int f, ref int s)
    {
        foreach (var r in l.Results)
        {
            if (r.Ignored) continue;
            if (r.Child != null) { Count(r.Child, ref p, ref f, ref s); continue; }
            if (r.Skipped) s++; else if (r.Failed) f++; else p++;
        }
    }

    static void PrintTail(Queue<string> tail, RunnerOptions o, TextWriter output)
    {
        if (tail.Count == 0)
        {
            output.WriteLine("--- the process printed nothing ---");
            return;
        }
        output.WriteLine($"--- last {tail.Count} lines of output ({o.LogPath ?? "no log file"}) ---");
        foreach (var l in tail) output.WriteLine(l);
        output.WriteLine("---");
    }

    static void Remember(Queue<string> q, string line)
    {
        q.Enqueue(line);
        while (q.Count > TailLines) q.Dequeue();
    }

    public static int RunSmoke(RunnerOptions o, TextWriter output) => RunSmoke(o, output, out _);

    /// <summary>One smoke boot: 1 passed when a line matches the expected pattern, else 1 failed.</summary>
    public static int RunSmoke(RunnerOptions o, TextWriter output, out KtapReport rep)
    {
        var tail = new Queue<string>();
        using var log = OpenLog(o, output);
        var bench = new KtapParser(o.Label); // only for '# BENCH' lines
        string? matched = null;

        var res = new ProcessRunner(o).Run((line, isErr) =>
        {
            log?.WriteLine(isErr ? "[stderr] " + line : line);
            line = LineCleaner.Clean(line);
            string shown = isErr ? "[stderr] " + line : line;
            Remember(tail, shown);
            if (o.Echo) output.WriteLine(shown);
            if (isErr) return ProcessRunner.LineAction.Continue;
            bench.Feed(line);
            if (matched == null && o.ExpectLine!.IsMatch(line))
            {
                matched = line;
                return ProcessRunner.LineAction.StopNow;
            }
            return ProcessRunner.LineAction.Continue;
        });

        rep = new KtapReport { Label = o.Label, Smoke = true, Declared = 1 };
        var parsed = bench.Complete(RunOutcome.Offline());
        rep.Benches.AddRange(parsed.Benches);
        string how = res.StartError ?? Describe(res, o);
        log?.WriteLine($"[runner] {how} after {res.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        if (matched != null)
        {
            rep.Passed = 1;
            output.WriteLine($"ktap[{o.Label}]: expected line seen after {res.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s: {matched.Trim()}");
        }
        else
        {
            rep.Failed = 1;
            rep.Errors.Add(new HarnessError($"no line matching /{o.ExpectLine}/ before the process stopped ({how} after {res.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s)", false));
            PrintTail(tail, o, output);
        }
        output.Write(rep.Format());
        WriteResult(o, rep, output);
        return rep.Success ? 0 : 1;
    }

    public static int ParseOffline(RunnerOptions o, TextWriter output)
    {
        string text;
        try { text = File.ReadAllText(o.ParseFile!); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"KtapRunner: cannot read {o.ParseFile}: {e.Message}");
            return 2;
        }
        // Drop the runner's own lines and stderr lines from a saved log.
        var sb = new StringBuilder();
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.StartsWith("[stderr] ", StringComparison.Ordinal) || line.StartsWith("[runner] ", StringComparison.Ordinal)) continue;
            sb.Append(line).Append('\n');
        }
        var outcome = o.ParseExitStatus is int c ? RunOutcome.Exited(c) : RunOutcome.Offline();
        var rep = KtapParser.Parse(sb.ToString(), outcome, o.Label, o.ForbidSkip);
        output.Write(rep.Format());
        WriteResult(o, rep, output);
        return rep.Success ? 0 : 1;
    }
}
