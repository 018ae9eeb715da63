// Reads the kernel's screen console back from a picture of the screen: the
// console draws 8x16 cells from the top-left corner with the kernel's own font
// (kernel/console/Font8x16.cs, linked into this program), each cell in one
// foreground and one background colour. A cell's background is its most
// frequent colour; the pixels of any other colour form a bitmap looked up
// among the font's glyphs. A cell matching no glyph reads as '?'.
using System.Text;
using Osprey.Kernel.Console;

namespace Osprey.QemuRunner.Screen;

public static class ScreenText
{
    public const int CellWidth = Font8x16.Width, CellHeight = Font8x16.Height;

    // Glyph bitmap (16 rows of 8 bits) -> character; the first character
    // wins where two glyphs are drawn alike.
    static readonly Dictionary<UInt128, char> Glyphs = BuildGlyphs();

    static Dictionary<UInt128, char> BuildGlyphs()
    {
        var d = new Dictionary<UInt128, char>();
        for (int c = Font8x16.FirstChar; c <= Font8x16.LastChar; c++)
            d.TryAdd(Key(Font8x16.Glyphs, Font8x16.GlyphOffset((char)c)), (char)c);
        return d;
    }

    static UInt128 Key(byte[] rows, int offset)
    {
        UInt128 k = 0;
        for (int i = 0; i < CellHeight; i++) k = (k << 8) | rows[offset + i];
        return k;
    }

    /// <summary>The text of every whole cell row, trailing spaces removed.</summary>
    public static string[] Read(RgbImage img)
    {
        int cols = img.Width / CellWidth, rows = img.Height / CellHeight;
        var lines = new string[rows];
        var bits = new byte[CellHeight];
        var counts = new Dictionary<int, int>();
        var sb = new StringBuilder(cols);
        for (int r = 0; r < rows; r++)
        {
            sb.Clear();
            for (int c = 0; c < cols; c++)
            {
                int x0 = c * CellWidth, y0 = r * CellHeight;
                counts.Clear();
                for (int y = 0; y < CellHeight; y++)
                    for (int x = 0; x < CellWidth; x++)
                    {
                        int p = img.At(x0 + x, y0 + y);
                        counts[p] = counts.TryGetValue(p, out int n) ? n + 1 : 1;
                    }
                int bg = counts.MaxBy(kv => kv.Value).Key;
                for (int y = 0; y < CellHeight; y++)
                {
                    int b = 0;
                    for (int x = 0; x < CellWidth; x++)
                        if (img.At(x0 + x, y0 + y) != bg) b |= 0x80 >> x;
                    bits[y] = (byte)b;
                }
                sb.Append(Glyphs.TryGetValue(Key(bits, 0), out char ch) ? ch : '?');
            }
            lines[r] = sb.ToString().TrimEnd();
        }
        return lines;
    }

    /// <summary>Draw <paramref name="lines"/> as the console would, in a
    /// width x height picture (for tests and for checking the reader).</summary>
    public static RgbImage Render(string[] lines, int width, int height, int fg = 0xAAAAAA, int bg = 0x000000)
    {
        var px = new byte[width * height * 3];
        void Set(int x, int y, int v) { int i = (y * width + x) * 3; px[i] = (byte)(v >> 16); px[i + 1] = (byte)(v >> 8); px[i + 2] = (byte)v; }
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) Set(x, y, bg);
        for (int r = 0; r < lines.Length && (r + 1) * CellHeight <= height; r++)
            for (int c = 0; c < lines[r].Length && (c + 1) * CellWidth <= width; c++)
            {
                int g = Font8x16.GlyphOffset(lines[r][c]);
                for (int y = 0; y < CellHeight; y++)
                    for (int x = 0; x < CellWidth; x++)
                        if ((Font8x16.Glyphs[g + y] & (0x80 >> x)) != 0) Set(c * CellWidth + x, r * CellHeight + y, fg);
            }
        return new RgbImage(width, height, px);
    }
}
