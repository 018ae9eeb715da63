using System;
using NUnit.Framework;
using Osprey.Kernel.Console;

namespace Osprey.Tests.Console
{
    [TestFixture]
    public unsafe class FramebufferTextTests
    {
        // Pixel values of light grey (0xAAAAAA) and black in the standard layouts.
        const uint Grey32 = 0xAAAAAA;
        const uint Grey16 = (0xAA >> 3) << 11 | (0xAA >> 2) << 5 | (0xAA >> 3); // 0xAD55

        static uint Grey(uint bpp) => bpp == 16 ? Grey16 : Grey32;

        [TestCase(32u)]
        [TestCase(24u)]
        [TestCase(16u)]
        public void GlyphPixelsAreExact(uint bpp)
        {
            var fb = new TestFramebuffer(64, 48, bpp);
            var con = fb.NewConsole();
            Assert.That(con.Status, Is.EqualTo(FramebufferStatus.Ok));
            Assert.That(con.Columns, Is.EqualTo(8));
            Assert.That(con.Rows, Is.EqualTo(3));
            con.Write("A");
            fb.AssertCell(0, 0, 'A', Grey(bpp), 0);
            con.Write("g~");
            fb.AssertCell(1, 0, 'g', Grey(bpp), 0);
            fb.AssertCell(2, 0, '~', Grey(bpp), 0);
            // Cells not written keep their old contents.
            Assert.That(fb.Pixel(3 * 8, 0), Is.EqualTo(bpp == 32 ? 0x3C3C3C3Cu : bpp == 24 ? 0x3C3C3Cu : 0x3C3Cu));
            fb.AssertGuardsAndPaddingIntact();
        }

        [Test]
        public void GlyphBitsMapMsbToLeftmostPixel()
        {
            // '|' is a vertical bar at columns 3 and 4 of its cell; '_' fills the whole row 14.
            var fb = new TestFramebuffer(16, 16, 32);
            var con = fb.NewConsole();
            con.SetColors(TextColor.White, TextColor.Black);
            con.Write("|_");
            Assert.That(fb.Pixel(3, 5), Is.EqualTo(0xFFFFFFu));
            Assert.That(fb.Pixel(4, 5), Is.EqualTo(0xFFFFFFu));
            Assert.That(fb.Pixel(2, 5), Is.EqualTo(0u));
            Assert.That(fb.Pixel(5, 5), Is.EqualTo(0u));
            for (uint x = 8; x < 16; x++) Assert.That(fb.Pixel(x, 14), Is.EqualTo(0xFFFFFFu));
            Assert.That(fb.Pixel(8, 13), Is.EqualTo(0u));
        }

        [Test]
        public void ColoursPackedForBgr32Layout()
        {
            var fb = new TestFramebuffer(16, 16, 32);
            // Red at bit 0, green at 8, blue at 16 (a BGR framebuffer).
            var con = new FramebufferText(fb.Base, 16, 16, fb.Pitch, 32, 0, 8, 8, 8, 16, 8);
            Assert.That(con.PackColor(0x123456), Is.EqualTo(0x563412u));
            con.SetColors(TextColor.Red, TextColor.Blue); // 0xFF5555 on 0x5555FF
            con.Write("#");
            fb.AssertCell(0, 0, '#', 0x5555FF, 0xFF5555);
        }

        [Test]
        public void ColoursPackedForRgb32Layout()
        {
            var fb = new TestFramebuffer(16, 16, 32);
            var con = new FramebufferText(fb.Base, 16, 16, fb.Pitch, 32, 16, 8, 8, 8, 0, 8);
            Assert.That(con.PackColor(0x123456), Is.EqualTo(0x123456u));
            con.SetColors(TextColor.Green, TextColor.Yellow);
            con.Write("W");
            fb.AssertCell(0, 0, 'W', 0x55FF55, 0xFFFF55);
        }

        [Test]
        public void ColoursPackedFor24BppBgrLayout()
        {
            var fb = new TestFramebuffer(8, 16, 24);
            var con = new FramebufferText(fb.Base, 8, 16, fb.Pitch, 24, 0, 8, 8, 8, 16, 8);
            con.SetColors(0x112233, 0x445566);
            con.Write("M");
            fb.AssertCell(0, 0, 'M', 0x332211, 0x665544);
            // Byte order in memory: the low byte first (red in this layout).
            int o = TestFramebuffer.GuardSize;
            Assert.That(fb.Memory[o], Is.EqualTo(0x44));
            Assert.That(fb.Memory[o + 1], Is.EqualTo(0x55));
            Assert.That(fb.Memory[o + 2], Is.EqualTo(0x66));
        }

        [Test]
        public void ColoursPackedFor565()
        {
            var fb = new TestFramebuffer(8, 16, 16);
            var con = fb.NewConsole();
            // Yellow 0xFFFF55: r=31, g=63, b=0x55>>3=10.
            Assert.That(con.PackColor(TextColor.Yellow), Is.EqualTo((31u << 11) | (63u << 5) | 10u));
            Assert.That(con.PackColor(TextColor.White), Is.EqualTo(0xFFFFu));
            con.SetColors(TextColor.Yellow, TextColor.Red);
            con.Write("Q");
            uint red565 = (31u << 11) | ((0x55u >> 2) << 5) | (0x55u >> 3);
            fb.AssertCell(0, 0, 'Q', 0xFFEA, red565);
        }

        [Test]
        public void ColoursPackedForBgr565AndUnusualFields()
        {
            var fb = new TestFramebuffer(8, 16, 16);
            // Blue in the top 5 bits, red in the bottom 5.
            var con = new FramebufferText(fb.Base, 8, 16, fb.Pitch, 16, 0, 5, 5, 6, 11, 5);
            Assert.That(con.PackColor(0xFF0000), Is.EqualTo(0x001Fu));
            Assert.That(con.PackColor(0x0000FF), Is.EqualTo(0xF800u));
            Assert.That(con.PackColor(0x00FF00), Is.EqualTo(0x07E0u));
            // x2r10g10b10: 10-bit fields scale 0xFF to all ones.
            var fb32 = new TestFramebuffer(8, 16, 32);
            var c10 = new FramebufferText(fb32.Base, 8, 16, fb32.Pitch, 32, 20, 10, 10, 10, 0, 10);
            Assert.That(c10.Status, Is.EqualTo(FramebufferStatus.Ok));
            Assert.That(c10.PackColor(0xFFFFFF), Is.EqualTo(0x3FFFFFFFu));
            Assert.That(c10.PackColor(0x800000), Is.EqualTo(0x202u << 20));
        }

        [Test]
        public void ZeroMaskSizesFallBackToStandardLayout()
        {
            var fb = new TestFramebuffer(8, 16, 32);
            var con = new FramebufferText(fb.Base, 8, 16, fb.Pitch, 32, 0, 0, 0, 0, 0, 0);
            Assert.That(con.Status, Is.EqualTo(FramebufferStatus.Ok));
            Assert.That(con.PackColor(0x123456), Is.EqualTo(0x123456u));
            var fb16 = new TestFramebuffer(8, 16, 16);
            var c16 = new FramebufferText(fb16.Base, 8, 16, fb16.Pitch, 16, 0, 0, 0, 0, 0, 0);
            Assert.That(c16.PackColor(0xFF0000), Is.EqualTo(0xF800u));
        }

        [Test]
        public void WrapsAtRightEdge()
        {
            var fb = new TestFramebuffer(4 * 8, 3 * 16, 32);
            var con = fb.NewConsole();
            con.Write("ABCD");
            // The wrap is deferred: the cursor sits past the last column.
            Assert.That(con.CursorColumn, Is.EqualTo(4));
            Assert.That(con.CursorRow, Is.EqualTo(0));
            con.Write("E");
            Assert.That(con.CursorColumn, Is.EqualTo(1));
            Assert.That(con.CursorRow, Is.EqualTo(1));
            fb.AssertCell(3, 0, 'D', Grey32, 0);
            fb.AssertCell(0, 1, 'E', Grey32, 0);
            // A full line followed by '\n' does not leave a blank line.
            var fb2 = new TestFramebuffer(4 * 8, 3 * 16, 32);
            var con2 = fb2.NewConsole();
            con2.Write("ABCD\nX");
            Assert.That(con2.CursorRow, Is.EqualTo(1));
            fb2.AssertCell(0, 1, 'X', Grey32, 0);
            fb.AssertGuardsAndPaddingIntact();
        }

        [Test]
        public void ScrollMovesRowsUpAndClearsBottom()
        {
            var fb = new TestFramebuffer(3 * 8, 3 * 16, 32);
            var con = fb.NewConsole();
            con.Clear();
            con.Write("abc\ndef\nghi");
            Assert.That(con.CursorRow, Is.EqualTo(2));
            con.SetColors(TextColor.Yellow, TextColor.Blue);
            con.Write("\n");
            // Row 0 now shows "def", row 1 "ghi", row 2 is cleared in the current background.
            fb.AssertCell(0, 0, 'd', Grey32, 0);
            fb.AssertCell(2, 0, 'f', Grey32, 0);
            fb.AssertCell(0, 1, 'g', Grey32, 0);
            fb.AssertCell(2, 1, 'i', Grey32, 0);
            for (int c = 0; c < 3; c++) fb.AssertCellFilled(c, 2, 0x5555FF);
            Assert.That(con.CursorRow, Is.EqualTo(2));
            Assert.That(con.CursorColumn, Is.EqualTo(0));
            con.Write("xyz!");
            fb.AssertCell(0, 0, 'g', Grey32, 0);
            fb.AssertCell(0, 1, 'x', 0xFFFF55, 0x5555FF);
            fb.AssertCell(0, 2, '!', 0xFFFF55, 0x5555FF);
            fb.AssertGuardsAndPaddingIntact();
        }

        [TestCase(32u)]
        [TestCase(24u)]
        [TestCase(16u)]
        public void ScrollWithPaddedPitchAndLeftoverPixels(uint bpp)
        {
            // 2.5 cells wide and 2.5 cells high, 13 bytes of padding per line.
            var fb = new TestFramebuffer(20, 40, bpp, extraPitch: 13);
            var con = fb.NewConsole();
            Assert.That(con.Columns, Is.EqualTo(2));
            Assert.That(con.Rows, Is.EqualTo(2));
            con.Clear();
            con.Write("ab\ncd\nef");
            fb.AssertCell(0, 0, 'c', Grey(bpp), 0);
            fb.AssertCell(1, 0, 'd', Grey(bpp), 0);
            fb.AssertCell(0, 1, 'e', Grey(bpp), 0);
            fb.AssertCell(1, 1, 'f', Grey(bpp), 0);
            // The leftover strip right of the last column and below the last row stays cleared.
            for (uint y = 0; y < 40; y++)
                for (uint x = 16; x < 20; x++) Assert.That(fb.Pixel(x, y), Is.EqualTo(0u));
            for (uint y = 32; y < 40; y++)
                for (uint x = 0; x < 20; x++) Assert.That(fb.Pixel(x, y), Is.EqualTo(0u));
            fb.AssertGuardsAndPaddingIntact();
        }

        [Test]
        public void TabAdvancesToNextMultipleOfEight()
        {
            var fb = new TestFramebuffer(20 * 8, 2 * 16, 32);
            var con = fb.NewConsole();
            con.Write("ab\t");
            Assert.That(con.CursorColumn, Is.EqualTo(8));
            con.Write("\t");
            Assert.That(con.CursorColumn, Is.EqualTo(16));
            con.Write("x\t");
            // Only 20 columns: the tab stops at the edge, and the next character wraps.
            Assert.That(con.CursorColumn, Is.EqualTo(20));
            Assert.That(con.CursorRow, Is.EqualTo(0));
            con.Write("y");
            Assert.That(con.CursorRow, Is.EqualTo(1));
            Assert.That(con.CursorColumn, Is.EqualTo(1));
            // Tabbed-over cells are painted in the background colour.
            for (int c = 2; c < 8; c++) fb.AssertCellFilled(c, 0, 0);
            fb.AssertCell(16, 0, 'x', Grey32, 0);
        }

        [Test]
        public void BackspaceMovesBackAndErases()
        {
            var fb = new TestFramebuffer(4 * 8, 2 * 16, 32);
            var con = fb.NewConsole();
            con.Write("ab\b");
            Assert.That(con.CursorColumn, Is.EqualTo(1));
            fb.AssertCell(0, 0, 'a', Grey32, 0);
            fb.AssertCellFilled(1, 0, 0);
            con.Write("c");
            fb.AssertCell(1, 0, 'c', Grey32, 0);
            con.Write("\b\b\b\b");
            Assert.That(con.CursorColumn, Is.EqualTo(0)); // stops at column 0
            // After a full line (pending wrap) backspace erases the last cell.
            con.Write("wxyz\b");
            Assert.That(con.CursorColumn, Is.EqualTo(3));
            Assert.That(con.CursorRow, Is.EqualTo(0));
            fb.AssertCellFilled(3, 0, 0);
            // "\b \b" (the usual echo of a delete) also works.
            con.Write("Q\b \b");
            Assert.That(con.CursorColumn, Is.EqualTo(3));
            fb.AssertCellFilled(3, 0, 0);
        }

        [Test]
        public void CarriageReturnReturnsToColumnZero()
        {
            var fb = new TestFramebuffer(4 * 8, 2 * 16, 32);
            var con = fb.NewConsole();
            con.Write("abc\rX");
            Assert.That(con.CursorColumn, Is.EqualTo(1));
            Assert.That(con.CursorRow, Is.EqualTo(0));
            fb.AssertCell(0, 0, 'X', Grey32, 0);
            fb.AssertCell(1, 0, 'b', Grey32, 0);
            con.Write("\r\n");
            Assert.That(con.CursorRow, Is.EqualTo(1));
            Assert.That(con.CursorColumn, Is.EqualTo(0));
        }

        [Test]
        public void OtherCharactersDrawTheFallbackGlyph()
        {
            var fb = new TestFramebuffer(4 * 8, 16, 32);
            var con = fb.NewConsole();
            con.Write("\u00e9\u0001\u007f");
            for (int c = 0; c < 3; c++) fb.AssertCell(c, 0, '\u0001', Grey32, 0);
            Assert.That(Font8x16.GlyphOffset('\u00e9'), Is.EqualTo(Font8x16.FallbackIndex * 16));
        }

        [Test]
        public void ClearFillsEverythingAndHomesCursor()
        {
            var fb = new TestFramebuffer(21, 35, 24, extraPitch: 5);
            var con = fb.NewConsole();
            con.SetColors(TextColor.White, TextColor.Green);
            con.Write("hi");
            con.Clear();
            Assert.That(con.CursorColumn, Is.EqualTo(0));
            Assert.That(con.CursorRow, Is.EqualTo(0));
            for (uint y = 0; y < 35; y++)
                for (uint x = 0; x < 21; x++) Assert.That(fb.Pixel(x, y), Is.EqualTo(0x55FF55u));
            fb.AssertGuardsAndPaddingIntact();
        }

        [Test]
        public void NumbersAreWrittenWithoutAllocation()
        {
            var fb = new TestFramebuffer(40 * 8, 16, 32);
            var con = fb.NewConsole();
            con.WriteDecimal(0UL);
            con.Write(" ");
            con.WriteDecimal(-1234L);
            con.Write(" ");
            con.WriteHex(0xBEEF, 8);
            con.Write(" ");
            con.WriteDecimal(ulong.MaxValue);
            string want = "0 -1234 0x0000beef 18446744073709551615";
            for (int i = 0; i < want.Length; i++) fb.AssertCell(i, 0, want[i], Grey32, 0);
            Assert.That(con.CursorColumn, Is.EqualTo(want.Length));
        }

        [Test]
        public void WriteAsciiBytes()
        {
            var fb = new TestFramebuffer(4 * 8, 16, 32);
            var con = fb.NewConsole();
            byte* text = stackalloc byte[3];
            text[0] = (byte)'O'; text[1] = (byte)'k'; text[2] = (byte)'!';
            con.Write(text, 3);
            fb.AssertCell(0, 0, 'O', Grey32, 0);
            fb.AssertCell(1, 0, 'k', Grey32, 0);
            fb.AssertCell(2, 0, '!', Grey32, 0);
        }

        [Test]
        public void Screen1024x768Is128By48Cells()
        {
            var fb = new TestFramebuffer(1024, 768, 32);
            var con = fb.NewConsole();
            Assert.That(con.Columns, Is.EqualTo(128));
            Assert.That(con.Rows, Is.EqualTo(48));
            for (int i = 0; i < 60; i++) con.WriteLine("line " + i + " of the boot log");
            // 60 lines plus the final newline: the top row now shows line 13.
            string top = "line 13 of the boot log";
            for (int i = 0; i < top.Length; i++) fb.AssertCell(i, 0, top[i], Grey32, 0);
            fb.AssertGuardsAndPaddingIntact();
        }

        [TestCase(32u, 0u)]
        [TestCase(32u, 12u)]
        [TestCase(24u, 0u)]
        [TestCase(24u, 7u)]
        [TestCase(16u, 0u)]
        [TestCase(16u, 6u)]
        public void RandomTextNeverWritesOutsideTheBuffer(uint bpp, uint extraPitch)
        {
            var rng = new Random((int)(bpp * 100 + extraPitch));
            for (int round = 0; round < 20; round++)
            {
                uint w = (uint)rng.Next(8, 90), h = (uint)rng.Next(16, 70);
                if (round % 2 == 0)
                {
                    // Exact multiples of the cell: the last cell touches the end of the buffer.
                    w = 8 * (uint)rng.Next(1, 11);
                    h = 16 * (uint)rng.Next(1, 5);
                }
                var fb = new TestFramebuffer(w, h, bpp, extraPitch);
                var con = fb.NewConsole();
                Assert.That(con.Status, Is.EqualTo(FramebufferStatus.Ok));
                if (rng.Next(2) == 0) con.Clear();
                for (int piece = 0; piece < 10; piece++)
                {
                    int len = rng.Next(0, 80);
                    var chars = new char[len];
                    for (int i = 0; i < len; i++)
                    {
                        int k = rng.Next(100);
                        chars[i] = k < 5 ? '\n' : k < 8 ? '\t' : k < 11 ? '\b' : k < 13 ? '\r'
                                 : k < 15 ? (char)rng.Next(0, 0x300) : (char)rng.Next(0x20, 0x7F);
                    }
                    con.SetColors((uint)rng.Next(), (uint)rng.Next());
                    con.Write(new string(chars));
                    if (rng.Next(4) == 0) con.SetCursor(rng.Next(-3, 20), rng.Next(-3, 10));
                    Assert.That(con.CursorColumn, Is.InRange(0, con.Columns));
                    Assert.That(con.CursorRow, Is.InRange(0, con.Rows - 1));
                }
                fb.AssertGuardsAndPaddingIntact();
            }
        }

        [Test]
        public void UnsupportedFormatsReportStatusAndDrawNothing()
        {
            var fb = new TestFramebuffer(64, 64, 32);
            byte[] before = fb.Snapshot();

            void Check(FramebufferText con, FramebufferStatus want)
            {
                Assert.That(con.Status, Is.EqualTo(want));
                Assert.That(con.IsUsable, Is.False);
                Assert.That(FramebufferText.StatusText(want), Is.Not.Empty);
                con.Write("hello\n\tworld\b\r");
                con.Clear();
                con.ScrollUp();
                con.DrawCell(0, 0, 'X');
                Assert.That(fb.Snapshot(), Is.EqualTo(before));
            }

            // 8 bpp indexed (multiboot2 type 0) and EGA text (type 2).
            Check(new FramebufferText(fb.Base, 64, 64, 64, 8, FramebufferText.TypeIndexed, 0, 0, 0, 0, 0, 0),
                FramebufferStatus.IndexedColour);
            Check(new FramebufferText(fb.Base, 80, 25, 160, 16, FramebufferText.TypeEgaText, 0, 0, 0, 0, 0, 0),
                FramebufferStatus.EgaText);
            Check(new FramebufferText(fb.Base, 64, 64, 256, 32, 7, 16, 8, 8, 8, 0, 8), FramebufferStatus.UnknownType);
            Check(new FramebufferText(fb.Base, 64, 64, 64, 8, 16, 8, 8, 8, 0, 8), FramebufferStatus.UnsupportedDepth);
            Check(new FramebufferText(fb.Base, 64, 64, 64 * 2, 15, 10, 5, 5, 5, 0, 5), FramebufferStatus.UnsupportedDepth);
            Check(new FramebufferText(null, 64, 64, 256, 32, 16, 8, 8, 8, 0, 8), FramebufferStatus.NullBase);
            Check(new FramebufferText(fb.Base, 64, 64, 255, 32, 16, 8, 8, 8, 0, 8), FramebufferStatus.BadGeometry);
            Check(new FramebufferText(fb.Base, 0, 64, 256, 32, 16, 8, 8, 8, 0, 8), FramebufferStatus.BadGeometry);
            Check(new FramebufferText(fb.Base, 7, 64, 256, 32, 16, 8, 8, 8, 0, 8), FramebufferStatus.TooSmall);
            Check(new FramebufferText(fb.Base, 64, 15, 256, 32, 16, 8, 8, 8, 0, 8), FramebufferStatus.TooSmall);
            Check(new FramebufferText(fb.Base, 64, 64, 256, 32, 28, 8, 8, 8, 0, 8), FramebufferStatus.BadColourFields);
            Check(new FramebufferText(fb.Base, 64, 64, 256, 32, 4, 8, 8, 8, 0, 8), FramebufferStatus.BadColourFields);
            Check(new FramebufferText(fb.Base, 64, 64, 128, 16, 11, 5, 5, 6, 0, 6), FramebufferStatus.BadColourFields);
            Check(new FramebufferText(fb.Base, 64, 64, 256, 32, 0, 17, 17, 8, 25, 7), FramebufferStatus.BadColourFields);
            Assert.That(fb.Snapshot(), Is.EqualTo(before));
            fb.AssertGuardsAndPaddingIntact();
        }

        [Test]
        public void ScreenshotForVisualInspection()
        {
            // Renders the whole font and some log text to <tmp>/osprey-console.{ppm,png}
            // (scaled x3) so the glyphs can be checked by eye.
            var fb = new TestFramebuffer(70 * 8, 14 * 16, 32);
            var con = fb.NewConsole();
            con.Clear();
            for (int c = 0x20; c < 0x7F; c++)
            {
                con.PutChar((char)c);
                if (c % 32 == 31) con.PutChar('\n');
            }
            con.Write("\u00ff\n");
            con.WriteLine("The quick brown fox jumps over the lazy dog. 0123456789");
            con.WriteLine("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG! ~`'\"^_");
            con.WriteLine("0O 1lI| 5S 8B 2Z 6G 9g qp rn m w {[()]} ;:,. <=> $%&@#*+-/\\");
            con.Write("[ ");
            con.SetForeground(TextColor.Green);
            con.Write("ok");
            con.ResetColors();
            con.WriteLine(" ] timer calibrated: 1000 Hz\tapic=0xfee00000");
            con.SetForeground(TextColor.Yellow);
            con.WriteLine("warning: no serial port, logging to framebuffer");
            con.SetForeground(TextColor.Error);
            con.Write("PANIC: page fault at ");
            con.WriteHex(0xffff800000123456UL, 16);
            con.WriteLine(" (error code 2)");
            con.ResetColors();
            con.Write("typo\b\b\bype: abc\rABC");
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "osprey-console");
            fb.Save(path, 3);
            Assert.That(System.IO.File.Exists(path + ".png"), Is.True);
            TestContext.Out.WriteLine("wrote " + path + ".png");
        }
    }
}
