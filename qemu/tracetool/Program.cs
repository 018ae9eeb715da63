// tracetool: a trace (or a QEMU serial log with a dump) -> SVG timeline +
// Chrome trace-event JSON, or the raw trace text. See README.md here.
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;

namespace Osprey.TraceTool;

public static class TraceToolApp
{
    public const string Usage =
        "usage: tracetool INPUT OUTPUT [--from MS] [--to MS] [--title TEXT] [--quiet]\n" +
        "  INPUT   a trace file (sched/README.md, \"Trace format\") or a log holding a dump\n" +
        "          between '# trace begin' and '# trace end' lines (the last dump is used)\n" +
        "  OUTPUT  NAME.svg or NAME.json: the SVG timeline and the Chrome trace-event JSON\n" +
        "          (Perfetto, chrome://tracing) side by side, NAME.svg and NAME.json;\n" +
        "          any other name: the trace text itself (e.g. extracted from a log)\n" +
        "  --from, --to   picture window in ms from the first event (the JSON has everything)\n" +
        "  --title TEXT   the picture's title; --quiet: no report line\n" +
        "exit status: 0 done, 1 no readable trace in INPUT, 2 usage or write error";

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var inputArg = new Argument<string>("INPUT") { Description = "a trace file or a log holding a dump" };
        var outputArg = new Argument<string>("OUTPUT") { Description = "NAME.svg or NAME.json: both pictures; other names: the trace text" };
        var fromOpt = new Option<double?>("--from") { Description = "picture window start, ms from the first event", CustomParser = Ms };
        var toOpt = new Option<double?>("--to") { Description = "picture window end, ms from the first event", CustomParser = Ms };
        var titleOpt = new Option<string?>("--title") { Description = "the picture's title" };
        var quietOpt = new Option<bool>("--quiet") { Description = "no report line" };
        var root = new RootCommand("tracetool: a trace (or a serial log with a dump) to an SVG timeline and Chrome trace-event JSON")
        {
            inputArg, outputArg, fromOpt, toOpt, titleOpt, quietOpt,
        };
        int rc = 0;
        root.SetAction(pr => rc = Convert(pr.GetValue(inputArg)!, pr.GetValue(outputArg)!, pr.GetValue(fromOpt), pr.GetValue(toOpt),
            pr.GetValue(titleOpt), pr.GetValue(quietOpt), stdout, stderr));
        if (args.Contains("-h") || args.Contains("--help")) { stdout.WriteLine(Usage); return 0; }
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // A missing INPUT or OUTPUT is said in the tool's words; any other error as the parser gives it.
            var other = parsed.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required argument", StringComparison.Ordinal));
            string what = other?.Message ?? "needs INPUT and OUTPUT";
            stderr.WriteLine($"tracetool: {what}\n{Usage}");
            return 2;
        }
        parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        return rc;
    }

    static double? Ms(ArgumentResult r)
    {
        string v = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d >= 0) return d;
        r.AddError($"{((OptionResult)r.Parent!).Option.Name}: expected milliseconds >= 0, got '{v}'");
        return null;
    }

    static int Convert(string input, string output, double? from, double? to, string? title, bool quiet, TextWriter stdout, TextWriter stderr)
    {
        if (from.HasValue && to.HasValue && to <= from) { stderr.WriteLine("tracetool: --to must be after --from"); return 2; }

        string text;
        try { text = File.ReadAllText(input); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine("tracetool: cannot read " + input + ": " + e.Message);
            return 1;
        }
        string? trace = TraceFile.Extract(text, out int dumps);
        if (trace == null)
        {
            stderr.WriteLine($"tracetool: {input}: no trace in it (neither a '{TraceFile.Magic}' file nor a log with a '{TraceFile.BeginMarker}' line; boot with 'trace' on the kernel command line)");
            return 1;
        }
        TraceFile f = TraceFile.Parse(trace);
        if (dumps > 1) f.Warnings.Insert(0, $"{dumps} dumps in {input}; the last one is used");
        int shown = 0;
        foreach (string w in f.Warnings)
        {
            if (shown++ == 10) { stderr.WriteLine($"tracetool: ... {f.Warnings.Count - 10} more warnings"); break; }
            stderr.WriteLine("tracetool: warning: " + w);
        }
        if (f.Version == 0 && f.Events.Count == 0)
        {
            stderr.WriteLine("tracetool: " + input + ": no events and no header: not a trace");
            return 1;
        }

        string ext = Path.GetExtension(output).ToLowerInvariant();
        try
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(output));
            if (dir != null) Directory.CreateDirectory(dir);
            if (ext != ".svg" && ext != ".json")
            {
                File.WriteAllText(output, trace, new UTF8Encoding(false));
                if (!quiet) stdout.WriteLine($"tracetool: {output}: {f.Events.Count} events ({f.TotalDropped} dropped)");
                return 0;
            }
            Timeline t = Timeline.Build(f);
            string baseName = output.Substring(0, output.Length - ext.Length);
            string svg = baseName + ".svg", json = baseName + ".json";
            var o = new SvgOptions
            {
                Title = title,
                From = from.HasValue ? (long)(from.Value * 1e6) : null,
                To = to.HasValue ? (long)(to.Value * 1e6) : null,
            };
            File.WriteAllText(svg, SvgTimeline.Render(t, o), new UTF8Encoding(false));
            File.WriteAllText(json, ChromeTrace.Render(t), new UTF8Encoding(false));
            if (!quiet)
                stdout.WriteLine($"tracetool: {svg}, {json}: {t.EventCount} events, {t.Rows.Count} threads, {t.SliceCount} execution slices, "
                    + $"{t.MissCount} deadline misses, {t.Dropped} dropped, {SvgTimeline.Ms(t.T1 - t.T0)} ms");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine("tracetool: cannot write " + output + ": " + e.Message);
            return 2;
        }
    }
}
