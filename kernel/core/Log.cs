using Osprey.Kernel.Drivers;

namespace Osprey.Kernel
{
    // The kernel log: every line goes to COM1 and to the framebuffer console
    // when there is one. Number output does not allocate, so panic and
    // interrupt paths may use it.
    //
    // Whole lines without holding interrupts off for a console: once Prepare
    // has run, each CPU collects the pieces of its current line in its own
    // buffer (interrupts off while appending a character); a newline (or a
    // full buffer: a long line goes out in buffer-sized parts) copies the
    // line into the log ring (console/LogRing.cs) under ConsoleLock, a
    // memory copy of at most LineMax characters. The consoles are written
    // from the ring by one CPU at a time, the owner, with interrupts as the
    // writer had them (enabled in a thread): it takes the owner token under
    // ConsoleLock, then writes chunk after chunk, each under the lock after
    // a check of its token (at most 16 port writes into the UART's FIFO and
    // their glyphs per hold; the wait for the UART runs with the lock free). Records leave
    // the ring in the order they entered it, on COM1 and on the screen
    // alike, so lines of different CPUs never mix. (Pieces of two threads
    // of one CPU interleave as they are written, as do an interrupt
    // handler's pieces with the thread's.)
    //
    // Who drains: a writer whose interrupts were enabled, outside interrupt
    // handlers, after its line went into the ring, when no CPU owns the
    // consoles or the owner's thread does not run (preempted: taken over
    // at the character where it stopped); before the scheduler runs on a
    // CPU (early boot), every writer, synchronously; each CPU's idle
    // thread. A line written from an interrupt handler or with interrupts
    // off is only appended. A full ring drops the line (and says so in the
    // next line that fits) unless the writer is a thread that may wait: it
    // drains itself or waits, bounded, for the owner. Flush (before a QEMU
    // exit or a halt) writes out everything; a panic writes straight
    // through (EnterPanic). kernel/README.md, "The log path".
    internal static unsafe class Log
    {
        // Guards the log ring, the owner token and its position: held for a
        // copy of one record, a peek/consume, or one chunk of at most 16
        // port writes and their glyphs; never for a wait on the UART.
        internal static SpinLock ConsoleLock;
        private const int LineMax = 256;       // TraceFormat.MaxLine fits one record
        private const int RingLines = 256;
        private static char[][] lines;          // per CPU index: the current line's pieces
        private static int[] lengths;
        private static Console.LogRing ring;
        private static int owner;               // the token of the owner writing the consoles, 0 none
        private static bool panicking;

        private static bool screen;
        private static bool noSerial;
        // The capture listening to the log until the end of the current line, or null.
        private static LineCapture capture;
        // The self-test's copy of what the owner writes to COM1 (or null).
        private static char[] tap;
        private static int tapLength;

        internal static void EnableScreen(bool on) { screen = on; }
        internal static void EnableSerial(bool on) { noSerial = !on; }

        // Width of the screen console in characters; 0 when the log does not go to a screen.
        internal static int ScreenColumns { get { return screen && Console.Screen.Ready ? Console.Screen.Text.Columns : 0; } }

        // Copies the rest of the current line into c (see LineCapture).
        internal static void CaptureLine(LineCapture c) { c.Clear(); capture = c; }

        // Lines the ring refused since boot (ring full).
        internal static long Dropped { get { return ring == null ? 0 : ring.Dropped; } }

        // One line buffer per CPU (PerCpu's count) and the ring; until then
        // the log writes straight through (boot, one CPU).
        internal static void Prepare(int cpus)
        {
            char[][] l = new char[cpus][];
            for (int i = 0; i < cpus; i++) l[i] = new char[LineMax];
            lengths = new int[cpus];
            ring = new Console.LogRing(RingLines, LineMax);
            lines = l;
        }

        // ---- The longest interrupts-off stretch of the log path ----

        private static ulong maxOff;
        internal static long MaxInterruptsOffNs { get { return Machine.CyclesToNs(maxOff); } }
        internal static void ResetMaxInterruptsOff() { maxOff = 0; }
        // A racy maximum (two CPUs may both store): a figure for tests and benchmarks.
        private static void OffFor(ulong t0) { ulong d = Machine.Cycles() - t0; if (d > maxOff) maxOff = d; }

        // ---- Test tap: a copy of the COM1 text the owner writes ----

        internal static void StartTap(char[] buffer) { Flush(); tapLength = 0; tap = buffer; }
        internal static int StopTap() { Flush(); tap = null; return tapLength; }
        internal static int TapLength { get { return tapLength; } }

        // The panic path: everything in the ring, then this CPU's
        // unfinished line, then everything after it goes out at once without
        // the lock (the holder may be this CPU, stopped inside a copy, or a
        // CPU that never lets go). The owner flag is taken over, so an
        // owner on another CPU stops at its next record.
        internal static void EnterPanic()
        {
            if (panicking) return;
            panicking = true;
            if (lines == null) return;
            int cpu = Machine.CpuIndex;
            int token = TakeLocked();
            DrainAsPanic(token);
            if (cpu >= lengths.Length) return;
            char[] b = lines[cpu];
            for (int i = 0; i < lengths[cpu]; i++) Emit(b[i], !noSerial, screen);
            lengths[cpu] = 0;
        }

        // The ring from where the last owner stopped, without the lock.
        private static void DrainAsPanic(int token)
        {
            char[] text = ring.Text;
            int off, len, fl;
            while (ring.Peek(out off, out len, out fl))
            {
                int end = len + ((fl & Console.LogRing.Newline) != 0 ? 1 : 0);
                bool toSerial = (fl & Console.LogRing.Serial) != 0 && !noSerial || (fl & Console.LogRing.Host) != 0;
                bool toScreen = (fl & Console.LogRing.Screen) != 0 && screen;
                for (int i = written; i < end; i++) Emit(i < len ? text[off + i] : '\n', toSerial, toScreen);
                ring.Consume();
                written = 0;
            }
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
            // Interrupts off for one character at a time (and, at a
            // newline, the line's copy into the ring): the stretch is
            // bounded by a line, whatever the string's length.
            bool drain = false;
            for (int k = 0; k < s.Length; k++)
            {
                ulong f = Open();
                ulong t0 = Machine.Cycles();
                bool committed = Append(s[k], f);
                OffFor(t0);
                Machine.RestoreInterrupts(f);
                if (committed && MayDrain(f)) drain = true;
            }
            if (drain) Drain();
        }

        // One line in two layouts: `full` on the serial port (the form scripts
        // and the host compare), `narrow` on the screen console, whose rows
        // are shorter (narrow null: the full line on both). An unfinished
        // line of this CPU goes out first, on both. One hold of the lock
        // copies it all (the summary's lines: a few records).
        internal static void WriteLineSplit(string full, string narrow)
        {
            if (narrow == null) { WriteLine(full); return; }
            if (lines == null || panicking)
            {
                if (!noSerial) { Serial.Write(full); Serial.Write("\n"); }
                if (screen) { Console.Screen.Write(narrow); Console.Screen.Write("\n"); }
                return;
            }
            ulong f0 = Machine.DisableInterrupts();
            bool mayWait = MayDrain(f0);
            Machine.RestoreInterrupts(f0);
            if (mayWait) MakeRoom(3);
            ulong f = ConsoleLock.Acquire();
            ulong t0 = Machine.Cycles();
            int cpu = Machine.CpuIndex;
            if (lengths[cpu] > 0) ring.Append(lines[cpu], 0, lengths[cpu], Console.LogRing.Serial | Console.LogRing.Screen);
            lengths[cpu] = 0;
            AppendParts(full, Console.LogRing.Serial);
            AppendParts(narrow, Console.LogRing.Screen);
            OffFor(t0);
            ConsoleLock.Release(f);
            if (mayWait) Drain();
        }

        // A line for COM1 alone (the trace dump: for the host, whatever
        // console= says), through the ring like any other line.
        internal static void SerialLine(char[] buf, int length) { SerialLine(buf, null, length); }

        // Text for COM1 alone, each of its lines (a newline follows the last).
        internal static void SerialText(string s)
        {
            int start = 0;
            for (int i = 0; i <= s.Length; i++)
            {
                if (i < s.Length && s[i] != '\n') continue;
                SerialPart(null, s, start, i - start);
                start = i + 1;
            }
        }

        private static void SerialLine(char[] buf, string str, int length) { SerialPart(buf, str, 0, length); }

        // buf or str [start .. start+length) as one COM1 line.
        private static void SerialPart(char[] buf, string str, int start, int length)
        {
            if (lines == null || panicking)
            {
                for (int i = 0; i < length; i++) { char c = buf != null ? buf[start + i] : str[start + i]; Serial.WriteByte(c < 128 ? (byte)c : (byte)'?'); }
                Serial.Write("\n");
                return;
            }
            ulong f0 = Machine.DisableInterrupts();
            bool mayWait = MayDrain(f0);
            Machine.RestoreInterrupts(f0);
            hostRecords = true;
            int at = 0;
            do
            {
                int n = length - at < LineMax ? length - at : LineMax;
                if (mayWait) MakeRoom(1);
                int fl = Console.LogRing.Host | (at + n >= length ? Console.LogRing.Newline : 0);
                ulong f = ConsoleLock.Acquire();
                ulong t0 = Machine.Cycles();
                if (buf != null) ring.Append(buf, start + at, n, fl); else ring.Append(str, start + at, n, fl);
                OffFor(t0);
                ConsoleLock.Release(f);
                if (mayWait) Drain();
                at += n;
            } while (at < length);
        }

        // The parts of s (each at most a record), the last ending the line
        // (lock held).
        private static void AppendParts(string s, int consoles)
        {
            for (int at = 0; at < s.Length || at == 0; at += LineMax)
            {
                int n = s.Length - at < LineMax ? s.Length - at : LineMax;
                ring.Append(s, at, n, consoles | (at + n >= s.Length ? Console.LogRing.Newline : 0));
                if (s.Length == 0) break;
            }
        }

        internal static void WriteLine(string s) { Write(s); Write("\n"); }

        internal static void Char(char c)
        {
            if (lines == null || panicking)
            {
                Emit(c, !noSerial, screen);
                if (capture != null && !capture.Add(c)) capture = null;
                return;
            }
            ulong f = Open();
            ulong t0 = Machine.Cycles();
            bool committed = Append(c, f);
            OffFor(t0);
            Machine.RestoreInterrupts(f);
            if (committed && MayDrain(f)) Drain();
        }

        // Adds c to this CPU's line (interrupts off; f: the writer's
        // interrupt state); a newline or a full buffer copies the line into
        // the ring under the lock: true then. A full ring drops the line
        // (the ring counts it): a writer that may wait made room before
        // turning interrupts off (Open).
        private static bool Append(char c, ulong f)
        {
            if (capture != null && !capture.Add(c)) capture = null;
            int cpu = Machine.CpuIndex;
            if (c != '\n')
            {
                lines[cpu][lengths[cpu]++] = c;
                if (lengths[cpu] < LineMax) return false;
            }
            ulong l = ConsoleLock.Acquire();
            ring.Append(lines[cpu], 0, lengths[cpu], Console.LogRing.Serial | Console.LogRing.Screen | (c == '\n' ? Console.LogRing.Newline : 0));
            ConsoleLock.Release(l);
            lengths[cpu] = 0;
            return true;
        }

        // Interrupts off for appending; before that, a writer that may
        // wait makes room in a full ring. Returns the interrupt state.
        private static ulong Open()
        {
            ulong f = Machine.DisableInterrupts();
            if (ring.Capacity - ring.Count < 2 && MayDrain(f))      // room for a line and a drop notice
            {
                Machine.RestoreInterrupts(f);
                MakeRoom(1);
                f = Machine.DisableInterrupts();
            }
            return f;
        }

        // True when this writer drains the ring itself: interrupts were
        // enabled and it is no interrupt handler, or the scheduler does not
        // run on this CPU yet (early boot: every line goes out at once).
        private static bool MayDrain(ulong f)
        {
            Threading.PerCpu p = Threading.PerCpu.Current;
            if (p == null || p.CurrentThread == null) return true;
            return Machine.InterruptsEnabled(f) && p.InterruptNesting == 0;
        }

        // A thread that may block: sleeping lets a preempted owner of this
        // CPU go on.
        private static bool MaySleep()
        {
            Threading.PerCpu p = Threading.PerCpu.Current;
            return p != null && p.CurrentThread != null && p.CurrentThread != p.Idle && p.InterruptNesting == 0 && Time.Clock.Ready;
        }

        // Waits (bounded) until the ring has room for `records`: drains
        // itself when no CPU owns the consoles (or the owner's thread is
        // preempted), else sleeps (or spins) while the owner writes. After WaitNs the caller goes on (and a full
        // ring drops its line).
        private const long WaitNs = 1000000000L;
        private static bool OwnerStalled()
        {
            ulong f = ConsoleLock.Acquire();
            bool stalled = OwnerStalledLocked();
            ConsoleLock.Release(f);
            return stalled;
        }
        private static void MakeRoom(int records)
        {
            long deadline = 0;
            for (long spins = 0; ; spins++)
            {
                if (ring.Capacity - ring.Count >= records + 1) return;
                if (owner == 0 || OwnerStalled()) { Drain(); if (ring.Capacity - ring.Count >= records + 1) return; }
                if (!Time.Clock.Ready) { if (spins > 100000000) return; Machine.SpinWaitHint(); continue; }
                long now = Machine.Now();
                if (deadline == 0) deadline = now + WaitNs;
                if (now >= deadline) return;
                if (MaySleep()) Threading.Threads.SleepFor(100000);
                else Machine.SpinWaitHint();
            }
        }

        // ---- The console owner ----
        //
        // owner is a token (0: none), new at every taking, so an owner that
        // lost the consoles notices at its next chunk. Every
        // chunk is written under ConsoleLock after a check of the token, and
        // written counts the oldest record's characters already out: a new
        // owner goes on where the old one stopped (no character twice, none
        // skipped). The wait for the UART (LSR) comes before the lock, with
        // interrupts as the owner had them; the hold is at most FifoBytes
        // port writes (the 16550's FIFO, empty after the wait, takes them)
        // and their glyphs. A newline's scroll of the screen runs after the
        // lock.
        private static int nextToken;
        private static int ownerCpu;                    // the owner's CPU index
        private static Threading.Thread ownerThread;    // the owner's thread (null: none yet on its CPU)
        private static int written;
        private static bool hostRecords;                // a COM1-only record was ever appended (console= aside)

        // Takes the consoles (lock held): a new token.
        private static int TakeLocked()
        {
            nextToken++;
            if (nextToken <= 0) nextToken = 1;
            owner = nextToken;
            ownerCpu = Machine.CpuIndex;
            Threading.PerCpu p = Threading.PerCpu.Current;
            ownerThread = p == null ? null : p.CurrentThread;
            return owner;
        }

        // The owner is a thread that does not run (preempted, on its CPU or
        // another): waiting for it could take any time, so a writer that
        // may drain takes over.
        private static bool OwnerStalledLocked()
        {
            if (owner == 0 || ownerThread == null || ownerCpu >= Threading.PerCpu.Count) return false;
            return Threading.PerCpu.Of(ownerCpu).CurrentThread != ownerThread;
        }

        // From the idle loop (interrupts enabled): lines appended by
        // interrupt handlers go out without waiting for the next writer.
        // Preemptible like any owner; a writer takes it over.
        internal static void DrainWhenIdle()
        {
            if (ring == null || panicking || ring.Empty) return;
            Drain();
        }

        // Writes the ring out if no CPU does, or if the owner's thread is
        // preempted: takes the owner flag, then record after record.
        private static void Drain()
        {
            ulong f = ConsoleLock.Acquire();
            if (ring.Empty || (owner != 0 && !OwnerStalledLocked())) { ConsoleLock.Release(f); return; }
            int token = TakeLocked();
            ConsoleLock.Release(f);
            DrainAsOwner(token);
        }

        // The owner's loop. Giving the flag back under the lock when the
        // ring is empty means a record appended later finds the flag free
        // (its writer drains it).
        private static void DrainAsOwner(int token)
        {
            char[] text = ring.Text;
            while (true)
            {
                // The wait for the UART with the lock free (interrupts as
                // the owner has them); then one chunk under the lock.
                if (!noSerial || hostRecords) Serial.WaitTransmitter();
                int off, len, fl;
                ulong f = ConsoleLock.Acquire();
                ulong t0 = Machine.Cycles();
                if (owner != token) { ConsoleLock.Release(f); return; }          // taken over
                if (!ring.Peek(out off, out len, out fl)) { owner = 0; ownerThread = null; ConsoleLock.Release(f); return; }
                int end = len + ((fl & Console.LogRing.Newline) != 0 ? 1 : 0);
                if (written >= end) { ring.Consume(); written = 0; ConsoleLock.Release(f); continue; }
                bool scroll = EmitChunk(text, off, len, end, fl);
                OffFor(t0);
                ConsoleLock.Release(f);
                if (scroll) Console.Screen.PutChar('\n');
            }
        }

        // Up to FifoBytes bytes of the oldest record from `written` on (lock
        // held, the UART's transmitter empty: a 16550's FIFO takes them all),
        // their glyphs, the tap; true when a newline's scroll of the screen
        // is left for the caller (after the lock).
        private const int FifoBytes = 16;
        private static bool EmitChunk(char[] text, int off, int len, int end, int recordFlags)
        {
            bool toSerial = (recordFlags & Console.LogRing.Serial) != 0 && !noSerial || (recordFlags & Console.LogRing.Host) != 0;
            bool toScreen = (recordFlags & Console.LogRing.Screen) != 0 && screen;
            bool toTap = (recordFlags & (Console.LogRing.Serial | Console.LogRing.Host)) != 0 && tap != null;
            int budget = FifoBytes;
            while (written < end && budget > 0)
            {
                char c = written < len ? text[off + written] : '\n';
                if (c == '\n' && budget < 2) break;
                if (toSerial)
                {
                    if (c == '\n') { Serial.Put((byte)'\r'); budget--; }
                    Serial.Put(c < 128 ? (byte)c : (byte)'?');
                }
                budget--;
                if (toTap && tapLength < tap.Length) tap[tapLength++] = c;
                written++;
                if (c == '\n') return toScreen;
                if (toScreen) Console.Screen.PutChar(c);
            }
            return false;
        }

        // Writes out everything in the ring before the caller leaves the
        // machine or halts. Waits (bounded, WaitNs) for an owner that runs
        // to finish, then takes the consoles over (an owner stopped for
        // good, or one the caller cannot wait for).
        internal static void Flush()
        {
            if (ring == null || panicking) return;
            long deadline = Time.Clock.Ready ? Machine.Now() + WaitNs : 0;
            while (true)
            {
                Drain();
                ulong f = ConsoleLock.Acquire();
                bool done = owner == 0 && ring.Empty;
                bool take = !done && (!Time.Clock.Ready || Machine.Now() >= deadline);
                int token = take ? TakeLocked() : 0;
                ConsoleLock.Release(f);
                if (done) return;
                if (take) { DrainAsOwner(token); return; }
                if (MaySleep()) Threading.Threads.SleepFor(100000);
                else Machine.SpinWaitHint();
            }
        }

        // Holds the consoles (COM1's loopback probe): the ring written out,
        // then the owner flag kept until ReleaseConsoles; others append only.
        private static int holdToken;
        internal static void HoldConsoles()
        {
            if (ring == null || panicking) return;
            while (true)
            {
                Flush();
                ulong f = ConsoleLock.Acquire();
                bool got = owner == 0;
                if (got) { holdToken = TakeLocked(); ownerThread = null; }   // never taken over as stalled
                ConsoleLock.Release(f);
                if (got) return;
            }
        }

        internal static void ReleaseConsoles()
        {
            if (ring == null || panicking) return;
            ulong f = ConsoleLock.Acquire();
            if (owner == holdToken) owner = 0;
            ConsoleLock.Release(f);
            Drain();
        }

        private static void Emit(char c, bool toSerial, bool toScreen)
        {
            if (toSerial)
            {
                if (c == '\n') Serial.WriteByte((byte)'\r');
                Serial.WriteByte(c < 128 ? (byte)c : (byte)'?');
            }
            if (toScreen && screen) Console.Screen.PutChar(c);
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
