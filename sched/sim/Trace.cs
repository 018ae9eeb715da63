using System.Collections.Generic;
using System.IO;

namespace Osprey.Sched.Sim
{
    /// <summary>Event kinds of the trace format (sched/README.md, "Simulator").</summary>
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

    public struct TraceEvent
    {
        public long Time;
        public int Cpu;
        public long Seq;
        public string Kind;
        public string Thread;
        public string Extra;

        public override string ToString()
        {
            string s = Time.ToString() + " " + Cpu.ToString() + " " + Kind + " " + Thread;
            return string.IsNullOrEmpty(Extra) ? s : s + " " + Extra;
        }
    }

    /// <summary>Collects events of every CPU; Write sorts them by (time, cpu, order of occurrence).</summary>
    public sealed class TraceLog
    {
        public readonly List<TraceEvent> Events = new List<TraceEvent>();
        long seq;

        public void Add(long time, int cpu, string kind, string thread, string extra)
        {
            TraceEvent e;
            e.Time = time; e.Cpu = cpu; e.Seq = seq++; e.Kind = kind; e.Thread = thread; e.Extra = extra;
            Events.Add(e);
        }

        public void Sort()
        {
            Events.Sort((a, b) =>
            {
                int c = a.Time.CompareTo(b.Time);
                if (c != 0) return c;
                c = a.Cpu.CompareTo(b.Cpu);
                return c != 0 ? c : a.Seq.CompareTo(b.Seq);
            });
        }

        public void Write(TextWriter w, string source)
        {
            Sort();
            w.WriteLine("# osprey-trace 1");
            if (source != null) w.WriteLine("# source " + source);
            w.WriteLine("# time_ns cpu event thread [key=value ...]");
            foreach (TraceEvent e in Events) w.WriteLine(e.ToString());
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
