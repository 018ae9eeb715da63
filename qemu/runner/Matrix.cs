// `KtapRunner matrix`: boots the ISO's self-test entry on a set of machines
// (QEMU machine type, firmware, CPU model, memory, CPU count), one after the
// other, and prints one table with each boot's result and boot time.
using System.Globalization;
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

    public sealed record Row(string Machine, string Firmware, string Cpu, string Memory, int CpuCount)
    {
        public string Label => $"{Machine}-{Firmware.ToLowerInvariant()}-{Cpu}-{Memory}-smp{CpuCount}";
    }

    /// <summary>The default set: every machine x firmware x memory size (20
    /// boots), with the CPU model and CPU count rotated so that each CPU
    /// model meets every machine and firmware and both CPU counts. With
    /// <paramref name="full"/>, the whole cross product (160 boots).</summary>
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
        return rows;
    }

    public static List<string> QemuArgs(Row r, string iso, string ovmf)
    {
        var a = new List<string> {
            "-machine", r.Machine, "-cpu", r.Cpu, "-smp", r.CpuCount.ToString(CultureInfo.InvariantCulture), "-m", r.Memory,
            "-no-reboot", "-display", "none", "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        };
        if (r.Firmware == "UEFI") { a.Add("-bios"); a.Add(ovmf); }
        a.Add("-cdrom"); a.Add(iso);
        return a;
    }

    const string Usage =
@"usage: KtapRunner matrix [--full] [--only TEXT] [--iso FILE] [--ovmf FILE] [--out DIR]
                        [--timeout SECONDS] [--list]

Boots the ISO's self-test entry (GRUB hotkey 's', typed on the serial console)
under QEMU on: -machine pc and q35; BIOS and UEFI (OVMF); -m 64M, 128M, 4G,
6G, 8G; -cpu qemu64, Nehalem, Skylake-Client, EPYC; -smp 1 and 4. By default
20 boots: every machine x firmware x memory, CPU model and count rotated;
--full runs all 160 combinations. --only keeps the rows whose label
(e.g. q35-uefi-EPYC-8G-smp4) contains TEXT (several --only: any). Logs go to
DIR/LABEL.log (default out/matrix). Prints one table; exit code 0 only when
every boot passed.";

    public static int Run(string[] args, TextWriter output)
    {
        bool full = false, list = false;
        var only = new List<string>();
        string iso = "out/kernel.iso", ovmf = "/usr/share/ovmf/OVMF.fd", outDir = "out/matrix";
        double timeout = 300;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (a)
            {
                case "--full": full = true; break;
                case "--list": list = true; break;
                case "--only": { var v = Next(); if (v == null) return Bad(output, "--only needs a text"); only.Add(v); break; }
                case "--iso": { var v = Next(); if (v == null) return Bad(output, "--iso needs a file"); iso = v; break; }
                case "--ovmf": { var v = Next(); if (v == null) return Bad(output, "--ovmf needs a file"); ovmf = v; break; }
                case "--out": { var v = Next(); if (v == null) return Bad(output, "--out needs a directory"); outDir = v; break; }
                case "--timeout":
                    {
                        var v = Next();
                        if (v == null || !double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out timeout) || timeout <= 0)
                            return Bad(output, "--timeout needs a positive number of seconds");
                        break;
                    }
                case "-h": case "--help": output.WriteLine(Usage); return 0;
                default: return Bad(output, "unknown option '" + a + "'");
            }
        }
        var rows = Rows(full).Where(r => only.Count == 0 || only.Any(t => r.Label.Contains(t, StringComparison.OrdinalIgnoreCase))).ToList();
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
        output.WriteLine("KtapRunner matrix: " + error);
        output.WriteLine(Usage);
        return 2;
    }

    public sealed record Outcome(bool Passed, string Result, double? BootSeconds, double TotalSeconds, string Usable);

    static Outcome RunOne(Row r, string iso, string ovmf, string outDir, double timeout)
    {
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
