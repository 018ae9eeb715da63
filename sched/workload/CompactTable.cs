using Osprey.Sched.Analysis;

namespace Osprey.Sched.Workload
{
    /// <summary>
    /// Table rows for a console narrower than the full report (the kernel's
    /// screen console: 128 columns at 1024x768, 100 at 800x600), while the
    /// serial port and the simulator keep RunReport's full layout, which
    /// scripts compare column by column. Times are shortened to four
    /// significant digits; a row that is still too wide cuts its first (name)
    /// column, then its end, so that it never exceeds the width. Portable.
    /// </summary>
    public static class CompactTable
    {
        /// <summary>Cells padded to |widths[i]| (negative: left-aligned), one space apart, at most maxWidth characters.</summary>
        public static string Row(string[] cells, int[] widths, int maxWidth)
        {
            string line = Join(cells, widths, 0);
            if (maxWidth <= 0 || line.Length <= maxWidth) return line;
            // Shorten the first cell by the excess (down to 4 characters, '~' marking the cut).
            int excess = line.Length - maxWidth;
            string first = cells[0] == null ? "" : cells[0];
            int w0 = widths[0] < 0 ? -widths[0] : widths[0];
            int cellWidth = first.Length > w0 ? first.Length : w0;
            int target = cellWidth - excess;
            if (target < 4) target = 4;
            if (target < cellWidth)
            {
                line = Join(cells, widths, target);
                if (line.Length <= maxWidth) return line;
            }
            return maxWidth <= 1 ? line.Substring(0, maxWidth) : line.Substring(0, maxWidth - 1) + ">";
        }

        // firstWidth > 0: the first column is exactly that wide (cut with '~').
        static string Join(string[] cells, int[] widths, int firstWidth)
        {
            string line = "";
            for (int i = 0; i < cells.Length; i++)
            {
                string c = cells[i] == null ? "" : cells[i];
                int w = widths[i];
                if (i == 0 && firstWidth > 0)
                {
                    if (c.Length > firstWidth) c = c.Substring(0, firstWidth - 1) + "~";
                    w = w < 0 ? -firstWidth : firstWidth;
                }
                if (i > 0) line = line + " ";
                line = line + (w < 0 ? RunReport.PadRight(c, -w) : RunReport.PadLeft(c, w));
            }
            return line;
        }

        /// <summary>Nanoseconds in at most four significant digits, rounded: 123456789 -> "123.5ms", 7 -> "7ns".</summary>
        public static string Time(long ns)
        {
            if (ns == long.MaxValue) return "-";
            if (ns < 0) return ns == long.MinValue ? "-" : "-" + Time(-ns);
            if (ns == 0) return "0";
            if (ns < 1000L) return ns.ToString() + "ns";
            if (ns < 1000000L) return Scaled(ns, 1000L, "us");
            if (ns < 1000000000L) return Scaled(ns, 1000000L, "ms");
            return Scaled(ns, 1000000000L, "s");
        }

        // ns / unit with as many decimals as keep four significant digits
        // (none from 1000 units up), rounded half up; a carry to 10000 units
        // drops a decimal.
        static string Scaled(long ns, long unit, string suffix)
        {
            long whole = ns / unit;
            int decimals = whole >= 1000 ? 0 : whole >= 100 ? 1 : whole >= 10 ? 2 : 3;
            long scale = 1;
            for (int i = 0; i < decimals; i++) scale *= 10;
            // value * scale, rounded: (ns * scale + unit / 2) / unit without overflow.
            long q = ns / unit, r = ns % unit;
            long scaled = q * scale + (r * scale + unit / 2) / unit;
            if (decimals > 0 && scaled >= 10000) { scaled = (scaled + 5) / 10; decimals--; scale /= 10; }
            long w = scaled / scale, f = scaled % scale;
            if (decimals == 0) return w.ToString() + suffix;
            char[] buf = new char[decimals];
            for (int i = decimals - 1; i >= 0; i--) { buf[i] = (char)('0' + (int)(f % 10)); f /= 10; }
            int len = decimals;
            while (len > 0 && buf[len - 1] == '0') len--;
            return len == 0 ? w.ToString() + suffix : w.ToString() + "." + new string(buf, 0, len) + suffix;
        }

        static readonly int[] RunWidths = { -16, -10, 3, 4, 8, 8, 6, 8, 9, 8, 9, 9, 8 };

        /// <summary>RunReport.Header in the compact layout.</summary>
        public static string RunHeader(int maxWidth)
        {
            return Row(new string[] { "task", "kind", "cpu", "prio", "released", "jobs", "misses", "resp-min", "resp-mean", "resp-max",
                "postponed", "rm-missed", "cpu-time" }, RunWidths, maxWidth);
        }

        /// <summary>RunReport.Line in the compact layout: the same columns, times in four digits.</summary>
        public static string RunLine(TaskStats t, int maxWidth)
        {
            string post = t.Kind == TaskKind.Periodic ? t.MaxPostponed + "/" + t.EndPostponed : "-";
            string rm = t.Kind == TaskKind.Periodic ? "" + t.PeriodMissed : "-";
            return Row(new string[] { t.Name, RunReport.KindName(t.Kind), "" + t.Cpu, "" + t.Priority, "" + t.Released, "" + t.Jobs, "" + t.Misses,
                t.Jobs == 0 ? "-" : Time(t.RespMin), t.Jobs == 0 ? "-" : Time(t.RespMean), t.Jobs == 0 ? "-" : Time(t.RespMax),
                post, rm, Time(t.CpuTimeNs) }, RunWidths, maxWidth);
        }
    }
}
