// `KtapRunner show-serial LOG`: the terminal side of `./build.sh run --trace`.
// Every line of QEMU's serial output goes to LOG unchanged; the terminal gets
// the same lines except a trace dump ('# trace begin' .. '# trace end'),
// which it sees as one line giving the dump's size.
namespace Osprey.QemuRunner;

public static class SerialView
{
    public static int Run(TextReader input, TextWriter terminal, string logPath)
    {
        using var log = new StreamWriter(logPath, false, new System.Text.UTF8Encoding(false)) { AutoFlush = true };
        var filter = new DumpFilter();
        string? line;
        while ((line = input.ReadLine()) != null)
        {
            log.WriteLine(line);
            string? shown = filter.Feed(line);
            if (shown != null) { terminal.WriteLine(shown); terminal.Flush(); }
        }
        return 0;
    }

    /// <summary>Line by line: null while inside a dump, the summary line at its end, else the line itself.</summary>
    public sealed class DumpFilter
    {
        bool _inDump;
        int _lines;
        public string? Feed(string line)
        {
            string bare = line.TrimEnd('\r');
            if (bare == "# trace begin") { _inDump = true; _lines = 0; return null; }
            if (bare == "# trace end" && _inDump) { _inDump = false; return $"# trace: {_lines} lines dumped (kept in the log)"; }
            if (_inDump) { _lines++; return null; }
            return line;
        }
    }
}
