using Osprey.Sched.Workload;

namespace Osprey.Sched
{
    /// <summary>
    /// The platform of a guest's own scheduler: the core's virtual clock and
    /// its one-shot virtual timer. A nested SchedCore on it runs the guest's
    /// task set exactly as the host core runs host threads, in guest time.
    /// </summary>
    public sealed class GuestPlatform : Platform
    {
        readonly Vcore vcore;
        public bool SwitchRequested;
        public long ArmedFor = long.MaxValue;

        public GuestPlatform(Vcore v) { vcore = v; }

        public override long Now() { return vcore.VirtualNow(); }

        public override void ArmTimer(long absoluteNs)
        {
            ArmedFor = absoluteNs;
            if (absoluteNs == long.MaxValue) vcore.CancelTimer();
            else vcore.ArmTimer(absoluteNs);
        }

        public override void RequestSwitch() { SwitchRequested = true; }
    }

    /// <summary>A task of a periodic guest: a thread of the guest's own core, with its period and job state.</summary>
    public sealed class GuestTask : SchedThread
    {
        public readonly TaskSpec Spec;
        public readonly TaskStats Stats;
        public RatePeriod Period;
        public readonly GuestTaskStart StartTimer;
        internal PeriodicGuestProgram Guest;
        internal ulong Rng;
        /// <summary>Virtual time of the first release (activation of the period).</summary>
        public long Base = -1;
        public long JobIndex;
        public long Completed;
        public bool NeedStart;
        public bool InJob;
        /// <summary>Host CPU ns of work left in the current job (work=cpu).</summary>
        public long LeftHost;
        /// <summary>Virtual time at which the current job's wall-clock work ends (work=wall).</summary>
        public long WallTarget;
        /// <summary>Host CPU ns this task executed.</summary>
        public long ExecutedHost;
        /// <summary>Jobs that completed after their deadline.</summary>
        public long LateCompletions;

        public GuestTask(int id, TaskSpec spec, TaskStats stats) : base(id, spec.Priority, spec.Name)
        {
            Spec = spec;
            Stats = stats;
            StartTimer = new GuestTaskStart(this);
        }

        public long Release(long k) { return Base + k * Spec.Period; }
        public long Deadline(long k) { return Release(k) + Spec.Deadline; }
    }

    /// <summary>Activates a guest task's period at its phase (guest time).</summary>
    public sealed class GuestTaskStart : Watchdog
    {
        readonly GuestTask task;
        public GuestTaskStart(GuestTask t) { task = t; }
        public override void Fire(long now) { task.Guest.Activate(task, now); }
    }

    /// <summary>
    /// A guest running its own periodic task set under its own scheduler
    /// ("edf" or "priority") on a nested SchedCore over the core's virtual
    /// clock and timer. Each task is the RTEMS loop {period(T); work} in guest
    /// time: its period is activated at its phase, a job's work is wcet of
    /// guest time (host CPU = wcet x den / num, rounded up; jitter as on the
    /// host), and a job is late when it completes after release + deadline
    /// (a job still running at the end counts once its deadline has passed).
    /// The guest halts whenever none of its tasks is ready; its period timers
    /// wake it through the virtual timer. Per-task results in Stats
    /// (TaskStats, printed by RunReport) after Finish.
    /// </summary>
    public sealed class PeriodicGuestProgram : GuestProgram
    {
        readonly TaskSpec[] specs;
        readonly string schedulerName;
        readonly ulong seed;
        readonly int seedIndex;
        public readonly TaskStats[] Stats;
        public GuestTask[] Tasks;
        public SchedCore GuestCore;
        public GuestPlatform Platform;
        public string Error;
        GuestTask running;
        bool edf;

        public PeriodicGuestProgram(TaskSpec[] tasks, string scheduler, ulong seed, int seedIndex)
        {
            Kind = "periodic";
            specs = tasks == null ? new TaskSpec[0] : tasks;
            schedulerName = scheduler == null ? "edf" : scheduler;
            this.seed = seed;
            this.seedIndex = seedIndex;
            Stats = new TaskStats[specs.Length];
            for (int i = 0; i < specs.Length; i++)
            {
                TaskStats s = new TaskStats();
                s.Name = specs[i].Name;
                s.Kind = TaskKind.Periodic;
                s.Priority = specs[i].Priority;
                Stats[i] = s;
            }
        }

        public string SchedulerName { get { return schedulerName; } }

        public override void Boot(Vcore v)
        {
            Platform = new GuestPlatform(v);
            string err;
            GuestCore = SchedCore.Create(Platform, schedulerName, null, out err);
            if (GuestCore == null) { Error = err; return; }
            edf = GuestCore.Scheduler is EdfScheduler;
            Tasks = new GuestTask[specs.Length];
            for (int i = 0; i < specs.Length; i++)
            {
                GuestTask t = new GuestTask(i + 1, specs[i], Stats[i]);
                t.Guest = this;
                t.Rng = JobWork.Seed(seed, 1000 + seedIndex, i);
                Stats[i].Cpu = v.Cpu;
                GuestCore.AddThread(t);
                t.Period = new RatePeriod(GuestCore, t, i + 1);
                Tasks[i] = t;
            }
            long now = v.VirtualNow();
            for (int i = 0; i < Tasks.Length; i++)
            {
                GuestTask t = Tasks[i];
                if (t.Spec.Phase <= now) Activate(t, now);
                else GuestCore.Timers.Insert(t.StartTimer, t.Spec.Phase);
            }
        }

        /// <summary>The task's first period() call: period active, job 0 released now.</summary>
        internal void Activate(GuestTask t, long now)
        {
            if (t.Base >= 0) return;
            GuestCore.Start(t);
            PeriodStatus st = t.Period.Run(t, t.Spec.Period);
            if (st != PeriodStatus.Successful && Error == null) Error = "first period call of guest task '" + t.Spec.Name + "' returned " + StatusName(st);
            t.Base = now;
            t.JobIndex = 0;
            t.NeedStart = true;
            FixDeadline(t);
        }

        static string StatusName(PeriodStatus s)
        {
            if (s == PeriodStatus.Timeout) return "timeout";
            if (s == PeriodStatus.InvalidLength) return "invalid length";
            return "status " + ((int)s).ToString();
        }

        /// <summary>Constrained deadlines under EDF: the job is keyed by release + D, not by the period end.</summary>
        void FixDeadline(GuestTask t)
        {
            if (!edf || t.Spec.Deadline >= t.Spec.Period) return;
            PriorityNode n = t.Period.JobNode;
            if (!n.InTree || n.Key != t.Period.JobDeadline) return;
            GuestCore.SetPriorityNode(t, n, t.Period.JobDeadline - t.Spec.Period + t.Spec.Deadline);
        }

        public override void Executed(Vcore v, long ranNs)
        {
            WorkNs += ranNs;
            GuestTask t = running;
            if (t == null) return;
            t.ExecutedHost += ranNs;
            if (t.InJob) t.LeftHost -= ranNs;
        }

        public override void TimerInterrupt(Vcore v)
        {
            Ticks++;
            if (GuestCore == null) return;
            GuestCore.TimerFired(v.VirtualNow());
            for (int i = 0; i < Tasks.Length; i++) FixDeadline(Tasks[i]);
            NotePostponed();
            // The one-shot is spent: make sure it is armed for the guest's earliest timer.
            long next = GuestCore.Timers.NextExpiry;
            if (next != long.MaxValue && !v.TimerArmed) v.ArmTimer(next);
        }

        public override long Run(Vcore v, long untilInterruptNs)
        {
            if (GuestCore == null) return Halt;
            for (int guard = 0; guard < 1024; guard++)
            {
                if (GuestCore.DispatchNeeded)
                {
                    Platform.SwitchRequested = false;
                    GuestCore.Dispatch();
                }
                GuestTask t = GuestCore.Executing as GuestTask;
                if (t == null || !t.IsReady)
                {
                    running = null;
                    return Halt;
                }
                if (t.NeedStart) BeginJob(t, v);
                if (Done(t, v))
                {
                    Complete(t, v);
                    continue;
                }
                running = t;
                if (t.Spec.Work == WorkKind.Wall)
                {
                    long d = v.HostTimeOf(t.WallTarget) - v.HostNow();
                    return d < 1 ? 1 : d;
                }
                return t.LeftHost;
            }
            running = null;
            return Vcore.MinRunNs;
        }

        void BeginJob(GuestTask t, Vcore v)
        {
            t.NeedStart = false;
            t.InJob = true;
            long w = JobWork.Draw(t.Spec, ref t.Rng);
            t.LeftHost = v.HostNsOf(w);
            t.WallTarget = v.VirtualNow() + w;
        }

        bool Done(GuestTask t, Vcore v)
        {
            if (!t.InJob) return false;
            if (t.Spec.Work == WorkKind.Wall) return v.VirtualNow() >= t.WallTarget;
            return t.LeftHost <= 0;
        }

        void Complete(GuestTask t, Vcore v)
        {
            long now = v.VirtualNow();
            long k = t.JobIndex;
            t.InJob = false;
            t.Stats.Response(now - t.Release(k));
            if (now > t.Deadline(k))
            {
                t.LateCompletions++;
                if (t.Stats.FirstMissAt < 0) t.Stats.FirstMissAt = t.Deadline(k);
            }
            t.Completed = k + 1;
            PeriodStatus st = t.Period.Run(t, t.Spec.Period);
            if (st != PeriodStatus.Successful && st != PeriodStatus.Timeout && Error == null)
                Error = "period of guest task '" + t.Spec.Name + "' returned " + StatusName(st);
            t.JobIndex = k + 1;
            t.NeedStart = true;
            FixDeadline(t);
        }

        /// <summary>
        /// Fill Stats at virtual time 'now' (idempotent): jobs released so far,
        /// misses (late completions plus jobs not complete whose deadline has
        /// passed), postponed jobs and rate-monotonic counts from the periods,
        /// CPU time in guest time.
        /// </summary>
        public void Finish(Vcore v) { Finish(v, v.VirtualNow()); }

        /// <summary>Finish with the guest clock read at the end of the run (the kernel reads it before removing the core).</summary>
        public void Finish(Vcore v, long now)
        {
            if (Tasks == null) return;
            for (int i = 0; i < Tasks.Length; i++)
            {
                GuestTask t = Tasks[i];
                TaskStats s = t.Stats;
                s.CpuTimeNs = v.GuestNsOf(t.ExecutedHost);
                if (t.Base < 0)
                {
                    s.Released = 0;
                    s.Misses = 0;
                    continue;
                }
                long released = now < t.Base ? 0 : (now - t.Base) / t.Spec.Period + 1;
                s.Released = released;
                long pending = 0;
                for (long k = t.Completed; k < released; k++)
                {
                    if (t.Deadline(k) > now) break;
                    pending++;
                    if (s.FirstMissAt < 0) s.FirstMissAt = t.Deadline(k);
                }
                s.Misses = t.LateCompletions + pending;
                s.TakePeriod(t.Period);
            }
        }

        /// <summary>Largest postponed-job count so far (postponing happens only in timer interrupts).</summary>
        void NotePostponed()
        {
            for (int i = 0; i < Tasks.Length; i++)
            {
                uint p = Tasks[i].Period.MaxPostponedJobs;
                if (p > Tasks[i].Stats.MaxPostponed) Tasks[i].Stats.MaxPostponed = p;
            }
        }

        /// <summary>The nested core's and every period's invariants; null when sound.</summary>
        public string CheckInvariants()
        {
            if (GuestCore == null) return Error;
            string e = GuestCore.CheckInvariants();
            if (e != null) return "guest core: " + e;
            for (int i = 0; i < Tasks.Length; i++)
            {
                e = Tasks[i].Period.CheckInvariants();
                if (e != null) return "guest task " + Tasks[i].Spec.Name + ": " + e;
            }
            return null;
        }
    }
}
