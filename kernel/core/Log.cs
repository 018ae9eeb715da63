using Osprey.Kernel.Drivers;

namespace Osprey.Kernel
{
    // The kernel log: every line goes to COM1 and to the framebuffer console
    // when there is one. Number output does not allocate, so panic and
    // interrupt paths may use it.
    //
    // Whole lines: once Prepare has run, each CPU collects the pieces of its
    // current line in its own buffer (interrupts off while appending) and
    // writes the finished line to the consoles under ConsoleLock, one whole
    // line per hold, so lines of different CPUs never mix. (Pieces of two
    // threads of one CPU interleave as they are written, as before.) A line
    // longer than the buffer goes out in buffer-sized parts. A panic writes
    // straight through, without the lock (EnterPanic).
    internal static unsafe class Log
    {
        // Guards the consoles (COM1 and the screen) and the UART's loopback
        // probe: one whole line per hold.
        internal static SpinLock ConsoleLock;
        private const int LineMax = 240;
        private static char[][] lines;          // per CPU index: the current line's pieces
        private static int[] lengths;
        private static bool panicking;

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

        // One line buffer per CPU (PerCpu's count); until then the log
        // writes straight through (boot, one CPU).
        internal static void Prepare(int cpus)
        {
            char[][] l = new char[cpus][];
            for (int i = 0; i < cpus; i++) l[i] = new char[LineMax];
            lengths = new int[cpus];
            lines = l;
        }

        // The panic path: this CPU's unfinished line, then everything
        // after it, goes out at once without the lock (the holder may be
        // this CPU, stopped inside a line, or a CPU that never lets go).
        internal static void EnterPanic()
        {
            if (panicking) return;
            panicking = true;
            if (lines == null) return;
            int cpu = Machine.CpuIndex;
            if (cpu >= lengths.Length) return;
            char[] b = lines[cpu];
            for (int i = 0; i < lengths[cpu]; i++) Emit(b[i]);
            lengths[cpu] = 0;
        }

        internal static void Write(string s)
        {
            if (lines == null || panicking)
            {
                if (!noSerial) Serial.Write(s);
                if (screen) Console.Screen.Write(s);
                if (capture != null)
                    for (int i = 0; i < s.Length; i++)
                        if (!capture.Add(s[i])) { capture = null; break; }
                return;
            }
            ulong f = Machine.DisableInterrupts();
            ulong t0 = Machine.Cycles();
            for (int i = 0; i < s.Length; i++) Append(s[i]);
            OffFor(t0);
            Machine.RestoreInterrupts(f);
        }

        // One line in two layouts: `full` on the serial port (the form scripts
        // and the host compare), `narrow` on the screen console, whose rows
        // are shorter (narrow null: the full line on both). An unfinished
        // line of this CPU goes out first, on both.
        internal static void WriteLineSplit(string full, string narrow)
        {
            if (narrow == null) { WriteLine(full); return; }
            bool locked = lines != null && !panicking;
            ulong f = locked ? ConsoleLock.Acquire() : 0;
            if (locked) EmitPending(Machine.CpuIndex);
            if (!noSerial) { Serial.Write(full); Serial.Write("\n"); }
            if (screen) { Console.Screen.Write(narrow); Console.Screen.Write("\n"); }
            if (locked) ConsoleLock.Release(f);
        }

        internal static void WriteLine(string s) { Write(s); Write("\n"); }

        private static ulong maxOff;
        internal static long MaxInterruptsOffNs { get { return Machine.CyclesToNs(maxOff); } }
        internal static void ResetMaxInterruptsOff() { maxOff = 0; }
        private static void OffFor(ulong t0) { ulong d = Machine.Cycles() - t0; if (d > maxOff) maxOff = d; }

        internal static void Char(char c)
        {
            if (lines == null || panicking)
            {
                Emit(c);
                if (capture != null && !capture.Add(c)) capture = null;
                return;
            }
            ulong f = Machine.DisableInterrupts();
            ulong t0 = Machine.Cycles();
            Append(c);
            OffFor(t0);
            Machine.RestoreInterrupts(f);
        }

        // Adds c to this CPU's line (interrupts off); a newline or a full
        // buffer writes the line out under the lock.
        private static void Append(char c)
        {
            if (capture != null && !capture.Add(c)) capture = null;
            int cpu = Machine.CpuIndex;
            if (c != '\n')
            {
                lines[cpu][lengths[cpu]++] = c;
                if (lengths[cpu] < LineMax) return;
            }
            ulong f = ConsoleLock.Acquire();
            EmitPending(cpu);
            if (c == '\n') Emit('\n');
            ConsoleLock.Release(f);
        }

        // This CPU's buffered characters to the consoles (lock held).
        private static void EmitPending(int cpu)
        {
            char[] b = lines[cpu];
            int n = lengths[cpu];
            for (int i = 0; i < n; i++) Emit(b[i]);
            lengths[cpu] = 0;
        }

        private static void Emit(char c)
        {
            if (!noSerial)
            {
                if (c == '\n') Serial.WriteByte((byte)'\r');
                Serial.WriteByte(c < 128 ? (byte)c : (byte)'?');
            }
            if (screen) Console.Screen.PutChar(c);
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
