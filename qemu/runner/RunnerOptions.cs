using System.Text.RegularExpressions;

namespace Osprey.QemuRunner;

/// <summary>Options of one boot (the root command of KtapRunner; see Cli.cs). The stages build these in code.</summary>
public sealed class RunnerOptions
{
    public string Label = "kernel";
    public double TimeoutSeconds = 300;
    /// <summary>0 disables stall detection.</summary>
    public double StallSeconds = 60;
    /// <summary>How long the process may take to exit by itself after the end marker.</summary>
    public double GraceSeconds = 2;
    public string? LogPath;
    public string? ResultPath;
    public Regex? ExpectLine;
    public bool Echo;
    public bool Quiet;
    /// <summary>Offline mode: parse this file instead of running a command.</summary>
    public string? ParseFile;
    public int? ParseExitStatus;
    public List<string> Command = new();

    public const string Usage =
@"usage: KtapRunner --label NAME --timeout SECONDS --stall SECONDS --log FILE --result FILE
                  [--expect-line REGEX] [--grace SECONDS] [--echo] [--quiet] -- COMMAND [ARGS...]
       KtapRunner --label NAME --parse LOGFILE [--exit-status N] [--result FILE]
       KtapRunner test [--root DIR] [--stage TEXT]... [--list] [--started UNIX-SECONDS]
       KtapRunner bench [--root DIR] [--osprey-only] [--ready-only] [--tables RESULTS]
       KtapRunner run [--root DIR] [FILE] [--iso|--uefi] [--screen] [--icount] [--trace OUT] [-- WORDS]
       KtapRunner show-serial LOG
       KtapRunner [SUBCOMMAND] --help

Runs COMMAND (QEMU with -serial stdio -display none -no-reboot), tees its output
to --log, parses the kernel's KTAP output and checks plans, counts, the summary
line and the isa-debug-exit status (33 pass, 35 fail, 37 panic, 0 triple fault).
The process is killed at --timeout (total seconds), after --stall seconds
without output (0 disables), or --grace seconds (default 2) after
'# selftest: end'.
--expect-line REGEX: smoke mode; success when a line matches before the timeout.
--echo prints every output line as it arrives; --quiet omits per-suite lines.
Writes 'passed=P', 'failed=F', 'skipped=K' lines to --result. Exit code 0 only
when everything passed; 1 on any failure; 2 on a usage error.";
}
