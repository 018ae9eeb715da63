using System;
using System.Collections.Generic;
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
        /// <summary>Periodic: index of the current (or next) job; release = phase + k*T.</summary>
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
            return Spec.Phase + k * Spec.Period;
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
        protected readonly int cpu;
        protected readonly SimPlatform platform = new SimPlatform();
        /// <summary>Set by the derived constructor (AttachCore), before AddTasks.</summary>
        protected SchedCore core;
        protected readonly List<SimThread> threads = new List<SimThread>();
        readonly PriorityQueue<SimEvent, (long, long)> events = new PriorityQueue<SimEvent, (long, long)>();
        protected readonly TraceLog trace;
        readonly bool check;
        protected readonly long end;
        /// <summary>Aperiodic jobs with a deadline are released into the core keyed by it (EDF keys).</summary>
        protected bool edfKeys;
        long eventSeq;
        /// <summary>Deadline checks due now, made once every job that completes at this instant has (see Run).</summary>
        readonly List<SimEvent> dueChecks = new List<SimEvent>();
        public string Error;

        enum EvKind { Start, Arrival, PeriodicCheck, AperiodicCheck }

        sealed class SimEvent
        {
            public EvKind Kind;
            public SimThread Thread;
            public long Index;
        }

        protected HostTaskSim(int cpu, long end, SimOptions o)
        {
            this.cpu = cpu;
            this.end = end;
            trace = o.Trace;
            check = o.CheckInvariants;
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

        protected void AttachCore(SchedCore c)
        {
            core = c;
            if (trace != null) trace.Attach(core, cpu, platform);
        }

        // ------------------------------------------------------------ hooks --

        /// <summary>A new task's thread, added to the core, before its period and first events (CBS server, notes).</summary>
        protected virtual void SetUpTask(SimThread t, int index, List<string> notes) { }

        /// <summary>The period of a periodic task.</summary>
        protected virtual RatePeriod NewPeriod(SimThread t, int id) { return new RatePeriod(core, t, id); }

        /// <summary>A periodic task's period() call at the end of each job.</summary>
        protected virtual PeriodStatus RunPeriod(SimThread t) { return t.Period.Run(t, t.Spec.Period, t.Spec.Deadline); }

        /// <summary>At set-up: activate a periodic task's period so its timer releases job 0 at the phase (as the kernel's runner does from t0).</summary>
        protected virtual PeriodStatus StartPeriod(SimThread t) { return t.Period.StartAt(t.Spec.Phase, t.Spec.Period, t.Spec.Deadline); }

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

        /// <summary>The tasks of this CPU as threads of the core, with their first events.</summary>
        protected void AddTasks(WorkloadSpec w, List<TaskSpec> specs, List<TaskStats> stats, List<string> notes)
        {
            for (int i = 0; i < specs.Count; i++)
            {
                TaskSpec s = specs[i];
                SimThread t = new SimThread(i + 1, s);
                t.Sim = this;
                t.Stats = stats[i];
                t.Rng = JobWork.Seed(w.Seed, cpu, i);
                core.AddThread(t);
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
        /// aperiodic jobs with a deadline node), and the vcore scheduler its
        /// vcore_switch_in/out, into this CPU's ring itself; the simulator adds
        /// only what it alone knows (completions, misses, the other releases).
        /// </summary>
        public void Emit(string kind, SimThread t, string extra)
        {
            if (trace != null && t != null && !TraceLog.FromCore(kind, t.Spec.Kind == TaskKind.Periodic || UsesJobNode(t)))
                trace.Add(platform.Clock, cpu, kind, t, extra);
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
            string e = core.CheckInvariants();
            if (e == null)
                foreach (SimThread t in threads)
                    if (t.Period != null && (e = t.Period.CheckInvariants()) != null) break;
            if (e == null) e = CheckOther();
            if (e != null) Error = "invariant broken at t=" + platform.Clock + " (" + where + "): " + e;
        }

        void Dispatch()
        {
            platform.SwitchRequested = false;
            core.Dispatch();   // the core traces the switch
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

        /// <summary>The executing thread's zero-time actions. True when it changed the schedule.</summary>
        bool Act()
        {
            SchedThread x = core.Executing;
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
            SchedThread x = core.Executing;
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
            SimThread t = e.Thread;
            TaskSpec s = t.Spec;
            switch (e.Kind)
            {
                case EvKind.Start:
                    // A background task starts (periodic tasks start by their period's timer).
                    core.Start(t);
                    t.NeedStart = true;
                    t.Stats.Released++;
                    EmitRelease(t, 0);
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
                    dueChecks.Add(e);
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
                RunDueChecks();
                long next = end;
                if (platform.TimerAt < next) next = platform.TimerAt;
                if (events.Count > 0 && events.TryPeek(out _, out var pri) && pri.Item1 < next) next = pri.Item1;
                long c = CompletionTime();
                if (c < next) next = c;
                if (next < platform.Clock) next = platform.Clock;

                // Advance the virtual clock; the executing job consumes CPU.
                long dt = next - platform.Clock;
                SchedThread ex = core.Executing;
                SimThread x = ex as SimThread;
                if (x == null) ConsumeOther(ex, dt);
                else if (x.InJob && x.IsReady && !x.WallWork) x.Remaining -= dt;
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
                    core.TimerFired(platform.Clock);
                    AfterTimer();
                    Check("timer");
                }
                while (events.Count > 0 && events.TryPeek(out var ev, out var p) && p.Item1 <= platform.Clock)
                {
                    events.Dequeue();
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
            core.Charge();
        }

        /// <summary>Run to the end, then put this CPU's error (the first one wins) and results into r.</summary>
        public void RunInto(SimResult r)
        {
            Run();
            if (Error != null && r.Error == null) r.Error = "cpu " + cpu + ": " + Error;
            Finish(r);
        }

        public virtual void Finish(SimResult r)
        {
            foreach (SimThread t in threads)
            {
                t.Stats.CpuTimeNs = t.CpuTimeNs;
                if (t.Period != null) t.Stats.TakePeriod(t.Period);
                FinishTask(t);
            }
            r.IdleTimeNs += core.IdleTimeNs;
            r.Switches += core.SwitchCount;
        }
    }
}
