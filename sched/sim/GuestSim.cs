using System;
using System.Collections.Generic;
using System.IO;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Sched.Sim
{
    /// <summary>Guest-core results of a simulation (SimResult.Guests).</summary>
    public sealed class GuestSimResult
    {
        /// <summary>Per physical CPU with guest cores: its scheduler (share, admitted cores).</summary>
        public readonly SortedDictionary<int, VcoreScheduler> Cpus = new SortedDictionary<int, VcoreScheduler>();
        /// <summary>Every admitted core, in file order.</summary>
        public readonly List<Vcore> Cores = new List<Vcore>();
        /// <summary>Refused cores: the admission message (line, field, share asked and left).</summary>
        public readonly List<string> Rejected = new List<string>();
        /// <summary>Cores started later, removed and added again (vcore start, remove, add): one line per
        /// event, "at TIME: ...", in time order per CPU.</summary>
        public readonly List<string> Events = new List<string>();
        public long Removals, Additions, RefusedAdditions;
        public long Elapsed;
        /// <summary>Per physical CPU with host tasks: its switches and idle time (its own table's total
        /// when host tasks run on several CPUs).</summary>
        public readonly SortedDictionary<int, long[]> HostCpus = new SortedDictionary<int, long[]>();

        public Vcore Core(string name)
        {
            foreach (Vcore v in Cores) if (v.Name == name) return v;
            return null;
        }
    }

    /// <summary>
    /// One CPU of a workload with guests: the host-task engine (HostTaskSim)
    /// on a SchedCore with the "vcore" scheduler; host tasks as in the plain
    /// simulator (EDF rules: jobs by deadline, background threads by
    /// priority), guest cores run by VcoreThreads (the kernel's vcore thread
    /// body in discrete time). Unlike CpuSim: no CBS servers; constrained
    /// deadlines by re-keying each job (FixDeadline); periods without an
    /// expiry hook, so releases and the most postponed jobs of periodic and
    /// background tasks are settled in Finish.
    /// </summary>
    /// <summary>One 'vcore' line of the file: the core admitted now (an incarnation: a removed core that is
    /// added again is a fresh core, booted anew), and its timeline (start, remove, add).</summary>
    sealed class CorePlan
    {
        public GuestSpec Guest;
        public int Index, GuestIndex;
        public VcoreSpec Spec;
        public Vcore Current;
        public ulong Seed;
    }

    sealed class GuestCpuSim : HostTaskSim
    {
        public readonly VcoreScheduler Vs;
        readonly List<VcoreThread> vthreads = new List<VcoreThread>();
        readonly List<CorePlan> plans;
        readonly List<string> rejected, admitted_events;
        readonly List<Vcore> admitted;
        readonly GuestSimResult result;
        int nextThreadId;

        public GuestCpuSim(int cpu, WorkloadSpec w, List<TaskSpec> specs, List<TaskStats> stats, List<CorePlan> plans, long end,
            SimOptions o, List<string> notes, GuestSimResult result, List<Vcore> admitted)
            : base(cpu, end, o)
        {
            this.plans = plans;
            this.result = result;
            rejected = result.Rejected;
            admitted_events = result.Events;
            this.admitted = admitted;
            // One table size for the kernel and the simulator: the parser admits at most this many cores in a file.
            Vs = new VcoreScheduler(WorkloadLimits.MaxGuestCores);
            AttachCore(new SchedCore(platform, Vs, null));
            edfKeys = true;
            if (Vs.SetShare(w.ShareNum, w.ShareDen) != VcoreStatus.Ok) Error = "bad share " + w.ShareNum + "/" + w.ShareDen;
            AddTasks(w, specs, stats, notes);
            Vs.ReservationOverheadNs = overheads.PerReservationNs;
            nextThreadId = specs.Count + 1;
            // Cores that start at 0 are admitted in file order before the run, then all started at 0 (periods
            // and virtual clocks aligned); later starts, removals and additions are events of the run.
            var first = new List<VcoreThread>();
            for (int i = 0; i < plans.Count; i++)
            {
                CorePlan p = plans[i];
                VcoreSpec c = p.Spec;
                if (c.Start == 0) { VcoreThread t = Admit(p, p.Current, 0); if (t != null) first.Add(t); }
                else { p.Current = null; PushOther(c.Start, (long)i * 3); }
                for (int k = 0; c.Remove != null && k < c.Remove.Length; k++) PushOther(c.Remove[k], (long)i * 3 + 1);
                for (int k = 0; c.Add != null && k < c.Add.Length; k++) PushOther(c.Add[k], (long)i * 3 + 2);
            }
            foreach (VcoreThread t in first) Begin(t, 0);
        }

        /// <summary>Admission of v on a new thread; null (the message kept) when refused.</summary>
        VcoreThread Admit(CorePlan p, Vcore v, long now)
        {
            VcoreThread t = new VcoreThread(nextThreadId++, v);
            VcoreAdmission a;
            if (Vs.Attach(t, v, out a) != VcoreStatus.Ok)
            {
                string m = a.Message != null ? a.Message : "vcore " + v.Name + ": " + a.Status;
                rejected.Add(now > 0 ? "at " + Format.Time(now) + ": " + m : m);
                p.Current = null;
                return null;
            }
            p.Current = v;
            vthreads.Add(t);
            admitted.Add(v);
            return t;
        }

        void Begin(VcoreThread t, long now)
        {
            Vs.Start(t.Guest, now);
            PeriodicGuestProgram g = t.Guest.Program as PeriodicGuestProgram;
            if (g != null && g.Error != null && Error == null) Error = "guest " + t.Guest.GuestName + ": " + g.Error;
        }

        string Left()
        {
            Utilization u;
            Vs.AdmittedShare(null, out u);
            return "admitted " + (u.Exact ? u.Num + "/" + u.Den + " (" + ShareMath.Percent((long)u.Num, (long)u.Den) + ")" : "about " + ShareMath.PercentOfPpm(u.Ppb() / 1000))
                + ", " + Vs.VcoreCount + " core(s)";
        }

        /// <summary>tag = plan * 3 + kind: 0 the core's start, 1 a removal, 2 an addition.</summary>
        protected override void HandleOther(long tag)
        {
            CorePlan p = plans[(int)(tag / 3)];
            int kind = (int)(tag % 3);
            long now = platform.Clock;
            string name = p.Guest.Name + "/" + p.Spec.VcpuId;
            if (kind == 1)
            {
                if (p.Current == null || p.Current.Removed) { admitted_events.Add("at " + Format.Time(now) + ": cpu " + cpu + ": " + name + " not running, nothing to remove"); return; }
                Vs.Remove(p.Current);
                result.Removals++;
                admitted_events.Add("at " + Format.Time(now) + ": cpu " + cpu + ": removed " + name + "; " + Left());
                return;
            }
            Vcore v = GuestFactory.Create(p.Guest, p.Index, p.Seed, p.GuestIndex);
            if (kind == 2) result.Additions++;
            VcoreThread t = Admit(p, v, now);
            if (t == null)
            {
                if (kind == 2) result.RefusedAdditions++;
                admitted_events.Add("at " + Format.Time(now) + ": cpu " + cpu + ": " + name + (kind == 2 ? " added again: refused" : " starts: refused") + "; " + Left());
                return;
            }
            Begin(t, now);
            admitted_events.Add("at " + Format.Time(now) + ": cpu " + cpu + ": " + name + (kind == 2 ? " added again (a fresh core)" : " starts") + "; " + Left());
        }

        protected override void SetUpTask(SimThread t, int index, List<string> notes)
        {
            if (t.Spec.Budget > 0) notes.Add("cpu " + cpu + ": task '" + t.Spec.Name + "': CBS budgets are not used beside guest cores (the vcore scheduler runs host threads under EDF)");
        }

        protected override PeriodStatus StartPeriod(SimThread t)
        {
            // Keyed by the period end like RunPeriod; AfterTimer fixes a constrained deadline at the release.
            return t.Period.StartAt(t.Spec.Start + t.Spec.Phase, t.Spec.Period, t.Spec.Period);
        }

        protected override PeriodStatus RunPeriod(SimThread t)
        {
            PeriodStatus st = t.Period.Run(t, t.Spec.Period);
            FixDeadline(t);
            return st;
        }

        /// <summary>Constrained deadlines: key the job by release + D instead of the period end.</summary>
        void FixDeadline(SimThread t)
        {
            if (t.Period == null || t.Spec.Deadline >= t.Spec.Period) return;
            PriorityNode n = t.Period.JobNode;
            if (!n.InTree || n.Key != t.Period.JobDeadline) return;
            core.SetPriorityNode(t, n, t.Period.JobDeadline - t.Spec.Period + t.Spec.Deadline);
        }

        protected override void AfterTimer()
        {
            foreach (SimThread t in threads) FixDeadline(t);
        }

        protected override bool ActOther(SchedThread x)
        {
            VcoreThread vt = x as VcoreThread;
            return vt != null && vt.IsReady && vt.Act();
        }

        protected override long OtherCompletionTime(SchedThread x)
        {
            VcoreThread vt = x as VcoreThread;
            return vt != null && vt.IsReady && vt.RunFor > 0 ? Sat(platform.Clock, vt.RunFor) : long.MaxValue;
        }

        protected override void ConsumeOther(SchedThread x, long dt)
        {
            VcoreThread vt = x as VcoreThread;
            if (vt != null && vt.IsReady) vt.Consume(dt);
        }

        protected override string CheckOther()
        {
            foreach (VcoreThread t in vthreads)
            {
                PeriodicGuestProgram g = t.Guest.Program as PeriodicGuestProgram;
                string e;
                if (g != null && t.Guest.Started && !t.Guest.Removed && (e = g.CheckInvariants()) != null) return e;
            }
            return null;
        }

        protected override void FinishTask(SimThread t)
        {
            if (t.Period != null)
            {
                if (t.Stats.EndPostponed > t.Stats.MaxPostponed) t.Stats.MaxPostponed = t.Stats.EndPostponed;
                long first = t.Spec.Start + t.Spec.Phase;
                t.Stats.Released = first > end ? 0 : (end - first) / t.Spec.Period + 1;
                if (t.Spec.Jobs > 0 && t.Stats.Released > t.Spec.Jobs) t.Stats.Released = t.Spec.Jobs;
            }
            else if (t.Spec.Kind == TaskKind.Background)
            {
                t.Stats.Released = t.Spec.Start > end ? 0 : 1;
            }
        }

        public override void Finish(SimResult r)
        {
            base.Finish(r);
            foreach (VcoreThread t in vthreads)
            {
                PeriodicGuestProgram g = t.Guest.Program as PeriodicGuestProgram;
                if (g != null) g.Finish(t.Guest);
            }
        }
    }

    /// <summary>Workloads with guests: host tasks and guest cores on the vcore scheduler, one core per physical CPU.</summary>
    public static class GuestSim
    {
        public static SimResult Run(WorkloadSpec w, SimOptions o)
        {
            SimResult r = new SimResult();
            r.Scheduler = SchedulerKind.Edf;
            r.Guests = new GuestSimResult();
            if (o.SchedulerOverride != null && o.SchedulerOverride != "edf" && o.SchedulerOverride != "vcore")
                r.Notes.Add("--sched " + o.SchedulerOverride + " ignored: a workload with guests runs under the vcore scheduler (EDF for host threads)");
            if (w.SchedulerGiven && w.Scheduler != SchedulerKind.Edf)
                r.Notes.Add("scheduler " + WorkloadSpec.SchedulerName(w.Scheduler) + " ignored: a workload with guests runs under the vcore scheduler (EDF for host threads)");
            long end = o.Duration > 0 ? o.Duration : Simulator.DefaultDuration(w);
            r.Duration = end;
            r.Guests.Elapsed = end;

            // Guest blocks the parser left out (an error inside them) are reported as refused.
            if (w.GuestErrors != null) foreach (string m in w.GuestErrors) r.Guests.Rejected.Add(m);

            // Guest cores (in file order) per physical CPU.
            var coresByCpu = new SortedDictionary<int, List<CorePlan>>();
            SortedSet<int> cpus = HostTaskSim.TaskCpus(w);
            bool timed = false;
            for (int gi = 0; gi < w.Guests.Length; gi++)
            {
                GuestSpec g = w.Guests[gi];
                for (int i = 0; i < g.Vcores.Length; i++)
                {
                    Vcore v = GuestFactory.Create(g, i, w.Seed, gi);
                    var p = new CorePlan { Guest = g, Index = i, GuestIndex = gi, Spec = g.Vcores[i], Current = v, Seed = w.Seed };
                    if (p.Spec.Start > 0 || (p.Spec.Remove != null && p.Spec.Remove.Length > 0)) timed = true;
                    if (!coresByCpu.TryGetValue(v.Cpu, out var list)) coresByCpu[v.Cpu] = list = new List<CorePlan>();
                    list.Add(p);
                    cpus.Add(v.Cpu);
                }
            }
            if (timed) r.Notes.Add("guest cores start, leave and come back at the times of their vcore lines (events below); the combined verdict covers the cores admitted at 0, each later admission is checked against the cores present then");

            var all = new List<TaskStats>();
            foreach (int cpu in cpus)
            {
                HostTaskSim.TasksOn(w, cpu, all, out var specs, out var stats);
                if (!coresByCpu.TryGetValue(cpu, out var cores)) cores = new List<CorePlan>();

                Overheads ov = o.OverheadsGiven ? o.Overheads : w.Overheads;
                AnalysisTask[] at = WorkloadAnalysis.TasksFor(w.Tasks, SchedulerKind.Edf, cpu);
                var ar = new AnalysisResult(2 * at.Length + 2);
                OverheadAnalysis.AnalyzeCpu(w, SchedulerKind.Edf, cpu, ov, ar);
                string[] hv = OverheadAnalysis.Describe(w, SchedulerKind.Edf, cpu, ov);
                r.Verdicts.Add("cpu " + cpu + ": host tasks: " + hv[hv.Length - 1]);
                r.Analysis[cpu] = ar.Verdict;

                var admitted = new List<Vcore>();
                var sim = new GuestCpuSim(cpu, w, specs, stats, cores, end, o, r.Notes, r.Guests, admitted);
                if (cores.Count > 0) r.Guests.Cpus[cpu] = sim.Vs;
                if (admitted.Count > 0) r.Verdicts.Add("cpu " + cpu + ": " + Combined(at, admitted));
                long switches = r.Switches, idle = r.IdleTimeNs;
                sim.RunInto(r);
                if (specs.Count > 0) r.Guests.HostCpus[cpu] = new[] { r.Switches - switches, r.IdleTimeNs - idle };
                r.Guests.Cores.AddRange(admitted);
            }
            // Keep file order of the admitted cores.
            var order = new List<Vcore>();
            foreach (GuestSpec g in w.Guests)
                foreach (Vcore v in r.Guests.Cores)
                    if (v.GuestName == g.Name) order.Add(v);
            r.Guests.Cores.Clear();
            r.Guests.Cores.AddRange(order);
            r.Tasks = all.ToArray();
            return r;
        }

        /// <summary>"EDF with reservations: U = host 1/20 + cores 9/10 = 19/20 (95%) <= 1: host deadlines and reservations are guaranteed".</summary>
        static string Combined(AnalysisTask[] host, List<Vcore> cores)
        {
            Utilization h = Utilization.Zero(), c = Utilization.Zero(), t = Utilization.Zero();
            bool constrained = false;
            foreach (AnalysisTask a in host)
            {
                h.Add((ulong)a.Wcet, (ulong)a.Period);
                t.Add((ulong)a.Wcet, (ulong)a.Period);
                if (a.Deadline < a.Period) constrained = true;
            }
            foreach (Vcore v in cores)
            {
                c.Add((ulong)v.ShareNum, (ulong)v.ShareDen);
                t.Add((ulong)v.ShareNum, (ulong)v.ShareDen);
            }
            int cmp = t.CompareTo(1, 1);
            string s = "EDF with reservations: U = host " + U(h) + " + cores " + U(c) + " = " + U(t);
            if (cmp <= 0 && !constrained) return s + " <= 1: every host deadline and every reservation is guaranteed";
            if (cmp <= 0) return s + " <= 1 (constrained host deadlines: see the host demand test)";
            return s + " > 1: overloaded, host deadlines or reservations may be missed";
        }

        static string U(Utilization u)
        {
            if (u.Exact) return u.Num + "/" + u.Den + " (" + ShareMath.Percent((long)u.Num, (long)u.Den) + ")";
            return "about " + ShareMath.PercentOfPpm(u.Ppb() / 1000);
        }

        public static void Print(TextWriter o, string file, WorkloadSpec w, SimResult r)
        {
            GuestSimResult g = r.Guests;
            int ncores = 0;
            foreach (GuestSpec gs in w.Guests) ncores += gs.Vcores.Length;
            o.WriteLine("workload " + file + ": scheduler vcore (host threads under EDF, guest cores as reservations), duration "
                + Format.Time(r.Duration) + ", seed " + w.Seed + ", " + w.Tasks.Length + " task(s), " + w.Guests.Length + " guest(s) with "
                + ncores + " core(s)");
            o.WriteLine();
            if (g.HostCpus.Count > 1)
            {
                // Host tasks on several CPUs: one table per CPU, as a partitioned run without guests.
                foreach (var kv in g.HostCpus)
                {
                    var mine = new List<TaskStats>();
                    foreach (TaskStats t in r.Tasks) if (t.Cpu == kv.Key) mine.Add(t);
                    o.WriteLine("cpu " + kv.Key + ":");
                    o.WriteLine(RunReport.Header());
                    foreach (TaskStats t in mine) o.WriteLine(RunReport.Line(t));
                    o.WriteLine("cpu " + kv.Key + " " + RunReport.Total(mine.ToArray(), kv.Value[0], kv.Value[1]));
                    o.WriteLine();
                }
            }
            else
            {
                o.WriteLine(RunReport.Header());
                foreach (TaskStats t in r.Tasks) o.WriteLine(RunReport.Line(t));
                o.WriteLine();
            }
            o.WriteLine(RunReport.Total(r.Tasks, r.Switches, r.IdleTimeNs));
            foreach (string v in r.Verdicts) o.WriteLine("analysis " + v);
            foreach (var kv in g.Cpus)
            {
                o.WriteLine();
                o.WriteLine(VcoreReport.CpuTitle(kv.Key, kv.Value, g.Elapsed));
                o.WriteLine(VcoreReport.Header());
                foreach (Vcore v in g.Cores) if (v.Cpu == kv.Key) o.WriteLine(VcoreReport.Line(v, g.Elapsed));
            }
            if (g.Cores.Count > 0)
            {
                o.WriteLine();
                o.WriteLine("virtual interrupts (delivery error = guest clock at delivery - deadline, guest time):");
                o.WriteLine(VcoreReport.IrqHeader());
                foreach (Vcore v in g.Cores) o.WriteLine(VcoreReport.IrqLine(v));
            }
            foreach (Vcore v in g.Cores)
            {
                PeriodicGuestProgram p = v.Program as PeriodicGuestProgram;
                if (p == null || p.Tasks == null) continue;
                o.WriteLine();
                o.WriteLine(VcoreReport.GuestTitle(v, p));
                o.WriteLine(RunReport.Header());
                foreach (TaskStats t in p.Stats) o.WriteLine(RunReport.Line(t));
                o.WriteLine(VcoreReport.GuestTotal(v, p));
            }
            // An Osprey guest runs its own workload only in the kernel (the simulator models its
            // core as idle): the host's prediction for that workload, as the kernel prints it.
            foreach (GuestSpec gs in w.Guests)
            {
                if (gs.NestedSpec == null) continue;
                o.WriteLine();
                o.WriteLine("guest " + gs.Name + " (image osprey) runs its own workload in the kernel only; host's analysis of it: "
                    + Osprey.Sched.Analysis.GuestSupplyAnalysis.Describe(gs));
            }
            if (g.Events.Count > 0)
            {
                o.WriteLine();
                o.WriteLine("guest core events: " + g.Removals + " removal(s), " + g.Additions + " addition(s), " + g.RefusedAdditions + " refused");
                foreach (string e in g.Events) o.WriteLine("  " + e);
            }
            if (g.Rejected.Count > 0) o.WriteLine();
            foreach (string m in g.Rejected) o.WriteLine("rejected: " + m);
            foreach (string n in r.Notes) o.WriteLine("note: " + n);
        }
    }
}
