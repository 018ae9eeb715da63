// conformance DIR --sim SIM.dll --out OUTDIR [--result FILE] -- QEMU-COMMAND...
//
// For each DIR/*.wl (sorted): runs `dotnet SIM.dll FILE` and
// `QEMU-COMMAND... -initrd "FILE workload" -append "clock=exact exit"`, saves
// both outputs in OUTDIR, reads both tables and checks each against
// DIR/NAME.expect. Prints one line per file and side, a table of every
// task (expected, simulator, kernel) and "conformance: N passed, M failed"
// (a file counts once for the simulator and once for the kernel); writes
// passed=N / failed=M to the result file. Exit 0 when all passed, 1 when a
// check failed, 2 on usage errors.
using System.Diagnostics;
using Osprey.Conformance;

string? dir = null, sim = null, outDir = null, resultFile = null;
var qemu = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--") { qemu.AddRange(args.Skip(i + 1)); break; }
    if (args[i] == "--sim" && i + 1 < args.Length) sim = args[++i];
    else if (args[i] == "--out" && i + 1 < args.Length) outDir = args[++i];
    else if (args[i] == "--result" && i + 1 < args.Length) resultFile = args[++i];
    else if (dir == null && !args[i].StartsWith("--")) dir = args[i];
    else { Console.Error.WriteLine($"conformance: unknown argument '{args[i]}'"); return 2; }
}
if (dir == null || sim == null || outDir == null || qemu.Count == 0)
{
    Console.Error.WriteLine("usage: conformance DIR --sim SIM.dll --out OUTDIR [--result FILE] -- QEMU-COMMAND...");
    return 2;
}
Directory.CreateDirectory(outDir);
string[] files = Directory.GetFiles(dir, "*.wl").OrderBy(f => f, StringComparer.Ordinal).ToArray();
if (files.Length == 0) { Console.Error.WriteLine($"conformance: no .wl files in {dir}"); return 2; }

int passed = 0, failed = 0;
var summary = new List<string>();
foreach (string file in files)
{
    string name = Path.GetFileNameWithoutExtension(file);
    string expectPath = Path.ChangeExtension(file, ".expect");
    Expectation? exp = null;
    string? err = File.Exists(expectPath) ? null : $"{expectPath}: missing (every scenario needs its expectation)";
    if (err == null) exp = Expectation.Parse(expectPath, File.ReadAllText(expectPath), out err);
    if (exp == null)
    {
        Console.WriteLine($"conformance {name}: FAILED: {err}");
        failed += 2;
        continue;
    }
    string simOut = Run("dotnet", new[] { sim, file }, 300, out int simRc);
    File.WriteAllText(Path.Combine(outDir, name + ".sim"), simOut);
    var q = new List<string>(qemu.Skip(1)) { "-initrd", file + " workload", "-append", "clock=exact exit" };
    string kernelOut = Run(qemu[0], q, 300, out int kernelRc);
    File.WriteAllText(Path.Combine(outDir, name + ".kernel"), kernelOut);

    var simRows = Table.Read(simOut);
    var kernelRows = Table.Read(kernelOut);
    bool simOk = Check("simulator", simRc == 0, $"exit {simRc}", simRows, exp.Sim, exp.Order, name);
    // QEMU's isa-debug-exit status 33: the kernel ended the run normally.
    bool kernelOk = Check("kernel", kernelRc == 33, $"QEMU status {kernelRc}, expected 33", kernelRows, exp.Kernel, exp.Order, name);
    passed += (simOk ? 1 : 0) + (kernelOk ? 1 : 0);
    failed += (simOk ? 0 : 1) + (kernelOk ? 0 : 1);
    foreach (string t in exp.Order)
    {
        summary.Add($"{name,-22} {t,-8} {Cell(exp.Sim[t])}  {Cell2(simRows, t)}  {Cell(exp.Kernel[t])}  {Cell2(kernelRows, t)}");
    }
}
Console.WriteLine();
Console.WriteLine($"{"scenario",-22} {"task",-8} {"expected (sim)",-22}  {"simulator",-22}  {"expected (kernel)",-22}  {"kernel",-22}");
Console.WriteLine($"{"",-22} {"",-8} {"rel jobs miss post rm",-22}  {"rel jobs miss post rm",-22}  {"rel jobs miss post rm",-22}  {"rel jobs miss post rm",-22}");
foreach (string s in summary) Console.WriteLine(s);
Console.WriteLine($"conformance: {passed} passed, {failed} failed");
if (resultFile != null) File.WriteAllText(resultFile, $"passed={passed}\nfailed={failed}\n");
return failed == 0 ? 0 : 1;

static string Cell(TaskCounts c) => $"{c.Released,3} {c.Jobs,4} {c.Misses,4} {c.Postponed,4} {c.RmMissed,3}".PadRight(22);

static string Cell2(Dictionary<string, TaskCounts>? rows, string t) =>
    rows != null && rows.TryGetValue(t, out var c) ? Cell(c) : "(no row)".PadRight(22);

static bool Check(string side, bool exitOk, string exitText, Dictionary<string, TaskCounts>? rows,
    Dictionary<string, TaskCounts> want, List<string> order, string name)
{
    var problems = new List<string>();
    if (!exitOk) problems.Add(exitText);
    if (rows == null) problems.Add("no statistics table in the output");
    else
    {
        foreach (string t in order)
        {
            if (!rows.TryGetValue(t, out var got)) { problems.Add($"task '{t}' not in the table"); continue; }
            if (!got.SameAs(want[t])) problems.Add($"task '{t}': expected {want[t]}, got {got}");
        }
        foreach (string t in rows.Keys)
            if (!want.ContainsKey(t)) problems.Add($"task '{t}' has no expectation");
    }
    if (problems.Count == 0) { Console.WriteLine($"conformance {name} ({side}): every task as expected: ok"); return true; }
    Console.WriteLine($"conformance {name} ({side}): FAILED");
    foreach (string p in problems) Console.WriteLine("  " + p);
    return false;
}

static string Run(string exe, IEnumerable<string> argv, int timeoutSeconds, out int rc)
{
    var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
    foreach (string a in argv) psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    p.StandardInput.Close();
    var stdout = p.StandardOutput.ReadToEndAsync();
    var stderr = p.StandardError.ReadToEndAsync();
    if (!p.WaitForExit(timeoutSeconds * 1000))
    {
        p.Kill(true);
        p.WaitForExit();
        rc = -1;
        return stdout.Result + stderr.Result + $"\n(killed after {timeoutSeconds} s)\n";
    }
    p.WaitForExit();
    rc = p.ExitCode;
    return stdout.Result + stderr.Result;
}
