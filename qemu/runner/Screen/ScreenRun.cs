// The matrix's screen row: a UEFI boot with no serial port, checked only by
// what a user sees. QEMU runs with -serial none and its monitor on a unix
// socket; GRUB's menu cannot be driven over serial, so the runner types the
// self-test hotkey with the monitor's `sendkey s` once a second until the
// kernel's console shows "osprey", and takes a `screendump` every second,
// keeping the latest in OUT/LABEL.ppm and its text in OUT/LABEL.screen.txt.
// The kernel keeps the summary on the screen for a few seconds before it exits
// when it has no serial port (kernel/selftest/Runner.cs), so a capture falls
// inside that window. The row passes when a capture shows the summary heading
// and a "result:" line saying PASSED, and QEMU's exit status is 33.
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner.Screen;

public static class ScreenRun
{
    public const string SummaryHeading = "Osprey self-test summary";
    const double CaptureEverySeconds = 1;

    /// <summary>What a screen capture says about the run: the summary's result line, when shown.</summary>
    public static (bool Summary, string? ResultLine) Inspect(string[] lines)
    {
        bool heading = lines.Any(l => l.Contains(SummaryHeading, StringComparison.Ordinal));
        string? result = lines.LastOrDefault(l => l.StartsWith("# result:", StringComparison.Ordinal));
        return (heading, heading ? result : null);
    }

    static readonly Regex Counts = new(@"(\d+) failed, (\d+) passed, (\d+) skipped", RegexOptions.CultureInvariant);

    public static Matrix.Outcome RunOne(Matrix.Row r, string iso, string ovmf, string outDir, double timeout)
    {
        string sock = Path.Combine(Path.GetTempPath(), $"osprey-monitor-{Environment.ProcessId}-{Guid.NewGuid():N}".Substring(0, 40) + ".sock");
        string ppm = Path.GetFullPath(Path.Combine(outDir, r.Label + ".ppm"));
        string capture = Path.GetFullPath(Path.Combine(outDir, r.Label + ".capture.ppm"));
        string textPath = Path.Combine(outDir, r.Label + ".screen.txt");
        string logPath = Path.Combine(outDir, r.Label + ".log");
        var log = new System.Text.StringBuilder();
        var psi = new ProcessStartInfo("qemu-system-x86_64") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in Matrix.QemuArgs(r, iso, ovmf, sock)) psi.ArgumentList.Add(a);
        log.AppendLine("$ qemu-system-x86_64 " + string.Join(" ", psi.ArgumentList));
        var clock = Stopwatch.StartNew();
        Process qemu;
        try { qemu = Process.Start(psi)!; }
        catch (Exception e) { return new Matrix.Outcome(false, "cannot start QEMU: " + e.Message, null, 0, "-"); }
        qemu.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.AppendLine(e.Data); };
        qemu.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.AppendLine(e.Data); };
        qemu.BeginOutputReadLine();
        qemu.BeginErrorReadLine();

        double? kernelAt = null;
        string[] lastText = Array.Empty<string>();
        string? resultLine = null;
        var seen = new List<string>();
        string? failure = null;
        try
        {
            using var mon = QemuMonitor.Connect(sock, 30);
            if (mon == null) failure = "no QEMU monitor at " + sock;
            else
            {
                while (!qemu.HasExited && clock.Elapsed.TotalSeconds < timeout)
                {
                    if (kernelAt == null) mon.Command("sendkey s");
                    File.Delete(capture);
                    mon.Command("screendump " + capture);
                    if (File.Exists(capture) && new FileInfo(capture).Length > 0)
                    {
                        string[] text = ScreenText.Read(Ppm.Decode(File.ReadAllBytes(capture), capture));
                        File.Move(capture, ppm, true);
                        lastText = text;
                        File.WriteAllLines(textPath, text);
                        if (kernelAt == null && text.Any(l => l.Contains("osprey", StringComparison.Ordinal))) kernelAt = clock.Elapsed.TotalSeconds;
                        foreach (var l in text) if (l.Length > 0 && !seen.Contains(l)) seen.Add(l);
                        var (summary, res) = Inspect(text);
                        if (summary && res != null) resultLine = res;
                    }
                    Thread.Sleep(TimeSpan.FromSeconds(CaptureEverySeconds));
                }
            }
        }
        catch (SocketException) { /* QEMU exited between two commands */ }
        catch (FormatException e) { failure = e.Message; }
        if (!qemu.WaitForExit(5000)) { qemu.Kill(true); qemu.WaitForExit(); failure ??= $"timeout after {timeout:0} s"; }
        qemu.WaitForExit();
        double total = clock.Elapsed.TotalSeconds;
        int status = qemu.ExitCode;
        lock (log)
        {
            log.AppendLine($"QEMU exit status {status}; last screen ({r.Label}.ppm):");
            foreach (var l in lastText) log.AppendLine(l);
            File.WriteAllText(logPath, log.ToString());
        }
        File.Delete(sock);

        string usable = UsableFromScreen(seen);
        string verdict;
        bool passed = false;
        if (failure != null) verdict = "FAIL " + failure;
        else if (resultLine == null)
            verdict = kernelAt == null ? $"FAIL no kernel text on the screen (exit status {status})" : $"FAIL no summary on the screen (exit status {status})";
        else
        {
            var m = Counts.Match(resultLine);
            string pfs = m.Success ? $"{m.Groups[2].Value}/{m.Groups[3].Value}/{m.Groups[1].Value}" : "?";
            passed = resultLine.Contains("PASSED", StringComparison.Ordinal) && status == ExitCodes.Pass;
            verdict = passed ? $"pass {pfs} (screen)" : $"FAIL {pfs} screen '{resultLine.Trim()}', exit status {status}";
        }
        return new Matrix.Outcome(passed, verdict, kernelAt, total, usable);
    }

    // "#          127 MiB usable RAM, ..." on the summary -> "127".
    static string UsableFromScreen(List<string> lines)
    {
        foreach (var l in lines)
        {
            var m = Regex.Match(l, @"(\d+) MiB usable", RegexOptions.CultureInvariant);
            if (m.Success) return m.Groups[1].Value;
        }
        return "-";
    }
}
