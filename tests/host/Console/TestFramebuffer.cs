using System;
using System.IO;
using System.IO.Compression;
using NUnit.Framework;
using Osprey.Kernel.Console;

namespace Osprey.Tests.Console
{
    /// <summary>
    /// A pinned byte[] framebuffer surrounded by guard bytes, with pixel
    /// readers for 16/24/32 bpp. Padding bytes at the end of each line
    /// (pitch - width * bytes per pixel) are filled with a marker too.
    /// </summary>
    public sealed unsafe class TestFramebuffer
    {
        public const int GuardSize = 256;
        public const byte GuardByte = 0xA5;
        public const byte PaddingByte = 0x5A;
        public const byte InitialByte = 0x3C;

        public readonly uint Width, Height, Pitch, Bpp;
        public readonly byte[] Memory;
        public readonly byte* Base;

        public TestFramebuffer(uint width, uint height, uint bpp, uint extraPitch = 0)
        {
            Width = width;
            Height = height;
            Bpp = bpp;
            Pitch = width * (bpp / 8) + extraPitch;
            Memory = GC.AllocateArray<byte>((int)(Pitch * height) + 2 * GuardSize, pinned: true);
            fixed (byte* p = Memory) Base = p + GuardSize;   // pinned: the address stays valid
            for (int i = 0; i < Memory.Length; i++) Memory[i] = GuardByte;
            for (uint y = 0; y < height; y++)
                for (uint x = 0; x < Pitch; x++)
                    Memory[GuardSize + y * Pitch + x] = x < width * (bpp / 8) ? InitialByte : PaddingAt(y, x);
        }

        public uint BytesPerPixel => Bpp / 8;

        /// <summary>Padding differs per line and byte, so copying a whole pitch (padding included) is caught.</summary>
        public static byte PaddingAt(uint y, uint x) => (byte)(PaddingByte + y * 7 + x * 13);

        /// <summary>Console with the standard x8r8g8b8 / r8g8b8 / r5g6b5 layout.</summary>
        public FramebufferText NewConsole()
        {
            if (Bpp == 16) return new FramebufferText(Base, Width, Height, Pitch, Bpp, 11, 5, 5, 6, 0, 5);
            return new FramebufferText(Base, Width, Height, Pitch, Bpp, 16, 8, 8, 8, 0, 8);
        }

        public uint Pixel(uint x, uint y)
        {
            Assert.That(x, Is.LessThan(Width));
            Assert.That(y, Is.LessThan(Height));
            int o = (int)(GuardSize + y * Pitch + x * BytesPerPixel);
            switch (Bpp)
            {
                case 32: return BitConverter.ToUInt32(Memory, o);
                case 24: return (uint)(Memory[o] | Memory[o + 1] << 8 | Memory[o + 2] << 16);
                default: return BitConverter.ToUInt16(Memory, o);
            }
        }

        /// <summary>Guard bytes before and after the buffer and the line padding are untouched.</summary>
        public void AssertGuardsAndPaddingIntact()
        {
            for (int i = 0; i < GuardSize; i++)
            {
                Assert.That(Memory[i], Is.EqualTo(GuardByte), "guard before buffer, byte " + i);
                Assert.That(Memory[Memory.Length - 1 - i], Is.EqualTo(GuardByte), "guard after buffer, byte " + i);
            }
            uint used = Width * BytesPerPixel;
            for (uint y = 0; y < Height; y++)
                for (uint x = used; x < Pitch; x++)
                    Assert.That(Memory[GuardSize + y * Pitch + x], Is.EqualTo(PaddingAt(y, x)), "padding of line " + y + " byte " + x);
        }

        /// <summary>Assert that cell (col,row) shows glyph c in the given pixel values.</summary>
        public void AssertCell(int col, int row, char c, uint fg, uint bg)
        {
            int g = Font8x16.GlyphOffset(c);
            for (int gy = 0; gy < 16; gy++)
            {
                byte bits = Font8x16.Glyphs[g + gy];
                for (int gx = 0; gx < 8; gx++)
                {
                    uint want = (bits & (0x80 >> gx)) != 0 ? fg : bg;
                    uint got = Pixel((uint)(col * 8 + gx), (uint)(row * 16 + gy));
                    if (got != want)
                        Assert.Fail("cell (" + col + "," + row + ") char '" + c + "' pixel (" + gx + "," + gy + "): got 0x"
                            + got.ToString("X") + " want 0x" + want.ToString("X"));
                }
            }
        }

        /// <summary>Every pixel of the cell equals value.</summary>
        public void AssertCellFilled(int col, int row, uint value)
        {
            for (int gy = 0; gy < 16; gy++)
                for (int gx = 0; gx < 8; gx++)
                    Assert.That(Pixel((uint)(col * 8 + gx), (uint)(row * 16 + gy)), Is.EqualTo(value),
                        "cell (" + col + "," + row + ") pixel (" + gx + "," + gy + ")");
        }

        /// <summary>Copy of the visible pixel bytes (no padding).</summary>
        public byte[] Snapshot()
        {
            uint used = Width * BytesPerPixel;
            byte[] s = new byte[used * Height];
            for (uint y = 0; y < Height; y++)
                Array.Copy(Memory, GuardSize + y * Pitch, s, y * used, used);
            return s;
        }

        /// <summary>Visible pixels as 0xRRGGBB, decoding with the standard layouts used by Console().</summary>
        public uint Rgb(uint x, uint y)
        {
            uint p = Pixel(x, y);
            if (Bpp == 16)
            {
                uint r = (p >> 11) & 31, g = (p >> 5) & 63, b = p & 31;
                return (r * 255 / 31) << 16 | (g * 255 / 63) << 8 | (b * 255 / 31);
            }
            return p & 0xFFFFFF;
        }

        /// <summary>Write the screen as a binary PPM (P6) and a PNG, each pixel scaled up.</summary>
        public void Save(string pathWithoutExtension, int scale)
        {
            int w = (int)Width * scale, h = (int)Height * scale;
            byte[] rgb = new byte[w * h * 3];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    uint c = Rgb((uint)(x / scale), (uint)(y / scale));
                    int o = (y * w + x) * 3;
                    rgb[o] = (byte)(c >> 16);
                    rgb[o + 1] = (byte)(c >> 8);
                    rgb[o + 2] = (byte)c;
                }
            using (var f = File.Create(pathWithoutExtension + ".ppm"))
            {
                byte[] header = System.Text.Encoding.ASCII.GetBytes("P6\n" + w + " " + h + "\n255\n");
                f.Write(header, 0, header.Length);
                f.Write(rgb, 0, rgb.Length);
            }
            WritePng(pathWithoutExtension + ".png", w, h, rgb);
        }

        static void WritePng(string path, int w, int h, byte[] rgb)
        {
            var raw = new MemoryStream();
            using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
                for (int y = 0; y < h; y++)
                {
                    z.WriteByte(0);
                    z.Write(rgb, y * w * 3, w * 3);
                }
            using var f = File.Create(path);
            f.Write(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10 });
            var ihdr = new byte[13];
            BigEndian(ihdr, 0, (uint)w);
            BigEndian(ihdr, 4, (uint)h);
            ihdr[8] = 8; ihdr[9] = 2;   // 8-bit RGB
            Chunk(f, "IHDR", ihdr);
            Chunk(f, "IDAT", raw.ToArray());
            Chunk(f, "IEND", new byte[0]);
        }

        static void Chunk(Stream s, string type, byte[] data)
        {
            var b = new byte[4];
            BigEndian(b, 0, (uint)data.Length);
            s.Write(b);
            byte[] t = System.Text.Encoding.ASCII.GetBytes(type);
            s.Write(t);
            s.Write(data);
            uint crc = Crc32(t, 0xFFFFFFFF);
            crc = Crc32(data, crc) ^ 0xFFFFFFFF;
            BigEndian(b, 0, crc);
            s.Write(b);
        }

        static uint Crc32(byte[] data, uint crc)
        {
            foreach (byte d in data)
            {
                crc ^= d;
                for (int k = 0; k < 8; k++)
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
            return crc;
        }

        static void BigEndian(byte[] b, int o, uint v)
        {
            b[o] = (byte)(v >> 24); b[o + 1] = (byte)(v >> 16); b[o + 2] = (byte)(v >> 8); b[o + 3] = (byte)v;
        }
    }
}
