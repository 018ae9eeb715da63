// Parser for the workload file format (documented in sched/README.md under
// "Workload file format"). Portable: takes the file as ASCII bytes, returns a
// WorkloadSpec or an error naming the line, the field and what is wrong. No
// exceptions, no BCL collections; the only allocations are the result objects
// and the strings/arrays they hold.
using Osprey.Sched.Analysis;

namespace Osprey.Sched.Workload
{
    public sealed partial class WorkloadParser
    {
        public const long MaxTime = WorkloadLimits.MaxTime;
        public const int MaxFields = 32;
        public const int MaxArrivals = WorkloadLimits.MaxArrivalsPerTask;
        public const int MaxNameLength = 32;
        /// <summary>First priority given by deadline-monotonic assignment (then +1 per task).</summary>
        public const int AutoPriorityBase = 10;
        public const int DefaultAperiodicPriority = 200;
        public const int DefaultBackgroundPriority = 250;

        static readonly string[] PeriodicKeys = { "name", "wcet", "period", "deadline", "phase", "priority", "budget", "overrun", "jitter", "work", "cpu", "jobs", "start" };
        static readonly string[] AperiodicKeys = { "name", "wcet", "arrivals", "deadline", "priority", "budget", "period", "overrun", "jitter", "work", "cpu" };
        static readonly string[] BackgroundKeys = { "name", "priority", "wcet", "work", "cpu", "start" };
        static readonly string[] GuestKeys = { "name", "workload", "dilation", "scheduler" };
        static readonly string[] VcoreKeys = { "id", "period", "slice", "extra", "cpu", "start", "remove", "add" };

        readonly ParseOptions options;
        // The floors in force: the options', or lower ones from a 'floor' line.
        long minPeriod, minBudget;
        int floorLine;

        // Current line.
        int lineNo;
        char[] chars = new char[256];
        int lineLen;
        string directive;
        string rest;       // everything after the directive (simple directives)
        bool eqForm;       // the directive was written as 'directive=value'
        string[] keys = new string[MaxFields];
        string[] vals = new string[MaxFields];
        int nfields;

        // Result being built.
        ParseResult result = new ParseResult();
        WorkloadSpec w;
        TaskSpec[] tasks = new TaskSpec[8];
        int ntasks;
        GuestSpec[] guests = new GuestSpec[4];
        int nguests;
        int schedulerLine, durationLine, seedLine, shareLine, cpusLine, ipiLine;
        // Counts against WorkloadLimits (file-wide).
        int totalTasks, totalArrivals, totalVcores, totalGuests;

        // Open guest block.
        GuestSpec guest;
        TaskSpec[] gtasks = new TaskSpec[4];
        int ngtasks;
        // A guest block with an error is dropped (its error kept) and the
        // lines up to its 'end' are skipped.
        string[] guestErrors = new string[4];
        int nguestErrors;
        bool skippingGuest;
        bool fatal;
        VcoreSpec[] gvcores = new VcoreSpec[4];
        int ngvcores;

        WorkloadParser(ParseOptions o)
        {
            options = o != null ? o : ParseOptions.Defaults();
            minPeriod = options.MinPeriodNs;
            minBudget = options.MinBudgetNs;
        }

        /// <summary>Parses a whole file with the default floors.</summary>
        public static ParseResult Parse(byte[] data)
        {
            return new WorkloadParser(null).Run(data, data == null ? 0 : data.Length);
        }

        /// <summary>Parses the first length bytes of data.</summary>
        public static ParseResult Parse(byte[] data, int length)
        {
            return new WorkloadParser(null).Run(data, length);
        }

        /// <summary>Parses the first length bytes of data with the given floors (null = defaults).</summary>
        public static ParseResult Parse(byte[] data, int length, ParseOptions options)
        {
            return new WorkloadParser(options).Run(data, length);
        }

        /// <summary>Convenience for tests and host tools: the string's chars must be ASCII.</summary>
        public static ParseResult ParseText(string text) { return ParseText(text, null); }

        public static ParseResult ParseText(string text, ParseOptions options)
        {
            byte[] b = new byte[text.Length];
            for (int i = 0; i < text.Length; i++) b[i] = text[i] < 256 ? (byte)text[i] : (byte)0xFF;
            return new WorkloadParser(options).Run(b, b.Length);
        }

        // ------------------------------------------------------------ errors

        bool Fail(string field, string message)
        {
            result.Ok = false;
            result.Workload = null;
            result.Line = lineNo;
            result.Field = field;
            result.Message = message;
            string where = lineNo > 0 ? "line " + lineNo.ToString() + ": " : "";
            result.Error = field.Length > 0 ? where + "field '" + field + "': " + message : where + message;
            return false;
        }

        /// <summary>The whole line is at fault: Field is its directive word (the message names it too).</summary>
        bool FailLine(string message)
        {
            result.Ok = false;
            result.Workload = null;
            result.Line = lineNo;
            result.Field = directive != null && directive.Length > 0 ? directive : "line";
            result.Message = message;
            result.Error = "line " + lineNo.ToString() + ": " + message;
            return false;
        }

        /// <summary>FailAt for an earlier line while parsing goes on (the line counter is kept).</summary>
        bool FailOn(int line, string field, string message)
        {
            int save = lineNo;
            FailAt(line, field, message);
            lineNo = save;
            return false;
        }

        bool FailAt(int line, string field, string message)
        {
            lineNo = line;
            return Fail(field, message);
        }

        // ------------------------------------------------------------ driver

        ParseResult Run(byte[] data, int length)
        {
            w = new WorkloadSpec();
            w.Scheduler = SchedulerKind.Priority;
            w.Seed = 1;
            w.ShareNum = 1;
            w.ShareDen = 1;
            if (data == null) length = 0;
            if (length > (data == null ? 0 : data.Length)) length = data.Length;
            int pos = 0;
            lineNo = 0;
            while (pos < length)
            {
                lineNo++;
                int end = pos;
                while (end < length && data[end] != (byte)'\n') end++;
                if (!LoadLine(data, pos, end)) return result;
                int from = pos;
                pos = end + 1;
                // A guest's own workload (NestedWorkload.cs): its lines as they stand.
                if (nestedBytes != null || skippingNested)
                {
                    if (!NestedLine(data, from, end)) { if (fatal) return result; DropGuest(true); }
                    continue;
                }
                if (!Tokenize()) return result;
                if (directive == null) continue;
                if (skippingGuest)
                {
                    if (directive == "workload" && rest.Length == 0) skippingNested = true;
                    if (directive == "end") skippingGuest = false;
                    continue;
                }
                bool inGuest = guest != null || directive == "guest";
                if (!Directive())
                {
                    if (!inGuest || fatal) return result;
                    DropGuest(directive != "end");
                }
            }
            if (guest != null && !NestedWorkloadUnclosed()) DropGuest(false);
            if (guest != null)
            {
                if (!guestWorkloadGiven && guest.ImageLine == 0) FailAt(guest.Line, "workload", "missing (required for guests without an 'image' line)");
                else FailAt(guest.Line, "guest", "guest '" + guest.Name + "' is not closed: add a line 'end' after its vcore lines");
                DropGuest(false);
            }
            if (!CheckCpus()) return result;
            lineNo = 0;
            if (!AssignPriorities(tasks, ntasks)) return result;
            w.Tasks = Trim(tasks, ntasks);
            w.Guests = Trim(guests, nguests);
            w.GuestErrors = Trim(guestErrors, nguestErrors);
            result.Ok = true;
            result.Workload = w;
            result.Line = 0;
            result.Field = "";
            result.Message = "";
            result.Error = "";
            return result;
        }

        /// <summary>
        /// After the whole file: every task's and vcore's cpu is below 'cpus N'
        /// when given.
        /// </summary>
        bool CheckCpus()
        {
            for (int i = 0; i < ntasks; i++)
            {
                TaskSpec t = tasks[i];
                if (w.Cpus > 0 && t.Cpu >= w.Cpus)
                    return FailAt(t.Line, "cpu", "cpu " + t.Cpu.ToString() + " is not below 'cpus " + w.Cpus.ToString() + "' (line " + w.CpusLine.ToString() + ")");
            }
            if (w.Cpus > 0)
                for (int g = 0; g < nguests; g++)
                    for (int v = 0; v < guests[g].Vcores.Length; v++)
                        if (guests[g].Vcores[v].Cpu >= w.Cpus)
                            return FailAt(guests[g].Vcores[v].Line, "cpu", "cpu " + guests[g].Vcores[v].Cpu.ToString() + " is not below 'cpus " + w.Cpus.ToString() + "' (line " + w.CpusLine.ToString() + ")");
            return true;
        }

        static T[] Trim<T>(T[] a, int n)
        {
            T[] r = new T[n];
            for (int i = 0; i < n; i++) r[i] = a[i];
            return r;
        }

        static T[] Grow<T>(T[] a)
        {
            T[] r = new T[a.Length * 2];
            for (int i = 0; i < a.Length; i++) r[i] = a[i];
            return r;
        }

        bool LoadLine(byte[] data, int start, int end)
        {
            if (end - start > chars.Length)
            {
                int cap = chars.Length;
                while (cap < end - start) cap *= 2;
                chars = new char[cap];
            }
            lineLen = 0;
            for (int i = start; i < end; i++)
            {
                byte b = data[i];
                if (b == (byte)'#') break;
                if (b == (byte)'\r' && i == end - 1) break;
                if (b == (byte)'\t') b = (byte)' ';
                if (b < 32 || b > 126)
                {
                    string col = (i - start + 1).ToString();
                    Fail("", "byte " + ((int)b).ToString() + " at column " + col + " is not printable ASCII");
                    result.Field = "column " + col;
                    return false;
                }
                chars[lineLen++] = (char)b;
            }
            return true;
        }

        /// <summary>Splits the line into its directive and key=value fields in one pass (linear in the
        /// line: a value that runs over several tokens is copied once, when the next key begins).</summary>
        bool Tokenize()
        {
            directive = null;
            rest = "";
            nfields = 0;
            int i = 0;
            while (i < lineLen && chars[i] == ' ') i++;
            if (i >= lineLen) return true;
            int s = i;
            while (i < lineLen && chars[i] != ' ' && chars[i] != '=') i++;
            directive = new string(chars, s, i - s);
            eqForm = i < lineLen && chars[i] == '=';
            if (eqForm) i++;
            // The rest of the line, spaces collapsed (for simple directives).
            rest = Collapse(i, lineLen);
            if (eqForm) return true; // "scheduler=edf": only simple directives allow it
            // key=value fields; tokens without '=' continue the previous value.
            int valFrom = -1, valTo = -1;
            while (i < lineLen)
            {
                while (i < lineLen && chars[i] == ' ') i++;
                if (i >= lineLen) break;
                int ts = i;
                while (i < lineLen && chars[i] != ' ') i++;
                int eq = -1;
                for (int k = ts; k < i; k++) if (chars[k] == '=') { eq = k; break; }
                if (eq == ts) return FailLine("expected key=value after '" + directive + "', got '" + new string(chars, ts, i - ts) + "'");
                if (eq < 0)
                {
                    if (nfields == 0) continue; // a word before any key=value: reported by CheckNoPositional
                    valTo = i;
                    continue;
                }
                if (nfields > 0) vals[nfields - 1] = Collapse(valFrom, valTo);
                string key = new string(chars, ts, eq - ts);
                for (int k = 0; k < nfields; k++)
                    if (keys[k] == key) return Fail(key, "given twice on this line");
                if (nfields >= MaxFields) return Fail(key, "too many fields on one line (at most " + MaxFields.ToString() + ")");
                keys[nfields] = key;
                vals[nfields] = "";
                nfields++;
                valFrom = eq + 1;
                valTo = i;
            }
            if (nfields > 0) vals[nfields - 1] = Collapse(valFrom, valTo);
            return true;
        }

        string Collapse(int from, int to)
        {
            while (from < to && chars[from] == ' ') from++;
            while (to > from && chars[to - 1] == ' ') to--;
            if (to <= from) return "";
            char[] tmp = new char[to - from];
            int n = 0;
            for (int k = from; k < to; k++)
            {
                if (chars[k] == ' ' && n > 0 && tmp[n - 1] == ' ') continue;
                tmp[n++] = chars[k];
            }
            return new string(tmp, 0, n);
        }

        /// <summary>Words before the first key=value (not allowed on field lines).</summary>
        bool CheckNoPositional()
        {
            // Find the first token of 'rest'; if it has no '=', it is a stray word.
            if (rest.Length == 0) return true;
            int e = 0;
            while (e < rest.Length && rest[e] != ' ') e++;
            bool hasEq = false;
            for (int k = 0; k < e; k++) if (rest[k] == '=') hasEq = true;
            if (hasEq) return true;
            return FailLine("expected key=value after '" + directive + "', got '" + rest.Substring(0, e) + "'");
        }

        bool Directive()
        {
            string d = directive;
            bool simple = d == "scheduler" || d == "duration" || d == "seed" || d == "share" || d == "floor" || d == "end" || d == "cpus" || d == "ipi-latency"
                || d == "image" || d == "memory" || d == "cmdline";
            if (!simple && eqForm) return FailLine("expected '" + d + " key=value ...', got '" + d + "=" + rest + "'");
            if (d == "workload" && !eqForm) return NestedWorkloadOpen();
            if (!simple && !CheckNoPositional()) return false;
            if (simple) return Simple(d);
            if (d == "periodic" || d == "aperiodic" || d == "background") return TaskLine(d);
            if (d == "guest") return GuestLine();
            if (d == "vcore") return VcoreLine();
            if (d == "overheads") return OverheadsLine();
            return FailLine("unknown directive '" + d + "' (expected scheduler, cpus, ipi-latency, duration, seed, share, floor, overheads, periodic, aperiodic, background, guest, vcore, image, memory, cmdline or end)");
        }

        // ------------------------------------------------------------ simple directives

        bool Simple(string d)
        {
            if (d == "end")
            {
                if (rest.Length != 0) return Fail("end", "takes no value, got '" + rest + "'");
                if (guest == null) return Fail("end", "'end' without an open guest block");
                return CloseGuest();
            }
            if (d == "image" || d == "memory" || d == "cmdline") return GuestSetting(d);
            if (guest != null) return Fail(d, "'" + d + "' is not allowed inside guest block '" + guest.Name + "' (line " + guest.Line.ToString() + "); close it with 'end' first");
            if (rest.Length == 0) return Fail(d, "missing value");
            if (d == "scheduler")
            {
                if (schedulerLine != 0) return Fail(d, "given twice (first on line " + schedulerLine.ToString() + ")");
                SchedulerKind k;
                if (!ParseScheduler(rest, out k)) return Fail(d, "expected priority, edf, cbs or gedf, got '" + rest + "'");
                w.Scheduler = k;
                w.SchedulerGiven = true;
                schedulerLine = lineNo;
                return true;
            }
            if (d == "duration")
            {
                if (durationLine != 0) return Fail(d, "given twice (first on line " + durationLine.ToString() + ")");
                long t;
                string e = ParseTime(rest, out t);
                if (e != null) return Fail(d, e);
                if (t <= 0) return Fail(d, "must be greater than 0, got '" + rest + "'");
                w.Duration = t;
                durationLine = lineNo;
                return true;
            }
            if (d == "cpus")
            {
                // The machine's CPUs for the host tasks: partitioned, each
                // task on its 'cpu' (< N); under gedf one cluster of N CPUs.
                if (cpusLine != 0) return Fail(d, "given twice (first on line " + cpusLine.ToString() + ")");
                ulong n;
                if (!ParseULong(rest, out n) || n < 1 || n > 256) return Fail(d, "expected a CPU count 1..256, got '" + rest + "'");
                w.Cpus = (int)n;
                w.CpusLine = lineNo;
                cpusLine = lineNo;
                return true;
            }
            if (d == "ipi-latency")
            {
                if (ipiLine != 0) return Fail(d, "given twice (first on line " + ipiLine.ToString() + ")");
                long t;
                string e = ParseTime(rest, out t);
                if (e != null) return Fail(d, e);
                if (t < 0 || t > 1000000000L) return Fail(d, "must be 0..1s, got '" + rest + "'");
                w.IpiLatency = t;
                ipiLine = lineNo;
                return true;
            }
            if (d == "floor")
            {
                // Lowers the period and budget floors for the tasks that
                // follow: a deliberate overload test of the kernel's run
                // control; the report says so.
                if (floorLine != 0) return Fail(d, "given twice (first on line " + floorLine.ToString() + ")");
                if (totalTasks > 0 || nguests > 0) return Fail(d, "must come before the first task and guest");
                long t;
                string e = ParseTime(rest, out t);
                if (e != null) return Fail(d, e);
                if (t <= 0) return Fail(d, "must be greater than 0, got '" + rest + "'");
                if (t > minPeriod && t > minBudget) return Fail(d, "can only lower the floors (period " + Format.Time(minPeriod) + ", budget " + Format.Time(minBudget) + "), got '" + rest + "'");
                if (t < minPeriod) minPeriod = t;
                if (t < minBudget) minBudget = t;
                w.FloorNs = t;
                w.FloorLine = lineNo;
                floorLine = lineNo;
                return true;
            }
            if (d == "seed")
            {
                if (seedLine != 0) return Fail(d, "given twice (first on line " + seedLine.ToString() + ")");
                ulong v;
                if (!ParseULong(rest, out v)) return Fail(d, "expected an unsigned decimal integer, got '" + rest + "'");
                w.Seed = v;
                seedLine = lineNo;
                return true;
            }
            // share
            if (shareLine != 0) return Fail(d, "given twice (first on line " + shareLine.ToString() + ")");
            long num, den;
            if (!ParsePercent(rest, out num, out den)) return Fail(d, "expected a percentage like 90% or 87.5%, got '" + rest + "'");
            if (num <= 0 || num > den) return Fail(d, "must be above 0% and at most 100%, got '" + rest + "'");
            w.ShareNum = num;
            w.ShareDen = den;
            shareLine = lineNo;
            return true;
        }

        static bool ParseScheduler(string s, out SchedulerKind k)
        {
            k = SchedulerKind.Priority;
            if (s == "priority") { k = SchedulerKind.Priority; return true; }
            if (s == "edf") { k = SchedulerKind.Edf; return true; }
            if (s == "cbs") { k = SchedulerKind.Cbs; return true; }
            if (s == "gedf") { k = SchedulerKind.Gedf; return true; }
            return false;
        }

        // ------------------------------------------------------------ fields

        int Find(string key)
        {
            for (int i = 0; i < nfields; i++) if (keys[i] == key) return i;
            return -1;
        }

        bool CheckKeys(string[] known, string what)
        {
            for (int i = 0; i < nfields; i++)
            {
                bool ok = false;
                for (int k = 0; k < known.Length; k++) if (known[k] == keys[i]) { ok = true; break; }
                if (!ok)
                {
                    string list = "";
                    for (int k = 0; k < known.Length; k++) list = k == 0 ? known[k] : list + ", " + known[k];
                    return Fail(keys[i], "unknown field for " + what + " (known: " + list + ")");
                }
            }
            return true;
        }

        bool Required(string key, string what, out string val)
        {
            int i = Find(key);
            val = i >= 0 ? vals[i] : null;
            if (i < 0) return Fail(key, "missing (required for " + what + ")");
            if (val.Length == 0) return Fail(key, "empty value");
            return true;
        }

        /// <summary>Reads an optional time field; present=false when absent.</summary>
        bool TimeField(string key, bool required, string what, long min, out long t, out bool present)
        {
            t = 0;
            present = false;
            int i = Find(key);
            if (i < 0)
            {
                if (required) return Fail(key, "missing (required for " + what + ")");
                return true;
            }
            present = true;
            string e = ParseTime(vals[i], out t);
            if (e != null) return Fail(key, e);
            if (t < min)
            {
                if (min == 1) return Fail(key, "must be greater than 0, got '" + vals[i] + "'");
                return Fail(key, "must be at least " + min.ToString() + "ns, got '" + vals[i] + "'");
            }
            return true;
        }

        bool IntField(string key, int min, int max, out int v, out bool present)
        {
            long l;
            bool ok = LongField(key, min, max, out l, out present);
            v = (int)l;
            return ok;
        }

        bool LongField(string key, long min, long max, out long v, out bool present)
        {
            v = 0;
            present = false;
            int i = Find(key);
            if (i < 0) return true;
            present = true;
            ulong u;
            if (!ParseULong(vals[i], out u) || u < (ulong)min || u > (ulong)max)
                return Fail(key, "expected an integer from " + min.ToString() + " to " + max.ToString() + ", got '" + vals[i] + "'");
            v = (long)u;
            return true;
        }

        /// <summary>A task's or server's period against the floor, in host time (a guest's task
        /// period is guest time: host = period x den / num).</summary>
        bool PeriodFloor(string key, long period)
        {
            long num = guest != null ? guest.DilationNum : 1, den = guest != null ? guest.DilationDen : 1;
            // period * den < floor * num, in 128 bits.
            if (WideMath.CompareProducts((ulong)period, (ulong)den, (ulong)minPeriod, (ulong)num) >= 0) return true;
            string host = num == den ? "" : " (host time at dilation " + num.ToString() + "/" + den.ToString() + ")";
            return Fail(key, "below the period floor " + Format.Time(minPeriod) + host + ", got '" + vals[Find(key)]
                + "' (shorter periods cost more in timer interrupts and switches than they leave)");
        }

        bool BudgetFloor(long budget)
        {
            long num = guest != null ? guest.DilationNum : 1, den = guest != null ? guest.DilationDen : 1;
            if (WideMath.CompareProducts((ulong)budget, (ulong)den, (ulong)minBudget, (ulong)num) >= 0) return true;
            return Fail("budget", "below the CBS budget floor " + Format.Time(minBudget) + ", got '" + vals[Find("budget")] + "'");
        }

        /// <summary>An error that fails the whole file even inside a guest block (limits).</summary>
        bool Fatal(string field, string message)
        {
            fatal = true;
            return Fail(field, message);
        }

        bool NameField(string what, out string name)
        {
            if (!Required("name", what, out name)) return false;
            if (name.Length > MaxNameLength) return Fail("name", "longer than " + MaxNameLength.ToString() + " characters: '" + name + "'");
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
                if (!ok) return Fail("name", "use letters, digits, '_', '-' and '.' only, got '" + name + "'");
            }
            return true;
        }

        bool Choice(string key, string a, string b, out int which, out bool present)
        {
            which = 0;
            present = false;
            int i = Find(key);
            if (i < 0) return true;
            present = true;
            if (vals[i] == a) { which = 0; return true; }
            if (vals[i] == b) { which = 1; return true; }
            return Fail(key, "expected " + a + " or " + b + ", got '" + vals[i] + "'");
        }

        // ------------------------------------------------------------ tasks

        bool TaskLine(string d)
        {
            TaskKind kind = d == "periodic" ? TaskKind.Periodic : d == "aperiodic" ? TaskKind.Aperiodic : TaskKind.Background;
            string what = d == "periodic" ? "periodic tasks" : d == "aperiodic" ? "aperiodic tasks" : "background tasks";
            if (guest != null && kind != TaskKind.Periodic)
                return FailLine("'" + d + "' is not allowed inside guest block '" + guest.Name + "' (a guest runs only periodic tasks)");
            if (guest != null && guest.Workload != GuestKind.Periodic)
                return FailLine("periodic tasks inside guest '" + guest.Name + "' need workload=periodic (it is " + WorkloadSpec.GuestKindName(guest.Workload) + ")");
            if (!CheckKeys(kind == TaskKind.Periodic ? PeriodicKeys : kind == TaskKind.Aperiodic ? AperiodicKeys : BackgroundKeys, "'" + d + "'"))
                return false;
            if (totalTasks >= WorkloadLimits.MaxTasks)
                return Fatal(d, "more than " + WorkloadLimits.MaxTasks.ToString() + " tasks in the file (host and guest tasks together)");
            totalTasks++;
            TaskSpec t = new TaskSpec();
            t.Kind = kind;
            t.Line = lineNo;
            if (!NameField(what, out t.Name)) return false;
            // Unique names (within the host, or within the guest).
            TaskSpec[] list = guest != null ? gtasks : tasks;
            int count = guest != null ? ngtasks : ntasks;
            for (int i = 0; i < count; i++)
                if (list[i].Name == t.Name) return Fail("name", "task '" + t.Name + "' already declared on line " + list[i].Line.ToString());

            bool present;
            long v;
            if (kind == TaskKind.Background)
            {
                if (!TimeField("wcet", false, what, 1, out v, out present)) return false;
                t.Wcet = v;
            }
            else
            {
                if (!TimeField("wcet", true, what, 1, out v, out present)) return false;
                t.Wcet = v;
            }

            if (kind == TaskKind.Periodic)
            {
                if (!TimeField("period", true, what, 1, out v, out present)) return false;
                t.Period = v;
                if (!PeriodFloor("period", t.Period)) return false;
                if (!TimeField("deadline", false, what, 1, out v, out present)) return false;
                t.Deadline = present ? v : t.Period;
                if (t.Deadline > t.Period)
                    return Fail("deadline", "must not exceed the period " + vals[Find("period")] + " (constrained deadlines), got '" + vals[Find("deadline")] + "'");
                if (!TimeField("phase", false, what, 0, out v, out present)) return false;
                t.Phase = v;
            }
            else if (kind == TaskKind.Aperiodic)
            {
                string arr;
                if (!Required("arrivals", what, out arr)) return false;
                if (!ParseArrivals(arr, t)) return false;
                if (!TimeField("deadline", false, what, 1, out v, out present)) return false;
                t.Deadline = v;
                if (!TimeField("period", false, what, 1, out v, out present)) return false;
                t.Period = v;
                if (present && !PeriodFloor("period", t.Period)) return false;
            }

            if (kind != TaskKind.Background)
            {
                if (!TimeField("budget", false, what, 1, out v, out present)) return false;
                t.Budget = v;
                if (present && !BudgetFloor(t.Budget)) return false;
                if (kind == TaskKind.Aperiodic && (t.Budget > 0) != (t.Period > 0))
                    return Fail(t.Budget > 0 ? "period" : "budget", "an aperiodic CBS server needs both budget and period");
                if (t.Budget > 0 && t.Budget > t.Period)
                    return Fail("budget", "must not exceed the period, got '" + vals[Find("budget")] + "'");
                int which;
                if (!Choice("overrun", "hard", "soft", out which, out present)) return false;
                t.Overrun = which == 0 ? OverrunMode.Hard : OverrunMode.Soft;
                if (present && t.Budget == 0) return Fail("overrun", "only meaningful with a budget");
                if (!TimeField("jitter", false, what, 0, out v, out present)) return false;
                t.Jitter = v;
                if (t.Jitter > t.Wcet) return Fail("jitter", "must not exceed wcet (jobs run between wcet - jitter and wcet), got '" + vals[Find("jitter")] + "'");
            }

            int work;
            if (!Choice("work", "cpu", "wall", out work, out present)) return false;
            t.Work = work == 0 ? WorkKind.Cpu : WorkKind.Wall;

            int p;
            if (!IntField("priority", 0, 255, out p, out present)) return false;
            t.PriorityGiven = present;
            t.Priority = present ? p : kind == TaskKind.Aperiodic ? DefaultAperiodicPriority : kind == TaskKind.Background ? DefaultBackgroundPriority : 0;
            if (kind != TaskKind.Periodic) t.PriorityGiven = true;

            int cpu;
            if (!IntField("cpu", 0, 255, out cpu, out present)) return false;
            if (guest != null && present) return Fail("cpu", "a guest's tasks run on its virtual cores; place the vcore instead");
            t.Cpu = cpu;
            t.CpuGiven = present;

            if (!TimeField("start", false, what, 0, out v, out present)) return false;
            if (present && guest != null) return Fail("start", "not supported for a guest's own tasks (start the guest's core later with the vcore's start)");
            t.Start = v;
            long jobs;
            if (!LongField("jobs", 1, WorkloadLimits.MaxJobs, out jobs, out present)) return false;
            if (present && guest != null) return Fail("jobs", "not supported for a guest's own tasks");
            t.Jobs = jobs;
            if (t.Budget > 0 && guest == null)
            {
                int servers = 0;
                for (int i = 0; i < ntasks; i++) if (tasks[i].Budget > 0 && tasks[i].Cpu == t.Cpu) servers++;
                if (servers >= WorkloadLimits.MaxCbsServers)
                    return Fail("budget", "more than " + WorkloadLimits.MaxCbsServers.ToString() + " tasks with a CBS budget on cpu " + t.Cpu.ToString());
            }

            if (guest != null)
            {
                if (ngtasks == gtasks.Length) gtasks = Grow(gtasks);
                gtasks[ngtasks++] = t;
            }
            else
            {
                if (ntasks == tasks.Length) tasks = Grow(tasks);
                tasks[ntasks++] = t;
            }
            return true;
        }

        /// <summary>Comma-separated times, non-decreasing, at most WorkloadLimits.MaxArrivalsPerTask
        /// (and MaxArrivals in the file). One pass, no copy per item.</summary>
        bool ParseArrivals(string s, TaskSpec t)
        {
            long[] a;
            string e = ParseTimeList(s, "arrivals", WorkloadLimits.MaxArrivalsPerTask, out a);
            if (e != null) return Fail("arrivals", e);
            if (totalArrivals + a.Length > WorkloadLimits.MaxArrivals)
                return Fail("arrivals", "more than " + WorkloadLimits.MaxArrivals.ToString() + " arrival times in the file ("
                    + totalArrivals.ToString() + " before this line, " + a.Length.ToString() + " on it)");
            totalArrivals += a.Length;
            t.Arrivals = a;
            return true;
        }

        /// <summary>A comma-separated list of non-decreasing times (at most max); null or the message.</summary>
        static string ParseTimeList(string s, string what, int max, out long[] a)
        {
            a = null;
            int count = 1;
            for (int i = 0; i < s.Length; i++) if (s[i] == ',') count++;
            if (count > max) return "more than " + max.ToString() + " times (" + count.ToString() + ")";
            long[] r = new long[count];
            int n = 0, start = 0;
            for (int i = 0; i <= s.Length; i++)
            {
                if (i < s.Length && s[i] != ',') continue;
                long v;
                string e = ParseTime(s, start, i, out v);
                if (e != null) return "item " + (n + 1).ToString() + ": " + e;
                if (n > 0 && v < r[n - 1]) return "times must not decrease: '" + TrimSpaces(s.Substring(start, i - start)) + "' after " + r[n - 1].ToString() + "ns";
                r[n++] = v;
                start = i + 1;
            }
            a = r;
            return null;
        }

        // ------------------------------------------------------------ guests

        bool GuestLine()
        {
            if (guest != null) return FailLine("guest '" + guest.Name + "' (line " + guest.Line.ToString() + ") is not closed: add 'end' before the next guest");
            // Every guest needs a core, so there are at most as many guests as cores; dropped guests count
            // too (their messages are kept).
            if (totalGuests >= WorkloadLimits.MaxGuestCores)
                return Fatal("guest", "more than " + WorkloadLimits.MaxGuestCores.ToString() + " guests in the file (each needs a guest core; at most "
                    + WorkloadLimits.MaxGuestCores.ToString() + " cores)");
            totalGuests++;
            if (!CheckKeys(GuestKeys, "'guest'")) return false;
            GuestSpec g = new GuestSpec();
            g.Line = lineNo;
            if (!NameField("guests", out g.Name)) return false;
            for (int i = 0; i < nguests; i++)
                if (guests[i].Name == g.Name) return Fail("name", "guest '" + g.Name + "' already declared on line " + guests[i].Line.ToString());
            // workload= may be left out when the block has an 'image' line (CloseGuest checks).
            string wl = null;
            guestWorkloadGiven = Find("workload") >= 0;
            if (guestWorkloadGiven && !Required("workload", "guests", out wl)) return false;
            if (!guestWorkloadGiven) g.Workload = GuestKind.Hog;
            else if (wl == "hog") g.Workload = GuestKind.Hog;
            else if (wl == "periodic") g.Workload = GuestKind.Periodic;
            else if (wl == "idle") g.Workload = GuestKind.Idle;
            else if (wl == "runaway") g.Workload = GuestKind.Runaway;
            else return Fail("workload", "expected hog, periodic, idle or runaway, got '" + wl + "'");
            g.DilationNum = 1;
            g.DilationDen = 1;
            int di = Find("dilation");
            if (di >= 0)
            {
                long num, den;
                if (!ParseRatio(vals[di], out num, out den)) return Fail("dilation", "expected a ratio like 2/1 or 1/2 (whole numbers 1 to 1000000), got '" + vals[di] + "'");
                g.DilationNum = num;
                g.DilationDen = den;
            }
            g.Scheduler = SchedulerKind.Edf;
            int si = Find("scheduler");
            if (si >= 0)
            {
                SchedulerKind k;
                if (!ParseScheduler(vals[si], out k) || k == SchedulerKind.Cbs || k == SchedulerKind.Gedf) return Fail("scheduler", "expected priority or edf, got '" + vals[si] + "'");
                if (g.Workload != GuestKind.Periodic) return Fail("scheduler", "only a periodic guest has its own scheduler");
                g.Scheduler = k;
            }
            guest = g;
            ngtasks = 0;
            ngvcores = 0;
            memoryLine = 0;
            cmdlineLine = 0;
            return true;
        }

        bool VcoreLine()
        {
            if (guest == null) return FailLine("'vcore' outside a guest block: put it between a 'guest' line and 'end'");
            if (totalVcores >= WorkloadLimits.MaxGuestCores)
                return Fatal("vcore", "more than " + WorkloadLimits.MaxGuestCores.ToString() + " guest cores in the file");
            totalVcores++;
            if (!CheckKeys(VcoreKeys, "'vcore'")) return false;
            VcoreSpec c = new VcoreSpec();
            c.Line = lineNo;
            bool present;
            int id;
            if (!IntField("id", 0, 255, out id, out present)) return false;
            c.VcpuId = present ? id : ngvcores;
            for (int i = 0; i < ngvcores; i++)
                if (gvcores[i].VcpuId == c.VcpuId) return Fail("id", "vcore " + c.VcpuId.ToString() + " already declared on line " + gvcores[i].Line.ToString());
            long v;
            if (!TimeField("period", true, "vcores", 1, out v, out present)) return false;
            c.Period = v;
            if (!TimeField("slice", true, "vcores", 1, out v, out present)) return false;
            c.Slice = v;
            if (c.Slice > c.Period) return Fail("slice", "must not exceed the period " + vals[Find("period")] + ", got '" + vals[Find("slice")] + "'");
            int which;
            if (!Choice("extra", "no", "yes", out which, out present)) return false;
            c.ExtraTime = which == 1;
            int cpu;
            if (!IntField("cpu", 0, 255, out cpu, out present)) return false;
            c.Cpu = cpu;
            if (!TimeField("start", false, "vcores", 0, out v, out present)) return false;
            c.Start = v;
            if (!CoreEvents(c)) return false;
            if (ngvcores == gvcores.Length) gvcores = Grow(gvcores);
            gvcores[ngvcores++] = c;
            return true;
        }

        /// <summary>remove=T1, T3, ... and add=T2, T4, ...: host times, start &lt; T1 &lt; T2 &lt; T3 ...; a core
        /// removed for good has one remove more than adds.</summary>
        bool CoreEvents(VcoreSpec c)
        {
            c.Remove = new long[0];
            c.Add = new long[0];
            int ri = Find("remove"), ai = Find("add");
            if (ri < 0 && ai < 0) return true;
            if (ri < 0) return Fail("add", "needs 'remove' (a core is added again after it was removed)");
            long[] r, a = new long[0];
            string e = ParseTimeList(vals[ri], "remove", WorkloadLimits.MaxCoreEvents, out r);
            if (e != null) return Fail("remove", e);
            if (ai >= 0)
            {
                e = ParseTimeList(vals[ai], "add", WorkloadLimits.MaxCoreEvents, out a);
                if (e != null) return Fail("add", e);
            }
            if (r.Length + a.Length > WorkloadLimits.MaxCoreEvents)
                return Fail("remove", "more than " + WorkloadLimits.MaxCoreEvents.ToString() + " remove and add times together");
            if (a.Length != r.Length && a.Length != r.Length - 1)
                return Fail("add", "needs as many times as 'remove' (" + r.Length.ToString() + ") or one fewer, got " + a.Length.ToString());
            long prev = c.Start;
            for (int k = 0; k < r.Length; k++)
            {
                if (r[k] <= prev)
                    return Fail("remove", "item " + (k + 1).ToString() + ": " + Format.Time(r[k]) + " must be after " + (k == 0 ? "the core's start " : "the add before it ") + Format.Time(prev));
                prev = r[k];
                if (k < a.Length)
                {
                    if (a[k] <= prev) return Fail("add", "item " + (k + 1).ToString() + ": " + Format.Time(a[k]) + " must be after remove item " + (k + 1).ToString() + " " + Format.Time(prev));
                    prev = a[k];
                }
            }
            c.Remove = r;
            c.Add = a;
            return true;
        }

        /// <summary>An error inside a guest block (its 'guest' line, a vcore or task line, its 'end'):
        /// keep the message, drop the guest, and skip to its 'end' when that line is still to come.</summary>
        void DropGuest(bool skipToEnd)
        {
            if (nguestErrors == guestErrors.Length) guestErrors = Grow(guestErrors);
            guestErrors[nguestErrors++] = result.Error;
            result.Ok = true;
            guest = null;
            gtasks = new TaskSpec[4];
            gvcores = new VcoreSpec[4];
            ngtasks = 0;
            ngvcores = 0;
            skippingGuest = skipToEnd;
            nestedBytes = null;
        }

        bool guestWorkloadGiven;
        int memoryLine, cmdlineLine;

        /// <summary>The guest block's 'image', 'memory' and 'cmdline' lines (README: "Real guests").</summary>
        bool GuestSetting(string d)
        {
            if (guest == null) return Fail(d, "'" + d + "' belongs inside a guest block (between its 'guest' line and 'end')");
            if (rest.Length == 0) return Fail(d, "missing value");
            if (d == "image")
            {
                if (guest.ImageLine != 0) return Fail(d, "given twice in guest '" + guest.Name + "' (first on line " + guest.ImageLine.ToString() + ")");
                GuestImage img;
                GuestKind model;
                if (!ParseImage(rest, out img, out model))
                    return Fail(d, "expected osprey, hog, runaway, idle, wild, fault, periodic, program-hog, program-idle, program-runaway or program-periodic, got '" + rest + "'");
                if (img == GuestImage.Program || img != GuestImage.Osprey)
                {
                    // program-X and the real images have a fixed model; workload= must agree.
                    if (guestWorkloadGiven && guest.Workload != model)
                        return Fail(d, "image " + rest + " runs as workload=" + WorkloadSpec.GuestKindName(model) + "; the guest line (line "
                            + guest.Line.ToString() + ") says workload=" + WorkloadSpec.GuestKindName(guest.Workload));
                    if (model == GuestKind.Periodic && img != GuestImage.Program) model = GuestKind.Idle;
                    guest.Workload = model;
                }
                else if (!guestWorkloadGiven) guest.Workload = GuestKind.Idle;
                guest.Image = img;
                guest.ImageLine = lineNo;
                return true;
            }
            if (d == "memory")
            {
                if (memoryLine != 0) return Fail(d, "given twice in guest '" + guest.Name + "' (first on line " + memoryLine.ToString() + ")");
                long bytes;
                if (!ParseSize(rest, out bytes)) return Fail(d, "expected a size like 4M, 512K or 1048576 (bytes), got '" + rest + "'");
                if (bytes < MinGuestMemory || bytes > MaxGuestMemory || bytes % 4096 != 0)
                    return Fail(d, "expected a multiple of 4K from 1M to 256M, got '" + rest + "'");
                guest.MemoryBytes = bytes;
                memoryLine = lineNo;
                return true;
            }
            if (cmdlineLine != 0) return Fail(d, "given twice in guest '" + guest.Name + "' (first on line " + cmdlineLine.ToString() + ")");
            guest.Cmdline = rest;
            cmdlineLine = lineNo;
            return true;
        }

        /// <summary>Guest RAM bounds of the 'memory' line.</summary>
        public const long MinGuestMemory = 1L << 20, MaxGuestMemory = 256L << 20;

        static bool ParseImage(string v, out GuestImage img, out GuestKind model)
        {
            img = GuestImage.Program;
            model = GuestKind.Hog;
            switch (v)
            {
                case "program-hog": model = GuestKind.Hog; return true;
                case "program-idle": model = GuestKind.Idle; return true;
                case "program-runaway": model = GuestKind.Runaway; return true;
                case "program-periodic": model = GuestKind.Periodic; return true;
                case "hog": img = GuestImage.Hog; model = GuestKind.Hog; return true;
                case "runaway": img = GuestImage.Runaway; model = GuestKind.Runaway; return true;
                case "idle": img = GuestImage.Idle; model = GuestKind.Idle; return true;
                case "periodic": img = GuestImage.Periodic; model = GuestKind.Periodic; return true;
                case "wild": img = GuestImage.Wild; model = GuestKind.Stops; return true;
                case "fault": img = GuestImage.Fault; model = GuestKind.Stops; return true;
                case "osprey": img = GuestImage.Osprey; model = GuestKind.Idle; return true;
            }
            return false;
        }

        /// <summary>"4M", "512K", "1G" (binary units) or plain bytes.</summary>
        static bool ParseSize(string v, out long bytes)
        {
            bytes = 0;
            if (v.Length == 0) return false;
            long mul = 1;
            int n = v.Length;
            char last = v[n - 1];
            if (last == 'K' || last == 'k') { mul = 1L << 10; n--; }
            else if (last == 'M' || last == 'm') { mul = 1L << 20; n--; }
            else if (last == 'G' || last == 'g') { mul = 1L << 30; n--; }
            if (n == 0 || n > 12) return false;
            long x = 0;
            for (int i = 0; i < n; i++)
            {
                char c = v[i];
                if (c < '0' || c > '9') return false;
                x = x * 10 + (c - '0');
            }
            if (x > (1L << 40) / mul) return false;
            bytes = x * mul;
            return true;
        }

        bool CloseGuest()
        {
            if (!guestWorkloadGiven && guest.ImageLine == 0)
                return FailOn(guest.Line, "workload", "missing (required for guests without an 'image' line)");
            if (memoryLine != 0 && !guest.RealImage)
                return FailOn(memoryLine, "memory", "guest '" + guest.Name + "' runs a synthetic program: 'memory' needs an image line with a real image (osprey, hog, ...)");
            if (cmdlineLine != 0 && guest.Image != GuestImage.Osprey)
                return FailOn(cmdlineLine, "cmdline", "guest '" + guest.Name + "': 'cmdline' is for image osprey only");
            if (guest.Image == GuestImage.Periodic && ngtasks > 0)
                return FailOn(guest.ImageLine, "image", "the periodic image runs its own job; give no periodic task lines in guest '" + guest.Name + "'");
            if (ngvcores == 0) return Fail("vcore", "guest '" + guest.Name + "' has no virtual cores: add a 'vcore' line before 'end'");
            if (guest.Workload == GuestKind.Periodic && ngtasks == 0)
                return Fail("workload", "guest '" + guest.Name + "' has workload=periodic but no 'periodic' task lines");
            if (!CheckNestedWorkload()) return false;
            int save = lineNo;
            if (!AssignPriorities(gtasks, ngtasks)) return false;
            lineNo = save;
            guest.Tasks = Trim(gtasks, ngtasks);
            guest.Vcores = Trim(gvcores, ngvcores);
            if (nguests == guests.Length) guests = Grow(guests);
            guests[nguests++] = guest;
            guest = null;
            gtasks = new TaskSpec[4];
            gvcores = new VcoreSpec[4];
            ngtasks = 0;
            ngvcores = 0;
            return true;
        }

        // ------------------------------------------------------------ priorities

        /// <summary>Periodic tasks: either all give a priority or none does; in the second case they get
        /// deadline-monotonic priorities AutoPriorityBase, +1, ... (shorter deadline, then shorter period,
        /// then earlier line = more urgent).</summary>
        bool AssignPriorities(TaskSpec[] list, int n)
        {
            int given = 0, periodic = 0;
            TaskSpec withP = null, without = null;
            for (int i = 0; i < n; i++)
            {
                if (list[i].Kind != TaskKind.Periodic) continue;
                periodic++;
                if (list[i].PriorityGiven) { given++; if (withP == null) withP = list[i]; }
                else if (without == null) without = list[i];
            }
            if (given != 0 && given != periodic)
                return FailAt(without.Line, "priority", "missing: task '" + withP.Name + "' (line " + withP.Line.ToString()
                    + ") gives one, so every periodic task must (or none, for deadline-monotonic priorities)");
            if (given != 0) return true;
            if (periodic > 255 - AutoPriorityBase)
            {
                int seen = 0, at = 0;
                for (int i = 0; i < n && at == 0; i++)
                    if (list[i].Kind == TaskKind.Periodic && ++seen == 255 - AutoPriorityBase + 1) at = list[i].Line;
                return FailAt(at, "priority", "too many periodic tasks (" + periodic.ToString() + ", at most "
                    + (255 - AutoPriorityBase).ToString() + ") for automatic priorities; give every one a priority");
            }
            for (int i = 0; i < n; i++)
            {
                TaskSpec a = list[i];
                if (a.Kind != TaskKind.Periodic) continue;
                int rank = 0;
                for (int j = 0; j < n; j++)
                {
                    TaskSpec b = list[j];
                    if (j == i || b.Kind != TaskKind.Periodic) continue;
                    if (b.Deadline < a.Deadline || (b.Deadline == a.Deadline && (b.Period < a.Period || (b.Period == a.Period && j < i))))
                        rank++;
                }
                a.Priority = AutoPriorityBase + rank;
            }
            return true;
        }

        // ------------------------------------------------------------ values

        static string TrimSpaces(string s)
        {
            int a = 0, b = s.Length;
            while (a < b && s[a] == ' ') a++;
            while (b > a && s[b - 1] == ' ') b--;
            return s.Substring(a, b - a);
        }

        static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

        public static bool ParseULong(string s, out ulong v)
        {
            v = 0;
            if (s == null || s.Length == 0 || s.Length > 20) return false;
            for (int i = 0; i < s.Length; i++)
            {
                if (!IsDigit(s[i])) return false;
                ulong d = (ulong)(s[i] - '0');
                if (v > (ulong.MaxValue - d) / 10) return false;
                v = v * 10 + d;
            }
            return true;
        }

        /// <summary>Parses "10ms", "1.5 s", "250us", "40ns", or "0". Returns null on success or the
        /// error message (without line/field). A value above MaxTime (2^60 ns) is refused, never wrapped.</summary>
        public static string ParseTime(string s, out long ns)
        {
            ns = 0;
            if (s == null) return "expected a time like 10ms, got nothing";
            return ParseTime(s, 0, s.Length, out ns);
        }

        /// <summary>ParseTime on s[from, to) (spaces around it ignored); allocates only an error message.</summary>
        public static string ParseTime(string s, int from, int to, out long ns)
        {
            ns = 0;
            while (from < to && s[from] == ' ') from++;
            while (to > from && s[to - 1] == ' ') to--;
            if (to <= from) return "expected a time like 10ms, got nothing";
            int i = from;
            long whole = 0;
            int wholeDigits = 0;
            while (i < to && IsDigit(s[i]))
            {
                // whole <= MaxTime / 10 keeps whole * 10 + 9 within 64 bits.
                if (whole > MaxTime / 10) return "time '" + s.Substring(from, to - from) + "' is too large (at most 2^60 ns)";
                whole = whole * 10 + (s[i] - '0');
                wholeDigits++;
                i++;
            }
            if (wholeDigits == 0) return BadTime(s, from, to);
            long frac = 0, fracScale = 1;
            if (i < to && s[i] == '.')
            {
                i++;
                int fd = 0;
                while (i < to && IsDigit(s[i]))
                {
                    if (fd >= 9) return "time '" + s.Substring(from, to - from) + "' has more than 9 decimals";
                    frac = frac * 10 + (s[i] - '0');
                    fracScale *= 10;
                    fd++;
                    i++;
                }
                if (fd == 0) return BadTime(s, from, to);
            }
            while (i < to && s[i] == ' ') i++;
            int ul = to - i;
            long mul;
            if (ul == 2 && s[i] == 'n' && s[i + 1] == 's') mul = 1;
            else if (ul == 2 && s[i] == 'u' && s[i + 1] == 's') mul = 1000;
            else if (ul == 2 && s[i] == 'm' && s[i + 1] == 's') mul = 1000000;
            else if (ul == 1 && s[i] == 's') mul = 1000000000;
            else if (ul == 0 && whole == 0 && frac == 0) { ns = 0; return null; }
            else return BadTime(s, from, to);
            if (whole > MaxTime / mul) return "time '" + s.Substring(from, to - from) + "' is too large (at most 2^60 ns)";
            long f = frac * mul;
            if (f % fracScale != 0) return "time '" + s.Substring(from, to - from) + "' is not a whole number of nanoseconds";
            ns = whole * mul + f / fracScale;
            if (ns > MaxTime) { ns = 0; return "time '" + s.Substring(from, to - from) + "' is too large (at most 2^60 ns)"; }
            return null;
        }

        static string BadTime(string s, int from, int to)
        {
            return "expected a time like 10ms, got '" + s.Substring(from, to - from) + "'";
        }

        static bool ParseRatio(string s, out long num, out long den)
        {
            num = 0; den = 1;
            int slash = -1;
            for (int i = 0; i < s.Length; i++) if (s[i] == '/') { slash = i; break; }
            ulong a, b = 1;
            if (slash < 0)
            {
                if (!ParseULong(TrimSpaces(s), out a)) return false;
            }
            else
            {
                if (!ParseULong(TrimSpaces(s.Substring(0, slash)), out a)) return false;
                if (!ParseULong(TrimSpaces(s.Substring(slash + 1, s.Length - slash - 1)), out b)) return false;
            }
            if (a < 1 || a > 1000000 || b < 1 || b > 1000000) return false;
            num = (long)a;
            den = (long)b;
            return true;
        }

        /// <summary>"90%" -> 90/100, "87.5%" -> 875/1000 (up to 6 decimals).</summary>
        static bool ParsePercent(string s, out long num, out long den)
        {
            num = 0; den = 100;
            s = TrimSpaces(s);
            if (s.Length < 2 || s[s.Length - 1] != '%') return false;
            s = TrimSpaces(s.Substring(0, s.Length - 1));
            int i = 0;
            long v = 0;
            int digits = 0;
            while (i < s.Length && IsDigit(s[i])) { v = v * 10 + (s[i] - '0'); i++; digits++; if (digits > 3) return false; }
            if (digits == 0) return false;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                int fd = 0;
                while (i < s.Length && IsDigit(s[i])) { v = v * 10 + (s[i] - '0'); den *= 10; i++; fd++; if (fd > 6) return false; }
                if (fd == 0) return false;
            }
            if (i != s.Length) return false;
            num = v;
            return true;
        }
    }
}
