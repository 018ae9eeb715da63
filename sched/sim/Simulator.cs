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

    /// <summary>The simulator's platform: a virtual clock, a one-shot timer register, a switch flag.</summary>
    public sealed class SimPlatform : Platform
    {
        public long Clock;
        public long TimerAt = long.MaxValue;
        public bool SwitchRequested;
        public override long Now() { return Clock; }
        public override void ArmTimer(long absoluteNs) { TimerAt = absoluteNs; }
        public override void RequestSwitch() { SwitchRequested = true; }
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

        public CpuSim(int cpu, WorkloadSpec w, SchedulerKind sched, List<TaskSpec> specs, List<TaskStats> stats, long end, SimOptions o, List<string> notes)
            : base(cpu, end, o)
        {
            string err;
            SchedCore c = SchedCore.Create(platform, WorkloadSpec.SchedulerName(sched), null, out err);
            if (c == null) { Error = err; return; }
            AttachCore(c);
            edfKeys = sched == SchedulerKind.Edf;
            cbs = sched == SchedulerKind.Cbs;
            AddTasks(w, specs, stats, notes);
        }

        protected override void SetUpTask(SimThread t, int index, List<string> notes)
        {
            TaskSpec s = t.Spec;
            if (!cbs || s.Budget <= 0) return;
            SimServer srv = new SimServer(index + 1, s.Budget, s.Period, s.Overrun == OverrunMode.Hard ? CbsMode.Hard : CbsMode.Soft);
            srv.Owner = t;
            CbsAdmission a;
            CbsStatus st = ((CbsScheduler)core.Scheduler).Attach(t, srv, out a);
            if (st != CbsStatus.Ok)
                notes.Add("cpu " + cpu + ": task '" + s.Name + "' runs without its CBS server: " + (a.Message ?? st.ToString()));
            else t.SimServerRef = srv;
        }

        protected override RatePeriod NewPeriod(SimThread t, int id) { return new SimPeriod(this, core, t, id); }

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
                else { r.Error = "unknown scheduler '" + o.SchedulerOverride + "'; known: " + SchedulerTable.Names(); r.Tasks = new TaskStats[0]; return r; }
            }
            r.Scheduler = sched;
            long end = o.Duration > 0 ? o.Duration : DefaultDuration(w);
            r.Duration = end;

            var all = new List<TaskStats>();
            foreach (int cpu in HostTaskSim.TaskCpus(w))
            {
                HostTaskSim.TasksOn(w, cpu, all, out var specs, out var stats);
                // Analysis of this CPU.
                AnalysisTask[] at = WorkloadAnalysis.TasksFor(w.Tasks, sched, cpu);
                var ar = new AnalysisResult(at.Length);
                if (sched == SchedulerKind.Priority)
                {
                    FpAnalysis.LiuLaylandTest(at, at.Length, ar);
                    r.Verdicts.Add("cpu " + cpu + ": " + ar.Describe());
                }
                if (sched == SchedulerKind.Cbs)
                {
                    var servers = new List<AnalysisTask>();
                    foreach (TaskSpec t in specs)
                        if (t.Budget > 0) servers.Add(AnalysisTask.Make(t.Name, t.Budget, t.Period, t.Period, t.Priority));
                    CbsAnalysis.BandwidthTest(servers.ToArray(), servers.Count, 1, 1, ar);
                    r.Verdicts.Add("cpu " + cpu + ": " + ar.Describe());
                }
                WorkloadAnalysis.Analyze(at, sched, ar);
                r.Verdicts.Add("cpu " + cpu + ": " + ar.Describe());
                r.Analysis[cpu] = ar.Verdict;
                int unanalysed = 0;
                foreach (TaskSpec t in specs)
                    if (t.Kind == TaskKind.Background || (t.Kind == TaskKind.Aperiodic && !(sched == SchedulerKind.Cbs && t.Budget > 0))) unanalysed++;
                if (unanalysed > 0)
                    r.Notes.Add("cpu " + cpu + ": " + unanalysed + " aperiodic/background task(s) without a CBS server are not covered by the analysis");

                new CpuSim(cpu, w, sched, specs, stats, end, o, r.Notes).RunInto(r);
            }
            r.Tasks = all.ToArray();
            return r;
        }
    }
}
