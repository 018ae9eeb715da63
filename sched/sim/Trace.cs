using System.Collections.Generic;
using System.IO;
using Osprey.Sched.Tracing;

namespace Osprey.Sched.Sim
{
    /// <summary>Event names of the trace format (sched/README.md, "Trace format").</summary>
    public static class TraceKind
    {
        public const string Release = "release";
        public const string SwitchIn = "switch_in";
        public const string SwitchOut = "switch_out";
        public const string Block = "block";
        public const string Unblock = "unblock";
        public const string DeadlineMiss = "deadline_miss";
        public const string BudgetExhausted = "budget_exhausted";
        public const string PeriodExpiry = "period_expiry";
        public const string Complete = "complete";
    }

    /// <summary>One event as text fields (Extra: the key=value part).</summary>
    public struct TraceEvent
    {
        public long Time;
        public int Cpu;
        public long Seq;
        public string Kind;
        /// <summary>Thread name ("-" for none).</summary>
        public string Thread;
        public int ThreadId;
        public string Extra;
        public TraceEntry Entry;

        public override string ToString()
        {
            string s = Time.ToString() + " " + Cpu.ToString() + " " + Kind + " " + Thread;
            return string.IsNullOrEmpty(Extra) ? s : s + " " + Extra;
        }
    }

    /// <summary>
    /// A simulated CPU's ring: the portable TraceRing, which never drops here
    /// because a full ring moves its entries to a list.
    /// </summary>
    public sealed class SimTraceRing : TraceRing
    {
        public const int Chunk = 4096;
        public readonly List<TraceEntry> Spilled = new List<TraceEntry>();

        public SimTraceRing(int cpu, Platform clock) : base(cpu, Chunk, TraceOverflow.DropNewest, clock) { }

        protected override bool MakeRoom()
        {
            TraceEntry e;
            for (int i = 0; i < Count; i++)
            {
                Get(i, out e);
                Spilled.Add(e);
            }
            Clear();
            return true;
        }

        public long Total { get { return Spilled.Count + Count; } }

        public IEnumerable<TraceEntry> All()
        {
            foreach (TraceEntry e in Spilled) yield return e;
            TraceEntry x;
            for (int i = 0; i < Count; i++)
            {
                Get(i, out x);
                yield return x;
            }
        }
    }

    /// <summary>
    /// The simulator's trace: one ring per CPU, attached to that CPU's core
    /// (which records switches, blocks, unblocks, releases, period expiries
    /// and budget overruns itself), plus the events only the simulator knows
    /// (job completions, deadline misses, releases of jobs the core does not
    /// release). Written in the same format as the kernel's dump.
    /// </summary>
    public sealed class TraceLog
    {
        readonly List<SimTraceRing> rings = new List<SimTraceRing>();
        List<TraceEvent> events;
        long builtFrom = -1;

        /// <summary>A new ring for cpu, attached to core (before its threads are added: they register their names).</summary>
        public TraceRing Attach(SchedCore core, int cpu, Platform clock)
        {
            var r = new SimTraceRing(cpu, clock);
            rings.Add(r);
            core.Trace = r;
            return r;
        }

        TraceRing RingOf(int cpu)
        {
            foreach (SimTraceRing r in rings) if (r.Cpu == cpu) return r;
            return null;
        }

        /// <summary>
        /// True for events the core records itself: switches, blocks,
        /// unblocks, period expiries, budget overruns, and releases of jobs
        /// released through SchedCore.ReleaseJob (coreReleases).
        /// </summary>
        public static bool FromCore(string kind, bool coreReleases)
        {
            switch (kind)
            {
                case TraceKind.SwitchIn:
                case TraceKind.SwitchOut:
                case TraceKind.Block:
                case TraceKind.Unblock:
                case TraceKind.PeriodExpiry:
                case TraceKind.BudgetExhausted:
                    return true;
                case TraceKind.Release:
                    return coreReleases;
            }
            return false;
        }

        /// <summary>
        /// A simulator event (release, complete, deadline_miss) with its
        /// fields as text ("job=K deadline=D", "job=K response=R"), stored in
        /// cpu's ring. Other kinds come from the core and are ignored here.
        /// </summary>
        public void Add(long time, int cpu, string kind, SchedThread t, string extra)
        {
            TraceRing r = RingOf(cpu);
            if (r == null || t == null) return;
            long job = Field(extra, "job", 0);
            switch (kind)
            {
                case TraceKind.Release:
                    r.Add(time, TraceEventKind.Release, t.Id, 0, job, Field(extra, "deadline", long.MaxValue));
                    break;
                case TraceKind.Complete:
                    r.Add(time, TraceEventKind.Complete, t.Id, 0, job, Field(extra, "response", 0));
                    break;
                case TraceKind.DeadlineMiss:
                    r.Add(time, TraceEventKind.DeadlineMiss, t.Id, 0, job, Field(extra, "deadline", long.MaxValue));
                    break;
            }
        }

        static long Field(string extra, string key, long missing)
        {
            if (extra == null) return missing;
            foreach (string kv in extra.Split(' '))
            {
                if (kv.Length > key.Length && kv[key.Length] == '=' && kv.StartsWith(key, System.StringComparison.Ordinal))
                {
                    long v;
                    if (long.TryParse(kv.Substring(key.Length + 1), out v)) return v;
                }
            }
            return missing;
        }

        /// <summary>Every event of every CPU, sorted by (time, cpu, order of recording).</summary>
        public List<TraceEvent> Events
        {
            get
            {
                long total = 0;
                foreach (SimTraceRing r in rings) total += r.Accepted;
                if (events == null || total != builtFrom) Build(total);
                return events;
            }
        }

        void Build(long total)
        {
            var list = new List<TraceEvent>();
            char[] buf = new char[TraceFormat.MaxLine];
            long seq = 0;
            foreach (SimTraceRing r in rings)
            {
                foreach (TraceEntry x in r.All())
                {
                    TraceEntry e = x;
                    TraceEvent ev;
                    ev.Time = e.Time;
                    ev.Cpu = r.Cpu;
                    ev.Seq = seq++;
                    ev.Kind = TraceFormat.KindName(e.Kind);
                    ev.ThreadId = e.Thread;
                    ev.Thread = e.Thread == TraceRing.NoThread ? "-" : (r.NameOf(e.Thread) ?? e.Thread.ToString());
                    int n = TraceFormat.Args(buf, 0, ref e);
                    ev.Extra = n == 0 ? "" : new string(buf, 1, n - 1);
                    ev.Entry = e;
                    list.Add(ev);
                }
            }
            list.Sort((a, b) =>
            {
                int c = a.Time.CompareTo(b.Time);
                if (c != 0) return c;
                c = a.Cpu.CompareTo(b.Cpu);
                return c != 0 ? c : a.Seq.CompareTo(b.Seq);
            });
            events = list;
            builtFrom = total;
        }

        /// <summary>The trace in the text format (sched/README.md, "Trace format").</summary>
        public void Write(TextWriter w, string source)
        {
            List<TraceEvent> all = Events;
            char[] buf = new char[TraceFormat.MaxLine];
            w.WriteLine(TraceFormat.Magic);
            if (source != null) w.WriteLine(buf, 0, TraceFormat.Source(buf, source));
            foreach (SimTraceRing r in rings)
                for (int i = 0; i < r.NameCount; i++)
                    w.WriteLine(buf, 0, TraceFormat.Thread(buf, r.Cpu, r.NameIdAt(i), r.NameAt(i)));
            w.WriteLine(TraceFormat.Columns);
            foreach (TraceEvent ev in all)
            {
                TraceEntry e = ev.Entry;
                w.WriteLine(buf, 0, TraceFormat.Event(buf, ev.Cpu, ref e));
            }
            foreach (SimTraceRing r in rings)
                w.WriteLine(buf, 0, TraceFormat.Dropped(buf, r.Cpu, r.Dropped, r.Total, 0, r.Overflow));
            w.WriteLine(TraceFormat.End);
        }

        public int Count(string kind, string thread)
        {
            int n = 0;
            foreach (TraceEvent e in Events)
                if (e.Kind == kind && (thread == null || e.Thread == thread)) n++;
            return n;
        }
    }
}
