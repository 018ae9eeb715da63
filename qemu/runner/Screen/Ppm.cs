// The binary PPM image (P6) that QEMU's monitor command `screendump` writes:
// the header "P6", width, height and the maximum sample value (ASCII, separated
// by whitespace, '#' comments to the end of a line), one whitespace byte, then
// width x height RGB triples, one byte per sample when the maximum is below 256
// (netpbm's PPM format description).
using System.Globalization;
using System.Text;

namespace Osprey.QemuRunner.Screen;

/// <summary>An RGB image: Pixels holds Width x Height triples, row by row from the top.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>The pixel at (x, y) as 0xRRGGBB.</summary>
    public int At(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (Pixels[i] << 16) | (Pixels[i + 1] << 8) | Pixels[i + 2];
    }
}

public static class Ppm
{
    /// <summary>Decode a P6 image; a malformed one throws FormatException naming
    /// the field (and <paramref name="name"/>, the file).</summary>
    public static RgbImage Decode(byte[] data, string name = "image")
    {
        int pos = 0;
        if (data.Length < 2 || data[0] != 'P' || data[1] != '6')
            throw new FormatException($"{name}: not a binary PPM (expected 'P6' at the start)");
        pos = 2;
        int width = Field(data, ref pos, name, "width");
        int height = Field(data, ref pos, name, "height");
        int max = Field(data, ref pos, name, "maximum value");
        if (width <= 0 || height <= 0) throw new FormatException($"{name}: size {width}x{height} is empty");
        if (max <= 0 || max > 255) throw new FormatException($"{name}: maximum value {max} unsupported (1..255: one byte per sample)");
        // Exactly one whitespace byte separates the header from the samples.
        if (pos >= data.Length || !IsSpace(data[pos])) throw new FormatException($"{name}: no whitespace after the maximum value");
        pos++;
        long need = (long)width * height * 3;
        if (data.Length - pos < need)
            throw new FormatException($"{name}: {width}x{height} needs {need} sample bytes, the file has {data.Length - pos}");
        var px = new byte[need];
        Array.Copy(data, pos, px, 0, need);
        if (max != 255)
            for (int i = 0; i < px.Length; i++) px[i] = (byte)(px[i] * 255 / max);
        return new RgbImage(width, height, px);
    }

    public static byte[] Encode(RgbImage img)
    {
        var head = Encoding.ASCII.GetBytes($"P6\n{img.Width} {img.Height}\n255\n");
        var all = new byte[head.Length + img.Pixels.Length];
        head.CopyTo(all, 0);
        img.Pixels.CopyTo(all, head.Length);
        return all;
    }

    static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;

    static int Field(byte[] d, ref int pos, string name, string what)
    {
        while (pos < d.Length)
        {
            if (IsSpace(d[pos])) { pos++; continue; }
            if (d[pos] == '#') { while (pos < d.Length && d[pos] != '\n') pos++; continue; }
            break;
        }
        int start = pos;
        while (pos < d.Length && d[pos] >= '0' && d[pos] <= '9') pos++;
        if (pos == start) throw new FormatException($"{name}: header field '{what}' missing or not a number");
        string s = Encoding.ASCII.GetString(d, start, pos - start);
        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v > 65535)
            throw new FormatException($"{name}: header field '{what}' = {s} out of range");
        return v;
    }
}
