// Durations as the kernel and the simulator print them (Format.Time:
// "12.5us", "3ms", "0ns") read back in nanoseconds for the run checks.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner.Stages;

public static class Durations
{
    static readonly Regex Number = new(@"^[0-9.]+", RegexOptions.CultureInvariant);

    /// <summary>The leading number of <paramref name="text"/> times its unit (s, ms, us; anything else is ns),
    /// truncated to whole nanoseconds; null when there is no leading number.</summary>
    public static long? ToNs(string text)
    {
        var m = Number.Match(text);
        if (!m.Success) return null;
        // "1.2.3" reads as 1.2: the longest prefix that is a number.
        string num = m.Value;
        int second = num.IndexOf('.', num.IndexOf('.') + 1);
        if (second > 0) num = num[..second];
        if (!double.TryParse(num == "." ? "0" : num, NumberStyles.Float, CultureInfo.InvariantCulture, out double n)) return null;
        double unit = text[m.Length..] switch { "s" => 1e9, "ms" => 1e6, "us" => 1e3, _ => 1 };
        return (long)(n * unit);
    }
}
