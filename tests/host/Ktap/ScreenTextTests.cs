using System;
using System.Linq;
using System.Text;
using NUnit.Framework;
using Osprey.Kernel.SelfTest;
using Osprey.QemuRunner.Screen;

namespace Osprey.Tests.Ktap;

/// <summary>The matrix's screen row: decoding QEMU's screendump (binary PPM) and
/// reading the console's text back with the kernel's font.</summary>
[TestFixture]
public class ScreenTextTests
{
    static string[] Summary(int fail, int columns = 128, int rows = 46)
    {
        var f = new SummaryFacts
        {
            Pass = 180, Fail = fail, Skip = 2, FailedTotal = fail, FailedKept = fail,
            FailedNames = Enumerable.Range(1, fail).Select(i => "suite.test_" + i).ToArray(),
            FailedLines = Enumerable.Range(1, fail).Select(i => "expected 3, got " + i).ToArray(),
            Build = "commit 1a2b3c4d5e6f of 2026-12-04 14:20:35 UTC",
            CpuVendor = "GenuineIntel", CpuModel = "QEMU Virtual CPU version 2.5+",
            MemoryMiB = 127, Cpus = 1, TimerReference = "HPET", ApicMode = "xAPIC", Firmware = "UEFI",
        };
        return SummaryText.Render(f, columns, rows);
    }

    [Test]
    public void PpmRoundTripsWithCommentsAndSmallMaximum()
    {
        var img = ScreenText.Render(new[] { "ab" }, 16, 16, fg: 0x102030, bg: 0xFFFFFF);
        var back = Ppm.Decode(Ppm.Encode(img));
        Assert.That(back.Width, Is.EqualTo(16));
        Assert.That(back.Height, Is.EqualTo(16));
        Assert.That(back.Pixels, Is.EqualTo(img.Pixels));
        // A comment in the header and a maximum of 15 (samples scaled to 0..255).
        var data = Encoding.ASCII.GetBytes("P6 # made by hand\n2 1\n# max\n15\n").Concat(new byte[] { 15, 0, 15, 0, 15, 0 }).ToArray();
        var small = Ppm.Decode(data);
        Assert.That(small.At(0, 0), Is.EqualTo(0xFF00FF));
        Assert.That(small.At(1, 0), Is.EqualTo(0x00FF00));
    }

    [TestCase("P3\n1 1\n255\n000", "not a binary PPM")]
    [TestCase("P6\nx 1\n255\n", "'width' missing or not a number")]
    [TestCase("P6\n2 2\n255\nabc", "2x2 needs 12 sample bytes, the file has 3")]
    [TestCase("P6\n1 1\n65535\nabcdef", "maximum value 65535 unsupported")]
    [TestCase("P6\n0 1\n255\n", "size 0x1 is empty")]
    public void MalformedPpmIsAClearError(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => Ppm.Decode(Encoding.ASCII.GetBytes(text), "shot.ppm"));
        Assert.That(e!.Message, Does.StartWith("shot.ppm: "));
        Assert.That(e.Message, Does.Contain(message));
    }

    [Test]
    public void ReadsTheSummaryBackFromAScreenPicture()
    {
        string[] lines = new[] { "osprey: booting", "" }.Concat(Summary(0)).ToArray();
        var shot = Ppm.Decode(Ppm.Encode(ScreenText.Render(lines, 1024, 768)));
        string[] read = ScreenText.Read(shot);
        Assert.That(read.Length, Is.EqualTo(48));
        Assert.That(read.Take(lines.Length), Is.EqualTo(lines.Select(l => l.TrimEnd())));
        var (summary, result) = ScreenRun.Inspect(read);
        Assert.That(summary, Is.True);
        Assert.That(result, Is.EqualTo("# result:  PASSED: 0 failed, 180 passed, 2 skipped, 182 tests"));
    }

    [Test]
    public void ReadsCellsOfAnyColoursAndScreenSize()
    {
        // 800x600 (OVMF's default mode): 100 x 37 whole cells, the last 8 pixel rows unused.
        // The kernel sizes the block to the console it has.
        string[] lines = Summary(2, 100, 35);
        var img = ScreenText.Render(lines, 800, 600, fg: 0xFF5555, bg: 0x0000AA);
        string[] read = ScreenText.Read(img);
        Assert.That(read.Length, Is.EqualTo(37));
        Assert.That(read.Take(lines.Length), Is.EqualTo(lines.Select(l => l.TrimEnd())));
        Assert.That(read.Any(l => l.StartsWith("# result:  FAILED: 2 failed, 180 passed", StringComparison.Ordinal)), Is.True, string.Join("\n", read));
        Assert.That(ScreenRun.Inspect(read).ResultLine, Does.Contain("FAILED"));
    }

    [Test]
    public void NoSummaryOrAnUnknownCellIsSeen()
    {
        var img = ScreenText.Render(new[] { "osprey: booting" }, 128, 32);
        // A pixel out of place (the glyphs' top row is blank) makes the
        // first cell a pattern no glyph has.
        img.Pixels[0] = 0xFF;
        string[] read = ScreenText.Read(img);
        Assert.That(read[0], Is.EqualTo("?sprey: booting"));
        Assert.That(read[1], Is.Empty);
        Assert.That(ScreenRun.Inspect(read), Is.EqualTo((false, (string)null)));
    }
}
