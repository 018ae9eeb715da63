namespace Osprey.Sched.Tracing
{
    /// <summary>
    /// The text form of a trace (sched/README.md, "Trace format"), written
    /// line by line into a caller's char buffer: nothing here allocates, so
    /// the kernel can dump a ring over serial with no heap. Each method
    /// returns the line's length (no newline); buffers must hold MaxLine
    /// chars (longer names are cut).
    /// </summary>
    public static class TraceFormat
    {
        public const int Version = 2;
        public const int MaxLine = 256;
        public const string Magic = "# osprey-trace 2";
        public const string Columns = "# time_ns cpu event thread [key=value ...]";
        public const string End = "# end";

        public static string KindName(TraceEventKind k)
        {
            switch (k)
            {
                case TraceEventKind.Release: return "release";
                case TraceEventKind.SwitchIn: return "switch_in";
                case TraceEventKind.SwitchOut: return "switch_out";
                case TraceEventKind.Block: return "block";
                case TraceEventKind.Unblock: return "unblock";
                case TraceEventKind.DeadlineMiss: return "deadline_miss";
                case TraceEventKind.BudgetExhausted: return "budget_exhausted";
                case TraceEventKind.PeriodExpiry: return "period_expiry";
                case TraceEventKind.Complete: return "complete";
                case TraceEventKind.IrqEntry: return "irq_entry";
                case TraceEventKind.IrqExit: return "irq_exit";
                case TraceEventKind.VcoreSwitchIn: return "vcore_switch_in";
                case TraceEventKind.VcoreSwitchOut: return "vcore_switch_out";
                case TraceEventKind.Mark: return "mark";
            }
            return null;
        }

        /// <summary>The kind named s, or None.</summary>
        public static TraceEventKind KindOf(string s)
        {
            for (int k = 1; k <= (int)TraceEventKind.Mark; k++)
                if (KindName((TraceEventKind)k) == s) return (TraceEventKind)k;
            return TraceEventKind.None;
        }

        /// <summary>
        /// One word for a not-ready state (bit set), the most telling bit
        /// first: dormant, period, throttled, suspended, sleeping, blocked;
        /// "ready" for none.
        /// </summary>
        public static string StateName(long bits)
        {
            uint s = (uint)bits;
            if ((s & (uint)ThreadState.Dormant) != 0) return "dormant";
            if ((s & (uint)ThreadState.PeriodWait) != 0) return "period";
            if ((s & (uint)ThreadState.Throttled) != 0) return "throttled";
            if ((s & (uint)ThreadState.Suspended) != 0) return "suspended";
            if ((s & (uint)ThreadState.Sleeping) != 0) return "sleeping";
            if ((s & (uint)ThreadState.Blocked) != 0) return "blocked";
            return "ready";
        }

        public static string OverflowName(TraceOverflow o)
        {
            return o == TraceOverflow.DropNewest ? "drop-newest" : "overwrite-oldest";
        }

        // ------------------------------------------------------------------
        // Lines

        /// <summary>`# source TEXT`.</summary>
        public static int Source(char[] buf, string source)
        {
            int n = Put(buf, 0, "# source ");
            return PutClean(buf, n, source);
        }

        /// <summary>`thread CPU ID NAME` (the name is the rest of the line).</summary>
        public static int Thread(char[] buf, int cpu, int id, string name)
        {
            int n = Put(buf, 0, "thread ");
            n = PutLong(buf, n, cpu);
            n = PutChar(buf, n, ' ');
            n = PutLong(buf, n, id);
            n = PutChar(buf, n, ' ');
            return PutClean(buf, n, name == null || name.Length == 0 ? "?" : name);
        }

        /// <summary>`TIME CPU EVENT THREAD [key=value ...]`.</summary>
        public static int Event(char[] buf, int cpu, ref TraceEntry e)
        {
            int n = PutLong(buf, 0, e.Time);
            n = PutChar(buf, n, ' ');
            n = PutLong(buf, n, cpu);
            n = PutChar(buf, n, ' ');
            string kind = KindName(e.Kind);
            if (kind != null) n = Put(buf, n, kind);
            else
            {
                n = Put(buf, n, "event_");
                n = PutLong(buf, n, (int)e.Kind);
            }
            n = PutChar(buf, n, ' ');
            if (e.Thread == TraceRing.NoThread) n = PutChar(buf, n, '-');
            else n = PutLong(buf, n, e.Thread);
            return Args(buf, n, ref e);
        }

        /// <summary>The ` key=value` fields of e, appended at n (each with its leading space).</summary>
        public static int Args(char[] buf, int n, ref TraceEntry e)
        {
            switch (e.Kind)
            {
                case TraceEventKind.Release:
                    n = Key(buf, n, "job", e.A);
                    if (e.B != long.MaxValue) n = Key(buf, n, "deadline", e.B);
                    return n;
                case TraceEventKind.SwitchIn:
                    return n;
                case TraceEventKind.SwitchOut:
                    return KeyWord(buf, n, "state", StateName(e.A));
                case TraceEventKind.Block:
                case TraceEventKind.Unblock:
                    return KeyWord(buf, n, "reason", StateName(e.A));
                case TraceEventKind.DeadlineMiss:
                    n = Key(buf, n, "job", e.A);
                    return Key(buf, n, "deadline", e.B);
                case TraceEventKind.BudgetExhausted:
                    n = Key(buf, n, "budget", e.A);
                    n = KeyWord(buf, n, "mode", e.B == 1 ? "soft" : "hard");
                    return Key(buf, n, "server", e.Object);
                case TraceEventKind.PeriodExpiry:
                    n = Key(buf, n, "at", e.A);
                    return Key(buf, n, "postponed", e.B);
                case TraceEventKind.Complete:
                    n = Key(buf, n, "job", e.A);
                    return Key(buf, n, "response", e.B);
                case TraceEventKind.IrqEntry:
                case TraceEventKind.IrqExit:
                    return Key(buf, n, "vector", e.Object);
                case TraceEventKind.VcoreSwitchIn:
                case TraceEventKind.VcoreSwitchOut:
                    n = Key(buf, n, "vcore", e.Object);
                    n = Key(buf, n, "a", e.A);
                    return Key(buf, n, "b", e.B);
                case TraceEventKind.Mark:
                    n = Key(buf, n, "id", e.Object);
                    return Key(buf, n, "value", e.A);
            }
            n = Key(buf, n, "obj", e.Object);
            n = Key(buf, n, "a", e.A);
            return Key(buf, n, "b", e.B);
        }

        /// <summary>`dropped CPU N kept=K capacity=C|unbounded overflow=MODE`.</summary>
        public static int Dropped(char[] buf, int cpu, long dropped, long kept, long capacity, TraceOverflow overflow)
        {
            int n = Put(buf, 0, "dropped ");
            n = PutLong(buf, n, cpu);
            n = PutChar(buf, n, ' ');
            n = PutLong(buf, n, dropped);
            n = Key(buf, n, "kept", kept);
            if (capacity > 0) n = Key(buf, n, "capacity", capacity);
            else n = KeyWord(buf, n, "capacity", "unbounded");
            return KeyWord(buf, n, "overflow", OverflowName(overflow));
        }

        // ------------------------------------------------------------------
        // Character helpers (bounded by the buffer)

        static int Key(char[] buf, int n, string key, long v)
        {
            n = PutChar(buf, n, ' ');
            n = Put(buf, n, key);
            n = PutChar(buf, n, '=');
            return PutLong(buf, n, v);
        }

        static int KeyWord(char[] buf, int n, string key, string word)
        {
            n = PutChar(buf, n, ' ');
            n = Put(buf, n, key);
            n = PutChar(buf, n, '=');
            return Put(buf, n, word);
        }

        public static int PutChar(char[] buf, int n, char c)
        {
            if (n < buf.Length) buf[n++] = c;
            return n;
        }

        public static int Put(char[] buf, int n, string s)
        {
            for (int i = 0; i < s.Length && n < buf.Length; i++) buf[n++] = s[i];
            return n;
        }

        /// <summary>s with control and non-ASCII characters as '?'.</summary>
        public static int PutClean(char[] buf, int n, string s)
        {
            if (s == null) return n;
            for (int i = 0; i < s.Length && n < buf.Length; i++)
            {
                char c = s[i];
                buf[n++] = c < ' ' || c > '~' ? '?' : c;
            }
            return n;
        }

        public static int PutLong(char[] buf, int n, long v)
        {
            ulong u;
            if (v < 0)
            {
                n = PutChar(buf, n, '-');
                u = (ulong)(-(v + 1)) + 1;
            }
            else u = (ulong)v;
            int digits = 1;
            for (ulong x = u; x >= 10; x /= 10) digits++;
            if (n + digits > buf.Length) return n;
            for (int i = digits - 1; i >= 0; i--)
            {
                buf[n + i] = (char)('0' + (int)(u % 10));
                u /= 10;
            }
            return n + digits;
        }
    }
}
