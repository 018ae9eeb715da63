using Osprey.Kernel.Drivers;

namespace Osprey.Kernel
{
    // The kernel log: every line goes to COM1 and to the framebuffer console
    // when there is one. Number output does not allocate, so panic and
    // interrupt paths may use it.
    internal static unsafe class Log
    {
        private static bool screen;
        private static bool noSerial;
        // The capture listening to the log until the end of the current line, or null.
        private static LineCapture capture;

        internal static void EnableScreen(bool on) { screen = on; }
        internal static void EnableSerial(bool on) { noSerial = !on; }

        // Width of the screen console in characters; 0 when the log does not go to a screen.
        internal static int ScreenColumns { get { return screen && Console.Screen.Ready ? Console.Screen.Text.Columns : 0; } }

        // Copies the rest of the current line into c (see LineCapture).
        internal static void CaptureLine(LineCapture c) { c.Clear(); capture = c; }

        internal static void Write(string s)
        {
            if (!noSerial) Serial.Write(s);
            if (screen) Console.Screen.Write(s);
            if (capture != null)
                for (int i = 0; i < s.Length; i++)
                    if (!capture.Add(s[i])) { capture = null; break; }
        }

        // One line in two layouts: `full` on the serial port (the form scripts
        // and the host compare), `narrow` on the screen console, whose rows
        // are shorter (narrow null: the full line on both).
        internal static void WriteLineSplit(string full, string narrow)
        {
            if (narrow == null) { WriteLine(full); return; }
            if (!noSerial) { Serial.Write(full); Serial.Write("\n"); }
            if (screen) { Console.Screen.Write(narrow); Console.Screen.Write("\n"); }
        }

        internal static void WriteLine(string s) { Write(s); Write("\n"); }

        internal static void Char(char c)
        {
            if (!noSerial)
            {
                if (c == '\n') Serial.WriteByte((byte)'\r');
                Serial.WriteByte((byte)c);
            }
            if (screen) Console.Screen.PutChar(c);
            if (capture != null && !capture.Add(c)) capture = null;
        }

        internal static void Dec(long v)
        {
            if (v < 0) { Char('-'); Udec((ulong)(-(v + 1)) + 1); }
            else Udec((ulong)v);
        }

        internal static void Udec(ulong v)
        {
            char* buf = stackalloc char[20];
            int i = 20;
            do { buf[--i] = (char)('0' + (int)(v % 10)); v /= 10; } while (v != 0);
            while (i < 20) Char(buf[i++]);
        }

        // Fixed-width hexadecimal with a 0x prefix (digits = 1..16).
        internal static void Hex(ulong v, int digits)
        {
            Char('0'); Char('x');
            for (int i = digits - 1; i >= 0; i--)
            {
                int d = (int)((v >> (i * 4)) & 15);
                Char((char)(d < 10 ? '0' + d : 'a' + d - 10));
            }
        }

        internal static void Hex(ulong v) { Hex(v, 16); }

        // Decimal with a fixed number of fraction digits: value / 10^decimals.
        internal static void Fixed(long value, int decimals)
        {
            long scale = 1;
            for (int i = 0; i < decimals; i++) scale *= 10;
            if (value < 0) { Char('-'); value = -value; }
            Udec((ulong)(value / scale));
            if (decimals == 0) return;
            Char('.');
            long frac = value % scale;
            for (long s = scale / 10; s > 0; s /= 10) { Char((char)('0' + (int)(frac / s))); frac %= s; }
        }
    }
}
