// Reads a Visual Studio test results file (TRX, the XML that `dotnet test
// --logger trx` writes): the counters of its ResultSummary and the failed
// tests with the first line of their messages.
using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Osprey.QemuRunner.Stages;

public sealed class TrxResults
{
    public sealed record FailedTest(string Name, string Message);

    public int Total { get; private init; }
    public int Passed { get; private init; }
    /// <summary>failed + error + timeout + aborted (every executed test that did not pass).</summary>
    public int Failed { get; private init; }
    public int NotExecuted { get; private init; }
    public List<FailedTest> Failures { get; } = new();

    public static TrxResults? Read(string path, out string? error)
    {
        try { return Parse(File.ReadAllText(path), out error); }
        catch (IOException e) { error = $"{path}: {e.Message}"; return null; }
    }

    /// <summary>Null with <paramref name="error"/> set when the text is not a TRX file with counters.</summary>
    public static TrxResults? Parse(string xml, out string? error)
    {
        error = null;
        XDocument doc;
        try { doc = XDocument.Parse(xml.TrimStart('\uFEFF')); }
        catch (XmlException e) { error = "not XML: " + e.Message; return null; }
        XElement? counters = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters"
            && e.Parent?.Name.LocalName == "ResultSummary");
        if (counters == null) { error = "no ResultSummary/Counters element"; return null; }
        int N(string attr)
        {
            string? v = counters.Attribute(attr)?.Value;
            return v != null && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 0;
        }
        var r = new TrxResults
        {
            Total = N("total"),
            Passed = N("passed"),
            Failed = N("failed") + N("error") + N("timeout") + N("aborted"),
            NotExecuted = N("notExecuted"),
        };
        foreach (var u in doc.Descendants().Where(e => e.Name.LocalName == "UnitTestResult"))
        {
            string outcome = u.Attribute("outcome")?.Value ?? "";
            if (outcome is not ("Failed" or "Error" or "Timeout" or "Aborted")) continue;
            string msg = u.Descendants().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? "";
            string first = msg.Replace("\r", "").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
            r.Failures.Add(new FailedTest(u.Attribute("testName")?.Value ?? "?", first));
        }
        return r;
    }
}
