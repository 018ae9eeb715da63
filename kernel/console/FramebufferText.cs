// Text console drawn on a linear framebuffer (multiboot2 framebuffer tag,
// type 1 = direct RGB) with the built-in 8x16 font. Portable C# (PORTABLE.md):
// no System.* APIs, no allocation after construction, no throw.
namespace Osprey.Kernel.Console
{
    /// <summary>Why a framebuffer can or cannot be used as a text console.</summary>
    public enum FramebufferStatus
    {
        Ok = 0,
        /// <summary>Base address is null.</summary>
        NullBase = 1,
        /// <summary>Framebuffer type is 0 (indexed palette).</summary>
        IndexedColour = 2,
        /// <summary>Framebuffer type is 2 (EGA text mode; not a pixel framebuffer).</summary>
        EgaText = 3,
        /// <summary>Framebuffer type is not one multiboot2 defines.</summary>
        UnknownType = 4,
        /// <summary>Bits per pixel is not 16, 24 or 32.</summary>
        UnsupportedDepth = 5,
        /// <summary>Pitch is smaller than width * bytes per pixel, or width/height is 0.</summary>
        BadGeometry = 6,
        /// <summary>Narrower than one 8-pixel cell or lower than one 16-pixel cell.</summary>
        TooSmall = 7,
        /// <summary>A colour field does not fit in the pixel, overlaps another, or is wider than 16 bits.</summary>
        BadColourFields = 8,
    }

    /// <summary>Colours as 0xRRGGBB; the console packs them into the framebuffer's format.</summary>
    public static class TextColor
    {
        public const uint Black = 0x000000;
        public const uint LightGrey = 0xAAAAAA;
        public const uint White = 0xFFFFFF;
        public const uint Red = 0xFF5555;
        public const uint Green = 0x55FF55;
        public const uint Yellow = 0xFFFF55;
        public const uint Blue = 0x5555FF;
        public const uint Cyan = 0x55FFFF;
        public const uint DefaultForeground = LightGrey;
        public const uint DefaultBackground = Black;
        /// <summary>Foreground for panics and errors.</summary>
        public const uint Error = Red;
        public const uint Warning = Yellow;
        public const uint Success = Green;
    }

    /// <summary>
    /// A text console over a linear framebuffer. Cells are 8x16 pixels, so a
    /// 1024x768 screen is 128x48 cells. Understands '\n' (start of the next
    /// line; implies carriage return), '\r', '\t' (next multiple of 8),
    /// '\b' (move back one cell and blank it). Any other character outside
    /// 0x20-0x7E draws the fallback glyph. Writing past the right edge wraps
    /// (the wrap is deferred until the next character, so a full line followed
    /// by '\n' does not leave an empty line); writing past the bottom scrolls
    /// up by one text row.
    /// If <see cref="Status"/> is not Ok, every drawing call does nothing.
    /// </summary>
    public unsafe sealed class FramebufferText
    {
        /// <summary>multiboot2 framebuffer_type values.</summary>
        public const byte TypeIndexed = 0;
        public const byte TypeRgb = 1;
        public const byte TypeEgaText = 2;

        public const int CellWidth = 8;
        public const int CellHeight = 16;
        public const int TabWidth = 8;

        readonly byte* _base;
        readonly uint _width;
        readonly uint _height;
        readonly uint _pitch;
        readonly uint _bpp;
        readonly uint _bytesPerPixel;
        readonly byte _redPos, _redSize, _greenPos, _greenSize, _bluePos, _blueSize;
        readonly int _columns;
        readonly int _rows;
        readonly FramebufferStatus _status;
        readonly byte[] _font;

        int _col;
        int _row;
        uint _fgRgb;
        uint _bgRgb;
        uint _fgPixel;
        uint _bgPixel;

        /// <summary>A direct-RGB framebuffer (multiboot2 type 1).</summary>
        public FramebufferText(byte* baseAddress, uint width, uint height, uint pitch, uint bitsPerPixel,
            byte redPosition, byte redMaskSize, byte greenPosition, byte greenMaskSize,
            byte bluePosition, byte blueMaskSize)
            : this(baseAddress, width, height, pitch, bitsPerPixel, TypeRgb,
                redPosition, redMaskSize, greenPosition, greenMaskSize, bluePosition, blueMaskSize)
        {
        }

        /// <summary>
        /// The fields of a multiboot2 framebuffer tag. framebufferType must be
        /// 1 (RGB) with 16 (5:6:5 or any fields), 24 or 32 bits per pixel.
        /// If all three mask sizes are 0, the usual layout for the depth is
        /// assumed (x8r8g8b8, r8g8b8 or r5g6b5).
        /// </summary>
        public FramebufferText(byte* baseAddress, uint width, uint height, uint pitch, uint bitsPerPixel,
            byte framebufferType,
            byte redPosition, byte redMaskSize, byte greenPosition, byte greenMaskSize,
            byte bluePosition, byte blueMaskSize)
        {
            _base = baseAddress;
            _width = width;
            _height = height;
            _pitch = pitch;
            _bpp = bitsPerPixel;
            _bytesPerPixel = bitsPerPixel / 8;
            _font = Font8x16.Glyphs;

            if (redMaskSize == 0 && greenMaskSize == 0 && blueMaskSize == 0)
            {
                if (bitsPerPixel == 16)
                {
                    redPosition = 11; redMaskSize = 5;
                    greenPosition = 5; greenMaskSize = 6;
                    bluePosition = 0; blueMaskSize = 5;
                }
                else
                {
                    redPosition = 16; redMaskSize = 8;
                    greenPosition = 8; greenMaskSize = 8;
                    bluePosition = 0; blueMaskSize = 8;
                }
            }
            _redPos = redPosition; _redSize = redMaskSize;
            _greenPos = greenPosition; _greenSize = greenMaskSize;
            _bluePos = bluePosition; _blueSize = blueMaskSize;

            _status = Validate(baseAddress, width, height, pitch, bitsPerPixel, framebufferType,
                redPosition, redMaskSize, greenPosition, greenMaskSize, bluePosition, blueMaskSize);
            if (_status == FramebufferStatus.Ok)
            {
                _columns = (int)(width / CellWidth);
                _rows = (int)(height / CellHeight);
            }
            SetColors(TextColor.DefaultForeground, TextColor.DefaultBackground);
        }

        static FramebufferStatus Validate(byte* baseAddress, uint width, uint height, uint pitch, uint bpp,
            byte type, byte rp, byte rs, byte gp, byte gs, byte bp, byte bs)
        {
            if (type == TypeIndexed) return FramebufferStatus.IndexedColour;
            if (type == TypeEgaText) return FramebufferStatus.EgaText;
            if (type != TypeRgb) return FramebufferStatus.UnknownType;
            if (baseAddress == null) return FramebufferStatus.NullBase;
            if (bpp != 16 && bpp != 24 && bpp != 32) return FramebufferStatus.UnsupportedDepth;
            if (width == 0 || height == 0) return FramebufferStatus.BadGeometry;
            // Keep every offset comfortably inside 32 bits of pixels and 63 bits of bytes.
            if (width > 0x100000 || height > 0x100000) return FramebufferStatus.BadGeometry;
            if ((ulong)pitch < (ulong)width * (bpp / 8)) return FramebufferStatus.BadGeometry;
            if (width < CellWidth || height < CellHeight) return FramebufferStatus.TooSmall;
            if (!FieldFits(rp, rs, bpp) || !FieldFits(gp, gs, bpp) || !FieldFits(bp, bs, bpp))
                return FramebufferStatus.BadColourFields;
            ulong r = FieldMask(rp, rs), g = FieldMask(gp, gs), b = FieldMask(bp, bs);
            if ((r & g) != 0 || (r & b) != 0 || (g & b) != 0) return FramebufferStatus.BadColourFields;
            return FramebufferStatus.Ok;
        }

        static bool FieldFits(byte pos, byte size, uint bpp)
        {
            return size <= 16 && (uint)pos + size <= bpp;
        }

        static ulong FieldMask(byte pos, byte size)
        {
            return (((ulong)1 << size) - 1) << pos;
        }

        /// <summary>A short English description of a status, for the boot log.</summary>
        public static string StatusText(FramebufferStatus status)
        {
            switch (status)
            {
                case FramebufferStatus.Ok: return "ok";
                case FramebufferStatus.NullBase: return "framebuffer address is null";
                case FramebufferStatus.IndexedColour: return "indexed-colour framebuffer not supported";
                case FramebufferStatus.EgaText: return "EGA text mode, not a pixel framebuffer";
                case FramebufferStatus.UnknownType: return "unknown framebuffer type";
                case FramebufferStatus.UnsupportedDepth: return "unsupported bits per pixel (need 16, 24 or 32)";
                case FramebufferStatus.BadGeometry: return "bad framebuffer geometry (pitch, width or height)";
                case FramebufferStatus.TooSmall: return "framebuffer smaller than one 8x16 cell";
                case FramebufferStatus.BadColourFields: return "bad RGB field positions or sizes";
            }
            return "unknown framebuffer status";
        }

        public FramebufferStatus Status { get { return _status; } }
        public bool IsUsable { get { return _status == FramebufferStatus.Ok; } }
        /// <summary>Text columns (width / 8); 0 when unusable.</summary>
        public int Columns { get { return _columns; } }
        /// <summary>Text rows (height / 16); 0 when unusable.</summary>
        public int Rows { get { return _rows; } }
        /// <summary>Cursor column, 0..Columns. Columns means "wrap before the next character".</summary>
        public int CursorColumn { get { return _col; } }
        public int CursorRow { get { return _row; } }
        public uint Foreground { get { return _fgRgb; } }
        public uint Background { get { return _bgRgb; } }
        public uint BitsPerPixel { get { return _bpp; } }

        /// <summary>Set the colours (0xRRGGBB) for characters drawn from now on.</summary>
        public void SetColors(uint foregroundRgb, uint backgroundRgb)
        {
            _fgRgb = foregroundRgb & 0xFFFFFF;
            _bgRgb = backgroundRgb & 0xFFFFFF;
            _fgPixel = PackColor(_fgRgb);
            _bgPixel = PackColor(_bgRgb);
        }

        public void SetForeground(uint foregroundRgb)
        {
            SetColors(foregroundRgb, _bgRgb);
        }

        /// <summary>Back to light grey on black.</summary>
        public void ResetColors()
        {
            SetColors(TextColor.DefaultForeground, TextColor.DefaultBackground);
        }

        /// <summary>The pixel value for an 0xRRGGBB colour in this framebuffer's format.</summary>
        public uint PackColor(uint rgb)
        {
            return Channel((rgb >> 16) & 0xFF, _redPos, _redSize)
                 | Channel((rgb >> 8) & 0xFF, _greenPos, _greenSize)
                 | Channel(rgb & 0xFF, _bluePos, _blueSize);
        }

        static uint Channel(uint value8, byte pos, byte size)
        {
            if (size == 0) return 0;
            uint v;
            if (size <= 8)
            {
                v = value8 >> (8 - size);
            }
            else
            {
                // Wider than 8 bits: replicate the top bits so 0xFF becomes all ones.
                v = value8 << (size - 8);
                v |= value8 >> (16 - size);
            }
            if (pos >= 32) return 0;
            return v << pos;
        }

        /// <summary>Move the cursor; out-of-range values are clamped.</summary>
        public void SetCursor(int column, int row)
        {
            if (column < 0) column = 0;
            if (column > _columns) column = _columns;
            if (row < 0) row = 0;
            if (row >= _rows) row = _rows > 0 ? _rows - 1 : 0;
            _col = column;
            _row = row;
        }

        /// <summary>Fill the whole visible screen with the background colour and home the cursor.</summary>
        public void Clear()
        {
            if (_status != FramebufferStatus.Ok) return;
            for (uint y = 0; y < _height; y++)
                FillSpan(_base + (ulong)y * _pitch, _width, _bgPixel);
            _col = 0;
            _row = 0;
        }

        public void Write(string s)
        {
            if (s == null) return;
            for (int i = 0; i < s.Length; i++)
                PutChar(s[i]);
        }

        public void WriteLine(string s)
        {
            Write(s);
            PutChar('\n');
        }

        /// <summary>Write length bytes of ASCII text (each byte is one character).</summary>
        public void Write(byte* text, int length)
        {
            if (text == null) return;
            for (int i = 0; i < length; i++)
                PutChar((char)text[i]);
        }

        /// <summary>Write an unsigned number in decimal without allocating.</summary>
        public void WriteDecimal(ulong value)
        {
            ulong div = 1;
            while (value / div >= 10) div *= 10;
            while (div > 0)
            {
                PutChar((char)('0' + (int)((value / div) % 10)));
                div /= 10;
            }
        }

        /// <summary>Write a signed number in decimal without allocating.</summary>
        public void WriteDecimal(long value)
        {
            if (value < 0)
            {
                PutChar('-');
                WriteDecimal((ulong)(-(value + 1)) + 1);
            }
            else
            {
                WriteDecimal((ulong)value);
            }
        }

        /// <summary>Write "0x" and value in hex with at least minDigits digits (1..16).</summary>
        public void WriteHex(ulong value, int minDigits)
        {
            if (minDigits < 1) minDigits = 1;
            if (minDigits > 16) minDigits = 16;
            int digits = 16;
            while (digits > minDigits && ((value >> ((digits - 1) * 4)) & 0xF) == 0) digits--;
            PutChar('0');
            PutChar('x');
            for (int d = digits - 1; d >= 0; d--)
            {
                int nib = (int)((value >> (d * 4)) & 0xF);
                PutChar((char)(nib < 10 ? '0' + nib : 'a' + nib - 10));
            }
        }

        public void PutChar(char c)
        {
            if (_status != FramebufferStatus.Ok) return;
            switch (c)
            {
                case '\n':
                    NewLine();
                    return;
                case '\r':
                    _col = 0;
                    return;
                case '\t':
                    Tab();
                    return;
                case '\b':
                    Backspace();
                    return;
            }
            if (_col >= _columns) NewLine();
            DrawCell(_col, _row, c);
            _col++;
        }

        void NewLine()
        {
            _col = 0;
            if (_row + 1 < _rows)
                _row++;
            else
            {
                // Two writers interleaved (a thread preempted between the
                // test above and the increment, and another that wrote a line
                // meanwhile) can leave _row at _rows; put it back on the last
                // row, or every later character would fall outside DrawCell's
                // bounds and the console would stay blank for good.
                _row = _rows > 0 ? _rows - 1 : 0;
                ScrollUp();
            }
        }

        void Tab()
        {
            if (_col >= _columns) NewLine();
            int target = (_col / TabWidth + 1) * TabWidth;
            if (target > _columns) target = _columns;
            while (_col < target)
            {
                DrawCell(_col, _row, ' ');
                _col++;
            }
        }

        void Backspace()
        {
            if (_col == 0) return;
            if (_col > _columns) _col = _columns;
            _col--;
            DrawCell(_col, _row, ' ');
        }

        /// <summary>Move the text rows up by one and clear the bottom text row.</summary>
        public void ScrollUp()
        {
            if (_status != FramebufferStatus.Ok) return;
            ulong spanBytes = (ulong)_columns * CellWidth * _bytesPerPixel;
            uint textLines = (uint)_rows * CellHeight;
            ulong shift = (ulong)CellHeight * _pitch;
            if (spanBytes == _pitch)
            {
                // Rows are contiguous: one forward move of everything below the first text row.
                ulong total = (ulong)(textLines - CellHeight) * _pitch;
                CopyForward(_base, _base + shift, total);
            }
            else
            {
                for (uint y = 0; y + CellHeight < textLines; y++)
                {
                    byte* dst = _base + (ulong)y * _pitch;
                    CopyForward(dst, dst + shift, spanBytes);
                }
            }
            uint spanPixels = (uint)_columns * CellWidth;
            for (uint y = textLines - CellHeight; y < textLines; y++)
                FillSpan(_base + (ulong)y * _pitch, spanPixels, _bgPixel);
        }

        /// <summary>Copy n bytes from src to dst front to back, 8 bytes at a time.
        /// Safe for overlapping ranges when dst &lt; src (moving data down in memory).</summary>
        static void CopyForward(byte* dst, byte* src, ulong n)
        {
            // Word copies are only safe if a word read never sees bytes this copy already wrote.
            if (!(dst < src && src - dst < 8) || dst >= src + n)
            {
                while (n >= 32)
                {
                    ((ulong*)dst)[0] = ((ulong*)src)[0];
                    ((ulong*)dst)[1] = ((ulong*)src)[1];
                    ((ulong*)dst)[2] = ((ulong*)src)[2];
                    ((ulong*)dst)[3] = ((ulong*)src)[3];
                    dst += 32;
                    src += 32;
                    n -= 32;
                }
                while (n >= 8)
                {
                    *(ulong*)dst = *(ulong*)src;
                    dst += 8;
                    src += 8;
                    n -= 8;
                }
            }
            while (n > 0)
            {
                *dst++ = *src++;
                n--;
            }
        }

        /// <summary>Write count pixels of value starting at p.</summary>
        void FillSpan(byte* p, uint count, uint pixel)
        {
            if (_bytesPerPixel == 4)
            {
                ulong pair = (ulong)pixel | ((ulong)pixel << 32);
                while (count >= 2)
                {
                    *(ulong*)p = pair;
                    p += 8;
                    count -= 2;
                }
                if (count != 0) *(uint*)p = pixel;
            }
            else if (_bytesPerPixel == 2)
            {
                ulong v = pixel & 0xFFFF;
                ulong quad = v | (v << 16) | (v << 32) | (v << 48);
                while (count >= 4)
                {
                    *(ulong*)p = quad;
                    p += 8;
                    count -= 4;
                }
                while (count > 0)
                {
                    *(ushort*)p = (ushort)v;
                    p += 2;
                    count--;
                }
            }
            else
            {
                byte b0 = (byte)pixel, b1 = (byte)(pixel >> 8), b2 = (byte)(pixel >> 16);
                while (count > 0)
                {
                    p[0] = b0;
                    p[1] = b1;
                    p[2] = b2;
                    p += 3;
                    count--;
                }
            }
        }

        /// <summary>Draw character c in cell (column, row) with the current colours.</summary>
        public void DrawCell(int column, int row, char c)
        {
            if (_status != FramebufferStatus.Ok) return;
            if (column < 0 || column >= _columns || row < 0 || row >= _rows) return;
            int glyph = Font8x16.GlyphOffset(c);
            uint fg = _fgPixel, bg = _bgPixel;
            byte* line = _base + (ulong)(uint)row * CellHeight * _pitch
                               + (ulong)(uint)column * CellWidth * _bytesPerPixel;
            for (int gy = 0; gy < CellHeight; gy++, line += _pitch)
            {
                uint bits = _font[glyph + gy];
                if (_bytesPerPixel == 4)
                {
                    uint* px = (uint*)line;
                    for (int gx = 0; gx < CellWidth; gx++)
                        px[gx] = ((bits << gx) & 0x80) != 0 ? fg : bg;
                }
                else if (_bytesPerPixel == 2)
                {
                    ushort* px = (ushort*)line;
                    for (int gx = 0; gx < CellWidth; gx++)
                        px[gx] = (ushort)(((bits << gx) & 0x80) != 0 ? fg : bg);
                }
                else
                {
                    byte* px = line;
                    for (int gx = 0; gx < CellWidth; gx++, px += 3)
                    {
                        uint v = ((bits << gx) & 0x80) != 0 ? fg : bg;
                        px[0] = (byte)v;
                        px[1] = (byte)(v >> 8);
                        px[2] = (byte)(v >> 16);
                    }
                }
            }
        }
    }
}
