// `KtapRunner matrix`: boots the ISO's self-test entry on a set of machines
// (QEMU machine type, firmware, CPU model, memory, CPU count), one after the
// other, and prints one table with each boot's result and boot time. One
// more row boots under UEFI with no serial port and is checked on its screen
// alone (Screen/ScreenRun.cs).
using System.Globalization;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;

namespace Osprey.QemuRunner;

public static class Matrix
{
    public static readonly string[] Machines = { "pc", "q35" };
    public static readonly string[] Firmwares = { "BIOS", "UEFI" };
    public static readonly string[] Memories = { "64M", "128M", "4G", "6G", "8G" };
    public static readonly string[] Cpus = { "qemu64", "Nehalem", "Skylake-Client", "EPYC" };
    public static readonly int[] CpuCounts = { 1, 4 };

    // GRUB's menu text (BIOS and UEFI builds alike) and the hotkey of the
    // "Osprey self-test" entry (boot/grub.cfg).
    public const string MenuText = "to boot the selected OS";
    public const string SelfTestKey = "s";
    public const string BootLine = "osprey: booting";

    /// <summary>One boot. With <paramref name="Screen"/>, QEMU has no serial port and
    /// the run is judged by screen captures (Screen/ScreenRun.cs).</summary>
    public sealed record Row(string Machine, string Firmware, string Cpu, string Memory, int CpuCount, bool Screen = false)
    {
        public string Label => $"{Machine}-{Firmware.ToLowerInvariant()}-{Cpu}-{Memory}-smp{CpuCount}" + (Screen ? "-screen" : "");
    }

    /// <summary>The screen row, in the default and the full set: UEFI (no text
    /// mode, so the console is the framebuffer one) with QEMU's default memory.</summary>
    public static readonly Row ScreenRow = new("q35", "UEFI", "qemu64", "128M", 1, Screen: true);

    /// <summary>The default set: every machine x firmware x memory size (20
    /// boots), with the CPU model and CPU count rotated so that each CPU
    /// model meets every machine and firmware and both CPU counts. With
    /// <paramref name="full"/>, the whole cross product (160 boots). Both
    /// end with the screen row.</summary>
    public static List<Row> Rows(bool full)
    {
        var rows = new List<Row>();
        int k = 0;
        foreach (var m in Machines)
            foreach (var f in Firmwares)
                foreach (var mem in Memories)
                {
                    if (full)
                    {
                        foreach (var c in Cpus)
                            foreach (var n in CpuCounts) rows.Add(new Row(m, f, c, mem, n));
                    }
                    else
                    {
                        rows.Add(new Row(m, f, Cpus[k % Cpus.Length], mem, CpuCounts[(k / Cpus.Length) % CpuCounts.Length]));
                    }
                    k++;
                }
        rows.Add(ScreenRow);
        return rows;
    }

    /// <summary>QEMU's arguments; a screen row gets -serial none and its monitor
    /// on the unix socket <paramref name="monitor"/>.</summary>
    public static List<string> QemuArgs(Row r, string iso, string ovmf, string? monitor = null)
    {
        var a = new List<string> {
            "-machine", r.Machine, "-cpu", r.Cpu, "-smp", r.CpuCount.ToString(CultureInfo.InvariantCulture), "-m", r.Memory,
            "-no-reboot", "-display", "none", "-serial", r.Screen ? "none" : "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        };
        if (r.Screen) { a.Add("-monitor"); a.Add($"unix:{monitor ?? "monitor.sock"},server,nowait"); }
        if (r.Firmware == "UEFI") { a.Add("-bios"); a.Add(ovmf); }
        a.Add("-cdrom"); a.Add(iso);
        return a;
    }

    /// <summary>The `matrix` subcommand's options (System.CommandLine); the
    /// seconds parser checks --timeout.</summary>
    public static Command BuildCommand(TextWriter output, Func<ArgumentResult, double> positiveSeconds)
    {
        var full = new Option<bool>("--full") { Description = "all 160 combinations (and the screen row) instead of the 20 + 1 default boots" };
        var only = new Option<string[]>("--only") { Description = "keep the rows whose label (e.g. q35-uefi-EPYC-8G-smp4) contains TEXT (repeatable: any)", HelpName = "TEXT" };
        var list = new Option<bool>("--list") { Description = "print the selected rows' labels, boot nothing" };
        var iso = new Option<string>("--iso") { Description = "the image to boot", HelpName = "FILE", DefaultValueFactory = _ => "out/kernel.iso" };
        var ovmf = new Option<string>("--ovmf") { Description = "the UEFI firmware", HelpName = "FILE", DefaultValueFactory = _ => "/usr/share/ovmf/OVMF.fd" };
        var outDir = new Option<string>("--out") { Description = "where logs, reports and screen captures go", HelpName = "DIR", DefaultValueFactory = _ => "out/matrix" };
        var timeout = new Option<double>("--timeout") { Description = "seconds before one boot is killed", HelpName = "SECONDS", DefaultValueFactory = _ => 300,
            CustomParser = positiveSeconds };
        var cmd = new Command("matrix",
            "boots the ISO's self-test entry (GRUB hotkey 's') under QEMU on -machine pc and q35, BIOS and UEFI, " +
            "-m 64M 128M 4G 6G 8G, -cpu qemu64 Nehalem Skylake-Client EPYC, -smp 1 and 4 (20 boots, --full: 160), plus one " +
            "UEFI boot with no serial port checked on its screen; prints one table, exit code 0 only when every boot passed")
        {
            full, only, list, iso, ovmf, outDir, timeout,
        };
        cmd.SetAction(pr => Run(output, pr.GetValue(full), pr.GetValue(only) ?? Array.Empty<string>(), pr.GetValue(list),
            pr.GetValue(iso)!, pr.GetValue(ovmf)!, pr.GetValue(outDir)!, pr.GetValue(timeout)));
        return cmd;
    }

    public static int Run(TextWriter output, bool full, string[] only, bool list, string iso, string ovmf, string outDir, double timeout)
    {
        var rows = Rows(full).Where(r => only.Length == 0 || only.Any(t => r.Label.Contains(t, StringComparison.OrdinalIgnoreCase))).ToList();
        if (rows.Count == 0) return Bad(output, "no row matches --only " + string.Join(", ", only));
        if (list)
        {
            foreach (var r in rows) output.WriteLine(r.Label);
            return 0;
        }
        if (!File.Exists(iso)) return Bad(output, $"no ISO at {iso} (./build.sh build makes it)");
        if (rows.Any(r => r.Firmware == "UEFI") && !File.Exists(ovmf)) return Bad(output, $"no OVMF firmware at {ovmf} (Debian package ovmf)");
        Directory.CreateDirectory(outDir);

        var results = new List<(Row Row, Outcome O)>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < rows.Count; i++)
        {
            Row r = rows[i];
            output.Write($"matrix [{i + 1}/{rows.Count}] {r.Label}: ");
            output.Flush();
            Outcome o = RunOne(r, iso, ovmf, outDir, timeout);
            results.Add((r, o));
            output.WriteLine($"{o.Result} ({Secs(o.TotalSeconds)} s)");
        }
        output.WriteLine();
        output.Write(Table(results));
        int failed = results.Count(x => !x.O.Passed);
        output.WriteLine();
        output.WriteLine($"matrix: {results.Count - failed} of {results.Count} boots passed, {failed} failed ({Secs(started.Elapsed.TotalSeconds)} s); logs in {outDir}/");
        return failed == 0 ? 0 : 1;
    }

    static int Bad(TextWriter output, string error)
    {
        output.WriteLine("KtapRunner matrix: " + error + " (KtapRunner matrix --help)");
        return 2;
    }

    public sealed record Outcome(bool Passed, string Result, double? BootSeconds, double TotalSeconds, string Usable);

    static Outcome RunOne(Row r, string iso, string ovmf, string outDir, double timeout)
    {
        if (r.Screen) return Screen.ScreenRun.RunOne(r, iso, ovmf, outDir, timeout);
        var o = new RunnerOptions
        {
            Label = r.Label,
            TimeoutSeconds = timeout,
            StallSeconds = 120,
            LogPath = Path.Combine(outDir, r.Label + ".log"),
            ResultPath = Path.Combine(outDir, r.Label + ".result"),
            Quiet = true,
            SendOnText = MenuText,
            SendKeys = SelfTestKey,
        };
        o.Command.Add("qemu-system-x86_64");
        o.Command.AddRange(QemuArgs(r, iso, ovmf));
        var report = new StringWriter();
        var run = BootRun.RunKtapCore(o, report, new[] { BootLine, "osprey: memory:" });
        File.WriteAllText(Path.Combine(outDir, r.Label + ".report"), report.ToString());
        var rep = run.Report;
        string result;
        if (rep.Success) result = $"pass {rep.Passed}/{rep.Skipped}/{rep.Failed}";
        else if (run.Process.StartError != null) result = "cannot start QEMU";
        else if (!rep.SawKtap && run.WatchSeconds == null)
            result = run.Process.Reason == StopReason.Exited && run.Process.ExitCode == ExitCodes.TripleFault ? "FAIL reset before the kernel spoke" : "FAIL kernel never started (" + BootRun.DescribeEnd(run.Process, o) + ")";
        else if (rep.Panicked) result = $"FAIL panic ({rep.Failed} failed)";
        else if (run.Process.Reason is StopReason.Timeout or StopReason.Stall) result = "FAIL " + BootRun.DescribeEnd(run.Process, o);
        else result = $"FAIL {rep.Passed}/{rep.Skipped}/{rep.Failed}" + (rep.Errors.Count > 0 ? " " + rep.Errors[0].Message : "");
        return new Outcome(rep.Success, result, run.WatchSeconds, run.Process.Seconds, UsableMiB(run.Lines));
    }

    // "osprey: memory: 8 regions, 6143 MiB usable, ..." -> "6143".
    static string UsableMiB(List<string> lines)
    {
        foreach (var l in lines)
        {
            int u = l.IndexOf(" MiB usable", StringComparison.Ordinal);
            if (!l.StartsWith("osprey: memory:", StringComparison.Ordinal) || u < 0) continue;
            int s = l.LastIndexOf(' ', u - 1);
            return l.Substring(s + 1, u - s - 1);
        }
        return "-";
    }

    static string Secs(double s) => s.ToString("0.0", CultureInfo.InvariantCulture);

    public static string Table(List<(Row Row, Outcome O)> results)
    {
        var head = new[] { "machine", "firmware", "CPU", "memory", "CPUs", "usable MiB", "result (pass/skip/fail)", "boot s", "total s" };
        var cells = results.Select(x => new[] {
            x.Row.Machine, x.Row.Firmware, x.Row.Cpu, x.Row.Memory, x.Row.CpuCount.ToString(CultureInfo.InvariantCulture), x.O.Usable,
            x.O.Result, x.O.BootSeconds is double b ? Secs(b) : "-", Secs(x.O.TotalSeconds) }).ToList();
        var width = new int[head.Length];
        for (int c = 0; c < head.Length; c++) width[c] = Math.Max(head[c].Length, cells.Count == 0 ? 0 : cells.Max(r => r[c].Length));
        var sb = new StringBuilder();
        void Line(string[] r)
        {
            for (int c = 0; c < r.Length; c++)
            {
                bool right = c == 4 || c == 5 || c >= 7;
                sb.Append(right ? r[c].PadLeft(width[c]) : r[c].PadRight(width[c]));
                if (c + 1 < r.Length) sb.Append("  ");
            }
            sb.Append('\n');
        }
        Line(head);
        foreach (var r in cells) Line(r);
        return sb.ToString();
    }
}
