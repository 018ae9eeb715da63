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
    /// <summary>--forbid-skip: a skip whose reason matches is an error.</summary>
    public Regex? ForbidSkip;
    public bool Echo;
    public bool Quiet;
    /// <summary>When stdout first contains SendOnText (even inside a line not
    /// yet ended: a boot menu redraws without newlines), SendKeys is written
    /// to the process's stdin (QEMU's serial input) once.</summary>
    public string? SendOnText;
    public string? SendKeys;
    /// <summary>Offline mode: parse this file instead of running a command.</summary>
    public string? ParseFile;
    public int? ParseExitStatus;
    public List<string> Command = new();

    public const string Usage =
@"usage: KtapRunner --label NAME --timeout SECONDS --stall SECONDS --log FILE --result FILE
                  [--expect-line REGEX] [--send-on TEXT KEYS] [--forbid-skip REGEX]
                  [--grace SECONDS] [--echo] [--quiet]
                  -- COMMAND [ARGS...]
       KtapRunner --label NAME --parse LOGFILE [--exit-status N] [--result FILE]
       KtapRunner test [--root DIR] [--stage TEXT]... [--list] [--started UNIX-SECONDS]
       KtapRunner bench [--root DIR] [--osprey-only|--linux-only] [--ready-only] [--tables RESULTS]
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
--send-on TEXT KEYS: when the output first contains TEXT (inside a line too),
write KEYS to the command's stdin once (\r, \n, \e and \\ are escapes), e.g.
a GRUB menu hotkey on the serial console.
--forbid-skip REGEX: a test skipped with a reason matching REGEX counts as an
error (one failure each).
--echo prints every output line as it arrives; --quiet omits per-suite lines.
Writes 'passed=P', 'failed=F', 'skipped=K' lines to --result. Exit code 0 only
when everything passed; 1 on any failure; 2 on a usage error.";

    /// <summary>TEXT of --send-on with \e, \r, \n and \\ decoded; null (and why) on another escape.</summary>
    public static string? Unescape(string text, out string? error)
    {
        error = null;
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\') { sb.Append(c); continue; }
            if (i + 1 >= text.Length) { error = "a lone \\ at the end of '" + text + "'"; return null; }
            char e = text[++i];
            switch (e)
            {
                case 'e': sb.Append('\u001b'); break;
                case 'r': sb.Append('\r'); break;
                case 'n': sb.Append('\n'); break;
                case '\\': sb.Append('\\'); break;
                default: error = "unknown escape \\" + e + " in '" + text + "' (known: \\e \\r \\n \\\\)"; return null;
            }
        }
        return sb.ToString();
    }
}
