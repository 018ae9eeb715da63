using System.Globalization;
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner;

/// <summary>Command-line options of KtapRunner.</summary>
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

    /// <summary>Parse arguments; returns null and sets error on a usage error.</summary>
    public static RunnerOptions? Parse(string[] args, out string? error)
    {
        var o = new RunnerOptions();
        error = null;
        int i = 0;
        string? Next(string name)
        {
            if (i + 1 >= args.Length) return null;
            return args[++i];
        }
        bool Num(string name, string? v, out double d)
        {
            d = 0;
            return v != null && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out d) && d >= 0;
        }
        for (; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                o.Command.AddRange(args.Skip(i + 1));
                break;
            }
            string? v;
            double d;
            switch (a)
            {
                case "--label":
                    if ((v = Next(a)) == null) { error = "--label needs a value"; return null; }
                    o.Label = v; break;
                case "--timeout":
                    if (!Num(a, Next(a), out d) || d <= 0) { error = "--timeout needs a positive number of seconds"; return null; }
                    o.TimeoutSeconds = d; break;
                case "--stall":
                    if (!Num(a, Next(a), out d)) { error = "--stall needs a number of seconds (0 disables)"; return null; }
                    o.StallSeconds = d; break;
                case "--grace":
                    if (!Num(a, Next(a), out d)) { error = "--grace needs a number of seconds"; return null; }
                    o.GraceSeconds = d; break;
                case "--log":
                    if ((v = Next(a)) == null) { error = "--log needs a file"; return null; }
                    o.LogPath = v; break;
                case "--result":
                    if ((v = Next(a)) == null) { error = "--result needs a file"; return null; }
                    o.ResultPath = v; break;
                case "--expect-line":
                    if ((v = Next(a)) == null) { error = "--expect-line needs a regular expression"; return null; }
                    try { o.ExpectLine = new Regex(v, RegexOptions.CultureInvariant); }
                    catch (ArgumentException e) { error = "--expect-line: bad regular expression: " + e.Message; return null; }
                    break;
                case "--forbid-skip":
                    if ((v = Next(a)) == null) { error = "--forbid-skip needs a regular expression"; return null; }
                    try { o.ForbidSkip = new Regex(v, RegexOptions.CultureInvariant); }
                    catch (ArgumentException e) { error = "--forbid-skip: bad regular expression: " + e.Message; return null; }
                    break;
                case "--parse":
                    if ((v = Next(a)) == null) { error = "--parse needs a file"; return null; }
                    o.ParseFile = v; break;
                case "--exit-status":
                    if ((v = Next(a)) == null || !int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int es))
                    { error = "--exit-status needs an integer"; return null; }
                    o.ParseExitStatus = es; break;
                case "--send-on":
                    {
                        string? text = Next(a), keys = Next(a);
                        if (string.IsNullOrEmpty(text) || keys == null) { error = "--send-on needs TEXT and KEYS"; return null; }
                        o.SendOnText = text;
                        o.SendKeys = Unescape(keys, out string? bad);
                        if (o.SendKeys == null) { error = "--send-on: " + bad; return null; }
                        break;
                    }
                case "--echo": o.Echo = true; break;
                case "--quiet": o.Quiet = true; break;
                case "-h":
                case "--help":
                    error = "";
                    return null;
                default:
                    error = "unknown option '" + a + "'";
                    return null;
            }
        }
        if (o.ParseFile == null && o.Command.Count == 0)
        {
            error = "no command given after '--'";
            return null;
        }
        if (o.ParseFile != null && o.Command.Count > 0)
        {
            error = "--parse and a command are exclusive";
            return null;
        }
        return o;
    }

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
