namespace Osprey.Sched
{
    /// <summary>
    /// A rate-monotonic period (RTEMS Rate Monotonic Manager semantics, see
    /// sched/README.md "Periods"). One owner thread calls Run at the end of
    /// each job. Allocate at setup; nothing here allocates afterwards.
    ///
    /// Constrained deadlines: Run(caller, length, deadline) gives the jobs a
    /// relative deadline D &lt;= length, so a job released at S has the
    /// absolute deadline S + D (its EDF key) instead of the period end S +
    /// length, and it counts as missed when it completes after S + D.
    ///
    /// Tracing: every expiry increments ExpiryCount (and PostponedCount when
    /// the owner was still running its job) and calls the virtual OnExpiry,
    /// which a derived class (the simulator's) overrides; no delegates.
    ///
    /// Invariants:
    ///  - Inactive: timer disarmed, postponed == 0, no job node on the owner.
    ///  - Active or Expired: the timer is armed for the end of the newest
    ///    period (latestDeadline), and the owner carries the job node;
    ///    except between StartAt and the first release (StartPending): the
    ///    timer is armed for the start, no job yet, the owner in PeriodWait.
    ///  - Expired implies postponed &gt; 0 (a period ended while the owner was
    ///    still running its job).
    ///  - The owner has ThreadState.PeriodWait only while Active with no
    ///    postponed jobs, between Run and the period's expiry.
    /// </summary>
    public class RatePeriod
    {
        readonly SchedCore core;
        readonly SchedThread owner;
        readonly PriorityNode jobNode = new PriorityNode();
        readonly PeriodTimer timer;

        PeriodState state;
        bool deleted;
        bool pendingStart;
        long nextLength;
        long nextRelDeadline;
        uint postponed;
        long latestDeadline;
        long latestStart;
        long latestRelDeadline;
        long jobDeadline;
        ulong expiryCount;
        ulong postponedCount;
        uint maxPostponed;
        long jobStart;
        long cpuAtStart;
        PeriodStatistics stats;

        public int Id;

        public RatePeriod(SchedCore core, SchedThread owner)
        {
            this.core = core;
            this.owner = owner;
            timer = new PeriodTimer(this);
        }

        public RatePeriod(SchedCore core, SchedThread owner, int id) : this(core, owner)
        {
            Id = id;
        }

        public SchedThread Owner { get { return owner; } }
        public PeriodState State { get { return state; } }
        public bool IsDeleted { get { return deleted; } }
        public uint PostponedJobs { get { return postponed; } }
        public long NextLength { get { return nextLength; } }
        /// <summary>Relative deadline of the jobs of the next period (= NextLength unless Run was given one).</summary>
        public long NextRelativeDeadline { get { return nextRelDeadline; } }
        /// <summary>Absolute deadline of the job the owner is running (the late job keeps its earlier one).</summary>
        public long JobDeadline { get { return jobDeadline; } }
        /// <summary>End of the newest period (when the period timer fires next).</summary>
        public long LatestDeadline { get { return latestDeadline; } }
        /// <summary>Start of the newest period: the release time of its job.</summary>
        public long LatestStart { get { return latestStart; } }
        /// <summary>Absolute deadline of the newest period's job (what a postponed job is released with).</summary>
        public long LatestJobDeadline { get { return Add(latestStart, latestRelDeadline); } }
        /// <summary>Periods that ended (timer expiries) since the period was created.</summary>
        public ulong ExpiryCount { get { return expiryCount; } }
        /// <summary>Expiries that found the owner still running its job (a job was postponed), less those withdrawn by a completion at the expiry's instant.</summary>
        public ulong PostponedCount { get { return postponedCount; } }
        public PriorityNode JobNode { get { return jobNode; } }

        /// <summary>
        /// The most jobs postponed at once, counting a postponement only once
        /// it is certain: a lone postponed job made by an expiry at the
        /// current instant is withdrawn if the owner completes at that same
        /// instant (the boundary rule), so it counts only from a later time.
        /// Reset by ResetStatistics.
        /// </summary>
        public uint MaxPostponedJobs
        {
            get
            {
                uint p = postponed;
                if (state == PeriodState.Expired && p == 1 && core.Now() <= latestStart) p = 0;
                return p > maxPostponed ? p : maxPostponed;
            }
        }

        void NoteMaxPostponed(uint p)
        {
            if (p > maxPostponed) maxPostponed = p;
        }

        PeriodStatus Check(SchedThread caller)
        {
            if (deleted) return PeriodStatus.Deleted;
            if (caller == null) return PeriodStatus.NullCaller;
            if (caller != owner) return PeriodStatus.NotOwner;
            if (owner.Core != core) return PeriodStatus.WrongCore;
            return PeriodStatus.Successful;
        }

        /// <summary>
        /// End the current job and wait for the next period (rtems_rate_monotonic_period).
        /// Inactive: start the first period of length, release its job, return at once.
        /// Active: record the job, use length for the NEXT period, block the owner
        ///   (PeriodWait) until the current period ends; returns Successful.
        /// Expired or postponed jobs: the job counts as missed; one postponed job
        ///   is released at once with the latest deadline; returns Timeout.
        /// Job boundaries (sched/README.md "Job boundaries"): a job that
        ///   completes at its period's end is on time by its deadline, and the
        ///   next job is released at that end without a postponed one, whichever
        ///   of the completion and the period timer is handled first (when the
        ///   timer was first: Successful without blocking, the job released).
        /// The jobs' relative deadline is the length (implicit deadlines).
        /// </summary>
        public PeriodStatus Run(SchedThread caller, long length)
        {
            return Run(caller, length, length);
        }

        /// <summary>
        /// Run with a constrained deadline: the jobs of the period that starts
        /// next (of the first period, when inactive) get the absolute deadline
        /// release + deadline, 0 &lt; deadline &lt;= length (else InvalidDeadline),
        /// and a job that completes after it counts as missed. Like the
        /// length, the deadline applies from the next period on.
        /// </summary>
        public PeriodStatus Run(SchedThread caller, long length, long deadline)
        {
            PeriodStatus st = Check(caller);
            if (st != PeriodStatus.Successful) return st;
            if (length <= 0 || length > EdfScheduler.MaxDeadline) return PeriodStatus.InvalidLength;
            if (deadline <= 0 || deadline > length) return PeriodStatus.InvalidDeadline;
            if (owner.Has(ThreadState.PeriodWait)) return PeriodStatus.AlreadyWaiting;
            core.Charge();
            long now = core.Now();
            if (state == PeriodState.Inactive)
            {
                state = PeriodState.Active;
                postponed = 0;
                nextLength = length;
                nextRelDeadline = deadline;
                long end = Add(now, length);
                latestDeadline = end;
                latestStart = now;
                latestRelDeadline = deadline;
                StartJob(now, Add(now, deadline));
                core.Timers.Insert(timer, end);
                return PeriodStatus.Successful;
            }
            // A period that ended before now but whose timer has not been
            // handled yet (interrupts were off, or the interrupt is still in
            // flight) is expired now: the verdict on the job must not depend
            // on interrupt latency. A period that ends exactly now is left to
            // its timer: the job completes at the boundary, so the owner waits
            // and the expiry releases the next job on time (the boundary rule,
            // sched/README.md "Job boundaries").
            while (timer.IsArmed && now > latestDeadline)
            {
                long expiry = latestDeadline;
                core.Timers.Cancel(timer);
                Expired(expiry, now);
                if (latestDeadline <= expiry) break;
            }
            if (state == PeriodState.Expired && postponed == 1 && now == latestStart)
            {
                // The boundary in the other order: the period ended at this
                // very instant and its expiry, handled first, found the owner
                // still running the job that completes now. With one postponed
                // job the finished job is the ended period's own, so the
                // expiry's postponement is withdrawn: the job is judged by its
                // deadline alone and the new period's job is released now
                // (= its start), as the on-time path would have.
                postponed = 0;
                postponedCount--;
                state = PeriodState.Active;
                RecordJob(now, now > jobDeadline);
                nextLength = length;
                nextRelDeadline = deadline;
                StartJob(now, LatestJobDeadline);
                return PeriodStatus.Successful;
            }
            // Postponed jobs seen after their period's end are confirmed.
            NoteMaxPostponed(postponed);
            if (state == PeriodState.Active && postponed == 0)
            {
                // On time unless it completed after its (constrained) deadline.
                RecordJob(now, now > jobDeadline);
                nextLength = length;
                nextRelDeadline = deadline;
                core.BlockWith(owner, ThreadState.PeriodWait);
                return PeriodStatus.Successful;
            }
            // Expired, or active with postponed jobs: the finished job was late.
            RecordJob(now, true);
            nextLength = length;
            nextRelDeadline = deadline;
            state = PeriodState.Active;
            if (postponed > 0) postponed--;
            StartJob(now, LatestJobDeadline);
            return PeriodStatus.Timeout;
        }

        /// <summary>
        /// Activate an inactive period so that its first period starts at the
        /// absolute time start: the owner waits (PeriodWait) until then, and
        /// the period timer releases job 0 at exactly start (deadline start +
        /// deadline, 0 &lt; deadline &lt;= length) and wakes the owner; later
        /// periods follow as after Run. A set-up call: any thread may make it
        /// (a workload runner activates every task's period before any task
        /// runs, so that all releases count from one instant), the owner must
        /// belong to this core and not be waiting. A start already past is
        /// released at once with its nominal time. AlreadyActive unless the
        /// period is inactive.
        /// </summary>
        public PeriodStatus StartAt(long start, long length, long deadline)
        {
            if (deleted) return PeriodStatus.Deleted;
            if (owner.Core != core) return PeriodStatus.WrongCore;
            if (length <= 0 || length > EdfScheduler.MaxDeadline) return PeriodStatus.InvalidLength;
            if (start < 0 || start > EdfScheduler.MaxDeadline) return PeriodStatus.InvalidLength;
            if (deadline <= 0 || deadline > length) return PeriodStatus.InvalidDeadline;
            if (state != PeriodState.Inactive) return PeriodStatus.AlreadyActive;
            if (owner.Has(ThreadState.PeriodWait)) return PeriodStatus.AlreadyWaiting;
            core.Charge();
            state = PeriodState.Active;
            postponed = 0;
            pendingStart = true;
            nextLength = length;
            nextRelDeadline = deadline;
            latestDeadline = start;
            latestStart = start;
            latestRelDeadline = deadline;
            jobStart = start;
            jobDeadline = Add(start, deadline);
            cpuAtStart = owner.CpuTimeNs;
            core.Timers.Insert(timer, start);
            core.BlockWith(owner, ThreadState.PeriodWait);
            return PeriodStatus.Successful;
        }

        /// <summary>True between StartAt and the first release.</summary>
        public bool StartPending { get { return pendingStart; } }

        static long Add(long a, long b)
        {
            long r = a + b;
            return (r < a || r > EdfScheduler.MaxDeadline) ? EdfScheduler.MaxDeadline : r;
        }

        void StartJob(long now, long deadline)
        {
            jobStart = now;
            cpuAtStart = owner.CpuTimeNs;
            jobDeadline = deadline;
            core.ReleaseJob(owner, jobNode, deadline);
        }

        void RecordJob(long now, bool missed)
        {
            long cpu = owner.CpuTimeNs - cpuAtStart;
            long wall = now - jobStart;
            if (cpu < 0) cpu = 0;
            if (wall < 0) wall = 0;
            stats.Record(cpu, wall, missed);
        }

        /// <summary>The period timer: the period that ends at expiry is over.</summary>
        internal void Expired(long expiry, long now)
        {
            if (deleted || state == PeriodState.Inactive) return;
            long next = Add(expiry, nextLength);
            if (pendingStart)
            {
                // StartAt's first release: no period ended here (not an
                // expiry: neither counted nor passed to OnExpiry).
                pendingStart = false;
                latestDeadline = next;
                latestStart = expiry;
                latestRelDeadline = nextRelDeadline;
                core.Timers.Insert(timer, next);
                StartJob(expiry, LatestJobDeadline);
                core.UnblockFrom(owner, ThreadState.PeriodWait);
                OnFirstRelease(expiry, now);
                return;
            }
            // At the end of the clock range (2^62 ns) a period cannot be
            // re-armed later than it fired; stop rather than fire forever.
            if (next <= expiry) return;
            if (core.Trace != null) core.TraceHere()?.PeriodExpiry(core.Now(), owner, Id, expiry, owner.Has(ThreadState.PeriodWait) || postponed == uint.MaxValue ? postponed : postponed + 1);
            latestDeadline = next;
            latestStart = expiry;
            latestRelDeadline = nextRelDeadline;
            expiryCount++;
            bool late = !owner.Has(ThreadState.PeriodWait);
            if (!late)
            {
                // On time: release the next job (deadline = expiry + relative
                // deadline) before waking the owner, so it is queued with it.
                core.Timers.Insert(timer, next);
                StartJob(expiry, LatestJobDeadline);
                core.UnblockFrom(owner, ThreadState.PeriodWait);
            }
            else
            {
                // The owner is still running its job: it keeps its earlier
                // deadline; the new period's job is postponed.
                // A second postponed job cannot be withdrawn any more (only a
                // completion at this instant withdraws one, and only when it
                // is alone): count it at once.
                if (postponed != uint.MaxValue) postponed++;
                postponedCount++;
                if (postponed >= 2) NoteMaxPostponed(postponed);
                state = PeriodState.Expired;
                core.Timers.Insert(timer, next);
            }
            OnExpiry(expiry, now, late);
            if (latestDeadline <= now) CatchUp(now);
        }

        /// <summary>
        /// The timer came more than a period late (interrupts were off for
        /// long, or the period is shorter than the time an expiry takes):
        /// the periods that ended in [LatestDeadline, now] are counted at
        /// once, in O(1), each as an expiry that found the owner running (a
        /// postponed job), and the timer is re-armed past now. Without this a
        /// period shorter than the expiry's own cost would re-fire without
        /// end inside one timer interrupt. OnExpiry (and the trace) see one
        /// call, for the last of them.
        /// </summary>
        void CatchUp(long now)
        {
            long len = nextLength;
            long first = latestDeadline;
            if (len <= 0 || first > now) return;
            long k = (now - first) / len + 1;
            long last = first + (k - 1) * len;
            long next = Add(last, len);
            if (next <= last) return;
            latestDeadline = next;
            latestStart = last;
            latestRelDeadline = nextRelDeadline;
            expiryCount += (ulong)k;
            postponedCount += (ulong)k;
            ulong p = postponed + (ulong)k;
            postponed = p > uint.MaxValue ? uint.MaxValue : (uint)p;
            state = PeriodState.Expired;
            core.Timers.Insert(timer, next);
            if (core.Trace != null) core.TraceHere()?.PeriodExpiry(core.Now(), owner, Id, last, postponed);
            OnExpiry(last, now, true);
        }

        /// <summary>
        /// Tracing hook, called at every expiry after the period's state is
        /// updated: the period that ended at expiry is over (the timer fired at
        /// now &gt;= expiry). postponedJob: the owner was still running its job,
        /// so the new period's job was postponed (PostponedJobs counts them);
        /// otherwise the new job was released and the owner woken. Runs on the
        /// timer path: do not allocate in a kernel override.
        /// </summary>
        protected virtual void OnExpiry(long expiry, long now, bool postponedJob) { }

        /// <summary>
        /// Tracing hook of StartAt's first release (at start, the timer firing
        /// at now &gt;= start): job 0 was released and the owner woken. Runs on
        /// the timer path: do not allocate in a kernel override.
        /// </summary>
        protected virtual void OnFirstRelease(long start, long now) { }

        /// <summary>Owner, state, time and CPU since the job began, postponed jobs (zeros when inactive).</summary>
        public PeriodStatus GetStatus(out PeriodInfo info)
        {
            info = new PeriodInfo();
            if (deleted) return PeriodStatus.Deleted;
            info.Owner = owner;
            info.State = state;
            if (state == PeriodState.Inactive) return PeriodStatus.Successful;
            long now = core.Now();
            info.SinceStartNs = now - jobStart;
            info.CpuNs = core.CpuTimeOf(owner) - cpuAtStart;
            info.PostponedJobs = postponed;
            info.DeadlineNs = jobDeadline;
            return PeriodStatus.Successful;
        }

        /// <summary>Stop the period: disarm, forget postponed jobs, cancel the job (owner back to background under EDF).</summary>
        public PeriodStatus Cancel(SchedThread caller)
        {
            PeriodStatus st = Check(caller);
            if (st != PeriodStatus.Successful) return st;
            if (state == PeriodState.Inactive) return PeriodStatus.NotActive;
            Stop();
            return PeriodStatus.Successful;
        }

        void Stop()
        {
            core.Timers.Cancel(timer);
            postponed = 0;
            pendingStart = false;
            state = PeriodState.Inactive;
            core.CancelJob(owner, jobNode);
            // Improvement over RTEMS: never leave the owner waiting for a period that will not end.
            if (owner.Has(ThreadState.PeriodWait)) core.UnblockFrom(owner, ThreadState.PeriodWait);
        }

        /// <summary>Cancel (if running) and retire the period; any caller. Later calls return Deleted.</summary>
        public PeriodStatus Delete()
        {
            if (deleted) return PeriodStatus.Deleted;
            if (state != PeriodState.Inactive) Stop();
            deleted = true;
            return PeriodStatus.Successful;
        }

        public PeriodStatus GetStatistics(out PeriodStatistics s)
        {
            if (deleted)
            {
                s = new PeriodStatistics();
                return PeriodStatus.Deleted;
            }
            s = stats;
            return PeriodStatus.Successful;
        }

        public PeriodStatus ResetStatistics()
        {
            if (deleted) return PeriodStatus.Deleted;
            stats = new PeriodStatistics();
            maxPostponed = 0;
            return PeriodStatus.Successful;
        }

        /// <summary>Invariants listed on the class; null when sound.</summary>
        public string CheckInvariants()
        {
            if (state == PeriodState.Inactive)
            {
                if (timer.IsArmed) return "inactive period with armed timer";
                if (postponed != 0) return "inactive period with postponed jobs";
                if (owner.Has(ThreadState.PeriodWait)) return "owner waits on an inactive period";
            }
            else
            {
                if (!timer.IsArmed) return "running period without timer";
                if (timer.Expiry != latestDeadline) return "timer not at the latest deadline";
                if (state == PeriodState.Expired && postponed == 0) return "expired period without postponed jobs";
                if (owner.Has(ThreadState.PeriodWait) && postponed != 0) return "owner waits although jobs are postponed";
            }
            return null;
        }
    }

    /// <summary>The period's watchdog.</summary>
    public sealed class PeriodTimer : Watchdog
    {
        readonly RatePeriod period;
        public PeriodTimer(RatePeriod p) { period = p; }
        public override void Fire(long now) { period.Expired(Expiry, now); }
    }
}
