using Osprey.Sched.Analysis;

namespace Osprey.Sched.Workload
{
    /// <summary>
    /// The statistics table of a workload run, as text lines: the simulator
    /// (./build.sh sim) and the kernel (a workload module) print it alike, so
    /// their results on one file compare line by line. Portable.
    /// </summary>
    public static class RunReport
    {
        public const long MaxDefaultDuration = 10000000000L;

        /// <summary>Run length when the file gives none: the hyperperiod plus the largest start + phase
        /// (at most 10 s), or 1 s when there is no periodic task or the hyperperiod is too long.</summary>
        public static long DefaultDuration(WorkloadSpec w)
        {
            if (w.Duration > 0) return w.Duration;
            ulong h = 1;
            long maxPhase = 0;
            bool any = false;
            for (int i = 0; i < w.Tasks.Length; i++)
            {
                TaskSpec t = w.Tasks[i];
                if (t.Kind != TaskKind.Periodic) continue;
                any = true;
                ulong nh;
                if (!WideMath.Lcm(h, (ulong)t.Period, (ulong)MaxDefaultDuration, out nh)) return 1000000000L;
                h = nh;
                if (t.Start + t.Phase > maxPhase) maxPhase = t.Start + t.Phase;
            }
            if (!any) return 1000000000L;
            long d = (long)h + maxPhase;
            return d > MaxDefaultDuration ? MaxDefaultDuration : d;
        }

        public static string Title(string file, WorkloadSpec w, SchedulerKind scheduler, long duration)
        {
            return "workload " + file + ": scheduler " + WorkloadSpec.SchedulerName(scheduler)
                + (w.SchedulerGiven || scheduler != w.Scheduler ? "" : " (default)")
                + ", duration " + Format.Time(duration) + ", seed " + w.Seed + ", " + w.Tasks.Length + " task(s)"
                + (w.FloorNs > 0 ? ", floors lowered to " + Format.Time(w.FloorNs) + " (line " + w.FloorLine + ")" : "");
        }

        public static string Header()
        {
            return Row("task", "kind", "cpu", "prio", "released", "jobs", "misses", "resp-min", "resp-mean", "resp-max", "postponed", "rm-missed", "cpu-time");
        }

        public static string KindName(TaskKind k)
        {
            return k == TaskKind.Periodic ? "periodic" : k == TaskKind.Aperiodic ? "aperiodic" : "background";
        }

        public static string Line(TaskStats t)
        {
            string post = t.Kind == TaskKind.Periodic ? t.MaxPostponed + "/" + t.EndPostponed : "-";
            string rm = t.Kind == TaskKind.Periodic ? "" + t.PeriodMissed : "-";
            return Row(t.Name, KindName(t.Kind), "" + t.Cpu, "" + t.Priority, "" + t.Released, "" + t.Jobs, "" + t.Misses,
                t.Jobs == 0 ? "-" : Time(t.RespMin), t.Jobs == 0 ? "-" : Time(t.RespMean), t.Jobs == 0 ? "-" : Time(t.RespMax),
                post, rm, Format.Time(t.CpuTimeNs));
        }

        /// <summary>Extra line under a task's row, or null.</summary>
        public static string OverrunLine(TaskStats t)
        {
            return t.Overruns > 0 ? "  " + t.Name + ": " + t.Overruns + " CBS budget overrun(s)" : null;
        }

        public static string Total(TaskStats[] tasks, long switches, long idleNs)
        {
            long jobs = 0, misses = 0;
            for (int i = 0; i < tasks.Length; i++) { jobs += tasks[i].Jobs; misses += tasks[i].Misses; }
            return "total: " + jobs + " jobs, " + misses + " deadline misses, " + switches + " switches, idle " + Format.Time(idleNs);
        }

        static string Time(long ns) { return ns == long.MaxValue ? "-" : Format.Time(ns); }

        static string Row(string name, string kind, string cpu, string prio, string released, string jobs, string misses,
            string rmin, string rmean, string rmax, string post, string rm, string cpuTime)
        {
            return PadRight(name, 16) + " " + PadRight(kind, 10) + " " + PadLeft(cpu, 3) + " " + PadLeft(prio, 4) + " "
                + PadLeft(released, 8) + " " + PadLeft(jobs, 8) + " " + PadLeft(misses, 7) + " " + PadLeft(rmin, 10) + " "
                + PadLeft(rmean, 10) + " " + PadLeft(rmax, 10) + " " + PadLeft(post, 9) + " " + PadLeft(rm, 9) + " " + PadLeft(cpuTime, 10);
        }

        public static string PadLeft(string s, int width)
        {
            if (s == null) s = "";
            int n = width - s.Length;
            if (n <= 0) return s;
            char[] pad = new char[n];
            for (int i = 0; i < n; i++) pad[i] = ' ';
            return new string(pad, 0, n) + s;
        }

        public static string PadRight(string s, int width)
        {
            if (s == null) s = "";
            int n = width - s.Length;
            if (n <= 0) return s;
            char[] pad = new char[n];
            for (int i = 0; i < n; i++) pad[i] = ' ';
            return s + new string(pad, 0, n);
        }
    }
}
