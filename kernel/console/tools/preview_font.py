#!/usr/bin/env python3
"""Host-only: render every glyph of font_glyphs.txt (plus a sample text) to a
PNG so the font can be inspected by eye.

    python3 kernel/console/tools/preview_font.py [out.png] [scale]
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_font  # noqa: E402


def png(path, w, h, rgb_rows):
    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(r) for r in rgb_rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/osprey-font-preview.png"
    scale = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    glyphs = gen_font.parse(gen_font.SRC)
    lines = [
        "".join(chr(c) for c in range(0x20, 0x40)),
        "".join(chr(c) for c in range(0x40, 0x60)),
        "".join(chr(c) for c in range(0x60, 0x7F)) + "\x01",
        "The quick brown fox jumps over the lazy dog.",
        "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG!",
        "0O 1lI| 5S 8B 2Z 6G 9g qp rn m w {[()]} ;:,. ~`'\"",
        "panic: page fault at 0x00007ffe12345678 (rip=0xffff8000)",
        "sched: 3 tasks, tick=1000Hz, [ok] hello_world.c -> a_b",
    ]
    cols = max(len(l) for l in lines)
    w, h = cols * 8 * scale, len(lines) * 16 * scale
    rows = []
    for li, text in enumerate(lines):
        for gy in range(16):
            row = []
            for ci in range(cols):
                ch = ord(text[ci]) if ci < len(text) else 0x20
                g = glyphs.get(ch, glyphs["fallback"])
                bits = g[gy]
                for gx in range(8):
                    on = bits & (0x80 >> gx)
                    px = (230, 230, 230) if on else (20, 20, 40)
                    if not on and gx == 7 and False:
                        px = (40, 40, 60)
                    row.extend(px * scale)
            for _ in range(scale):
                rows.append(row)
    png(out, w, h, rows)
    print("wrote", out)


if __name__ == "__main__":
    main()
