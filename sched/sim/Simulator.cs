using System;
using System.Collections.Generic;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Sched.Sim
{
    /// <summary>Per-task results of a simulation run.</summary>
    public sealed class SimOptions
    {
        /// <summary>Run length; 0 = the file's duration, else the hyperperiod (at most 10 s), else 1 s.</summary>
        public long Duration;
        /// <summary>Replace the file's scheduler (null = keep).</summary>
        public string SchedulerOverride;
        /// <summary>Collect the trace (null = no trace).</summary>
        public TraceLog Trace;
        /// <summary>Run SchedCore.CheckInvariants after every step (slow; tests).</summary>
        public bool CheckInvariants;
        /// <summary>Delay of a reschedule request from one CPU to another (global scheduling), ns; -1 = the file's ipi-latency.</summary>
        public long IpiLatency = -1;
        /// <summary>Kernel overheads to model and charge (--overheads), replacing the file's line when OverheadsGiven.</summary>
        public Overheads Overheads;
        public bool OverheadsGiven;
    }

    public sealed class SimResult
    {
        public string Error;
        public long Duration;
        public SchedulerKind Scheduler;
        public TaskStats[] Tasks;
        /// <summary>Analysis verdict lines ("cpu N: ...").</summary>
        public List<string> Verdicts = new List<string>();
        /// <summary>Exact-test acceptance per CPU (index = cpu).</summary>
        public Dictionary<int, AnalysisVerdict> Analysis = new Dictionary<int, AnalysisVerdict>();
        public List<string> Notes = new List<string>();
        public long IdleTimeNs;
        public long Switches;
        /// <summary>Dispatches of a task on another CPU than its previous one (global scheduling).</summary>
        public long Migrations;
        /// <summary>The CPUs simulated (their numbers), and per CPU its idle time, switches and migrations in.</summary>
        public int[] Cpus = new int[0];
        public long[] CpuIdleNs = new long[0];
        public long[] CpuSwitches = new long[0];
        public long[] CpuMigrations = new long[0];
        /// <summary>Remote reschedule requests (IPIs) per CPU, and the latency simulated.</summary>
        public long[] CpuIpis = new long[0];
        public long IpiLatency;
        /// <summary>Global EDF: the cluster's size (0 when partitioned) and its GFB verdict.</summary>
        public int ClusterSize;
        public GfbResult Gfb;
        /// <summary>Guest cores (workloads with guests only, see GuestSim), else null.</summary>
        public GuestSimResult Guests;

        public long TotalMisses { get { long m = 0; foreach (var t in Tasks) m += t.Misses; return m; } }
        public long TotalJobs { get { long m = 0; foreach (var t in Tasks) m += t.Jobs; return m; } }

        public TaskStats Task(string name)
        {
            foreach (var t in Tasks) if (t.Name == name) return t;
            return null;
        }
    }

    /// <summary>
    /// The simulator's platform view of one CPU: the virtual clock (the
    /// simulator keeps every CPU's at the same time), a one-shot timer
    /// register, a switch flag. A switch request made while the simulator acts
    /// for another CPU is a remote one (the kernel's reschedule IPI): the CPU
    /// dispatches Latency later (DispatchAt); a local one at once.
    /// </summary>
    public sealed class SimPlatform : Platform
    {
        public long Clock;
        public long TimerAt = long.MaxValue;
        public bool SwitchRequested;
        /// <summary>This CPU's index among the simulator's CPUs.</summary>
        public int Index;
        /// <summary>IPI latency (ns).</summary>
        public long Latency;
        /// <summary>When the pending switch request reaches the CPU (long.MaxValue: none).</summary>
        public long DispatchAt = long.MaxValue;
        /// <summary>Remote switch requests (IPIs) made to this CPU.</summary>
        public long RemoteRequests;
        internal HostTaskSim Owner;
        public override long Now() { return Clock; }
        public override void ArmTimer(long absoluteNs) { TimerAt = absoluteNs; }
        public override void RequestSwitch()
        {
            SwitchRequested = true;
            bool remote = Owner != null && Owner.Current != Index;
            if (remote) RemoteRequests++;
            DispatchAt = remote && Latency > 0 ? Clock + Latency : Clock;
        }
    }

    /// <summary>CBS server that reports overruns to the trace.</summary>
    sealed class SimServer : CbsServer
    {
        public SimThread Owner;
        public SimServer(int id, long budget, long period, CbsMode mode) : base(id, budget, period, mode) { }
        public override void OnOverrun(long now)
        {
            Owner.Stats.Overruns++;
            Owner.Sim.Emit(TraceKind.BudgetExhausted, Owner, "budget=" + BudgetNs + " mode=" + (Mode == CbsMode.Hard ? "hard" : "soft"));
        }
    }

    /// <summary>
    /// The period of a periodic task: the core's RatePeriod, whose expiry hook
    /// traces each expiry and accounts the job it releases or postpones.
    /// </summary>
    sealed class SimPeriod : RatePeriod
    {
        readonly CpuSim sim;
        readonly SimThread owner;
        public SimPeriod(CpuSim sim, SchedCore core, SimThread owner, int id) : base(core, owner, id) { this.sim = sim; this.owner = owner; }

        protected override void OnExpiry(long expiry, long now, bool postponedJob)
        {
            sim.PeriodExpired(owner, expiry, postponedJob);
        }

        protected override void OnFirstRelease(long start, long now)
        {
            sim.PeriodStarted(owner);
        }
    }

    /// <summary>
    /// One simulated CPU under the file's scheduler: the host-task engine
    /// (HostTaskSim) with CBS servers, and the periods' stats kept along the
    /// run (releases at each period expiry; the most postponed jobs are the
    /// period's own figure, RatePeriod.MaxPostponedJobs).
    /// </summary>
    sealed class CpuSim : HostTaskSim
    {
        readonly bool cbs;

        /// <summary>
        /// The CPUs cpus under sched on one clock: one core per CPU, each its
        /// own scheduler instance (partitioned), or, under gedf, the cores
        /// joined into one cluster. Tasks are added per home core (AddCpu).
        /// </summary>
        public CpuSim(int[] cpus, SchedulerKind sched, long end, SimOptions o, long ipiLatency)
            : base(cpus, end, o, ipiLatency)
        {
            string err = null;
            var cs = new SchedCore[cpus.Length];
            for (int k = 0; k < cpus.Length && err == null; k++)
                cs[k] = SchedCore.Create(platforms[k], WorkloadSpec.SchedulerName(sched), null, out err);
            if (err == null && sched == SchedulerKind.Gedf && GedfCluster.Join(cs, out err) == null) { }
            if (err != null) { Error = err; return; }
            global = sched == SchedulerKind.Gedf;
            AttachCores(cs);
            edfKeys = sched == SchedulerKind.Edf || sched == SchedulerKind.Gedf;
            cbs = sched == SchedulerKind.Cbs;
        }

        /// <summary>The tasks whose home is CPU index k.</summary>
        public void AddCpu(int k, WorkloadSpec w, List<TaskSpec> specs, List<TaskStats> stats, List<string> notes)
        {
            if (Error != null) return;
            AddTasks(w, specs, stats, notes, cores[k]);
        }

        /// <summary>Per CPU: idle time, switches, migrations in (after Run).</summary>
        public void PerCpu(SimResult r)
        {
            int n = cores.Length;
            r.Cpus = (int[])cpuIds.Clone();
            r.CpuIdleNs = new long[n]; r.CpuSwitches = new long[n]; r.CpuMigrations = new long[n]; r.CpuIpis = new long[n];
            r.IpiLatency = platforms[0].Latency;
            for (int k = 0; k < n; k++)
            {
                r.CpuIpis[k] = platforms[k].RemoteRequests;
                r.CpuIdleNs[k] = cores[k].IdleTimeNs;
                r.CpuSwitches[k] = cores[k].SwitchCount;
                r.CpuMigrations[k] = cores[k].Migrations;
            }
        }

        protected override string CheckOther() { return global ? CheckRunning() : null; }

        /// <summary>Global EDF invariants over the executing threads, for tests (CheckInvariants covers the heirs):
        /// when no switch is pending, the executing threads are the min(M, ready) most urgent. Null when they hold.</summary>
        internal string CheckRunning()
        {
            foreach (SchedCore c in cores) if (c.DispatchNeeded) return null;
            var g = core.Scheduler as GlobalEdfScheduler;
            if (g == null) return null;
            int m = cores.Length, i = 0;
            for (RbNode x = g.Cluster.ReadyTree.First; x != null && i < m; x = RbTree.Next(x), i++)
                if (!x.Thread.IsExecuting) return "ready thread " + x.Thread.Name + " among the " + m + " most urgent does not execute";
            int busy = 0;
            foreach (SchedCore c in cores) if (c.Executing != c.Idle) busy++;
            if (busy != i) return busy + " CPUs execute a thread but " + i + " are among the most urgent ready";
            return null;
        }

        protected override void SetUpTask(SimThread t, int index, List<string> notes)
        {
            TaskSpec s = t.Spec;
            if (!cbs || s.Budget <= 0) return;
            SchedCore core = t.Core;
            int cpu = core.Cpu;
            ((CbsScheduler)core.Scheduler).ReservationOverheadNs = overheads.PerReservationNs;
            SimServer srv = new SimServer(index + 1, s.Budget, s.Period, s.Overrun == OverrunMode.Hard ? CbsMode.Hard : CbsMode.Soft);
            srv.Owner = t;
            CbsAdmission a;
            CbsStatus st = ((CbsScheduler)core.Scheduler).Attach(t, srv, out a);
            if (st != CbsStatus.Ok)
                notes.Add("cpu " + cpu + ": task '" + s.Name + "' runs without its CBS server: " + (a.Message ?? st.ToString()));
            else t.SimServerRef = srv;
        }

        protected override RatePeriod NewPeriod(SimThread t, int id) { return new SimPeriod(this, t.Core, t, id); }

        /// <summary>
        /// The period hook (called by the core's timer, inside TimerFired): the
        /// period that ended at expiry is over. Either the next job was released
        /// (and the owner woken) or, the owner still running, it was postponed;
        /// both count as released. Trace: period_expiry, then release.
        /// </summary>
        internal void PeriodExpired(SimThread t, long expiry, bool postponedJob)
        {
            uint p = t.Period.PostponedJobs;
            Emit(TraceKind.PeriodExpiry, t, "at=" + expiry + " postponed=" + p);
            if (t.Spec.Jobs > 0 && t.Stats.Released >= t.Spec.Jobs) return;   // beyond jobs=N: never runs
            t.Stats.Released++;
            if (!postponedJob) EmitRelease(t, t.JobIndex);
        }

        /// <summary>The period hook of the first release (StartAt, at the task's phase): job 0 counts as released.</summary>
        internal void PeriodStarted(SimThread t)
        {
            t.Stats.Released++;
            EmitRelease(t, 0);
        }

        protected override void FinishTask(SimThread t)
        {
            if (t.SimServerRef != null) t.Stats.Overruns = t.SimServerRef.OverrunCount;
        }
    }

    /// <summary>Runs a workload on the real sched/ core, one SchedCore per physical CPU.</summary>
    public static class Simulator
    {
        public const long MaxDefaultDuration = RunReport.MaxDefaultDuration;

        public static long DefaultDuration(WorkloadSpec w) { return RunReport.DefaultDuration(w); }

        public static SimResult Run(WorkloadSpec w, SimOptions o)
        {
            if (o == null) o = new SimOptions();
            if (w.Guests.Length > 0) return GuestSim.Run(w, o);   // guest cores: sched/sim/GuestSim.cs
            SimResult r = new SimResult();
            SchedulerKind sched = w.Scheduler;
            if (o.SchedulerOverride != null)
            {
                if (o.SchedulerOverride == "priority") sched = SchedulerKind.Priority;
                else if (o.SchedulerOverride == "edf") sched = SchedulerKind.Edf;
                else if (o.SchedulerOverride == "cbs") sched = SchedulerKind.Cbs;
                else if (o.SchedulerOverride == "gedf") sched = SchedulerKind.Gedf;
                else { r.Error = "unknown scheduler '" + o.SchedulerOverride + "'; known: " + SchedulerTable.Names(); r.Tasks = new TaskStats[0]; return r; }
            }
            r.Scheduler = sched;
            long end = o.Duration > 0 ? o.Duration : DefaultDuration(w);
            r.Duration = end;

            var all = new List<TaskStats>();
            long ipi = o.IpiLatency >= 0 ? o.IpiLatency : w.IpiLatency;
            if (sched == SchedulerKind.Gedf)
            {
                // One cluster of M CPUs (cpus N, default 1), every task's home on its first CPU.
                int m = w.Cpus > 0 ? w.Cpus : 1;
                var ids = new int[m];
                for (int k = 0; k < m; k++) ids[k] = k;
                r.ClusterSize = m;
                string label = m == 1 ? "cpu 0" : "cpus 0-" + (m - 1);
                var gspecs = new List<TaskSpec>(w.Tasks);
                var gstats = new List<TaskStats>();
                bool placed = false;
                foreach (TaskSpec t in w.Tasks)
                {
                    gstats.Add(new TaskStats { Name = t.Name, Kind = t.Kind, Cpu = 0, Priority = t.Priority });
                    placed |= t.CpuGiven;
                }
                all.AddRange(gstats);
                if (placed) r.Notes.Add(label + ": the tasks' cpu fields are not used under gedf (every task runs on the whole cluster; they place the tasks under a partitioned scheduler, e.g. --sched edf)");
                AnalysisTask[] at = WorkloadAnalysis.TasksFor(w.Tasks, SchedulerKind.Edf, -1);
                r.Gfb = new GfbResult();
                GlobalEdfAnalysis.GfbTest(at, at.Length, m, r.Gfb);
                r.Verdicts.Add(label + ": " + r.Gfb.Describe());
                r.Analysis[0] = r.Gfb.Verdict;
                int unanalysed = 0;
                foreach (TaskSpec t in gspecs) if (t.Kind != TaskKind.Periodic) unanalysed++;
                if (unanalysed > 0) r.Notes.Add(label + ": " + unanalysed + " aperiodic/background task(s) are not covered by the analysis");
                Overheads gov = o.OverheadsGiven ? o.Overheads : w.Overheads;
                if (!gov.IsZero) r.Notes.Add(label + ": the overheads are simulated but the GFB analysis leaves them out");
                var g = new CpuSim(ids, sched, end, o, ipi);
                g.AddCpu(0, w, gspecs, gstats, r.Notes);
                g.RunInto(r);
                g.PerCpu(r);
                r.Tasks = all.ToArray();
                return r;
            }
            var cpus = new List<int>(HostTaskSim.TaskCpus(w));
            if (cpus.Count == 0) { r.Tasks = new TaskStats[0]; return r; }
            var sim = new CpuSim(cpus.ToArray(), sched, end, o, ipi);
            for (int k = 0; k < cpus.Count; k++)
            {
                int cpu = cpus[k];
                HostTaskSim.TasksOn(w, cpu, all, out var specs, out var stats);
                // Analysis of this CPU, with the modelled overheads charged.
                Overheads ov = o.OverheadsGiven ? o.Overheads : w.Overheads;
                AnalysisTask[] at = WorkloadAnalysis.TasksFor(w.Tasks, sched, cpu);
                var ar = new AnalysisResult(2 * at.Length + 2);
                foreach (string line in OverheadAnalysis.Describe(w, sched, cpu, ov)) r.Verdicts.Add("cpu " + cpu + ": " + line);
                OverheadAnalysis.AnalyzeCpu(w, sched, cpu, ov, ar);
                r.Analysis[cpu] = ar.Verdict;
                int unanalysed = 0;
                foreach (TaskSpec t in specs)
                    if (t.Kind == TaskKind.Background || (t.Kind == TaskKind.Aperiodic && !(sched == SchedulerKind.Cbs && t.Budget > 0))) unanalysed++;
                if (unanalysed > 0)
                    r.Notes.Add("cpu " + cpu + ": " + unanalysed + " aperiodic/background task(s) without a CBS server are not covered by the analysis");

                sim.AddCpu(k, w, specs, stats, r.Notes);
            }
            sim.RunInto(r);
            sim.PerCpu(r);
            r.Tasks = all.ToArray();
            return r;
        }
    }
}
