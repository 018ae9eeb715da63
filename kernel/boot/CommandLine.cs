namespace Osprey.Kernel.Boot
{
    // The kernel command line: space-separated words. Known words:
    //   selftest             run every in-kernel test suite, then exit QEMU
    //   selftest=FILTER      only matching tests: suite or suite.test-prefix,
    //                        comma-separated
    //   sched=NAME           scheduler instance from the scheduler table
    //   console=serial|screen|both   where the log goes (default both)
    //   trace[=overwrite|drop]  record scheduling events in a ring per CPU
    //                        (65,536 events shared, at least 16,384 each;
    //                        dumped over serial after the workload run);
    //                        when full: overwrite the oldest (default) or
    //                        drop the newest
    //   exit                 when the workload run is over, leave QEMU
    //                        (isa-debug-exit, status 33) instead of idling
    //   clock=exact|real     exact: the clock counts instructions (QEMU
    //                        -icount shift=0,sleep=off), so timing self-tests
    //                        assert exact bounds; real (default): host noise
    //                        is possible and only robust bounds are asserted
    //   props=N[,SEED[,FIRST]]  the props suite (random admitted sets run
    //                        in the kernel) runs N sets per test of the
    //                        sequence SEED from index FIRST
    //   calib=auto|hpet|pmtimer|pit   the reference the TSC and APIC timer
    //                        are calibrated against (default auto: the
    //                        first of HPET, PM timer, PIT that runs)
    //   cpus=N               start at most N CPUs, the boot CPU included
    //                        (N >= 1; default: every enabled CPU of the MADT)
    //   test-early-fault     a test word: the kernel faults on purpose before
    //                        its interrupt table exists (the boot stub's
    //                        early table must report it on COM1); the boot
    //                        never gets as far as this parser
    // Anything else is collected in Unknown and reported at boot; a known
    // word with a bad value is collected in Errors. Every word is taken, however
    // many; a command line longer than MaxBytes is refused whole (one error,
    // no word applied) rather than cut. Portable (host-tested).
    internal sealed class CommandLine
    {
        // Far above any real use (GRUB's own line editor stops earlier), low
        // enough that the boot-time copy stays small.
        internal const int MaxBytes = 65536;
        internal const string EarlyFaultWord = "test-early-fault";
        internal const int MaxCpuLimit = 4096;

        internal bool SelfTest;
        internal string SelfTestFilter = "";
        internal string Scheduler;               // null: not given
        internal bool SerialConsole = true;
        internal bool ScreenConsole = true;
        internal bool Trace;
        internal bool TraceDropNewest;
        internal bool ExactClock;
        internal Time.CalibrationSource Calibration = Time.CalibrationSource.Auto;
        internal bool ExitWhenDone;
        internal int PropSets;                   // 0: the suite's default
        internal ulong PropSeed = 1;
        internal int PropFirst;                  // index of the first set
        internal int CpuLimit;                   // cpus=N; 0: every enabled CPU
        internal string[] Unknown = new string[8];   // grows: UnknownCount entries are valid
        internal int UnknownCount;
        internal string[] Errors = new string[8];    // grows: ErrorCount entries are valid
        internal int ErrorCount;
        internal int WordCount;

        // `schedulerNames` validates sched=; null accepts any name.
        internal static CommandLine Parse(string text, string[] schedulerNames)
        {
            CommandLine c = new CommandLine();
            if (text == null) return c;
            if (text.Length > MaxBytes)
            {
                c.AddError("command line longer than " + MaxBytes + " characters: refused whole (no word of it is used)");
                return c;
            }
            int i = 0;
            while (i < text.Length)
            {
                while (i < text.Length && IsSpace(text[i])) i++;
                int start = i;
                while (i < text.Length && !IsSpace(text[i])) i++;
                if (i == start) break;
                c.WordCount++;
                c.Word(text.Substring(start, i - start), schedulerNames);
            }
            return c;
        }

        private static bool IsSpace(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

        private void Word(string w, string[] schedulerNames)
        {
            int eq = -1;
            for (int k = 0; k < w.Length; k++) if (w[k] == '=') { eq = k; break; }
            string key = eq < 0 ? w : w.Substring(0, eq);
            string value = eq < 0 ? null : w.Substring(eq + 1, w.Length - eq - 1);
            if (key == "selftest")
            {
                SelfTest = true;
                if (value != null)
                {
                    if (value.Length == 0) AddError("selftest= needs a filter (suite or suite.test)");
                    else SelfTestFilter = value;
                }
            }
            else if (key == "sched")
            {
                if (value == null || value.Length == 0) { AddError("sched= needs a scheduler name"); return; }
                if (schedulerNames != null && !Contains(schedulerNames, value))
                {
                    AddError("sched=" + value + ": unknown scheduler (known: " + Join(schedulerNames) + ")");
                    return;
                }
                Scheduler = value;
            }
            else if (key == "console")
            {
                if (value == "serial") { SerialConsole = true; ScreenConsole = false; }
                else if (value == "screen") { SerialConsole = false; ScreenConsole = true; }
                else if (value == "both") { SerialConsole = true; ScreenConsole = true; }
                else AddError("console=" + (value == null ? "" : value) + ": expected serial, screen or both");
            }
            else if (key == "trace")
            {
                if (value == null || value == "overwrite") { Trace = true; TraceDropNewest = false; }
                else if (value == "drop") { Trace = true; TraceDropNewest = true; }
                else AddError("trace=" + value + ": expected overwrite or drop");
            }
            else if (key == "exit" && value == null) ExitWhenDone = true;
            else if (w == EarlyFaultWord) { }        // acted on before this parser runs
            else if (key == "clock")
            {
                if (value == "exact") ExactClock = true;
                else if (value == "real") ExactClock = false;
                else AddError("clock=" + (value == null ? "" : value) + ": expected exact or real");
            }
            else if (key == "props")
            {
                // props=N[,SEED[,FIRST]]
                string[] part = new string[3];
                int np = 0, from = 0;
                for (int k = 0; value != null && k <= value.Length && np < 3; k++)
                    if (k == value.Length || value[k] == ',') { part[np++] = value.Substring(from, k - from); from = k + 1; }
                ulong v, sv = 1, fv = 0;
                bool ok = value != null && from >= value.Length && np >= 1 && Osprey.Sched.Workload.WorkloadParser.ParseULong(part[0], out v) && v >= 1 && v <= 1000000;
                if (ok && np >= 2) ok = Osprey.Sched.Workload.WorkloadParser.ParseULong(part[1], out sv);
                if (ok && np >= 3) ok = Osprey.Sched.Workload.WorkloadParser.ParseULong(part[2], out fv) && fv <= 1000000;
                if (!ok || !Osprey.Sched.Workload.WorkloadParser.ParseULong(part[0], out v))
                {
                    AddError("props=" + (value == null ? "" : value) + ": expected a count 1..1000000, optionally ',SEED' and ',FIRST' (the first set's index)");
                    return;
                }
                PropSets = (int)v;
                PropSeed = sv;
                PropFirst = (int)fv;
            }
            else if (key == "cpus")
            {
                ulong n;
                if (value == null || !Osprey.Sched.Workload.WorkloadParser.ParseULong(value, out n) || n < 1 || n > MaxCpuLimit)
                {
                    AddError("cpus=" + (value == null ? "" : value) + ": expected a count of CPUs from 1 to " + MaxCpuLimit + " (the boot CPU included)");
                    return;
                }
                CpuLimit = (int)n;
            }
            else if (key == "calib")
            {
                Time.CalibrationSource s;
                if (value != null && Time.ReferenceMath.TryParse(value, out s)) Calibration = s;
                else AddError("calib=" + (value == null ? "" : value) + ": expected auto, hpet, pmtimer or pit");
            }
            else Unknown = Append(Unknown, ref UnknownCount, w);
        }

        private void AddError(string e) { Errors = Append(Errors, ref ErrorCount, e); }

        private static string[] Append(string[] a, ref int count, string s)
        {
            if (count == a.Length)
            {
                string[] b = new string[a.Length * 2];
                for (int k = 0; k < count; k++) b[k] = a[k];
                a = b;
            }
            a[count++] = s;
            return a;
        }

        private static bool Contains(string[] names, string v)
        {
            for (int i = 0; i < names.Length; i++) if (names[i] == v) return true;
            return false;
        }

        private static string Join(string[] names)
        {
            string s = "";
            for (int i = 0; i < names.Length; i++) s = i == 0 ? names[i] : s + ", " + names[i];
            return s;
        }
    }
}
