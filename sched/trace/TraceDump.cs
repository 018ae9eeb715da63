namespace Osprey.Sched.Tracing
{
    /// <summary>Where a dump goes, one line at a time (serial port, file, test buffer).</summary>
    public abstract class TraceOutput
    {
        /// <summary>One line: buf[0..length), without its newline.</summary>
        public abstract void Line(char[] buf, int length);
    }

    /// <summary>
    /// Writes rings in the text format (sched/README.md, "Trace format"):
    /// header, every ring's thread names, the events of all rings merged by
    /// time (then CPU, then order of recording), one `dropped` line per ring,
    /// `# end`. Pause the rings first when they may record meanwhile.
    /// Allocates only the merge cursors (once per dump, none for one ring).
    /// </summary>
    public static class TraceDump
    {
        /// <summary>Lines around a dump embedded in a log (the kernel's serial output).</summary>
        public const string BeginMarker = "# trace begin";
        public const string EndMarker = "# trace end";

        /// <summary>Write rings[0..count); returns the number of event lines.</summary>
        public static long Write(TraceRing[] rings, int count, string source, TraceOutput o, char[] buf)
        {
            o.Line(buf, TraceFormat.Put(buf, 0, TraceFormat.Magic));
            if (source != null) o.Line(buf, TraceFormat.Source(buf, source));
            for (int r = 0; r < count; r++)
            {
                TraceRing ring = rings[r];
                for (int i = 0; i < ring.NameCount; i++)
                    o.Line(buf, TraceFormat.Thread(buf, ring.Cpu, ring.NameIdAt(i), ring.NameAt(i)));
            }
            o.Line(buf, TraceFormat.Put(buf, 0, TraceFormat.Columns));

            long lines = 0;
            TraceEntry e;
            if (count == 1)
            {
                TraceRing ring = rings[0];
                for (int i = 0; i < ring.Count; i++)
                {
                    ring.Get(i, out e);
                    o.Line(buf, TraceFormat.Event(buf, ring.Cpu, ref e));
                    lines++;
                }
            }
            else if (count > 1)
            {
                int[] next = new int[count];
                while (true)
                {
                    int best = -1;
                    long bestTime = 0;
                    for (int r = 0; r < count; r++)
                    {
                        if (next[r] >= rings[r].Count) continue;
                        rings[r].Get(next[r], out e);
                        if (best < 0 || e.Time < bestTime || (e.Time == bestTime && rings[r].Cpu < rings[best].Cpu))
                        {
                            best = r;
                            bestTime = e.Time;
                        }
                    }
                    if (best < 0) break;
                    rings[best].Get(next[best], out e);
                    next[best]++;
                    o.Line(buf, TraceFormat.Event(buf, rings[best].Cpu, ref e));
                    lines++;
                }
            }

            for (int r = 0; r < count; r++)
            {
                TraceRing ring = rings[r];
                o.Line(buf, TraceFormat.Dropped(buf, ring.Cpu, ring.Dropped, ring.Count, ring.Capacity, ring.Overflow));
            }
            o.Line(buf, TraceFormat.Put(buf, 0, TraceFormat.End));
            return lines;
        }
    }
}
