// A command run to completion with its output kept: stdout and stderr go to a
// log file as they arrive (stderr lines prefixed "[stderr] "), and the cleaned
// stdout lines stay in memory for the checks.
using System.Text;

namespace Osprey.QemuRunner.Stages;

public sealed class Capture
{
    /// <summary>The exit status; null when the command was killed at the time limit or could not start.</summary>
    public int? ExitCode { get; private init; }
    public string? Error { get; private init; }
    /// <summary>Stdout lines without terminal escapes and carriage returns.</summary>
    public List<string> Lines { get; } = new();
    public List<string> StderrLines { get; } = new();

    /// <summary>The exit status as the shell would give it: 124 for a time-out, 127 when it could not start.</summary>
    public int Status => ExitCode ?? (Error != null ? 127 : 124);

    public bool Has(string text) => Lines.Any(l => l.Contains(text, StringComparison.Ordinal));
    public bool HasStart(string prefix) => Lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal));
    public string Text => string.Join("\n", Lines);

    /// <summary>The last <paramref name="n"/> lines (stdout and stderr in arrival order).</summary>
    public IEnumerable<string> Tail(int n) => _all.Skip(Math.Max(0, _all.Count - n));
    readonly List<string> _all = new();

    /// <summary>A capture of a saved output (offline checks and tests).</summary>
    public static Capture FromText(string stdout, int? exitCode)
    {
        var c = new Capture { ExitCode = exitCode };
        foreach (var l in stdout.Replace("\r\n", "\n").Split('\n'))
        {
            c.Lines.Add(LineCleaner.Clean(l));
            c._all.Add(LineCleaner.Clean(l));
        }
        return c;
    }

    /// <summary>Runs <paramref name="command"/> (no stall limit), killing it after <paramref name="timeoutSeconds"/>.</summary>
    public static Capture Run(IReadOnlyList<string> command, double timeoutSeconds, string? logPath)
    {
        var o = new RunnerOptions { TimeoutSeconds = timeoutSeconds, StallSeconds = 0, Command = command.ToList() };
        StreamWriter? log = null;
        if (logPath != null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
            log = new StreamWriter(logPath, false, new UTF8Encoding(false)) { AutoFlush = true };
        }
        var lines = new List<string>();
        var errs = new List<string>();
        var all = new List<string>();
        ProcessRunner.Result r;
        using (log)
        {
            r = new ProcessRunner(o).Run((line, isErr) =>
            {
                log?.WriteLine(isErr ? "[stderr] " + line : line);
                string clean = LineCleaner.Clean(line);
                (isErr ? errs : lines).Add(clean);
                all.Add(isErr ? "[stderr] " + clean : clean);
                return ProcessRunner.LineAction.Continue;
            });
            if (r.StartError != null) log?.WriteLine("[runner] " + r.StartError);
            else if (r.Reason == StopReason.Timeout) log?.WriteLine($"[runner] killed at the {timeoutSeconds} s time limit");
        }
        var c = new Capture
        {
            ExitCode = r.StartError == null && r.Reason == StopReason.Exited ? r.ExitCode : null,
            Error = r.StartError,
        };
        c.Lines.AddRange(lines);
        c.StderrLines.AddRange(errs);
        c._all.AddRange(all);
        if (r.StartError != null) c._all.Add(r.StartError);
        return c;
    }
}
