// Seeded random workloads at the overhead-aware admission limit, for the
// property test "every set the analysis admits runs without a miss" (the
// kernel's props suite runs them; host tests check the generator and the
// analysis on the same sets). Portable: no BCL beyond strings and arrays.
using Osprey.Sched.Analysis;

namespace Osprey.Sched.Workload
{
    public enum RandomSetKind { FpImplicit = 0, FpConstrained = 1, EdfImplicit = 2, EdfConstrained = 3, GuestCores = 4 }

    public static class RandomSets
    {
        const long Us = 1000, Ms = 1000000;
        /// <summary>Periods drawn from (ns): short, so a run of two of the longest stays at 20 ms.</summary>
        public static readonly long[] Periods = { 1 * Ms, 2 * Ms, 2500 * Us, 3 * Ms, 4 * Ms, 5 * Ms, 6 * Ms, 8 * Ms, 10 * Ms };
        static readonly long[] CorePeriods = { 1 * Ms, 2 * Ms, 4 * Ms, 5 * Ms, 10 * Ms };
        /// <summary>Priority of the background load (below every periodic task).</summary>
        public const int BackgroundPriority = 250;
        /// <summary>Steps of the bisection on the total utilization (resolution 2^-12).</summary>
        const int SearchSteps = 12;

        public static string KindName(RandomSetKind k)
        {
            if (k == RandomSetKind.FpImplicit) return "priority, implicit deadlines";
            if (k == RandomSetKind.FpConstrained) return "priority, constrained deadlines";
            if (k == RandomSetKind.EdfImplicit) return "edf, implicit deadlines";
            if (k == RandomSetKind.EdfConstrained) return "edf, constrained deadlines";
            return "guest cores";
        }

        static ulong Mix(ulong x)
        {
            x ^= x >> 30; x *= 0xBF58476D1CE4E5B9UL;
            x ^= x >> 27; x *= 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }

        sealed class Rng
        {
            ulong s;
            public Rng(ulong seed, int index) { s = Mix(seed * 0x9E3779B97F4A7C15UL + (ulong)index + 1); if (s == 0) s = 1; }
            public ulong Next() { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
            public int Int(int bound) { return (int)((Next() >> 1) % (ulong)bound); }
            /// <summary>Uniform in [0, 1) in parts per 2^20.</summary>
            public long Frac20() { return (long)(Next() >> 44); }
        }

        /// <summary>
        /// Set number `index` of the sequence `seed`: a workload of the kind, every
        /// periodic task (or guest core) at the admission limit of the overhead-aware
        /// analysis with overheads o (three sets in four; the fourth at 80-100% of it),
        /// beside a background task that soaks up the idle time. Null when no
        /// utilization admits the drawn shape (then the caller counts it as skipped).
        /// </summary>
        public static WorkloadSpec Make(ulong seed, int index, RandomSetKind kind, Overheads o)
        {
            Rng r = new Rng(seed, index);
            WorkloadSpec w = new WorkloadSpec();
            w.Seed = seed + (ulong)index;
            w.ShareNum = 1; w.ShareDen = 1;
            w.Guests = new GuestSpec[0];
            w.Overheads = o;
            w.SchedulerGiven = true;
            if (kind == RandomSetKind.GuestCores) return Guests(w, r, o, index % 4 == 3) ? w : null;
            bool fp = kind == RandomSetKind.FpImplicit || kind == RandomSetKind.FpConstrained;
            bool constrained = kind == RandomSetKind.FpConstrained || kind == RandomSetKind.EdfConstrained;
            w.Scheduler = fp ? SchedulerKind.Priority : SchedulerKind.Edf;
            int n = 2 + r.Int(5);
            long[] weight = Weights(r, n);
            TaskSpec[] tasks = new TaskSpec[n + 1];
            long maxT = 0;
            for (int i = 0; i < n; i++)
            {
                TaskSpec t = new TaskSpec();
                t.Name = "t" + i.ToString();
                t.Kind = TaskKind.Periodic;
                t.Period = Periods[r.Int(Periods.Length)];
                // Constrained: D in [0.6 T, T], on a 10 us grid.
                t.Deadline = constrained ? (t.Period * (600 + r.Int(401)) / 1000) / (10 * Us) * (10 * Us) : t.Period;
                if (t.Period > maxT) maxT = t.Period;
                tasks[i] = t;
            }
            // Deadline-monotonic priorities 10, 11, ... (ties by index).
            for (int i = 0; i < n; i++)
            {
                int rank = 0;
                for (int j = 0; j < n; j++)
                    if (tasks[j].Deadline < tasks[i].Deadline || (tasks[j].Deadline == tasks[i].Deadline && j < i)) rank++;
                tasks[i].Priority = 10 + rank;
                tasks[i].PriorityGiven = true;
            }
            TaskSpec bg = new TaskSpec();
            bg.Name = "bg"; bg.Kind = TaskKind.Background; bg.Priority = BackgroundPriority; bg.PriorityGiven = true;
            tasks[n] = bg;
            w.Tasks = tasks;
            // The largest total utilization (of 2^20) whose costs the analysis admits.
            long lo = 0, hi = 1L << 20;
            if (!Admits(w, weight, hi, o))
            {
                if (!Admits(w, weight, 1L << 12, o)) return null;
                lo = 1L << 12;
                for (int s = 0; s < SearchSteps; s++)
                {
                    long mid = (lo + hi) / 2;
                    if (Admits(w, weight, mid, o)) lo = mid; else hi = mid;
                }
            }
            else lo = hi;
            if (index % 4 == 3) lo = lo * (819 + r.Int(205)) / 1024;   // 80-100% of the limit
            SetCosts(w, weight, lo);
            if (!Admits(w, weight, lo, o)) return null;
            w.Duration = 2 * maxT;
            return w;
        }

        /// <summary>UUniFast-style weights in parts of 2^20, summing to 2^20 (each at least 1/64 of it).</summary>
        static long[] Weights(Rng r, int n)
        {
            long[] w = new long[n];
            long total = 0;
            for (int i = 0; i < n; i++) { w[i] = (1L << 14) + r.Frac20(); total += w[i]; }
            long sum = 0;
            for (int i = 0; i < n; i++) { w[i] = w[i] * (1L << 20) / total; sum += w[i]; }
            w[0] += (1L << 20) - sum;
            return w;
        }

        static void SetCosts(WorkloadSpec w, long[] weight, long u20)
        {
            for (int i = 0; i < weight.Length; i++)
            {
                TaskSpec t = w.Tasks[i];
                // C = T x weight x U, both in parts of 2^20 (products below 2^63: T <= 10 ms).
                long c = t.Period / 1024 * weight[i] / 1024 * u20 / (1L << 20);
                if (c < 1 * Us) c = 1 * Us;
                t.Wcet = c;
            }
        }

        static bool Admits(WorkloadSpec w, long[] weight, long u20, Overheads o)
        {
            SetCosts(w, weight, u20);
            for (int i = 0; i < weight.Length; i++) if (w.Tasks[i].Wcet > w.Tasks[i].Deadline) return false;
            return Accepted(w, o);
        }

        /// <summary>Does the overhead-aware analysis (the kernel's) admit the periodic tasks of w on cpu 0?</summary>
        public static bool Accepted(WorkloadSpec w, Overheads o)
        {
            AnalysisResult res = new AnalysisResult(2 * w.Tasks.Length + 2);
            OverheadAnalysis.AnalyzeCpu(w, w.Scheduler, 0, o, res);
            return res.Accepted;
        }

        /// <summary>
        /// Guest cores (hog guests, one core each, no extra time) whose slices plus
        /// the per-period overhead fill the share: slice_i + PerReservationNs =
        /// floor(share_i x P_i) with the shares summing to at most 1 (to 80-100%
        /// in one set of four), so the guest-core admission takes every one.
        /// </summary>
        static bool Guests(WorkloadSpec w, Rng r, Overheads o, bool below)
        {
            w.Scheduler = SchedulerKind.Edf;
            int k = 2 + r.Int(7);
            long[] weight = Weights(r, k);
            long u20 = 1L << 20;
            if (below) u20 = u20 * (819 + r.Int(205)) / 1024;
            GuestSpec[] g = new GuestSpec[k];
            long maxP = 0;
            long ovh = o.PerReservationNs;
            for (int i = 0; i < k; i++)
            {
                VcoreSpec v = new VcoreSpec();
                v.VcpuId = 0;
                v.Period = CorePeriods[r.Int(CorePeriods.Length)];
                long share = v.Period / 1024 * weight[i] / 1024 * u20 / (1L << 20);
                v.Slice = share - ovh;
                if (v.Slice < VcoreLimits.DefaultMinSliceNs) return false;
                if (v.Period > maxP) maxP = v.Period;
                GuestSpec gs = new GuestSpec();
                gs.Name = "g" + i.ToString();
                gs.DilationNum = 1; gs.DilationDen = 1;
                gs.Workload = GuestKind.Hog;
                gs.Scheduler = SchedulerKind.Edf;
                gs.Tasks = new TaskSpec[0];
                gs.Vcores = new VcoreSpec[] { v };
                g[i] = gs;
            }
            TaskSpec bg = new TaskSpec();
            bg.Name = "bg"; bg.Kind = TaskKind.Background; bg.Priority = BackgroundPriority; bg.PriorityGiven = true;
            w.Tasks = new TaskSpec[] { bg };
            w.Guests = g;
            w.Duration = 4 * maxP;
            return true;
        }

        /// <summary>The workload as a file (sched/README.md format) that parses back to the same set;
        /// the overheads line carries the figures the set was admitted with.</summary>
        public static string ToText(WorkloadSpec w, string title)
        {
            string s = "# " + title + "\n";
            s += "scheduler " + WorkloadSpec.SchedulerName(w.Scheduler) + "\n";
            s += "duration " + w.Duration.ToString() + "ns\n";
            s += "seed " + w.Seed.ToString() + "\n";
            Overheads o = w.Overheads;
            if (!o.IsZero)
                s += "overheads release=" + o.ReleaseNs.ToString() + "ns decision=" + o.DecisionNs.ToString() + "ns switch=" + o.SwitchNs.ToString()
                    + "ns timer-entry=" + o.TimerEntryNs.ToString() + "ns timer-exit=" + o.TimerExitNs.ToString() + "ns\n";
            for (int i = 0; i < w.Tasks.Length; i++)
            {
                TaskSpec t = w.Tasks[i];
                if (t.Kind == TaskKind.Background) { s += "background name=" + t.Name + " priority=" + t.Priority.ToString() + "\n"; continue; }
                s += "periodic name=" + t.Name + " wcet=" + t.Wcet.ToString() + "ns period=" + t.Period.ToString() + "ns deadline="
                    + t.Deadline.ToString() + "ns priority=" + t.Priority.ToString() + "\n";
            }
            for (int i = 0; i < w.Guests.Length; i++)
            {
                GuestSpec g = w.Guests[i];
                s += "guest name=" + g.Name + " workload=" + WorkloadSpec.GuestKindName(g.Workload) + "\n";
                for (int k = 0; k < g.Vcores.Length; k++)
                    s += "  vcore id=" + g.Vcores[k].VcpuId.ToString() + " period=" + g.Vcores[k].Period.ToString() + "ns slice="
                        + g.Vcores[k].Slice.ToString() + "ns extra=" + (g.Vcores[k].ExtraTime ? "yes" : "no") + "\n";
                s += "end\n";
            }
            return s;
        }
    }
}
