using System.Text;
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner;

/// <summary>
/// Makes a serial line readable: firmware and GRUB write terminal escape
/// sequences and carriage returns onto the same serial port as the kernel
/// (a kernel line can arrive as "\e[m\rosprey: ..."). Escape sequences are
/// removed, a carriage return keeps what a terminal would show (the text
/// after the last non-empty '\r' segment), and other control characters
/// except tabs are dropped.
/// </summary>
public static class LineCleaner
{
    static readonly Regex Ansi = new(
        @"\x1B(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(?:\x07|\x1B\\)?|[()][0-9A-Za-z]|[@-Z\\-_])",
        RegexOptions.CultureInvariant);

    public static string Clean(string line)
    {
        bool plain = true;
        foreach (char c in line)
            if (c < ' ' && c != '\t' || c == '\x7f') { plain = false; break; }
        if (plain) return line;

        string s = line.IndexOf('\x1B') >= 0 ? Ansi.Replace(line, "") : line;
        if (s.IndexOf('\r') >= 0)
        {
            var parts = s.Split('\r');
            string last = "";
            foreach (var p in parts)
                if (p.Length > 0) last = p;
            s = last;
        }
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
            if (c >= ' ' && c != '\x7f' || c == '\t') sb.Append(c);
        return sb.ToString();
    }
}
