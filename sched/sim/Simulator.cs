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
        readonly SimThread owner;
        public SimPeriod(SchedCore core, SimThread owner, int id) : base(core, owner, id) { this.owner = owner; }

        protected override void OnExpiry(long expiry, long now, bool postponedJob)
        {
            owner.Sim.PeriodExpired(owner, expiry, postponedJob);
        }
    }

    /// <summary>A workload task as a thread of the core, with its job state.</summary>
    sealed class SimThread : SchedThread
    {
        public TaskSpec Spec;
        public TaskStats Stats;
        public CpuSim Sim;
        public SimPeriod Period;
        public SimServer SimServerRef;
        public readonly PriorityNode JobNode = new PriorityNode();
        public ulong Rng;

        // Job state.
        public bool InJob;
        public bool NeedStart;
        public long Remaining;
        public long WallTarget;
        /// <summary>Periodic: index of the current (or next) job; release = phase + k*T.</summary>
        public long JobIndex;
        /// <summary>Jobs 0..Completed-1 are complete (jobs complete in order).</summary>
        public long Completed;
        /// <summary>Aperiodic: arrivals seen so far.</summary>
        public int Arrived;
        public bool Finished;

        // Trace diffing.
        public ThreadState LastState;

        public SimThread(int id, TaskSpec spec) : base(id, spec.Priority, spec.Name) { Spec = spec; }

        public long Release(long k)
        {
            if (Spec.Kind == TaskKind.Aperiodic) return Spec.Arrivals[k];
            return Spec.Phase + k * Spec.Period;
        }

        public long AbsDeadline(long k)
        {
            if (Spec.Kind == TaskKind.Aperiodic) return Spec.Deadline > 0 ? Spec.Arrivals[k] + Spec.Deadline : long.MaxValue;
            if (Spec.Kind == TaskKind.Background) return long.MaxValue;
            return Release(k) + Spec.Deadline;
        }

        public long DrawWork() { return JobWork.Draw(Spec, ref Rng); }
    }

    /// <summary>One simulated CPU: a SchedCore on a SimPlatform, driven by a discrete-event loop.</summary>
    sealed class CpuSim
    {
        readonly int cpu;
        readonly SimPlatform platform = new SimPlatform();
        readonly SchedCore core;
        readonly List<SimThread> threads = new List<SimThread>();
        readonly PriorityQueue<SimEvent, (long, long)> events = new PriorityQueue<SimEvent, (long, long)>();
        readonly TraceLog trace;
        readonly bool check;
        readonly bool edfKeys;
        readonly long end;
        long eventSeq;
        public string Error;

        enum EvKind { Start, Arrival, PeriodicCheck, AperiodicCheck }

        sealed class SimEvent
        {
            public EvKind Kind;
            public SimThread Thread;
            public long Index;
        }

        public CpuSim(int cpu, WorkloadSpec w, SchedulerKind sched, List<TaskSpec> specs, List<TaskStats> stats, long end, SimOptions o, List<string> notes)
        {
            this.cpu = cpu;
            this.end = end;
            trace = o.Trace;
            check = o.CheckInvariants;
            string err;
            core = SchedCore.Create(platform, WorkloadSpec.SchedulerName(sched), null, out err);
            if (core == null) { Error = err; return; }
            if (trace != null) trace.Attach(core, cpu, platform);
            edfKeys = sched == SchedulerKind.Edf;
            for (int i = 0; i < specs.Count; i++)
            {
                TaskSpec s = specs[i];
                SimThread t = new SimThread(i + 1, s);
                t.Sim = this;
                t.Stats = stats[i];
                t.Rng = JobWork.Seed(w.Seed, cpu, i);
                core.AddThread(t);
                if (sched == SchedulerKind.Cbs && s.Budget > 0)
                {
                    long period = s.Period;
                    SimServer srv = new SimServer(i + 1, s.Budget, period, s.Overrun == OverrunMode.Hard ? CbsMode.Hard : CbsMode.Soft);
                    srv.Owner = t;
                    CbsAdmission a;
                    CbsStatus st = ((CbsScheduler)core.Scheduler).Attach(t, srv, out a);
                    if (st != CbsStatus.Ok)
                        notes.Add("cpu " + cpu + ": task '" + s.Name + "' runs without its CBS server: " + (a.Message ?? st.ToString()));
                    else t.SimServerRef = srv;
                }
                if (s.Kind == TaskKind.Periodic)
                {
                    t.Period = new SimPeriod(core, t, i + 1);
                    Push(s.Phase, EvKind.Start, t, 0);
                    Push(s.Phase + s.Deadline, EvKind.PeriodicCheck, t, 0);
                }
                else if (s.Kind == TaskKind.Aperiodic)
                {
                    core.BlockWith(t, ThreadState.Blocked);
                    core.Start(t);
                    for (int k = 0; k < s.Arrivals.Length; k++)
                    {
                        Push(s.Arrivals[k], EvKind.Arrival, t, k);
                        if (s.Deadline > 0) Push(s.Arrivals[k] + s.Deadline, EvKind.AperiodicCheck, t, k);
                    }
                }
                else
                {
                    Push(0, EvKind.Start, t, 0);
                }
                t.LastState = t.State;
                threads.Add(t);
            }
        }

        void Push(long time, EvKind kind, SimThread t, long index)
        {
            if (time > end) return;
            SimEvent e = new SimEvent();
            e.Kind = kind; e.Thread = t; e.Index = index;
            events.Enqueue(e, (time, eventSeq++));
        }

        /// <summary>
        /// Trace an event. The core records switches, blocks, unblocks, period
        /// expiries, budget overruns and the releases it makes (periodic jobs,
        /// aperiodic jobs with a deadline node) into this CPU's ring itself;
        /// the simulator adds only what it alone knows.
        /// </summary>
        public void Emit(string kind, SimThread t, string extra)
        {
            if (trace != null && t != null && !TraceLog.FromCore(kind, t.Spec.Kind == TaskKind.Periodic || UsesJobNode(t)))
                trace.Add(platform.Clock, cpu, kind, t, extra);
        }

        void Check(string where)
        {
            if (!check || Error != null) return;
            string e = core.CheckInvariants();
            if (e == null)
                foreach (SimThread t in threads)
                    if (t.Period != null && (e = t.Period.CheckInvariants()) != null) break;
            if (e != null) Error = "invariant broken at t=" + platform.Clock + " (" + where + "): " + e;
        }

        static string StateName(ThreadState s)
        {
            if ((s & ThreadState.Dormant) != 0) return "dormant";
            if ((s & ThreadState.PeriodWait) != 0) return "period";
            if ((s & ThreadState.Throttled) != 0) return "throttled";
            if ((s & ThreadState.Suspended) != 0) return "suspended";
            if ((s & ThreadState.Sleeping) != 0) return "sleeping";
            if ((s & ThreadState.Blocked) != 0) return "blocked";
            return "ready";
        }

        /// <summary>Trace block/unblock and period events by comparing with the last seen state.</summary>
        void Observe()
        {
            foreach (SimThread t in threads)
            {
                if (t.Period != null)
                {
                    uint p = t.Period.PostponedJobs;
                    if (p > t.Stats.MaxPostponed) t.Stats.MaxPostponed = p;
                }
                ThreadState s = t.State;
                if (s != t.LastState)
                {
                    bool wasReady = t.LastState == ThreadState.Ready;
                    bool isReady = s == ThreadState.Ready;
                    if (wasReady && !isReady) Emit(TraceKind.Block, t, "reason=" + StateName(s));
                    else if (!wasReady && isReady) Emit(TraceKind.Unblock, t, "reason=" + StateName(t.LastState));
                    t.LastState = s;
                }
            }
        }

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
            if (p > t.Stats.MaxPostponed) t.Stats.MaxPostponed = p;
            t.Stats.Released++;
            if (!postponedJob) EmitRelease(t, t.JobIndex);
        }

        void EmitRelease(SimThread t, long k)
        {
            if (trace == null) return;
            long d = t.AbsDeadline(k);
            Emit(TraceKind.Release, t, "job=" + k + (d == long.MaxValue ? "" : " deadline=" + d));
        }

        void Dispatch()
        {
            SchedThread prev = core.Executing;
            platform.SwitchRequested = false;
            SchedThread next = core.Dispatch();
            if (prev != next)
            {
                if (prev != core.Idle) Emit(TraceKind.SwitchOut, prev as SimThread, "state=" + StateName(prev.State));
                if (next != core.Idle) Emit(TraceKind.SwitchIn, next as SimThread, null);
            }
        }

        bool Done(SimThread t)
        {
            if (!t.InJob) return false;
            if (t.Spec.Work == WorkKind.Wall && !(t.Spec.Kind == TaskKind.Background && t.Spec.Wcet == 0))
                return platform.Clock >= t.WallTarget;
            return t.Remaining <= 0;
        }

        void BeginJob(SimThread t)
        {
            t.NeedStart = false;
            t.InJob = true;
            long w = t.DrawWork();
            t.Remaining = w;
            t.WallTarget = platform.Clock + w;
        }

        /// <summary>The executing thread's zero-time actions. True when it changed the schedule.</summary>
        bool Act()
        {
            SimThread t = core.Executing as SimThread;
            if (t == null || !t.IsReady) return false;
            if (t.NeedStart) BeginJob(t);
            if (!Done(t)) return false;
            Complete(t);
            return true;
        }

        void Complete(SimThread t)
        {
            long now = platform.Clock;
            t.InJob = false;
            TaskSpec s = t.Spec;
            if (s.Kind == TaskKind.Periodic)
            {
                long k = t.JobIndex;
                t.Stats.Response(now - t.Release(k));
                t.Completed = k + 1;
                Emit(TraceKind.Complete, t, "job=" + k + " response=" + (now - t.Release(k)));
                PeriodStatus st = t.Period.Run(t, s.Period, s.Deadline);
                t.JobIndex = k + 1;
                t.NeedStart = true;
                if (st == PeriodStatus.Timeout)
                {
                    // Late: the core released one postponed job at once.
                    EmitRelease(t, t.JobIndex);
                }
                else if (st != PeriodStatus.Successful && Error == null)
                {
                    Error = "period of '" + s.Name + "' returned " + st;
                }
            }
            else if (s.Kind == TaskKind.Aperiodic)
            {
                long k = t.Completed;
                t.Stats.Response(now - s.Arrivals[k]);
                Emit(TraceKind.Complete, t, "job=" + k + " response=" + (now - s.Arrivals[k]));
                t.Completed = k + 1;
                if (t.Completed < t.Arrived)
                {
                    t.NeedStart = true;
                    ReleaseAperiodic(t, t.Completed);
                }
                else
                {
                    if (UsesJobNode(t)) core.CancelJob(t, t.JobNode);
                    core.Block(t);
                }
            }
            else
            {
                t.Stats.Response(now);
                t.Finished = true;
                Emit(TraceKind.Complete, t, "job=0 response=" + now);
                core.Stop(t);
            }
            Observe();
        }

        bool UsesJobNode(SimThread t)
        {
            return edfKeys && t.Spec.Kind == TaskKind.Aperiodic && t.Spec.Deadline > 0;
        }

        void ReleaseAperiodic(SimThread t, long k)
        {
            if (UsesJobNode(t)) core.ReleaseJob(t, t.JobNode, t.AbsDeadline(k));
        }

        void Settle()
        {
            for (int guard = 0; guard < 100000; guard++)
            {
                if (core.DispatchNeeded) { Dispatch(); Check("dispatch"); continue; }
                if (Act()) { Check("act"); continue; }
                return;
            }
            if (Error == null) Error = "no progress at t=" + platform.Clock + " (livelock in zero-time actions)";
        }

        long CompletionTime()
        {
            SimThread t = core.Executing as SimThread;
            if (t == null || !t.InJob || !t.IsReady) return long.MaxValue;
            if (t.Spec.Work == WorkKind.Wall && !(t.Spec.Kind == TaskKind.Background && t.Spec.Wcet == 0))
                return Math.Max(platform.Clock, t.WallTarget);
            return platform.Clock + t.Remaining;
        }

        void Handle(SimEvent e)
        {
            SimThread t = e.Thread;
            TaskSpec s = t.Spec;
            long now = platform.Clock;
            switch (e.Kind)
            {
                case EvKind.Start:
                    core.Start(t);
                    if (s.Kind == TaskKind.Periodic)
                    {
                        // The task's first period() call, made at its phase: activates the period and
                        // releases job 0 at once (synchronous release when phases are equal).
                        // Constrained deadlines (D < T): the period gives each job the deadline release + D.
                        PeriodStatus st = t.Period.Run(t, s.Period, s.Deadline);
                        if (st != PeriodStatus.Successful && Error == null) Error = "first period call of '" + s.Name + "' returned " + st;
                        t.JobIndex = 0;
                        t.NeedStart = true;
                        t.Stats.Released++;
                        EmitRelease(t, 0);
                    }
                    else
                    {
                        t.NeedStart = true;
                        t.Stats.Released++;
                        EmitRelease(t, 0);
                    }
                    break;
                case EvKind.Arrival:
                    t.Arrived++;
                    t.Stats.Released++;
                    EmitRelease(t, e.Index);
                    if (t.Completed == t.Arrived - 1 && !t.InJob)
                    {
                        t.NeedStart = true;
                        ReleaseAperiodic(t, e.Index);
                        core.Unblock(t);
                    }
                    break;
                case EvKind.PeriodicCheck:
                    if (t.Completed <= e.Index) Miss(t, e.Index);
                    Push(t.Release(e.Index + 1) + s.Deadline, EvKind.PeriodicCheck, t, e.Index + 1);
                    break;
                case EvKind.AperiodicCheck:
                    if (t.Completed <= e.Index) Miss(t, e.Index);
                    break;
            }
        }

        void Miss(SimThread t, long k)
        {
            t.Stats.Misses++;
            if (t.Stats.FirstMissAt < 0) t.Stats.FirstMissAt = platform.Clock;
            Emit(TraceKind.DeadlineMiss, t, "job=" + k + " deadline=" + t.AbsDeadline(k));
        }

        public void Run()
        {
            if (Error != null) return;
            while (Error == null)
            {
                Settle();
                long next = end;
                if (platform.TimerAt < next) next = platform.TimerAt;
                if (events.Count > 0)
                {
                    events.TryPeek(out _, out var pri);
                    if (pri.Item1 < next) next = pri.Item1;
                }
                long c = CompletionTime();
                if (c < next) next = c;
                if (next < platform.Clock) next = platform.Clock;

                // Advance the virtual clock; the executing job consumes CPU.
                SimThread x = core.Executing as SimThread;
                long dt = next - platform.Clock;
                if (x != null && x.InJob && x.IsReady && (x.Spec.Work == WorkKind.Cpu || (x.Spec.Kind == TaskKind.Background && x.Spec.Wcet == 0)))
                    x.Remaining -= dt;
                platform.Clock = next;

                // A job finishing now finishes before the timers due now (a job done exactly at its period end is on time).
                if (x != null && x.IsReady && x == core.Executing && Done(x))
                {
                    Complete(x);
                    Check("complete");
                    // A blocking call switches at once (as in the kernel), before timers due at the same instant:
                    // the CBS budget watchdog of a job that ended exactly on its budget is then cancelled.
                    if (core.DispatchNeeded && !x.IsReady) Dispatch();
                }

                if (platform.TimerAt <= platform.Clock)
                {
                    platform.TimerAt = long.MaxValue;
                    core.TimerFired(platform.Clock); // period expiries are traced by their hook (PeriodExpired)
                    Observe();
                    Check("timer");
                }
                while (events.Count > 0 && events.TryPeek(out var ev, out var p) && p.Item1 <= platform.Clock)
                {
                    events.Dequeue();
                    Handle(ev);
                }
                Observe();
                Check("events");
                if (platform.Clock >= end) break;
            }
            core.Charge();
        }

        public void Finish(SimResult r)
        {
            foreach (SimThread t in threads)
            {
                t.Stats.CpuTimeNs = t.CpuTimeNs;
                if (t.Period != null)
                {
                    PeriodStatistics ps;
                    t.Period.GetStatistics(out ps);
                    t.Stats.PeriodCount = ps.Count;
                    t.Stats.PeriodMissed = ps.MissedCount;
                    t.Stats.EndPostponed = t.Period.PostponedJobs;
                }
                if (t.SimServerRef != null) t.Stats.Overruns = t.SimServerRef.OverrunCount;
            }
            r.IdleTimeNs += core.IdleTimeNs;
            r.Switches += core.SwitchCount;
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

            var cpus = new SortedSet<int>();
            foreach (TaskSpec t in w.Tasks) cpus.Add(t.Cpu);
            var all = new List<TaskStats>();
            foreach (int cpu in cpus)
            {
                var specs = new List<TaskSpec>();
                var stats = new List<TaskStats>();
                foreach (TaskSpec t in w.Tasks)
                {
                    if (t.Cpu != cpu) continue;
                    specs.Add(t);
                    var s = new TaskStats { Name = t.Name, Kind = t.Kind, Cpu = cpu, Priority = t.Priority };
                    stats.Add(s);
                }
                all.AddRange(stats);
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

                var sim = new CpuSim(cpu, w, sched, specs, stats, end, o, r.Notes);
                sim.Run();
                if (sim.Error != null && r.Error == null) r.Error = "cpu " + cpu + ": " + sim.Error;
                sim.Finish(r);
            }
            r.Tasks = all.ToArray();

            // Guests: admission per physical CPU (the vcore scheduler itself is issue 5's).
            if (w.Guests.Length > 0)
            {
                var vcpus = new SortedSet<int>();
                foreach (GuestSpec g in w.Guests) foreach (VcoreSpec v in g.Vcores) vcpus.Add(v.Cpu);
                foreach (int cpu in vcpus)
                {
                    var res = new List<AnalysisTask>();
                    foreach (GuestSpec g in w.Guests)
                        foreach (VcoreSpec v in g.Vcores)
                            if (v.Cpu == cpu) res.Add(AnalysisTask.Make(g.Name + "/" + v.VcpuId, v.Slice, v.Period, v.Period, 0));
                    var ar = new AnalysisResult();
                    CbsAnalysis.BandwidthTest(res.ToArray(), res.Count, (ulong)w.ShareNum, (ulong)w.ShareDen, ar);
                    r.Verdicts.Add("cpu " + cpu + ": vcore reservations: " + ar.Describe());
                }
                r.Notes.Add(w.Guests.Length + " guest(s) parsed; guest cores are not simulated here (issue 5), only their admission is checked");
            }
            return r;
        }
    }
}
