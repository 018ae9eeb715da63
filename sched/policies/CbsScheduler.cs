namespace Osprey.Sched
{
    /// <summary>
    /// Constant bandwidth server on top of EDF. A thread with an attached
    /// CbsServer gets BudgetNs of CPU per job; the budget is charged as the
    /// thread runs (OnCharge) and a budget watchdog is armed at dispatch for
    /// the remaining budget, so exhaustion is detected exactly when it
    /// happens. Threads without a server are scheduled as plain EDF.
    ///
    /// Jobs come from rate-monotonic periods (ReleaseJob with the period's
    /// node) or, for a thread with no period, from the classic CBS wake-up
    /// rule at Unblock: if the remaining budget cannot be consumed by the
    /// current deadline at the server's bandwidth, a new deadline now+period
    /// and a full budget are assigned.
    ///
    /// Bandwidth invariant: a released job refills the budget only when its
    /// deadline is later than the server's current deadline, so a job
    /// replenished by a hard-mode throttle is not funded twice in the same
    /// server period.
    /// </summary>
    public sealed class CbsScheduler : EdfScheduler
    {
        public const int DefaultCapacity = 64;

        readonly CbsServer[] servers;
        int serverCount;
        long boundNum = 1;
        long boundDen = 1;

        /// <summary>Overruns over all servers of this instance.</summary>
        public long OverrunCount;

        public CbsScheduler() : this(DefaultCapacity) { }

        public CbsScheduler(int capacity)
        {
            Name = "cbs";
            servers = new CbsServer[capacity < 1 ? 1 : capacity];
        }

        public override Scheduler CreateInstance() { return new CbsScheduler(servers.Length); }

        public int ServerCount { get { return serverCount; } }
        public CbsServer ServerAt(int i) { return i >= 0 && i < serverCount ? servers[i] : null; }
        public long BoundNum { get { return boundNum; } }
        public long BoundDen { get { return boundDen; } }

        /// <summary>Admission bound num/den (default 1/1, i.e. 100% of the CPU).</summary>
        public CbsStatus SetBound(long num, long den)
        {
            if (num <= 0 || den <= 0) return CbsStatus.InvalidBound;
            Bandwidth.Reduce(ref num, ref den);
            boundNum = num;
            boundDen = den;
            return CbsStatus.Ok;
        }

        /// <summary>Total admitted bandwidth as an exact fraction; false if it overflows.</summary>
        public bool TotalBandwidth(out long num, out long den)
        {
            num = 0;
            den = 1;
            for (int i = 0; i < serverCount; i++)
            {
                if (!Bandwidth.TryAdd(ref num, ref den, servers[i].BudgetNs, servers[i].PeriodNs)) return false;
            }
            return true;
        }

        /// <summary>Kernel overhead charged to each server period in admission (Overheads.PerReservationNs:
        /// two timer interrupts and two switches); 0 = the plain bandwidth test.</summary>
        public long ReservationOverheadNs;

        long Charged(long budget) { return budget + ReservationOverheadNs; }

        /// <summary>Would adding budget/period keep the total within the bound (each budget plus
        /// ReservationOverheadNs)? Fills the admission record.</summary>
        public bool Admit(int serverId, long budgetNs, long periodNs, CbsServer except, out CbsAdmission a)
        {
            a = new CbsAdmission();
            a.ServerId = serverId;
            budgetNs = Charged(budgetNs);
            a.AskedNum = budgetNs;
            a.AskedDen = periodNs;
            Bandwidth.Reduce(ref a.AskedNum, ref a.AskedDen);
            a.AskedPpm = Bandwidth.ToPpm(budgetNs, periodNs);

            // Exact: left = bound - sum(others); admit iff asked <= left.
            long n = 0, d = 1;
            bool exact = true;
            for (int i = 0; i < serverCount && exact; i++)
            {
                if (servers[i] == except) continue;
                exact = Bandwidth.TryAdd(ref n, ref d, Charged(servers[i].BudgetNs), servers[i].PeriodNs);
            }
            bool admitted;
            if (exact)
            {
                long ln = boundNum, ld = boundDen;
                if (Bandwidth.TrySub(ref ln, ref ld, n, d))
                {
                    a.LeftNum = ln;
                    a.LeftDen = ld;
                    admitted = Bandwidth.Compare(a.AskedNum, a.AskedDen, ln, ld) <= 0;
                }
                else if (Bandwidth.Compare(n, d, boundNum, boundDen) > 0)
                {
                    // Already over the bound (bound lowered after admission): nothing left.
                    a.LeftNum = 0;
                    a.LeftDen = 1;
                    admitted = false;
                }
                else
                {
                    exact = false;
                    admitted = false;
                }
                if (exact)
                {
                    a.Exact = true;
                    a.LeftPpm = Bandwidth.ToPpm(a.LeftNum, a.LeftDen);
                }
            }
            else
            {
                admitted = false;
            }
            if (!exact)
            {
                // Conservative fallback: every term rounded up, the bound down.
                long used = 0;
                for (int i = 0; i < serverCount; i++)
                {
                    if (servers[i] == except) continue;
                    used += Bandwidth.ToFixed(Charged(servers[i].BudgetNs), servers[i].PeriodNs, true);
                }
                long bound = Bandwidth.ToFixed(boundNum, boundDen, false);
                long left = bound > used ? bound - used : 0;
                a.Exact = false;
                a.LeftNum = left;
                a.LeftDen = Bandwidth.FixedOne;
                a.LeftPpm = (left > long.MaxValue / 1000000) ? long.MaxValue : (left * 1000000) >> Bandwidth.FixedBits;
                admitted = Bandwidth.ToFixed(budgetNs, periodNs, true) <= left;
            }
            if (admitted)
            {
                a.Status = CbsStatus.Ok;
            }
            else
            {
                a.Status = CbsStatus.AdmissionRejected;
                a.Message = "cbs: server " + serverId + " asks bandwidth " + a.AskedNum + "/" + a.AskedDen
                    + " (" + a.AskedPpm + " ppm" + (ReservationOverheadNs > 0 ? ", budget plus " + ReservationOverheadNs + " ns of kernel overhead per period" : "") + ") but only " + a.LeftNum + "/" + a.LeftDen
                    + " (" + a.LeftPpm + " ppm) is left under the bound " + boundNum + "/" + boundDen;
            }
            return admitted;
        }

        /// <summary>Attach server s to thread t after bandwidth admission.</summary>
        public CbsStatus Attach(SchedThread t, CbsServer s, out CbsAdmission a)
        {
            a = new CbsAdmission();
            if (t == null || s == null) { a.Status = CbsStatus.NullArgument; return a.Status; }
            a.ServerId = s.Id;
            if (s.BudgetNs <= 0 || s.PeriodNs <= 0 || s.BudgetNs > s.PeriodNs || s.PeriodNs > MaxDeadline)
            {
                a.Status = CbsStatus.InvalidParameters;
                a.Message = "cbs: server " + s.Id + " needs 0 < budget <= period (budget " + s.BudgetNs + " ns, period " + s.PeriodNs + " ns)";
                return a.Status;
            }
            if (t.Server != null || s.Thread != null) { a.Status = CbsStatus.AlreadyAttached; return a.Status; }
            if (t.Core != null && t.Core != Core) { a.Status = CbsStatus.NotCbsScheduler; return a.Status; }
            if (serverCount == servers.Length)
            {
                a.Status = CbsStatus.TooManyServers;
                a.Message = "cbs: server table full (" + servers.Length + ")";
                return a.Status;
            }
            if (!Admit(s.Id, s.BudgetNs, s.PeriodNs, null, out a)) return a.Status;
            servers[serverCount++] = s;
            s.Owner = this;
            s.Thread = t;
            t.Server = s;
            s.RemainingNs = s.BudgetNs;
            s.DeadlineNs = 0;
            s.JobActive = false;
            s.Throttled = false;
            s.Demoted = false;
            s.JobNode = null;
            return CbsStatus.Ok;
        }

        /// <summary>
        /// Change a server's budget/period. Shrinking the bandwidth always
        /// succeeds; growing it is admitted against the others. Takes effect at
        /// the next job (the current budget is capped to the new budget).
        /// </summary>
        public CbsStatus SetParameters(CbsServer s, long budgetNs, long periodNs, out CbsAdmission a)
        {
            a = new CbsAdmission();
            if (s == null) { a.Status = CbsStatus.NullArgument; return a.Status; }
            a.ServerId = s.Id;
            if (budgetNs <= 0 || periodNs <= 0 || budgetNs > periodNs || periodNs > MaxDeadline)
            {
                a.Status = CbsStatus.InvalidParameters;
                return a.Status;
            }
            if (s.Owner != this) { a.Status = CbsStatus.NotAttached; return a.Status; }
            bool shrinking = Bandwidth.Compare(budgetNs, periodNs, s.BudgetNs, s.PeriodNs) <= 0;
            if (!shrinking && !Admit(s.Id, budgetNs, periodNs, s, out a)) return a.Status;
            a.Status = CbsStatus.Ok;
            s.BudgetNs = budgetNs;
            s.PeriodNs = periodNs;
            if (s.RemainingNs > budgetNs) s.RemainingNs = budgetNs;
            return CbsStatus.Ok;
        }

        /// <summary>Detach the thread's server; the thread continues as a plain EDF thread.</summary>
        public CbsStatus Detach(SchedThread t)
        {
            if (t == null) return CbsStatus.NullArgument;
            CbsServer s = t.Server;
            if (s == null || s.Owner != this) return CbsStatus.NotAttached;
            Core.Timers.Cancel(s.BudgetTimer);
            Core.Timers.Cancel(s.ReplenishTimer);
            if (s.OwnNode.InTree) Core.RemovePriority(t, s.OwnNode);
            bool wasThrottled = s.Throttled;
            s.Throttled = false;
            s.JobActive = false;
            s.JobNode = null;
            s.Owner = null;
            s.Thread = null;
            t.Server = null;
            for (int i = 0; i < serverCount; i++)
            {
                if (servers[i] == s)
                {
                    servers[i] = servers[serverCount - 1];
                    servers[serverCount - 1] = null;
                    serverCount--;
                    break;
                }
            }
            if (wasThrottled) Core.UnblockFrom(t, ThreadState.Throttled);
            return CbsStatus.Ok;
        }

        public override void NodeDestroy(SchedThread t)
        {
            if (t.Server != null && t.Server.Owner == this) Detach(t);
            base.NodeDestroy(t);
        }

        public override void ReleaseJob(SchedThread t, PriorityNode node, long absoluteDeadline)
        {
            CbsServer s = t.Server;
            if (s == null || s.Owner != this)
            {
                base.ReleaseJob(t, node, absoluteDeadline);
                return;
            }
            if (absoluteDeadline > MaxDeadline) absoluteDeadline = MaxDeadline;
            if (s.JobNode != null && s.JobNode != node && s.JobNode.InTree) Core.RemovePriority(t, s.JobNode);
            if (!s.JobActive || absoluteDeadline > s.DeadlineNs)
            {
                s.RemainingNs = s.BudgetNs;
                s.DeadlineNs = absoluteDeadline;
            }
            s.JobNode = node;
            s.JobActive = true;
            s.Demoted = false;
            s.Jobs++;
            base.ReleaseJob(t, node, s.DeadlineNs);
            if (s.Throttled)
            {
                Core.Timers.Cancel(s.ReplenishTimer);
                s.Throttled = false;
                Core.UnblockFrom(t, ThreadState.Throttled);
            }
            if (t.IsExecuting) ArmBudget(s, Core.Now());
        }

        public override void CancelJob(SchedThread t, PriorityNode node)
        {
            base.CancelJob(t, node);
            CbsServer s = t.Server;
            if (s == null || s.Owner != this || s.JobNode != node) return;
            s.JobActive = false;
            s.JobNode = null;
            s.Demoted = false;
            Core.Timers.Cancel(s.BudgetTimer);
            if (s.Throttled)
            {
                Core.Timers.Cancel(s.ReplenishTimer);
                s.Throttled = false;
                Core.UnblockFrom(t, ThreadState.Throttled);
            }
        }

        /// <summary>CBS wake-up rule for threads whose jobs are not driven by a period.</summary>
        public override void Unblock(SchedThread t)
        {
            CbsServer s = t.Server;
            if (s != null && s.Owner == this && !s.Throttled && (s.JobNode == null || s.JobNode == s.OwnNode))
            {
                long now = Core.Now();
                long left = s.DeadlineNs - now;
                bool renew = !s.JobActive || s.Demoted || left <= 0
                    || (s.RemainingNs > 0 && Bandwidth.Compare(s.RemainingNs, left, s.BudgetNs, s.PeriodNs) > 0);
                if (renew)
                {
                    long dl = now + s.PeriodNs;
                    if (dl > MaxDeadline) dl = MaxDeadline;
                    s.DeadlineNs = dl;
                    s.RemainingNs = s.BudgetNs;
                    s.JobNode = s.OwnNode;
                    s.JobActive = true;
                    s.Demoted = false;
                    s.Jobs++;
                    Core.SetPriorityNode(t, s.OwnNode, dl);
                }
            }
            base.Unblock(t);
            // Woken before the switch away from it happened: it runs on, so
            // its budget is watched again (Block cancelled the watchdog).
            if (s != null && s.Owner == this && t.IsExecuting) ArmBudget(s, Core.Now());
        }

        /// <summary>
        /// The thread stopped being ready (blocked, suspended, waiting for its
        /// period, throttled, stopped): it consumes no budget any more, so its
        /// budget watchdog is cancelled now, not at the next switch, which the
        /// platform may make later than a due timer. OnDispatch re-arms it
        /// with the remaining budget when the thread runs again.
        /// </summary>
        public override void Block(SchedThread t)
        {
            CbsServer s = t.Server;
            if (s != null && s.Owner == this) Core.Timers.Cancel(s.BudgetTimer);
            base.Block(t);
        }

        /// <summary>Budgets must be up to date at every decision (a block or wake-up may exhaust one).</summary>
        public override bool TracksBudgets { get { return true; } }

        public override TaskModel Model { get { return TaskModel.DeadlineWithServers; } }

        /// <summary>
        /// Charge the budget while the thread runs its job; not for time it is
        /// still the executing thread after it stopped being ready (between a
        /// block and the platform's switch away from it).
        /// </summary>
        public override void OnCharge(SchedThread t, long deltaNs, long now)
        {
            CbsServer s = t.Server;
            if (s != null && s.Owner == this && s.JobActive && !s.Demoted && t.State == ThreadState.Ready) s.RemainingNs -= deltaNs;
        }

        public override void OnDispatch(SchedThread prev, SchedThread next, long now)
        {
            CbsServer p = prev.Server;
            if (p != null && p.Owner == this) Core.Timers.Cancel(p.BudgetTimer);
            CbsServer n = next.Server;
            if (n != null && n.Owner == this) ArmBudget(n, now);
        }

        void ArmBudget(CbsServer s, long now)
        {
            if (!s.JobActive || s.Demoted || s.Throttled) return;
            long rem = s.RemainingNs < 0 ? 0 : s.RemainingNs;
            Core.Timers.Insert(s.BudgetTimer, now + rem);
        }

        /// <summary>Budget watchdog: the executing server ran out of budget.</summary>
        internal void BudgetExpired(CbsServer s, long now)
        {
            SchedThread t = s.Thread;
            if (t == null || !s.JobActive || s.Demoted || s.Throttled) return;
            // Only a running thread overruns (Block and OnDispatch cancel the
            // watchdog of any other; OnDispatch re-arms it when it runs again).
            if (!t.IsExecuting || t.State != ThreadState.Ready) return;
            if (s.RemainingNs > 0)
            {
                // Charged less than expected (e.g. the timer fired early): wait for the rest.
                ArmBudget(s, now);
                return;
            }
            s.OverrunCount++;
            OverrunCount++;
            s.OnOverrun(now);
            if (Core.Trace != null) Core.TraceHere()?.BudgetExhausted(Core.Now(), t, s.Id, s.BudgetNs, s.Mode == CbsMode.Soft);
            if (s.Thread != t || !s.JobActive) return; // the callback detached or cancelled
            if (s.Mode == CbsMode.Hard)
            {
                s.Throttled = true;
                s.ThrottleCount++;
                long at = s.DeadlineNs;
                if (at <= now)
                {
                    long k = (now - at) / s.PeriodNs + 1;
                    at += k * s.PeriodNs;
                }
                if (at > MaxDeadline) at = MaxDeadline;
                Core.Timers.Insert(s.ReplenishTimer, at);
                Core.BlockWith(t, ThreadState.Throttled);
            }
            else
            {
                s.Demoted = true;
                s.DemoteCount++;
                if (s.JobNode != null) Core.RemovePriority(t, s.JobNode);
            }
        }

        /// <summary>Replenishment watchdog of a throttled hard server: new budget, deadline one period later.</summary>
        internal void Replenish(CbsServer s, long now)
        {
            SchedThread t = s.Thread;
            if (t == null || !s.Throttled) return;
            long at = s.ReplenishTimer.Expiry;
            long dl = at + s.PeriodNs;
            if (dl > MaxDeadline) dl = MaxDeadline;
            s.RemainingNs = s.BudgetNs;
            s.DeadlineNs = dl;
            s.ReplenishCount++;
            s.Throttled = false;
            if (s.JobNode == null) s.JobNode = s.OwnNode;
            Core.SetPriorityNode(t, s.JobNode, dl);
            Core.UnblockFrom(t, ThreadState.Throttled);
        }

        public override string CheckInvariants()
        {
            string e = base.CheckInvariants();
            if (e != null) return e;
            for (int i = 0; i < serverCount; i++)
            {
                CbsServer s = servers[i];
                if (s.Owner != this || s.Thread == null || s.Thread.Server != s) return "server " + s.Id + " links inconsistent";
                if (s.Throttled != s.Thread.Has(ThreadState.Throttled)) return "server " + s.Id + " throttle flag disagrees with thread state";
                if (s.Throttled && !s.ReplenishTimer.IsArmed) return "throttled server " + s.Id + " has no replenishment pending";
                if (s.BudgetTimer.IsArmed && !(s.Thread.IsExecuting && s.Thread.State == ThreadState.Ready))
                    return "server " + s.Id + " has a budget watchdog but its thread is not running";
            }
            return null;
        }
    }
}
