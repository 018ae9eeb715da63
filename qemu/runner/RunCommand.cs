// `KtapRunner run`: `./build.sh run`, the kernel in QEMU on this terminal.
// Chooses the QEMU command line (-kernel with a workload module, or the ISO
// under BIOS or OVMF), runs QEMU on the terminal with a copy of its output in
// out/run.log (or, with --trace, through the dump filter into a log), says how
// it ended, exits non-zero with the kernel's reason when the kernel ended with
// a failure, and with --trace writes the trace and its pictures.
using System.ComponentModel;
using System.Diagnostics;
using Osprey.TraceTool;

namespace Osprey.QemuRunner;

public sealed class RunRequest
{
    public string? Workload;
    public bool Iso, Uefi, Screen, Icount;
    public string? Trace;
    /// <summary>Kernel command-line words (after '--').</summary>
    public List<string> Words = new();
}

public static class RunCommand
{
    static void Say(string s) => Console.Error.WriteLine("build.sh: " + s);
    static int Die(string s) { Console.Error.WriteLine("build.sh: error: " + s); return 1; }

    public static bool IsPicture(string path) =>
        path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The QEMU arguments of a run (after the program name), or an error.</summary>
    public static List<string>? Arguments(RunRequest r, string root, out string? error)
    {
        error = null;
        if (r.Workload != null && !File.Exists(r.Workload)) { error = $"run: workload file '{r.Workload}' not found"; return null; }
        var words = new List<string>(r.Words);
        if (r.Trace != null)
        {
            if (r.Iso || r.Uefi) { error = "run: --trace boots with -kernel (the ISO's command line is fixed); drop --iso/--uefi"; return null; }
            if (!words.Any(w => w == "trace" || w.StartsWith("trace=", StringComparison.Ordinal))) words.Add("trace");
            if (!words.Contains("exit")) words.Add("exit");
        }
        // The default demo (no file, no kernel words) ends with its summary and
        // leaves QEMU (kernel word 'exit'); with words or a file QEMU stays up
        // after the run unless 'exit' is among the words.
        bool kernel = !r.Iso && !r.Uefi;
        if (kernel && r.Workload == null && words.Count == 0) words.Add("exit");
        // Four CPUs of an AMD model with SVM and nested paging: the demo's real guests run
        // (kernel/README.md, "Real guests on AMD SVM"), their cores on CPUs 1..3.
        var q = new List<string> { "-m", "512", "-no-reboot", "-smp", "4", "-cpu", "EPYC" };
        if (!r.Screen) q.AddRange(new[] { "-display", "none" });
        q.AddRange(new[] { "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04" });
        if (r.Icount) q.AddRange(Stages.TestEnv.Icount);
        string outDir = Path.Combine(root, "out");
        if (kernel)
        {
            string file = r.Workload ?? "kernel/default.wl";
            string modules = file + " workload";
            // A guest with 'image osprey' boots this same kernel.elf, given as the module 'osprey'
            // (the default workload has one).
            string path = Path.IsPathRooted(file) || File.Exists(file) ? file : Path.Combine(root, file);
            if (File.Exists(path) && UsesOspreyGuest(File.ReadAllText(path)))
                modules += "," + Path.Combine(outDir, "kernel.elf") + " osprey";
            q.AddRange(new[] { "-kernel", Path.Combine(outDir, "kernel.elf"), "-initrd", modules });
            if (words.Count > 0) q.AddRange(new[] { "-append", string.Join(" ", words) });
        }
        else
        {
            // ./build.sh has built the ISO with the workload file, if one was given.
            q.AddRange(new[] { "-cdrom", Path.Combine(outDir, "kernel.iso") });
            if (r.Uefi) q.AddRange(new[] { "-bios", "/usr/share/ovmf/OVMF.fd" });
        }
        return q;
    }

    /// <summary>Whether a workload file has a guest with the line 'image osprey' (comments and
    /// indentation allowed; sched/README.md, "An Osprey guest's own workload").</summary>
    public static bool UsesOspreyGuest(string text) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, @"^[ \t]*image[ \t]+osprey[ \t]*(#.*)?\r?$", System.Text.RegularExpressions.RegexOptions.Multiline);

    static readonly string[] ReasonStarts =
        { "osprey: error: ", "rejected: ", "note: ", "osprey: workload ", "osprey: PANIC", "    not ok " };

    /// <summary>The lines of a serial log that say why the kernel failed (carriage returns
    /// dropped): errors, refusals, notes, the workload verdict, a panic, failed tests; at most 12.</summary>
    public static List<string> FailureReason(IEnumerable<string> log) =>
        log.Select(l => l.Replace("\r", ""))
           .Where(l => ReasonStarts.Any(p => l.StartsWith(p, StringComparison.Ordinal)))
           .Take(12).ToList();

    public static int Run(RunRequest r, string root)
    {
        var args = Arguments(r, root, out string? err);
        if (args == null) return Die(err!);
        Say("qemu-system-x86_64 " + string.Join(" ", args));
        // With --trace the serial log sits beside OUT; otherwise a copy of the
        // serial output goes to out/run.log: the reason of a failure is read from it.
        bool tracing = r.Trace != null;
        string log = tracing ? Path.ChangeExtension(r.Trace!, ".log") : Path.Combine(root, "out", "run.log");
        var psi = new ProcessStartInfo("qemu-system-x86_64") { UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        int rc;
        try
        {
            if (!tracing)
            {
                // The keyboard is QEMU's (stdin stays the terminal: its serial
                // console reads it); stdout goes to the terminal and the log byte
                // by byte, as it comes.
                Directory.CreateDirectory(Path.GetDirectoryName(log)!);
                psi.RedirectStandardOutput = true;
                using var p = Process.Start(psi)!;
                using (var copy = File.Create(log))
                using (var term = Console.OpenStandardOutput())
                {
                    var buf = new byte[4096];
                    int n;
                    while ((n = p.StandardOutput.BaseStream.Read(buf, 0, buf.Length)) > 0)
                    {
                        term.Write(buf, 0, n); term.Flush();
                        copy.Write(buf, 0, n); copy.Flush();
                    }
                }
                p.WaitForExit();
                rc = p.ExitCode;
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(log))!);
                psi.RedirectStandardOutput = true;
                psi.RedirectStandardInput = true;
                using var p = Process.Start(psi)!;
                p.StandardInput.Close();
                // The dump goes to the log; the terminal gets one line for it.
                SerialView.Run(p.StandardOutput, Console.Out, log);
                p.WaitForExit();
                rc = p.ExitCode;
            }
        }
        catch (Win32Exception e) { return Die("run: cannot start qemu-system-x86_64: " + e.Message); }
        Say(rc switch
        {
            ExitCodes.Pass => "kernel exited: success",
            ExitCodes.Fail => "kernel exited: failures reported",
            ExitCodes.Panic => "kernel exited: panic",
            0 => "QEMU exited with status 0 (a triple fault with -no-reboot, or the window was closed)",
            _ => $"QEMU exited with status {rc}",
        });
        // A refused or partly refused workload, failed self-tests or a panic:
        // exit non-zero with the kernel's reason.
        if (rc != ExitCodes.Pass && rc != 0)
        {
            var why = File.Exists(log) ? FailureReason(File.ReadLines(log)) : new List<string>();
            foreach (var l in why) Console.Error.WriteLine("build.sh:   " + l);
            return Die($"run: the kernel ended with QEMU status {rc}" + (why.Count > 0 ? " (reason above)" : ""));
        }
        if (!tracing) return 0;
        Say("serial log in " + log);
        if (IsPicture(r.Trace!) && TraceToolApp.Run(new[] { log, Path.ChangeExtension(r.Trace!, ".trace"), "--quiet" }, Console.Out, Console.Error) != 0)
            return Die("run: no trace in " + log);
        if (TraceToolApp.Run(new[] { log, r.Trace! }, Console.Out, Console.Error) != 0) return Die("run: no trace in " + log);
        return 0;
    }
}
