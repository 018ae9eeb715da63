using NUnit.Framework;
using Osprey.QemuRunner;

namespace Osprey.Tests.Ktap;

[TestFixture]
public class LineCleanerTests
{
    [TestCase("osprey: idle", "osprey: idle", TestName = "Clean_Plain")]
    [TestCase("\tok 1 x", "\tok 1 x", TestName = "Clean_Tab")]
    [TestCase("\rosprey: hello from C#", "osprey: hello from C#", TestName = "Clean_LeadingCr")]
    [TestCase("KTAP version 1\r", "KTAP version 1", TestName = "Clean_TrailingCr")]
    [TestCase("10%\r20%\r", "20%", TestName = "Clean_ProgressCr")]
    [TestCase("\x1b[m\x1b[H\x1b[J\x1b[1;1H  Booting `Osprey'", "  Booting `Osprey'", TestName = "Clean_GrubCsi")]
    [TestCase("\x1b[5;78H\x1b[?25hKTAP version 1", "KTAP version 1", TestName = "Clean_CsiPrivate")]
    [TestCase("\x1b]0;title\x07text", "text", TestName = "Clean_Osc")]
    [TestCase("a\bb\u0000c", "abc", TestName = "Clean_ControlChars")]
    public void Clean(string raw, string expected) => Assert.That(LineCleaner.Clean(raw), Is.EqualTo(expected));

    [Test]
    public void ParserSeesThroughGrubEscapesAndCarriageReturns()
    {
        string text =
            "\x1b[H\x1b[J\x1b[1;1H  Booting `Osprey self-test'\n\n" +
            "\rosprey: hello from C#\n" +
            "\x1b[mKTAP version 1\r\n" +
            "1..1\r\n" +
            "    KTAP version 1\r\n    # Subtest: a\r\n    1..1\r\n    ok 1 x\r\nok 1 a\r\n" +
            "# selftest: pass=1 fail=0 skip=0 total=1\r\n# selftest: end\r\n";
        var r = KtapParser.Parse(text, RunOutcome.Exited(ExitCodes.Pass), "t");
        Assert.That(r.Errors, Is.Empty, string.Join("\n", r.Errors));
        Assert.That(r.Passed, Is.EqualTo(1));
    }
}
