using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Sched
{
    /// <summary>
    /// The guest-core tables as text lines, printed alike by the simulator
    /// (./build.sh sim) and, later, the kernel. Portable.
    /// Times of the reservation columns are as given (guest time); CPU
    /// columns are host time; interrupt errors are virtual (guest) ns.
    /// </summary>
    public static class VcoreReport
    {
        /// <summary>"guest cores on cpu 0: share 1/1 (100%), admitted 9/10 (90%, 900000 ppm), 3 core(s), run 1s".</summary>
        public static string CpuTitle(int cpu, VcoreScheduler s, long elapsedNs)
        {
            return CpuTitle(cpu, s.ShareNum, s.ShareDen, s.AdmittedText(), s.VcoreCount, elapsedNs);
        }

        /// <summary>The same title from figures taken earlier (the kernel takes them when the run stops, before removing the cores).</summary>
        public static string CpuTitle(int cpu, long shareNum, long shareDen, string admitted, int cores, long elapsedNs)
        {
            return "guest cores on cpu " + cpu.ToString() + ": share " + ShareMath.Text(shareNum, shareDen) + ", admitted "
                + admitted + ", " + cores.ToString() + " core(s), run " + Format.Time(elapsedNs);
        }

        public static string Header()
        {
            return Row("core", "kind", "dilation", "period", "slice", "extra", "reserved", "received", "in-slice", "extra-time",
                "misses", "overuse", "periods", "per-min", "per-max");
        }

        /// <summary>One core: its reservation (guest time) and exact share, what it received over elapsedNs of host time.</summary>
        public static string Line(Vcore v, long elapsedNs)
        {
            string received = elapsedNs > 0 ? ShareMath.Percent(v.TotalNs, elapsedNs) : "-";
            return Row(v.Name, v.Program == null ? "-" : v.Program.Kind, v.DilationNum.ToString() + "/" + v.DilationDen.ToString(),
                Format.Time(v.PeriodGuestNs), Format.Time(v.SliceGuestNs), v.ExtraEligible ? "yes" : "no",
                ShareMath.Percent(v.ShareNum, v.ShareDen), received, Format.Time(v.SliceUsedNs), Format.Time(v.ExtraNs),
                v.Misses.ToString(), Format.Time(v.OveruseNs), v.Periods.ToString(),
                v.Periods == 0 ? "-" : Format.Time(v.PeriodCpuMin), v.Periods == 0 ? "-" : Format.Time(v.PeriodCpuMax));
        }

        public static string IrqHeader()
        {
            return RunReport.PadRight("core", 14) + " " + RunReport.PadLeft("guest-clock", 12) + " " + RunReport.PadLeft("delivered", 9) + " "
                + RunReport.PadLeft("err-min", 9) + " " + RunReport.PadLeft("err-mean", 9) + " " + RunReport.PadLeft("err-max", 9) + " "
                + RunReport.PadLeft("halts", 6) + " " + RunReport.PadLeft("wakes", 6) + " " + RunReport.PadLeft("wake-clip", 10) + " "
                + RunReport.PadLeft("throttles", 9);
        }

        /// <summary>Virtual interrupts of a core: delivered, delivery error (virtual clock at delivery - deadline), halts.</summary>
        public static string IrqLine(Vcore v) { return IrqLine(v, v.VirtualNow()); }

        /// <summary>The same with the guest clock read earlier (at the end of the run).</summary>
        public static string IrqLine(Vcore v, long guestClockNs)
        {
            bool any = v.IrqDelivered > 0;
            return RunReport.PadRight(v.Name, 14) + " " + RunReport.PadLeft(Format.Time(guestClockNs), 12) + " "
                + RunReport.PadLeft(v.IrqDelivered.ToString(), 9) + " "
                + RunReport.PadLeft(any ? Format.Time(v.IrqErrorMin) : "-", 9) + " " + RunReport.PadLeft(any ? Format.Time(v.IrqErrorMean) : "-", 9) + " "
                + RunReport.PadLeft(any ? Format.Time(v.IrqErrorMax) : "-", 9) + " " + RunReport.PadLeft(v.Halts.ToString(), 6) + " "
                + RunReport.PadLeft(v.Wakes.ToString(), 6) + " " + RunReport.PadLeft(Format.Time(v.WakeClipNs), 10) + " "
                + RunReport.PadLeft(v.Throttles.ToString(), 9);
        }

        /// <summary>"guest 'rt' on vcore rt/0: scheduler edf, dilation 2/1, 2 task(s); times in guest time".</summary>
        public static string GuestTitle(Vcore v, PeriodicGuestProgram g)
        {
            return "guest '" + v.GuestName + "' on vcore " + v.Name + ": scheduler " + g.SchedulerName + ", dilation "
                + v.DilationNum.ToString() + "/" + v.DilationDen.ToString() + ", " + g.Stats.Length.ToString() + " task(s); times in guest time";
        }

        /// <summary>"guest 'rt': 150 jobs, 0 deadline misses".</summary>
        public static string GuestTotal(Vcore v, PeriodicGuestProgram g)
        {
            long jobs = 0, misses = 0;
            for (int i = 0; i < g.Stats.Length; i++) { jobs += g.Stats[i].Jobs; misses += g.Stats[i].Misses; }
            return "guest '" + v.GuestName + "': " + jobs.ToString() + " jobs, " + misses.ToString() + " deadline misses";
        }

        static string Row(string name, string kind, string dil, string period, string slice, string extra, string reserved, string received,
            string inSlice, string extraTime, string misses, string overuse, string periods, string pmin, string pmax)
        {
            return RunReport.PadRight(name, 14) + " " + RunReport.PadRight(kind, 8) + " " + RunReport.PadLeft(dil, 8) + " "
                + RunReport.PadLeft(period, 8) + " " + RunReport.PadLeft(slice, 8) + " " + RunReport.PadLeft(extra, 5) + " "
                + RunReport.PadLeft(reserved, 9) + " " + RunReport.PadLeft(received, 9) + " " + RunReport.PadLeft(inSlice, 9) + " "
                + RunReport.PadLeft(extraTime, 10) + " " + RunReport.PadLeft(misses, 6) + " " + RunReport.PadLeft(overuse, 8) + " "
                + RunReport.PadLeft(periods, 7) + " " + RunReport.PadLeft(pmin, 9) + " " + RunReport.PadLeft(pmax, 9);
        }
    }
}
