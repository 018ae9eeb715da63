using NUnit.Framework;
using Osprey.Kernel.Console;

namespace Osprey.Tests.Console
{
    [TestFixture]
    public class Font8x16Tests
    {
        [Test]
        public void TableHasOneGlyphPerPrintableCharPlusFallback()
        {
            Assert.That(Font8x16.GlyphCount, Is.EqualTo(0x7E - 0x20 + 2));
            Assert.That(Font8x16.Glyphs.Length, Is.EqualTo(Font8x16.GlyphCount * 16));
            Assert.That(Font8x16.GlyphOffset(' '), Is.EqualTo(0));
            Assert.That(Font8x16.GlyphOffset('~'), Is.EqualTo((0x7E - 0x20) * 16));
            Assert.That(Font8x16.GlyphOffset('\u001f'), Is.EqualTo(Font8x16.FallbackIndex * 16));
            Assert.That(Font8x16.GlyphOffset('\u007f'), Is.EqualTo(Font8x16.FallbackIndex * 16));
            Assert.That(Font8x16.GlyphOffset('\uffff'), Is.EqualTo(Font8x16.FallbackIndex * 16));
        }

        [Test]
        public void EveryGlyphExceptSpaceHasInk()
        {
            for (int g = 0; g < Font8x16.GlyphCount; g++)
            {
                int ink = 0;
                for (int r = 0; r < 16; r++) ink |= Font8x16.Glyphs[g * 16 + r];
                if (g == 0)
                    Assert.That(ink, Is.EqualTo(0), "space must be blank");
                else
                    Assert.That(ink, Is.Not.EqualTo(0), "glyph 0x" + (g + 0x20).ToString("X2") + " is empty");
            }
        }

        [Test]
        public void NoTwoGlyphsAreIdentical()
        {
            for (int a = 0; a < Font8x16.GlyphCount; a++)
                for (int b = a + 1; b < Font8x16.GlyphCount; b++)
                {
                    bool same = true;
                    for (int r = 0; r < 16 && same; r++)
                        same = Font8x16.Glyphs[a * 16 + r] == Font8x16.Glyphs[b * 16 + r];
                    Assert.That(same, Is.False, "glyphs " + a + " and " + b + " are identical");
                }
        }

        [Test]
        public void PrintableGlyphsLeaveTheRightColumnAndTopRowBlank()
        {
            // Keeps neighbouring characters and lines from touching. '_' spans the
            // full width on purpose so underscores join up.
            for (int c = 0x20; c <= 0x7E; c++)
            {
                if (c == '_') continue;
                int g = Font8x16.GlyphOffset((char)c);
                Assert.That(Font8x16.Glyphs[g], Is.EqualTo(0), "top row of '" + (char)c + "'");
                for (int r = 0; r < 16; r++)
                    Assert.That(Font8x16.Glyphs[g + r] & 1, Is.EqualTo(0), "right column of '" + (char)c + "' row " + r);
            }
        }
    }
}
