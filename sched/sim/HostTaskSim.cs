using System;
using System.Collections.Generic;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Sched.Sim
{
    /// <summary>A workload task as a thread of the core, with its job state (host tasks of both CPU simulators).</summary>
    sealed class SimThread : SchedThread
    {
        public TaskSpec Spec;
        public TaskStats Stats;
        public HostTaskSim Sim;
        /// <summary>Periodic tasks: the period (a SimPeriod under CpuSim, a plain RatePeriod beside guest cores).</summary>
        public RatePeriod Period;
        /// <summary>CBS: the server the task runs in (CpuSim under "cbs" only), else null.</summary>
        public SimServer SimServerRef;
        public readonly PriorityNode JobNode = new PriorityNode();
        public ulong Rng;

        // Job state.
        public bool InJob;
        public bool NeedStart;
        public long Remaining;
        public long WallTarget;
        /// <summary>Periodic: index of the current (or next) job; release = start + phase + k*T.</summary>
        public long JobIndex;
        /// <summary>Jobs 0..Completed-1 are complete (jobs complete in order).</summary>
        public long Completed;
        /// <summary>Aperiodic: arrivals seen so far.</summary>
        public int Arrived;
        public bool Finished;

        public SimThread(int id, TaskSpec spec) : base(id, spec.Priority, spec.Name) { Spec = spec; }

        public long Release(long k)
        {
            if (Spec.Kind == TaskKind.Aperiodic) return Spec.Arrivals[k];
            return Spec.ReleaseOf(k);
        }

        public long AbsDeadline(long k)
        {
            if (Spec.Kind == TaskKind.Aperiodic) return Spec.Deadline > 0 ? Spec.Arrivals[k] + Spec.Deadline : long.MaxValue;
            if (Spec.Kind == TaskKind.Background) return long.MaxValue;
            return Release(k) + Spec.Deadline;
        }

        /// <summary>Wall-clock work (a job ends at start + work whether it runs or not); a background task without wcet always burns CPU.</summary>
        public bool WallWork { get { return Spec.Work == WorkKind.Wall && !(Spec.Kind == TaskKind.Background && Spec.Wcet == 0); } }

        public long DrawWork() { return JobWork.Draw(Spec, ref Rng); }
    }

    /// <summary>
    /// The host-task engine of one simulated CPU: a SchedCore on a SimPlatform
    /// driven by a discrete-event loop, with the workload's tasks as
    /// SimThreads. CpuSim (sched/sim/Simulator.cs) runs it under the file's
    /// scheduler; GuestCpuSim (sched/sim/GuestSim.cs) under the vcore
    /// scheduler, beside guest cores, which it adds through the hooks (Act,
    /// completion time and CPU consumption of threads that are not host tasks,
    /// invariants, finish).
    /// Order within an instant: a host job done now completes first, then
    /// timers fire, then phases and arrivals, then the zero-time actions
    /// (switches, completions), then the deadline checks due then.
    /// </summary>
    abstract class HostTaskSim
    {
        /// <summary>The first simulated CPU's number and platform, and its core (the only ones of a one-CPU simulator).</summary>
        protected readonly int cpu;
        protected readonly SimPlatform platform;
        /// <summary>Set by the derived constructor (AttachCore), before AddTasks.</summary>
        protected SchedCore core;
        /// <summary>Every simulated CPU: its number, platform (one shared clock: SetClock) and core.
        /// Partitioned: each core has its own scheduler instance and tasks; global (gedf): the
        /// cores form one cluster and every task's home is cores[0].</summary>
        protected readonly int[] cpuIds;
        protected readonly SimPlatform[] platforms;
        protected SchedCore[] cores;
        /// <summary>The index of the CPU whose action the simulator performs now: a reschedule
        /// request for another CPU is a remote one (an IPI, delayed by the IPI latency).</summary>
        internal int Current;
        SimThread[] runningBefore;
        protected readonly List<SimThread> threads = new List<SimThread>();
        readonly PriorityQueue<SimEvent, (long, long)> events = new PriorityQueue<SimEvent, (long, long)>();
        protected readonly TraceLog trace;
        readonly bool check;
        readonly SimOptions options;
        protected readonly long end;
        /// <summary>Aperiodic jobs with a deadline are released into the core keyed by it (EDF keys).</summary>
        protected bool edfKeys;
        long eventSeq;
        /// <summary>Deadline checks due now, made once every job that completes at this instant has (see Run).</summary>
        readonly List<SimEvent> dueChecks = new List<SimEvent>();
        public string Error;
        /// <summary>Kernel overheads modelled (zero: none; see Stall).</summary>
        protected Overheads overheads;
        /// <summary>Kernel work still to do at the current instant (ns): while it lasts the clock
        /// moves but no thread makes progress. Added per timer interrupt (entry + exit + one
        /// release per job it releases), per release by a wake-up (an interrupt), per switch
        /// (decision + switch). Always 0 with zero overheads, which keeps the run unchanged.</summary>
        long[] stalls;
        long[] switchesSeen;

        enum EvKind { Start, Arrival, PeriodicCheck, AperiodicCheck, Other }

        sealed class SimEvent
        {
            public EvKind Kind;
            public SimThread Thread;
            public long Index;
        }

        protected HostTaskSim(int cpu, long end, SimOptions o) : this(new int[] { cpu }, end, o, 0) { }

        /// <summary>Simulated CPUs cpuIds (one platform each, one clock); ipiLatency: delay of a
        /// reschedule request from one CPU to another.</summary>
        protected HostTaskSim(int[] cpuIds, long end, SimOptions o, long ipiLatency)
        {
            this.cpuIds = cpuIds;
            cpu = cpuIds[0];
            platforms = new SimPlatform[cpuIds.Length];
            for (int k = 0; k < cpuIds.Length; k++)
                platforms[k] = new SimPlatform { Index = k, Owner = this, Latency = ipiLatency };
            platform = platforms[0];
            stalls = new long[cpuIds.Length];
            switchesSeen = new long[cpuIds.Length];
            runningBefore = new SimThread[cpuIds.Length];
            this.end = end;
            trace = o.Trace;
            check = o.CheckInvariants;
            options = o;
        }

        /// <summary>The CPUs the workload's tasks run on.</summary>
        public static SortedSet<int> TaskCpus(WorkloadSpec w)
        {
            var cpus = new SortedSet<int>();
            foreach (TaskSpec t in w.Tasks) cpus.Add(t.Cpu);
            return cpus;
        }

        /// <summary>The specs of the workload's tasks on cpu, in file order, and their fresh stats (also appended to all).</summary>
        public static void TasksOn(WorkloadSpec w, int cpu, List<TaskStats> all, out List<TaskSpec> specs, out List<TaskStats> stats)
        {
            specs = new List<TaskSpec>();
            stats = new List<TaskStats>();
            foreach (TaskSpec t in w.Tasks)
            {
                if (t.Cpu != cpu) continue;
                specs.Add(t);
                stats.Add(new TaskStats { Name = t.Name, Kind = t.Kind, Cpu = cpu, Priority = t.Priority });
            }
            all.AddRange(stats);
        }

        /// <summary>The overheads a run models: --overheads when given, else the file's 'overheads' line.</summary>
        protected Overheads OverheadsOf(WorkloadSpec w) { return options.OverheadsGiven ? options.Overheads : w.Overheads; }

        protected void AttachCore(SchedCore c) { AttachCores(new SchedCore[] { c }); }

        /// <summary>The cores of the CPUs (cs[k] on platforms[k]), before AddTasks.</summary>
        protected void AttachCores(SchedCore[] cs)
        {
            cores = cs;
            core = cs[0];
            for (int k = 0; k < cs.Length; k++)
            {
                cs[k].Cpu = cpuIds[k];
                if (trace != null) trace.Attach(cs[k], cpuIds[k], platforms[k]);
            }
        }

        /// <summary>Index of core c among this simulator's cores.</summary>
        protected int IndexOf(SchedCore c)
        {
            for (int k = 0; k < cores.Length; k++) if (cores[k] == c) return k;
            return 0;
        }

        /// <summary>The one simulated clock: every CPU's platform reads it.</summary>
        void SetClock(long now)
        {
            for (int k = 0; k < platforms.Length; k++) platforms[k].Clock = now;
        }

        /// <summary>True when the cores share one ready set (global scheduling): every ring names every task.</summary>
        protected bool global;

        // ------------------------------------------------------------ hooks --

        /// <summary>A new task's thread, added to the core, before its period and first events (CBS server, notes).</summary>
        protected virtual void SetUpTask(SimThread t, int index, List<string> notes) { }

        /// <summary>The period of a periodic task.</summary>
        protected virtual RatePeriod NewPeriod(SimThread t, int id) { return new RatePeriod(t.Core, t, id); }

        /// <summary>A periodic task's period() call at the end of each job.</summary>
        protected virtual PeriodStatus RunPeriod(SimThread t) { return t.Period.Run(t, t.Spec.Period, t.Spec.Deadline); }

        /// <summary>At set-up: activate a periodic task's period so its timer releases job 0 at the phase (as the kernel's runner does from t0).</summary>
        protected virtual PeriodStatus StartPeriod(SimThread t) { return t.Period.StartAt(t.Spec.Start + t.Spec.Phase, t.Spec.Period, t.Spec.Deadline); }

        /// <summary>After each change of the tasks' state (completion, timers, events): stats kept along the run.</summary>
        protected virtual void Observe() { }

        /// <summary>After the core's timers fired.</summary>
        protected virtual void AfterTimer() { Observe(); }

        /// <summary>Zero-time actions of an executing thread that is not a host task; true when the schedule may have changed.</summary>
        protected virtual bool ActOther(SchedThread x) { return false; }

        /// <summary>When an executing thread that is not a host task next needs attention.</summary>
        protected virtual long OtherCompletionTime(SchedThread x) { return long.MaxValue; }

        /// <summary>An executing thread that is not a host task ran for dt.</summary>
        protected virtual void ConsumeOther(SchedThread x, long dt) { }

        /// <summary>Invariants beyond the core's and the periods'; null when they hold.</summary>
        protected virtual string CheckOther() { return null; }

        /// <summary>A task's final stats, after the common ones.</summary>
        protected virtual void FinishTask(SimThread t) { }

        // ----------------------------------------------------------- engine --

        /// <summary>The tasks of one CPU as threads of the core, with their first events.</summary>
        protected void AddTasks(WorkloadSpec w, List<TaskSpec> specs, List<TaskStats> stats, List<string> notes)
        {
            AddTasks(w, specs, stats, notes, core);
        }

        /// <summary>Tasks whose home is core home (ids 1..n, numbered per home core).</summary>
        protected void AddTasks(WorkloadSpec w, List<TaskSpec> specs, List<TaskStats> stats, List<string> notes, SchedCore home)
        {
            overheads = OverheadsOf(w);
            SchedCore core = home;
            int cpu = home.Cpu;
            for (int i = 0; i < specs.Count; i++)
            {
                TaskSpec s = specs[i];
                SimThread t = new SimThread(i + 1, s);
                t.Sim = this;
                t.Stats = stats[i];
                t.Rng = JobWork.Seed(w.Seed, cpu, i);
                core.AddThread(t);
                if (global)
                    foreach (SchedCore c in cores)
                        if (c != core && c.Trace != null) c.Trace.NameThread(t.Id, t.Name);
                SetUpTask(t, i, notes);
                if (s.Kind == TaskKind.Periodic)
                {
                    // Activated now for a first release at the phase: the
                    // period timer releases job 0 then and wakes the thread,
                    // as in the kernel (every period activated before any job
                    // runs, releases in timer order).
                    t.Period = NewPeriod(t, i + 1);
                    PeriodStatus st = StartPeriod(t);
                    if (st != PeriodStatus.Successful && Error == null) Error = "period of '" + s.Name + "' could not start: " + st;
                    core.Start(t);
                    t.JobIndex = 0;
                    t.NeedStart = true;
                    Push(s.Start + s.Phase + s.Deadline, EvKind.PeriodicCheck, t, 0);
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
                    Push(s.Start, EvKind.Start, t, 0);
                }
                threads.Add(t);
            }
        }

        /// <summary>An event of the derived simulator (HandleOther(tag) at time), in time order with the others.</summary>
        protected void PushOther(long time, long tag) { Push(time, EvKind.Other, null, tag); }

        /// <summary>The derived simulator's event (PushOther).</summary>
        protected virtual void HandleOther(long tag) { }

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
        /// aperiodic jobs with a deadline node), and the vcore scheduler its
        /// vcore_switch_in/out, into this CPU's ring itself; the simulator adds
        /// only what it alone knows (completions, misses, the other releases).
        /// </summary>
        public void Emit(string kind, SimThread t, string extra)
        {
            if (trace != null && t != null && !TraceLog.FromCore(kind, t.Spec.Kind == TaskKind.Periodic || UsesJobNode(t)))
                trace.Add(platform.Clock, CpuOf(t), kind, t, extra);
        }

        /// <summary>The CPU an event of t is recorded on: where it executes, else its home core's.</summary>
        static int CpuOf(SimThread t)
        {
            SchedCore c = t.IsExecuting && t.LastCore != null ? t.LastCore : t.Core;
            return c.Cpu;
        }

        protected void EmitRelease(SimThread t, long k)
        {
            if (trace == null) return;
            long d = t.AbsDeadline(k);
            Emit(TraceKind.Release, t, "job=" + k + (d == long.MaxValue ? "" : " deadline=" + d));
        }

        void Check(string where)
        {
            if (!check || Error != null) return;
            string e = null;
            for (int k = 0; k < cores.Length && e == null; k++)
                if ((e = cores[k].CheckInvariants()) != null && cores.Length > 1) e = "cpu " + cpuIds[k] + ": " + e;
            if (e == null)
                foreach (SimThread t in threads)
                    if (t.Period != null && (e = t.Period.CheckInvariants()) != null) break;
            if (e == null) e = CheckOther();
            if (e != null) Error = "invariant broken at t=" + platform.Clock + " (" + where + "): " + e;
        }

        void Dispatch(int k)
        {
            Current = k;
            platforms[k].SwitchRequested = false;
            platforms[k].DispatchAt = long.MaxValue;
            cores[k].Dispatch();   // the core traces the switch
        }

        bool Done(SimThread t)
        {
            if (!t.InJob) return false;
            if (t.WallWork) return platform.Clock >= t.WallTarget;
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

        /// <summary>The zero-time actions of CPU k's executing thread. True when it changed the schedule.</summary>
        bool Act(int k)
        {
            Current = k;
            SchedThread x = cores[k].Executing;
            SimThread t = x as SimThread;
            if (t == null) return ActOther(x);
            if (!t.IsReady) return false;
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
                if (s.Jobs > 0 && k + 1 >= s.Jobs)
                {
                    // jobs=N: the last job is done; the task ends its period and stops (RTEMS: delete the
                    // period, the task exits). A postponed job the period released meanwhile never runs.
                    t.Period.Cancel(t);
                    t.Finished = true;
                    t.JobIndex = k + 1;
                    t.Core.Stop(t);
                    Observe();
                    return;
                }
                PeriodStatus st = RunPeriod(t);
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
                    if (UsesJobNode(t)) t.Core.CancelJob(t, t.JobNode);
                    t.Core.Block(t);
                }
            }
            else
            {
                t.Stats.Response(now - s.Start);
                t.Finished = true;
                Emit(TraceKind.Complete, t, "job=0 response=" + (now - s.Start));
                t.Core.Stop(t);
            }
            Observe();
        }

        bool UsesJobNode(SimThread t)
        {
            return edfKeys && t.Spec.Kind == TaskKind.Aperiodic && t.Spec.Deadline > 0;
        }

        void ReleaseAperiodic(SimThread t, long k)
        {
            if (UsesJobNode(t)) t.Core.ReleaseJob(t, t.JobNode, t.AbsDeadline(k));
        }

        void Settle()
        {
            for (int guard = 0; guard < 100000; guard++)
            {
                bool changed = false;
                for (int k = 0; k < cores.Length && !changed; k++)
                {
                    // A reschedule request from another CPU arrives after the IPI latency.
                    if (cores[k].DispatchNeeded && platforms[k].DispatchAt <= platform.Clock) { Dispatch(k); Check("dispatch"); changed = true; }
                    else if (Act(k)) { Check("act"); changed = true; }
                }
                if (!changed) return;
            }
            if (Error == null) Error = "no progress at t=" + platform.Clock + " (livelock in zero-time actions)";
        }

        long CompletionTime(int k)
        {
            SchedThread x = cores[k].Executing;
            SimThread t = x as SimThread;
            if (t == null) return OtherCompletionTime(x);
            if (!t.InJob || !t.IsReady) return long.MaxValue;
            if (t.WallWork) return Math.Max(platform.Clock, t.WallTarget);
            return Sat(platform.Clock, t.Remaining);
        }

        /// <summary>a + b, long.MaxValue on overflow.</summary>
        protected static long Sat(long a, long b)
        {
            long s = a + b;
            return s < a ? long.MaxValue : s;
        }

        void Handle(SimEvent e)
        {
            if (e.Kind == EvKind.Other) { HandleOther(e.Index); return; }
            SimThread t = e.Thread;
            TaskSpec s = t.Spec;
            switch (e.Kind)
            {
                case EvKind.Start:
                    // A background task starts (periodic tasks start by their period's timer).
                    stalls[IndexOf(t.Core)] += overheads.InterruptNs;
                    t.Core.Start(t);
                    t.NeedStart = true;
                    t.Stats.Released++;
                    EmitRelease(t, 0);
                    break;
                case EvKind.Arrival:
                    stalls[IndexOf(t.Core)] += overheads.InterruptNs;
                    t.Arrived++;
                    t.Stats.Released++;
                    EmitRelease(t, e.Index);
                    if (t.Completed == t.Arrived - 1 && !t.InJob)
                    {
                        t.NeedStart = true;
                        ReleaseAperiodic(t, e.Index);
                        t.Core.Unblock(t);
                    }
                    break;
                case EvKind.PeriodicCheck:
                    dueChecks.Add(e);
                    if (s.Jobs == 0 || e.Index + 1 < s.Jobs)
                        Push(t.Release(e.Index + 1) + s.Deadline, EvKind.PeriodicCheck, t, e.Index + 1);
                    break;
                case EvKind.AperiodicCheck:
                    dueChecks.Add(e);
                    break;
            }
        }

        /// <summary>
        /// The deadline checks due at this instant, after the zero-time
        /// actions of the instant: a job that completes at its deadline is on
        /// time even when it completes after the timers and events of that
        /// instant (e.g. a wall-clock job whose end passed while it was
        /// preempted, completed when it runs again at the same instant).
        /// </summary>
        void RunDueChecks()
        {
            foreach (SimEvent e in dueChecks)
                if (e.Thread.Completed <= e.Index) Miss(e.Thread, e.Index);
            dueChecks.Clear();
        }

        /// <summary>Period expiries so far of the tasks whose home is core c (their timers are c's).</summary>
        long Expiries(SchedCore c)
        {
            long n = 0;
            foreach (SimThread t in threads) if (t.Period != null && t.Core == c) n += (long)t.Period.ExpiryCount;
            return n;
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
            int n = cores.Length;
            while (Error == null)
            {
                Settle();
                RunDueChecks();
                long now = platform.Clock;
                long next = end;
                for (int k = 0; k < n; k++)
                {
                    SchedCore c = cores[k];
                    if (c.SwitchCount != switchesSeen[k])
                    {
                        stalls[k] += (c.SwitchCount - switchesSeen[k]) * (overheads.DecisionNs + overheads.SwitchNs);
                        switchesSeen[k] = c.SwitchCount;
                    }
                    if (platforms[k].TimerAt < next) next = platforms[k].TimerAt;
                    // A reschedule request on its way from another CPU.
                    if (c.DispatchNeeded && platforms[k].DispatchAt < next) next = platforms[k].DispatchAt;
                }
                if (events.Count > 0 && events.TryPeek(out _, out var pri) && pri.Item1 < next) next = pri.Item1;
                for (int k = 0; k < n; k++)
                {
                    long c = CompletionTime(k);
                    if (stalls[k] > 0)
                    {
                        // Kernel work first: a job completes that much later; it ends at the latest then.
                        c = Sat(c, stalls[k]);
                        if (Sat(now, stalls[k]) < next) next = now + stalls[k];
                    }
                    if (c < next) next = c;
                }
                if (next < now) next = now;

                // Advance the virtual clock; on each CPU the kernel's pending work first, then the executing job consumes CPU.
                long dt = next - now;
                for (int k = 0; k < n; k++)
                {
                    long stalled = dt < stalls[k] ? dt : stalls[k];
                    stalls[k] -= stalled;
                    long run = dt - stalled;
                    SchedThread ex = cores[k].Executing;
                    SimThread x = ex as SimThread;
                    runningBefore[k] = x;
                    if (x == null) ConsumeOther(ex, run);
                    else if (x.InJob && x.IsReady && !x.WallWork) x.Remaining -= run;
                }
                SetClock(next);

                // A job finishing now finishes before the timers due now (a job done exactly at its period end is on time).
                for (int k = 0; k < n; k++)
                {
                    SimThread x = runningBefore[k];
                    runningBefore[k] = null;
                    if (x != null && x.IsReady && x == cores[k].Executing && Done(x))
                    {
                        Current = k;
                        Complete(x);
                        Check("complete");
                        // A blocking call switches at once (as in the kernel), before timers due at the same instant:
                        // the CBS budget watchdog of a job that ended exactly on its budget is then cancelled.
                        if (cores[k].DispatchNeeded && !x.IsReady) Dispatch(k);
                    }
                }

                for (int k = 0; k < n; k++)
                {
                    if (platforms[k].TimerAt > platform.Clock) continue;
                    Current = k;
                    SchedCore c = cores[k];
                    platforms[k].TimerAt = long.MaxValue;
                    long expiries = overheads.IsZero ? 0 : Expiries(c);
                    c.TimerFired(platform.Clock);
                    if (!overheads.IsZero) stalls[k] += overheads.TimerEntryNs + overheads.TimerExitNs + (Expiries(c) - expiries) * overheads.ReleaseNs;
                    AfterTimer();
                    Check("timer");
                }
                while (events.Count > 0 && events.TryPeek(out var ev, out var p) && p.Item1 <= platform.Clock)
                {
                    events.Dequeue();
                    Current = ev.Thread != null ? IndexOf(ev.Thread.Core) : 0;
                    Handle(ev);
                }
                Observe();
                Check("events");
                if (platform.Clock >= end)
                {
                    Settle();
                    RunDueChecks();
                    break;
                }
            }
            for (int k = 0; k < n; k++) cores[k].Charge();
        }

        /// <summary>Run to the end, then put this CPU's error (the first one wins) and results into r.</summary>
        public void RunInto(SimResult r)
        {
            Run();
            if (Error != null && r.Error == null) r.Error = (cpuIds.Length == 1 ? "cpu " + cpu : "cpus " + string.Join(",", cpuIds)) + ": " + Error;
            Finish(r);
        }

        public virtual void Finish(SimResult r)
        {
            foreach (SimThread t in threads)
            {
                t.Stats.CpuTimeNs = t.CpuTimeNs;
                t.Stats.Migrations = t.Migrations;
                if (t.Period != null) t.Stats.TakePeriod(t.Period);
                FinishTask(t);
            }
            for (int k = 0; k < cores.Length; k++)
            {
                r.IdleTimeNs += cores[k].IdleTimeNs;
                r.Switches += cores[k].SwitchCount;
                r.Migrations += cores[k].Migrations;
            }
        }
    }
}
