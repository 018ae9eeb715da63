namespace Osprey.Sched
{
    /// <summary>
    /// The scheduling core's share of the kernel overheads the analysis charges
    /// (sched/analysis/Overheads.cs), per policy: one periodic thread on its
    /// rate-monotonic period (the kernel's RatePeriod) beside `ready` other
    /// ready threads, on the real core (SchedCore) with a platform that does
    /// nothing. The caller times each Perform (the kernel at boot with its
    /// clock; under -icount the figures count instructions).
    ///
    /// A cycle is:
    ///  - PrepareRelease: the clock moves to the period's end;
    ///  - OpRelease: the timer fires there (the period expires, the next job is
    ///    released and its thread woken: the work of the release interrupt);
    ///  - OpDecision: the dispatch that switches to the periodic thread;
    ///  - PrepareJobEnd: the clock moves a quarter period on (the job ran);
    ///  - OpJobEnd: the job's end, the period call that blocks until the next
    ///    period (the thread's kernel call);
    ///  - OpDecision: the dispatch that switches to the next ready thread.
    /// The periodic thread is the most urgent under every policy (priority 1;
    /// deadlines one period away while the others' lie far beyond); under cbs
    /// it has a soft server (half the CPU), under vcore it is a host thread
    /// under EDF. Setup allocates; the cycle allocates nothing.
    /// </summary>
    public sealed class OverheadBench
    {
        sealed class NullPlatform : Platform
        {
            public long Clock = 1000000;
            public override long Now() { return Clock; }
            public override void ArmTimer(long absoluteNs) { }
            public override void RequestSwitch() { }
        }

        public const int OpRelease = 0, OpJobEnd = 1, OpDecision = 2;
        /// <summary>The policies the kernel measures at boot.</summary>
        public static readonly string[] Policies = { "priority", "edf", "cbs", "vcore" };
        /// <summary>The period of the measured thread (ns of the bench's own clock).</summary>
        public const long Period = 1000000;

        readonly NullPlatform platform = new NullPlatform();
        public readonly SchedCore Core;
        readonly SchedThread task;
        readonly RatePeriod period;
        long boundary;
        int released;

        /// <summary>Builds the set, or null with error for an unknown policy or ready below 0.</summary>
        public static OverheadBench Create(string policy, int ready, out string error)
        {
            if (ready < 0) { error = "ready threads must be 0 or more, got " + ready; return null; }
            Scheduler s;
            if (policy == "cbs") { s = new CbsScheduler(ready + 1); error = null; }
            else
            {
                s = SchedulerTable.Create(policy, out error);
                if (s == null) return null;
            }
            OverheadBench b = new OverheadBench(s, policy == "cbs", ready, out error);
            return error == null ? b : null;
        }

        OverheadBench(Scheduler sched, bool cbs, int ready, out string error)
        {
            error = null;
            Core = new SchedCore(platform, sched, null);
            task = new SchedThread(1, 1, "periodic");
            Core.AddThread(task);
            if (cbs)
            {
                CbsAdmission a;
                CbsServer srv = new CbsServer(1, Period / 2, Period, CbsMode.Soft);
                if (((CbsScheduler)sched).Attach(task, srv, out a) != CbsStatus.Ok) { error = a.Message; return; }
            }
            for (int i = 0; i < ready; i++)
            {
                SchedThread t = new SchedThread(i + 2, 10 + i, "ready");
                Core.AddThread(t);
                Core.Start(t);
                // Far later deadlines than the periodic thread's (EDF-based policies).
                Core.ReleaseJob(t, new PriorityNode(), 1000000000000L + i * 1000L);
            }
            Core.Start(task);
            if (Core.DispatchNeeded) Core.Dispatch();
            period = new RatePeriod(Core, task, 1);
            if (period.Run(task, Period) != PeriodStatus.Successful) { error = "the first period did not start"; return; }
            boundary = platform.Clock + Period;
            if (Core.DispatchNeeded) Core.Dispatch();
            if (Core.Executing != task) { error = "the periodic thread does not run its first job"; return; }
            PrepareJobEnd();
            Perform(OpJobEnd);
            Perform(OpDecision);
        }

        /// <summary>The clock moves to the end of the current period.</summary>
        public void PrepareRelease() { platform.Clock = boundary; boundary += Period; }

        /// <summary>The clock moves a quarter period on: the job ran.</summary>
        public void PrepareJobEnd() { platform.Clock += Period / 4; }

        /// <summary>The timed call of one operation.</summary>
        public void Perform(int op)
        {
            if (op == OpRelease) { Core.TimerFired(platform.Clock); released++; }
            else if (op == OpJobEnd) period.Run(task, Period);
            else if (Core.DispatchNeeded) Core.Dispatch();
        }

        /// <summary>One whole cycle, untimed (warm-up).</summary>
        public void Cycle()
        {
            PrepareRelease(); Perform(OpRelease); Perform(OpDecision);
            PrepareJobEnd(); Perform(OpJobEnd); Perform(OpDecision);
        }

        /// <summary>Null when the core's invariants hold, every job was released on time
        /// (none postponed) and the periodic thread ran each one; else what is wrong.</summary>
        public string Check(bool afterRelease)
        {
            string e = Core.CheckInvariants();
            if (e != null) return e;
            if (period.PostponedJobs != 0) return "a job was postponed";
            if (afterRelease && Core.Executing != task) return "the released job's thread does not run";
            if (!afterRelease && Core.Executing == task) return "the periodic thread still runs after its job ended";
            return null;
        }

        /// <summary>Jobs released by OpRelease so far.</summary>
        public int Released { get { return released; } }
    }
}
