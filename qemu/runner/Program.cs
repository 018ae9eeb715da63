// KtapRunner entry point: the command line (System.CommandLine). The root
// command runs one QEMU boot (or re-checks a saved log); the subcommands run
// the whole test run (`test`), the benchmarks (`bench`) and the terminal
// filter of `./build.sh run --trace` (`show-serial`) and the machine matrix
// (`matrix`).
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using Osprey.QemuRunner.Benchmarks;
using Osprey.QemuRunner.Stages;

namespace Osprey.QemuRunner;

public static class RunnerApp
{
    public static int Main(string[] args) => Run(args, Console.Out);

    /// <summary>Run with the given arguments, writing the report to <paramref name="output"/>.
    /// Returns the process exit code (0 all good, 1 failures, 2 usage error).</summary>
    public static int Run(string[] args, TextWriter output)
    {
        // `run`'s kernel words follow '--' and are passed on untouched, never parsed.
        if (args.Length > 0 && args[0] == "run" && Array.IndexOf(args, "--") is int dd and > 0)
        {
            RunWords = args[(dd + 1)..];
            args = args[..dd];
        }
        var root = BuildCommand(output, out Func<ParseResult, string?> check);
        ParseResult pr = root.Parse(args);
        string? err = pr.Errors.Count > 0 ? pr.Errors[0].Message : check(pr);
        if (err != null && pr.CommandResult.Command.Name == "run")
        {
            // Said as ./build.sh run says its errors.
            if (args.Contains("--trace") && err.Contains("--trace")) err = "--trace needs an output file (e.g. out/trace.svg)";
            Console.Error.WriteLine($"build.sh: error: run: {err} (see ./build.sh help)");
            return 1;
        }
        if (err != null && pr.CommandResult.Command != root)
        {
            // A subcommand's error, then its own options (not the single boot's usage).
            var sub = pr.CommandResult.Command;
            output.WriteLine($"KtapRunner {sub.Name}: {err}");
            output.WriteLine($"usage: KtapRunner {sub.Name} " + string.Join(" ", sub.Options.Where(o => !o.Hidden && o.Name is not ("--help" or "-h")).Select(o => $"[{o.Name}{(o.ValueType == typeof(bool) ? "" : " " + (o.HelpName ?? "VALUE"))}]"))
                + $" (KtapRunner {sub.Name} --help)");
            return 2;
        }
        if (err != null)
        {
            output.WriteLine("KtapRunner: " + err);
            output.WriteLine(RunnerOptions.Usage);
            return 2;
        }
        return pr.Invoke(new InvocationConfiguration { Output = output, Error = output });
    }

    static string[] RunWords = Array.Empty<string>();

    static double Seconds(ArgumentResult r, bool positive, string what)
    {
        string v = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && (positive ? d > 0 : d >= 0)) return d;
        r.AddError($"{((OptionResult)r.Parent!).Option.Name} {what}, got '{v}'");
        return 0;
    }

    static RootCommand BuildCommand(TextWriter output, out Func<ParseResult, string?> check)
    {
        var label = new Option<string>("--label") { Description = "name in the report and the result file", DefaultValueFactory = _ => "kernel" };
        var timeout = new Option<double>("--timeout") { Description = "total seconds before QEMU is killed", DefaultValueFactory = _ => 300,
            CustomParser = r => Seconds(r, true, "needs a positive number of seconds") };
        var stall = new Option<double>("--stall") { Description = "seconds without output before QEMU is killed (0: never)", DefaultValueFactory = _ => 60,
            CustomParser = r => Seconds(r, false, "needs a number of seconds (0 disables)") };
        var grace = new Option<double>("--grace") { Description = "seconds QEMU may take to exit after '# selftest: end'", DefaultValueFactory = _ => 2,
            CustomParser = r => Seconds(r, false, "needs a number of seconds") };
        var log = new Option<string?>("--log") { Description = "write QEMU's output to this file" };
        var result = new Option<string?>("--result") { Description = "write passed=, failed=, skipped= to this file" };
        var expect = new Option<Regex?>("--expect-line")
        {
            Description = "smoke mode: success when a line matches this regular expression",
            CustomParser = r =>
            {
                try { return new Regex(r.Tokens[0].Value, RegexOptions.CultureInvariant); }
                catch (ArgumentException e) { r.AddError("--expect-line: bad regular expression: " + e.Message); return null; }
            },
        };
        var sendOn = new Option<string[]>("--send-on")
        {
            Description = "when the output first contains TEXT (inside a line too: a boot menu redraws without newlines), write KEYS (\\e \\r \\n \\\\ decoded) to QEMU's stdin once, i.e. type them on the serial port",
            HelpName = "TEXT KEYS", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true,
        };
        sendOn.Validators.Add(r =>
        {
            if (r.Tokens.Count != 2) return;
            if (r.Tokens[0].Value.Length == 0) { r.AddError("--send-on: TEXT is empty"); return; }
            if (RunnerOptions.Unescape(r.Tokens[1].Value, out string? bad) == null) r.AddError("--send-on: " + bad);
        });
        var forbidSkip = new Option<Regex?>("--forbid-skip")
        {
            Description = "a test skipped with a reason matching this regular expression counts as an error",
            HelpName = "REGEX",
            CustomParser = r =>
            {
                try { return new Regex(r.Tokens[0].Value, RegexOptions.CultureInvariant); }
                catch (ArgumentException e) { r.AddError("--forbid-skip: bad regular expression: " + e.Message); return null; }
            },
        };
        var echo = new Option<bool>("--echo") { Description = "print QEMU's output as it arrives" };
        var quiet = new Option<bool>("--quiet") { Description = "no per-suite lines" };
        var parse = new Option<string?>("--parse") { Description = "re-check a saved log instead of running a command" };
        var exitStatus = new Option<int?>("--exit-status") { Description = "with --parse: the QEMU exit status to check" };
        var command = new Argument<string[]>("COMMAND") { Description = "the QEMU command line, after '--'", Arity = ArgumentArity.ZeroOrMore };

        var root = new RootCommand("Runs QEMU, parses the kernel's KTAP output, checks counts and the exit status.")
        {
            label, timeout, stall, grace, log, result, expect, sendOn, forbidSkip, echo, quiet, parse, exitStatus, command,
        };
        root.SetAction(pr =>
        {
            var o = new RunnerOptions
            {
                Label = pr.GetValue(label)!, TimeoutSeconds = pr.GetValue(timeout), StallSeconds = pr.GetValue(stall),
                GraceSeconds = pr.GetValue(grace), LogPath = pr.GetValue(log), ResultPath = pr.GetValue(result),
                ExpectLine = pr.GetValue(expect), ForbidSkip = pr.GetValue(forbidSkip),
                Echo = pr.GetValue(echo), Quiet = pr.GetValue(quiet),
                ParseFile = pr.GetValue(parse), ParseExitStatus = pr.GetValue(exitStatus),
                Command = (pr.GetValue(command) ?? Array.Empty<string>()).ToList(),
            };
            if (pr.GetValue(sendOn) is [string on, string text])
            {
                o.SendOnText = on;
                o.SendKeys = RunnerOptions.Unescape(text, out _);
            }
            if (o.ParseFile != null) return BootRun.ParseOffline(o, output);
            return o.ExpectLine != null ? BootRun.RunSmoke(o, output) : BootRun.RunKtap(o, output);
        });
        // What the parser cannot say: the command must follow '--', and --parse excludes it.
        check = pr =>
        {
            if (pr.CommandResult.Command != root) return null;
            var cmd = pr.GetValue(command) ?? Array.Empty<string>();
            bool dashes = pr.Tokens.Any(t => t.Type == TokenType.DoubleDash);
            if (cmd.Length > 0 && !dashes)
                return cmd[0].StartsWith('-') ? $"unknown option '{cmd[0]}'" : $"unexpected '{cmd[0]}': the command goes after '--'";
            bool parsing = pr.GetValue(parse) != null;
            if (!parsing && cmd.Length == 0) return "no command given after '--'";
            if (parsing && cmd.Length > 0) return "--parse and a command are exclusive";
            return null;
        };

        var rootDir = new Option<string>("--root") { Description = "the repository root", HelpName = "DIR", DefaultValueFactory = _ => Directory.GetCurrentDirectory() };

        var only = new Option<string[]>("--stage") { Description = "run only the stages whose title or case name contains TEXT (repeatable)", HelpName = "TEXT" };
        var list = new Option<bool>("--list") { Description = "list the stages and their cases, run nothing" };
        var started = new Option<long?>("--started") { HelpName = "UNIX-SECONDS", Description = "when the run started (Unix seconds, the build included), for the time taken" };
        var longRun = new Option<bool>("--long") { Description = "the property test with 1,000 random sets per policy (hours)" };
        var test = new Command("test", "the whole test run (the stages of Stages/StageList.cs); ends with 'N passed, N failed'")
        {
            rootDir, only, list, started, longRun,
        };
        test.SetAction(pr =>
        {
            var env = Env(pr.GetValue(rootDir)!, output, pr.GetValue(longRun));
            var stages = StageList.All();
            if (pr.GetValue(list)) { TestRun.List(output, stages); return 0; }
            long? t0 = pr.GetValue(started);
            return TestRun.Run(env, stages, pr.GetValue(only) ?? Array.Empty<string>(), t0 is long s ? DateTimeOffset.FromUnixTimeSeconds(s) : null);
        });
        root.Subcommands.Add(test);

        var ospreyOnly = new Option<bool>("--osprey-only") { Description = "no Linux-RT boots" };
        var linuxOnly = new Option<bool>("--linux-only") { Description = "only the Linux-RT boots (their rows of the table)" };
        var readyOnly = new Option<bool>("--ready-only") { Description = "only the ready-set workload under -icount (bench-host's kernel part)" };
        var smpOnly = new Option<bool>("--smp-only") { Description = "only the -smp 4 boots (the multi-CPU rows)" };
        var tables = new Option<string?>("--tables") { Description = "no boots: print the tables of a saved results.txt", HelpName = "RESULTS" };
        var bench = new Command("bench", "the kernel's bench suite under -icount and plain emulation beside Linux-RT; the tables")
        {
            rootDir, ospreyOnly, linuxOnly, readyOnly, smpOnly, tables,
        };
        bench.SetAction(pr => pr.GetValue(tables) is string saved
            ? BenchRun.Tables(saved, output)
            : pr.GetValue(ospreyOnly) && pr.GetValue(linuxOnly)
                ? BenchRun.Usage("bench: --osprey-only and --linux-only exclude each other")
                : BenchRun.Run(Env(pr.GetValue(rootDir)!, output), !pr.GetValue(ospreyOnly), pr.GetValue(readyOnly), !pr.GetValue(linuxOnly), pr.GetValue(smpOnly)));
        root.Subcommands.Add(bench);

        var runFile = new Argument<string[]>("FILE") { Description = "a workload file, passed as a boot module (or built into the ISO)", Arity = ArgumentArity.ZeroOrMore };
        var isoOpt = new Option<bool>("--iso") { Description = "boot the ISO under BIOS" };
        var uefiOpt = new Option<bool>("--uefi") { Description = "boot the ISO under OVMF" };
        var screenOpt = new Option<bool>("--screen") { Description = "show the QEMU window" };
        var icountOpt = new Option<bool>("--icount") { Description = "-icount shift=0,sleep=off" };
        var traceOpt = new Option<string?>("--trace") { Description = "record the scheduling trace to OUT (NAME.svg/.json: both pictures)", HelpName = "OUT" };
        var run = new Command("run", "the kernel in QEMU on this terminal (./build.sh run); kernel words after '--'")
        {
            rootDir, runFile, isoOpt, uefiOpt, screenOpt, icountOpt, traceOpt,
        };
        run.SetAction(pr =>
        {
            string[] files = pr.GetValue(runFile) ?? Array.Empty<string>();
            if (files.FirstOrDefault(f => f.StartsWith('-')) is string bad)
            {
                Console.Error.WriteLine($"build.sh: error: run: unknown option '{bad}' (see ./build.sh help)");
                return 1;
            }
            if (files.Length > 1) { Console.Error.WriteLine("build.sh: error: run: more than one workload file given"); return 1; }
            var req = new RunRequest
            {
                Workload = files.FirstOrDefault(), Iso = pr.GetValue(isoOpt), Uefi = pr.GetValue(uefiOpt),
                Screen = pr.GetValue(screenOpt), Icount = pr.GetValue(icountOpt), Trace = pr.GetValue(traceOpt),
                Words = RunWords.ToList(),
            };
            return RunCommand.Run(req, Env(pr.GetValue(rootDir)!, output).Root);
        });
        root.Subcommands.Add(run);

        var serialLog = new Argument<string>("LOG") { Description = "the file that gets every line" };
        var show = new Command("show-serial", "copy standard input to LOG and to the terminal, a trace dump shown as one line")
        {
            serialLog,
        };
        show.SetAction(pr => SerialView.Run(Console.In, output, pr.GetValue(serialLog)!));
        root.Subcommands.Add(show);

        root.Subcommands.Add(Matrix.BuildCommand(output, r => Seconds(r, true, "needs a positive number of seconds")));
        return root;
    }

    static TestEnv Env(string root, TextWriter output, bool longRun = false)
    {
        var env = new TestEnv(root, output) { Long = longRun };
        // Workload paths in the stage list and the bench boots are relative to the root.
        Directory.SetCurrentDirectory(env.Root);
        return env;
    }
}
