// Process side of the runner: starts the command, reads stdout and stderr,
// enforces the total timeout, the stall limit and the end-marker grace period,
// and kills the whole process tree when it has to.
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Osprey.QemuRunner;

public sealed class ProcessRunner
{
    readonly struct Line
    {
        public readonly bool IsStderr;
        public readonly string? Text; // null: that stream reached EOF
        public Line(bool err, string? text) { IsStderr = err; Text = text; }
    }

    /// <summary>What the line handler wants the runner to do next.</summary>
    public enum LineAction { Continue, StartGrace, StopNow }

    public sealed class Result
    {
        public StopReason Reason;
        public int? ExitCode;
        public double Seconds;
        public string? StartError;
    }

    readonly RunnerOptions _o;
    long _lastOutputTicks;

    public ProcessRunner(RunnerOptions o) { _o = o; }

    /// <summary>Run the command; <paramref name="onLine"/> gets every line
    /// (stderr lines flagged) and says whether to stop.</summary>
    public Result Run(Func<string, bool, LineAction> onLine)
    {
        var res = new Result();
        var sw = Stopwatch.StartNew();
        var psi = new ProcessStartInfo(_o.Command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // A pipe nobody writes to: QEMU's -serial stdio never sees a
            // terminal (no raw mode) and never sees EOF.
            RedirectStandardInput = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        foreach (var a in _o.Command.Skip(1)) psi.ArgumentList.Add(a);

        Process proc;
        try
        {
            proc = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or FileNotFoundException)
        {
            res.StartError = $"cannot start '{_o.Command[0]}': {e.Message}";
            res.Reason = StopReason.Exited;
            return res;
        }

        var ch = Channel.CreateUnbounded<Line>(new UnboundedChannelOptions { SingleReader = true });
        Interlocked.Exchange(ref _lastOutputTicks, sw.ElapsedTicks);
        var tOut = Task.Run(() => Pump(proc.StandardOutput, false, ch.Writer, sw));
        var tErr = Task.Run(() => Pump(proc.StandardError, true, ch.Writer, sw));
        var exited = proc.WaitForExitAsync();

        double freq = Stopwatch.Frequency;
        double? graceDeadline = null;
        double? exitedAt = null;
        int eofs = 0;
        StopReason? kill = null;
        bool sent = _o.SendOn == null;

        try
        {
            while (true)
            {
                double now = sw.ElapsedTicks / freq;
                if (exited.IsCompleted && exitedAt == null) exitedAt = now;
                // Drain everything available.
                bool stop = false;
                while (ch.Reader.TryRead(out var l))
                {
                    if (l.Text == null) { eofs++; continue; }
                    if (!sent && !l.IsStderr && _o.SendOn!.IsMatch(l.Text))
                    {
                        sent = true;
                        try { proc.StandardInput.Write(_o.SendText); proc.StandardInput.Flush(); }
                        catch (IOException) { }
                    }
                    var act = onLine(l.Text, l.IsStderr);
                    if (act == LineAction.StopNow) { kill = StopReason.KilledAfterExpectedLine; stop = true; break; }
                    if (act == LineAction.StartGrace && graceDeadline == null) graceDeadline = now + _o.GraceSeconds;
                }
                if (stop) break;
                if (eofs >= 2 && exited.IsCompleted) break;
                // The process is gone but something still holds its output
                // open (an orphaned child): give it a moment, then stop.
                if (exitedAt != null && now - exitedAt > 1.0) break;

                double last = Interlocked.Read(ref _lastOutputTicks) / freq;
                double wait = _o.TimeoutSeconds - now;
                if (wait <= 0) { kill = StopReason.Timeout; break; }
                if (_o.StallSeconds > 0 && graceDeadline == null && exitedAt == null)
                {
                    double stallLeft = last + _o.StallSeconds - now;
                    if (stallLeft <= 0) { kill = StopReason.Stall; break; }
                    wait = Math.Min(wait, stallLeft);
                }
                if (graceDeadline != null)
                {
                    if (exited.IsCompleted && eofs >= 2) break;
                    double g = graceDeadline.Value - now;
                    if (g <= 0 && !exited.IsCompleted) { kill = StopReason.KilledAfterEndMarker; break; }
                    wait = Math.Min(wait, Math.Max(g, 0.01));
                }
                if (exitedAt != null) wait = Math.Min(wait, 0.05);
                wait = Math.Max(wait, 0.005);

                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Min(wait, 0.5)));
                try
                {
                    var readable = ch.Reader.WaitToReadAsync(cts.Token).AsTask();
                    Task.WaitAny(readable, exited);
                }
                catch (OperationCanceledException) { }
                catch (AggregateException) { }
            }
        }
        finally
        {
            if (!proc.HasExited) KillTree(proc);
        }

        // Collect what is left (output written before the kill).
        Task.WaitAll(new Task[] { tOut, tErr }, TimeSpan.FromSeconds(2));
        if (kill != StopReason.KilledAfterExpectedLine)
        {
            while (ch.Reader.TryRead(out var l))
            {
                if (l.Text == null) continue;
                var act = onLine(l.Text, l.IsStderr);
                if (act == LineAction.StartGrace && kill == null && graceDeadline == null) graceDeadline = 0;
            }
        }

        res.Seconds = sw.Elapsed.TotalSeconds;
        if (kill != null)
        {
            res.Reason = kill.Value;
        }
        else
        {
            res.Reason = StopReason.Exited;
            if (proc.WaitForExit(5000)) res.ExitCode = proc.ExitCode;
        }
        proc.Dispose();
        return res;
    }

    static void KillTree(Process proc)
    {
        try { proc.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already exited
        catch (Win32Exception) { }
        try { proc.WaitForExit(5000); } catch (InvalidOperationException) { }
    }

    async Task Pump(StreamReader r, bool isErr, ChannelWriter<Line> w, Stopwatch sw)
    {
        var buf = new char[4096];
        var cur = new StringBuilder();
        try
        {
            while (true)
            {
                int n = await r.ReadAsync(buf, 0, buf.Length).ConfigureAwait(false);
                if (n <= 0) break;
                if (!isErr) Interlocked.Exchange(ref _lastOutputTicks, sw.ElapsedTicks);
                for (int i = 0; i < n; i++)
                {
                    char c = buf[i];
                    if (c == '\n')
                    {
                        if (cur.Length > 0 && cur[^1] == '\r') cur.Length--;
                        w.TryWrite(new Line(isErr, cur.ToString()));
                        cur.Clear();
                    }
                    else cur.Append(c);
                }
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        if (cur.Length > 0)
        {
            if (cur[^1] == '\r') cur.Length--;
            w.TryWrite(new Line(isErr, cur.ToString()));
        }
        w.TryWrite(new Line(isErr, null));
    }
}
