using Osprey.Sched.Workload;

namespace Osprey.Sched
{
    /// <summary>
    /// The guest-core tables of VcoreReport in the compact layout of
    /// CompactTable, for a console narrower than the full rows (the core
    /// table's full row is 141 characters): the same columns under shorter
    /// headings, times in four significant digits, percentages with two
    /// decimals. Portable.
    /// </summary>
    public static class VcoreCompactReport
    {
        // core kind dil period slice extra reserved received in-slice extra-time misses overuse periods per-min per-max
        static readonly int[] CoreWidths = { -12, -8, 5, 7, 7, 3, 7, 7, 7, 7, 6, 7, 7, 7, 7 };
        static readonly int[] IrqWidths = { -14, 8, 9, 7, 7, 7, 6, 6, 9, 9 };

        public static string Header(int maxWidth)
        {
            return CompactTable.Row(new string[] { "core", "kind", "dil", "period", "slice", "ext", "reserv", "recv", "in-slc", "ext-tm",
                "misses", "overuse", "periods", "per-min", "per-max" }, CoreWidths, maxWidth);
        }

        public static string Line(Vcore v, long elapsedNs, int maxWidth)
        {
            string received = elapsedNs > 0 ? Percent2(ShareMath.Ppm(v.TotalNs, elapsedNs)) : "-";
            return CompactTable.Row(new string[] { v.Name, v.Program == null ? "-" : v.Program.Kind,
                v.DilationNum.ToString() + "/" + v.DilationDen.ToString(), CompactTable.Time(v.PeriodGuestNs), CompactTable.Time(v.SliceGuestNs),
                v.ExtraEligible ? "yes" : "no", Percent2(ShareMath.Ppm(v.ShareNum, v.ShareDen)), received,
                CompactTable.Time(v.SliceUsedNs), CompactTable.Time(v.ExtraNs), v.Misses.ToString(), CompactTable.Time(v.OveruseNs),
                v.Periods.ToString(), v.Periods == 0 ? "-" : CompactTable.Time(v.PeriodCpuMin), v.Periods == 0 ? "-" : CompactTable.Time(v.PeriodCpuMax) },
                CoreWidths, maxWidth);
        }

        public static string IrqHeader(int maxWidth)
        {
            return CompactTable.Row(new string[] { "core", "guest-clk", "delivered", "err-min", "err-mean", "err-max", "halts", "wakes",
                "wake-clip", "throttles" }, IrqWidths, maxWidth);
        }

        public static string IrqLine(Vcore v, int maxWidth) { return IrqLine(v, v.VirtualNow(), maxWidth); }

        /// <summary>The row with the guest clock taken when the run stopped.</summary>
        public static string IrqLine(Vcore v, long guestClockNs, int maxWidth)
        {
            bool any = v.IrqDelivered > 0;
            return CompactTable.Row(new string[] { v.Name, CompactTable.Time(guestClockNs), v.IrqDelivered.ToString(),
                any ? CompactTable.Time(v.IrqErrorMin) : "-", any ? CompactTable.Time(v.IrqErrorMean) : "-", any ? CompactTable.Time(v.IrqErrorMax) : "-",
                v.Halts.ToString(), v.Wakes.ToString(), CompactTable.Time(v.WakeClipNs), v.Throttles.ToString() }, IrqWidths, maxWidth);
        }

        /// <summary>Parts per million as a percentage with at most two decimals, rounded: 333333 -> "33.33%".</summary>
        public static string Percent2(long ppm)
        {
            if (ppm < 0) return "-" + Percent2(-ppm);
            long hundredths = (ppm + 50) / 100;
            long whole = hundredths / 100, frac = hundredths % 100;
            if (frac == 0) return whole.ToString() + "%";
            if (frac % 10 == 0) return whole.ToString() + "." + (frac / 10).ToString() + "%";
            return whole.ToString() + "." + (frac < 10 ? "0" : "") + frac.ToString() + "%";
        }
    }
}
