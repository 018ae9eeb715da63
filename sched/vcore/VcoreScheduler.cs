using Osprey.Sched.Analysis;
using Osprey.Sched.Tracing;

namespace Osprey.Sched
{
    /// <summary>
    /// The "vcore" scheduler: EDF for host threads plus guest cores as EDF
    /// servers with hard reservations, one instance per physical CPU (so
    /// admission is per CPU). See sched/README.md, "Guest cores".
    ///
    /// One ready tree (EDF's): a host thread with a released job is keyed by
    /// its absolute deadline, a host thread without one by BackgroundBase +
    /// its priority; a vcore with slice left in its period is keyed by the
    /// end of its period (ReservationNode); a vcore whose slice is used up
    /// either leaves the ready set (extra = no: ThreadState.Throttled until
    /// the period ends) or falls to the background band at ExtraPriority
    /// (extra = yes), where eligible cores share the idle time round robin,
    /// ExtraQuantumNs at a time. So the earliest deadline among host jobs and
    /// cores with slice left always runs, and extra time never takes from a
    /// reservation or a host job.
    ///
    /// Enforcement: the executing core's slice is watched by a budget
    /// watchdog armed at dispatch for now + remaining, so the core is stopped
    /// at the instant its slice is used up (CPU time is charged at every
    /// SchedCore entry point, OnCharge). Periods renew on a watchdog at each
    /// period end: new slice, deadline one period later, a throttled core
    /// ready again.
    ///
    /// Admission: sum over admitted cores of SliceNs x num / (P x den) must
    /// stay &lt;= the configured share ShareNum/ShareDen, compared exactly.
    /// </summary>
    public sealed class VcoreScheduler : EdfScheduler
    {
        /// <summary>Cores per CPU: the workload file's limit (WorkloadLimits.MaxGuestCores).</summary>
        public const int DefaultCapacity = Workload.WorkloadLimits.MaxGuestCores;
        public const long DefaultExtraQuantumNs = 1000000;

        readonly Vcore[] vcores;
        int count;
        long shareNum = 1, shareDen = 1;
        bool shareLowered;
        Vcore waking;
        int lastId;

        /// <summary>Reservation limits (host time); change before admitting cores.</summary>
        public readonly VcoreLimits Limits = new VcoreLimits();
        /// <summary>Round-robin quantum among cores running on extra time.</summary>
        public long ExtraQuantumNs = DefaultExtraQuantumNs;
        /// <summary>Background priority of extra time (and of a vcore thread's base node): below host background threads by default.</summary>
        public int ExtraPriority = SchedThread.MaxPriority;

        public VcoreScheduler() : this(DefaultCapacity) { }

        public VcoreScheduler(int capacity)
        {
            Name = "vcore";
            vcores = new Vcore[capacity < 1 ? 1 : capacity];
        }

        public override Scheduler CreateInstance() { return new VcoreScheduler(vcores.Length); }

        public int VcoreCount { get { return count; } }
        public int Capacity { get { return vcores.Length; } }
        public Vcore VcoreAt(int i) { return i >= 0 && i < count ? vcores[i] : null; }
        public long ShareNum { get { return shareNum; } }
        /// <summary>Kernel overhead charged to each core's slice in admission (Overheads.PerReservationNs:
        /// two timer interrupts and two switches per period, host ns); 0 = the plain share test.</summary>
        public long ReservationOverheadNs;
        public long ShareDen { get { return shareDen; } }

        // ================================================================ admission

        /// <summary>
        /// The CPU share the cores of this CPU may reserve, 0 &lt; num/den &lt;= 1
        /// (the workload file's 'share'). Lowering it below what is admitted
        /// keeps the admitted cores; new admissions wait until they fit.
        /// </summary>
        public VcoreStatus SetShare(long num, long den)
        {
            if (num <= 0 || den <= 0 || num > den) return VcoreStatus.InvalidShare;
            ShareMath.Reduce(ref num, ref den);
            shareNum = num;
            shareDen = den;
            Utilization u;
            AdmittedShare(null, out u);
            shareLowered = u.CompareTo((ulong)num, (ulong)den) > 0;
            return VcoreStatus.Ok;
        }

        /// <summary>Sum of the admitted shares (except 'except') as an exact fraction while it fits.</summary>
        public void AdmittedShare(Vcore except, out Utilization u)
        {
            u = Utilization.Zero();
            for (int i = 0; i < count; i++)
                if (vcores[i] != except) u.Add((ulong)vcores[i].ShareNum, (ulong)vcores[i].ShareDen);
        }

        /// <summary>"9/10 (90%, 900000 ppm)" of the admitted total.</summary>
        public string AdmittedText()
        {
            Utilization u;
            AdmittedShare(null, out u);
            return AdmittedText(u);
        }

        /// <summary>An admitted share (AdmittedShare's result) as text: the exact fraction, or "about" a percentage.</summary>
        public static string AdmittedText(Utilization u)
        {
            if (u.Exact) return ShareMath.Text((long)u.Num, (long)u.Den);
            return "about " + ShareMath.PercentOfPpm(u.Ppb() / 1000);
        }

        static string Dil(Vcore v) { return " at dilation " + v.DilationNum.ToString() + "/" + v.DilationDen.ToString(); }

        static string Where(Vcore v, string field)
        {
            string s = v.Line > 0 ? "line " + v.Line.ToString() + ": " : "";
            if (field != null && field.Length > 0) s = s + "field '" + field + "': ";
            return s;
        }

        static VcoreStatus Refuse(ref VcoreAdmission a, VcoreStatus st, Vcore v, string field, string text)
        {
            a.Status = st;
            a.Field = field;
            a.Message = Where(v, field) + "vcore " + v.Name + " on cpu " + v.Cpu.ToString() + ": " + text;
            return st;
        }

        /// <summary>
        /// Would v with this reservation (guest time) fit next to the other
        /// admitted cores (except 'except')? Fills a (asked, left, share, and
        /// on refusal the message). True when admitted. Changes nothing.
        /// </summary>
        public bool Check(Vcore v, long periodGuestNs, long sliceGuestNs, Vcore except, out VcoreAdmission a)
        {
            long sliceHost;
            return Evaluate(v, periodGuestNs, sliceGuestNs, except, out a, out sliceHost);
        }

        bool Evaluate(Vcore v, long pg, long sg, Vcore except, out VcoreAdmission a, out long sliceHost)
        {
            a = new VcoreAdmission();
            a.ShareNum = shareNum;
            a.ShareDen = shareDen;
            a.Field = "";
            sliceHost = 0;
            if (v == null) { a.Status = VcoreStatus.NullArgument; return false; }
            long num = v.DilationNum, den = v.DilationDen;
            if (num < 1 || den < 1 || num > VcoreLimits.MaxDilation || den > VcoreLimits.MaxDilation)
            {
                Refuse(ref a, VcoreStatus.InvalidParameters, v, "dilation", "dilation " + num.ToString() + "/" + den.ToString()
                    + " must be whole numbers 1.." + VcoreLimits.MaxDilation.ToString());
                return false;
            }
            if (pg <= 0)
            {
                Refuse(ref a, VcoreStatus.InvalidParameters, v, "period", "the period must be greater than 0");
                return false;
            }
            if (sg <= 0 || sg > pg)
            {
                Refuse(ref a, VcoreStatus.InvalidParameters, v, "slice", "the slice " + Format.Time(sg) + " must be greater than 0 and at most the period " + Format.Time(pg));
                return false;
            }
            // Host period = pg x den / num (exact rational): compare pg x den with limit x num.
            if (WideMath.CompareProducts((ulong)pg, (ulong)den, (ulong)Limits.MinPeriodNs, (ulong)num) < 0)
            {
                Refuse(ref a, VcoreStatus.InvalidParameters, v, "period", "period " + Format.Time(pg) + " (host " + Format.Time(v.HostNsOf(pg))
                    + Dil(v) + ") is below the minimum " + Format.Time(Limits.MinPeriodNs));
                return false;
            }
            if (WideMath.CompareProducts((ulong)pg, (ulong)den, (ulong)Limits.MaxPeriodNs, (ulong)num) > 0)
            {
                Refuse(ref a, VcoreStatus.InvalidParameters, v, "period", "period " + Format.Time(pg) + " (host about "
                    + Format.Time(ShareMath.Scale(pg, den, num, false)) + Dil(v) + ") is above the maximum " + Format.Time(Limits.MaxPeriodNs));
                return false;
            }
            sliceHost = ShareMath.Scale(sg, den, num, false);
            if (sliceHost < Limits.MinSliceNs)
            {
                Refuse(ref a, VcoreStatus.InvalidParameters, v, "slice", "slice " + Format.Time(sg) + " (host " + Format.Time(sliceHost)
                    + Dil(v) + ") is below the minimum " + Format.Time(Limits.MinSliceNs));
                return false;
            }
            if (sliceHost > Limits.MaxSliceNs)
            {
                Refuse(ref a, VcoreStatus.InvalidParameters, v, "slice", "slice " + Format.Time(sg) + " (host " + Format.Time(sliceHost)
                    + Dil(v) + ") is above the maximum " + Format.Time(Limits.MaxSliceNs));
                return false;
            }
            // Asked share: (sliceHost + overhead) x num / (pg x den); both products < 2^54 under the limits.
            long an = (sliceHost + ReservationOverheadNs) * num, ad = pg * den;
            ShareMath.Reduce(ref an, ref ad);
            a.AskedNum = an;
            a.AskedDen = ad;
            a.AskedPpm = ShareMath.Ppm(an, ad);

            Utilization u;
            AdmittedShare(except, out u);
            if (u.Exact)
            {
                long ln, ld;
                if (!ShareMath.Subtract(shareNum, shareDen, (long)u.Num, (long)u.Den, out ln, out ld))
                {
                    // Either over the share already (it was lowered) or the difference does not fit.
                    ln = 0;
                    ld = 1;
                    a.Exact = u.CompareTo((ulong)shareNum, (ulong)shareDen) > 0;
                }
                else
                {
                    a.Exact = true;
                }
                a.LeftNum = ln;
                a.LeftDen = ld;
                a.LeftPpm = a.Exact ? ShareMath.Ppm(ln, ld) : 0;
            }
            if (!a.Exact)
            {
                // Lower bound of what is left, 2^-60 fixed point.
                ulong bl;
                if (!WideMath.MulDiv((ulong)shareNum, Utilization.FixOne, (ulong)shareDen, false, out bl)) bl = 0;
                ulong left = bl > u.HighFix ? bl - u.HighFix : 0;
                ulong ppm;
                if (!WideMath.MulDiv(left, 1000000UL, Utilization.FixOne, false, out ppm)) ppm = 0;
                a.LeftPpm = (long)ppm;
                a.LeftNum = (long)ppm;
                a.LeftDen = 1000000;
            }
            u.Add((ulong)an, (ulong)ad);
            int c = u.CompareTo((ulong)shareNum, (ulong)shareDen);
            if (c <= 0)
            {
                a.Status = VcoreStatus.Ok;
                return true;
            }
            string left2 = a.Exact ? ShareMath.Text(a.LeftNum, a.LeftDen) : "about " + ShareMath.PercentOfPpm(a.LeftPpm) + " (" + a.LeftPpm.ToString() + " ppm, the exact sum no longer fits 62 bits)";
            Refuse(ref a, VcoreStatus.AdmissionRejected, v, "slice", "asks " + ShareMath.Text(an, ad) + " of the CPU (slice "
                + Format.Time(sg) + " per period " + Format.Time(pg) + Dil(v)
                + (ReservationOverheadNs > 0 ? ", plus " + Format.Time(ReservationOverheadNs) + " of kernel overhead per period" : "") + ") but only " + left2 + " is left of the share "
                + ShareMath.Text(shareNum, shareDen));
            return false;
        }

        /// <summary>
        /// Admit v on this CPU and attach it to thread t (dormant; t is added
        /// to the core if it belongs to none). The thread's base priority
        /// becomes ExtraPriority. On refusal nothing changes and a.Message
        /// names the line and field, the share asked and the share left.
        /// </summary>
        public VcoreStatus Attach(SchedThread t, Vcore v, out VcoreAdmission a)
        {
            a = new VcoreAdmission();
            a.Field = "";
            if (t == null || v == null || v.Program == null) { a.Status = VcoreStatus.NullArgument; return a.Status; }
            if (v.owner != null || t.Vcore != null || v.Thread != null) { a.Status = VcoreStatus.AlreadyAttached; return a.Status; }
            if (t.Core != null && t.Core != Core) { a.Status = VcoreStatus.WrongCore; return a.Status; }
            if (count == vcores.Length)
                return Refuse(ref a, VcoreStatus.TooManyVcores, v, "", "this CPU's vcore table is full (" + vcores.Length.ToString() + ")");
            long sliceHost;
            if (!Evaluate(v, v.PeriodGuestNs, v.SliceGuestNs, null, out a, out sliceHost)) return a.Status;
            v.SliceNs = sliceHost;
            v.ShareNum = a.AskedNum;
            v.ShareDen = a.AskedDen;
            v.RemainingNs = sliceHost;
            vcores[count++] = v;
            v.Id = ++lastId;
            v.owner = this;
            v.Thread = t;
            v.Removed = false;
            t.Vcore = v;
            if (t.Core == null)
            {
                t.BasePriority = ExtraPriority;
                Core.AddThread(t);
            }
            else
            {
                Core.SetPriority(t, ExtraPriority);
            }
            return VcoreStatus.Ok;
        }

        /// <summary>
        /// Start an attached core at host time 'now' (pass one instant for
        /// every core started together: their periods and virtual clocks are
        /// then aligned): virtual clock 0, first period [now, now + P), full
        /// slice, the guest program's Boot, and the thread becomes ready
        /// (SchedCore.Start).
        /// </summary>
        public VcoreStatus Start(Vcore v, long now)
        {
            if (v == null) return VcoreStatus.NullArgument;
            if (v.owner != this) return VcoreStatus.NotAttached;
            if (v.Started) return VcoreStatus.AlreadyStarted;
            SchedThread t = v.Thread;
            Core.Charge();
            v.Begin(now);
            Core.SetPriorityNode(t, v.ReservationNode, Clamp(v.DeadlineNs));
            Core.Timers.Insert(v.PeriodTimer, v.DeadlineNs);
            v.Program.Boot(v);
            v.ArmVirtualWatchdog();
            Core.Start(t);
            return VcoreStatus.Ok;
        }

        /// <summary>
        /// Remove a core: always succeeds for an attached core and frees its
        /// share at once. Its watchdogs are cancelled and its reservation
        /// dropped; the thread is left ready at background priority and
        /// Step returns Detached, so the body ends (the simulator's
        /// VcoreThread stops itself).
        /// </summary>
        public VcoreStatus Remove(Vcore v)
        {
            if (v == null) return VcoreStatus.NullArgument;
            if (v.owner != this) return VcoreStatus.NotAttached;
            SchedThread t = v.Thread;
            Core.Charge();
            Detach(v);
            if (t.Has(ThreadState.Throttled)) Core.UnblockFrom(t, ThreadState.Throttled);
            if (t.Has(ThreadState.Sleeping)) Core.UnblockFrom(t, ThreadState.Sleeping);
            return VcoreStatus.Ok;
        }

        void Detach(Vcore v)
        {
            SchedThread t = v.Thread;
            Core.Timers.Cancel(v.BudgetTimer);
            Core.Timers.Cancel(v.PeriodTimer);
            Core.Timers.Cancel(v.VirtualTimer);
            if (v.ReservationNode.InTree) Core.RemovePriority(t, v.ReservationNode);
            int i = 0;
            while (i < count && vcores[i] != v) i++;
            if (i < count)
            {
                for (int k = i; k + 1 < count; k++) vcores[k] = vcores[k + 1];
                count--;
                vcores[count] = null;
            }
            v.RemovedAtHostNs = Context.Now();
            v.Removed = true;
            v.IsHalted = false;
            v.Throttled = false;
            v.InExtra = false;
            v.InterruptPending = false;
            v.owner = null;
            if (t.Vcore == v) t.Vcore = null;
            if (shareLowered)
            {
                Utilization u;
                AdmittedShare(null, out u);
                shareLowered = u.CompareTo((ulong)shareNum, (ulong)shareDen) > 0;
            }
        }

        /// <summary>
        /// Change a core's reservation (guest time) and extra-time flag.
        /// A change that does not grow the core's share always succeeds (only
        /// parameters outside the limits are refused); growth is admitted
        /// against the other cores. The ledger changes at once; the new period
        /// and slice apply from the next period boundary, except that a shrink
        /// also cuts what is left of the current slice to the new share of the
        /// time left in the period, so the freed share is free at once.
        /// The extra-time flag applies at once.
        /// </summary>
        public VcoreStatus SetReservation(Vcore v, long periodGuestNs, long sliceGuestNs, bool extraTime, out VcoreAdmission a)
        {
            a = new VcoreAdmission();
            a.Field = "";
            if (v == null) { a.Status = VcoreStatus.NullArgument; return a.Status; }
            if (v.owner != this) { a.Status = VcoreStatus.NotAttached; return a.Status; }
            long sliceHost;
            bool fits = Evaluate(v, periodGuestNs, sliceGuestNs, v, out a, out sliceHost);
            if (a.Status == VcoreStatus.InvalidParameters || a.Status == VcoreStatus.NullArgument) return a.Status;
            bool shrink = ShareMath.Compare(a.AskedNum, a.AskedDen, v.ShareNum, v.ShareDen) <= 0;
            if (!fits && !shrink) return a.Status;
            a.Status = VcoreStatus.Ok;
            a.Message = null;
            a.Field = "";
            long now = Core.Now();
            Core.Charge(now);
            v.ShareNum = a.AskedNum;
            v.ShareDen = a.AskedDen;
            v.SetReservation(periodGuestNs, sliceGuestNs, sliceHost, extraTime);
            if (!v.Started) return VcoreStatus.Ok;
            SchedThread t = v.Thread;
            if (shrink) v.ClipToBandwidth(now, sliceHost, periodGuestNs);
            // The extra-time flag applies at once.
            if (v.InExtra && !extraTime)
            {
                v.InExtra = false;
                v.Throttled = true;
                v.Throttles++;
                Core.BlockWith(t, ThreadState.Throttled);
            }
            else if (v.Throttled && extraTime)
            {
                v.Throttled = false;
                v.InExtra = true;
                if (v.ReservationNode.InTree) Core.RemovePriority(t, v.ReservationNode);
                Core.UnblockFrom(t, ThreadState.Throttled);
            }
            if (!v.InExtra && !v.Throttled && v.RemainingNs <= 0) Exhaust(v, now);
            if (t.IsExecuting && t.State == ThreadState.Ready) ArmBudget(v, now);
            return VcoreStatus.Ok;
        }

        // ================================================================ reservation mechanics

        static long Clamp(long deadline)
        {
            if (deadline > MaxDeadline) return MaxDeadline;
            return deadline < 0 ? 0 : deadline;
        }

        void ArmBudget(Vcore v, long now)
        {
            if (v.Throttled || v.IsHalted) return;
            long at;
            if (v.InExtra)
            {
                long q = ExtraQuantumNs < 1 ? 1 : ExtraQuantumNs;
                at = now + q;
            }
            else
            {
                at = now + (v.RemainingNs > 0 ? v.RemainingNs : 0);
            }
            Core.Timers.Insert(v.BudgetTimer, at);
        }

        /// <summary>The slice is used up: extra time (background band) or throttled until the period ends.</summary>
        void Exhaust(Vcore v, long now)
        {
            SchedThread t = v.Thread;
            v.Exhaustions++;
            if (v.ExtraEligible)
            {
                v.InExtra = true;
                if (v.ReservationNode.InTree) Core.RemovePriority(t, v.ReservationNode);
                if (t.IsExecuting && t.State == ThreadState.Ready) ArmBudget(v, now);
            }
            else
            {
                v.Throttled = true;
                v.Throttles++;
                Core.Timers.Cancel(v.BudgetTimer);
                Core.BlockWith(t, ThreadState.Throttled);
            }
        }

        /// <summary>Budget watchdog of the executing core.</summary>
        internal void BudgetExpired(Vcore v, long now)
        {
            SchedThread t = v.Thread;
            if (v.owner != this || !t.IsExecuting || t.State != ThreadState.Ready) return;
            if (v.InExtra)
            {
                // End of an extra-time quantum: behind the other cores on extra time.
                v.ExtraQuanta++;
                Core.Yield();
                if (Core.Heir == t) ArmBudget(v, now);
                return;
            }
            if (v.RemainingNs > 0)
            {
                // Charged less than expected (the timer fired early): wait for the rest.
                ArmBudget(v, now);
                return;
            }
            Exhaust(v, now);
        }

        /// <summary>Period watchdog: the period ended; renew the slice and the deadline.</summary>
        internal void PeriodExpired(Vcore v, long now)
        {
            if (v.owner != this) return;
            Renew(v, now);
        }

        void Renew(Vcore v, long now)
        {
            SchedThread t = v.Thread;
            bool demanding = t.State == ThreadState.Ready;
            v.EndPeriods(now, demanding);
            Core.SetPriorityNode(t, v.ReservationNode, Clamp(v.DeadlineNs));
            Core.Timers.Insert(v.PeriodTimer, v.DeadlineNs);
            if (v.Throttled)
            {
                v.Throttled = false;
                Core.UnblockFrom(t, ThreadState.Throttled);
            }
            if (t.IsExecuting && t.State == ThreadState.Ready) ArmBudget(v, now);
        }

        /// <summary>The guest halted (Step): blocked until its next virtual interrupt; the CPU goes to others.</summary>
        internal void Halt(Vcore v, long now)
        {
            Core.Charge(now);
            v.IsHalted = true;
            v.Halts++;
            Core.BlockWith(v.Thread, ThreadState.Sleeping);
        }

        /// <summary>
        /// The virtual timer of a halted core fired: renew a period that ended
        /// at this instant first, apply the bandwidth rule to the slice left,
        /// then make the core ready (throttled or on extra time if nothing is left).
        /// </summary>
        internal void Wake(Vcore v, long now)
        {
            if (!v.IsHalted || v.owner != this) return;
            if (now >= v.DeadlineNs) Renew(v, now);
            v.ClipToBandwidth(now);
            v.IsHalted = false;
            v.Wakes++;
            if (!v.InExtra && !v.Throttled && v.RemainingNs <= 0) Exhaust(v, now);
            waking = v;
            Core.UnblockFrom(v.Thread, ThreadState.Sleeping);
            waking = null;
        }

        // ================================================================ scheduler hooks

        /// <summary>Slices are charged up to each decision (ready vs. halted time counts differently).</summary>
        public override bool TracksBudgets { get { return true; } }

        // Host threads are EDF threads (Model: Deadline, from EdfScheduler).
        public override bool RunsGuestCores { get { return true; } }

        public override void OnCharge(SchedThread t, long deltaNs, long now)
        {
            Vcore v = t.Vcore;
            if (v != null && v.owner == this && v.Started) v.Account(deltaNs, t.State == ThreadState.Ready);
        }

        /// <summary>
        /// The budget watchdog follows the running core. With a trace ring
        /// attached, vcore_switch_out / vcore_switch_in are recorded (vcore =
        /// its Id on this CPU, a = slice left, b = 1 on extra time, else 0)
        /// after the core's own switch events.
        /// </summary>
        public override void OnDispatch(SchedThread prev, SchedThread next, long now)
        {
            Vcore p = prev.Vcore;
            if (p != null && p.owner == this)
            {
                Core.Timers.Cancel(p.BudgetTimer);
                if (Core.Trace != null) Core.Trace.Add(now, TraceEventKind.VcoreSwitchOut, prev.Id, p.Id, p.RemainingNs, p.InExtra ? 1 : 0);
            }
            Vcore n = next.Vcore;
            if (n != null && n.owner == this)
            {
                if (n.Started && next.State == ThreadState.Ready) ArmBudget(n, now);
                if (Core.Trace != null) Core.Trace.Add(now, TraceEventKind.VcoreSwitchIn, next.Id, n.Id, n.RemainingNs, n.InExtra ? 1 : 0);
            }
        }

        /// <summary>A core that stops being ready uses no slice: its budget watchdog goes at once.</summary>
        public override void Block(SchedThread t)
        {
            Vcore v = t.Vcore;
            if (v != null && v.owner == this) Core.Timers.Cancel(v.BudgetTimer);
            base.Block(t);
        }

        /// <summary>
        /// A core woken by its virtual interrupt goes in front of the threads
        /// with its deadline (EDF may order equal deadlines any way), so the
        /// interrupt is not held back by an equal-deadline core; everything
        /// else is queued behind its equals. Woken before the switch away from
        /// it happened, a core runs on, so its slice is watched again.
        /// </summary>
        public override void Unblock(SchedThread t)
        {
            if (waking != null && t == waking.Thread)
            {
                if (!t.Node.Queued) Enqueue(t, true);
                Schedule(t);
            }
            else
            {
                base.Unblock(t);
            }
            Vcore v = t.Vcore;
            if (v != null && v.owner == this && v.Started && t.IsExecuting && t.State == ThreadState.Ready) ArmBudget(v, Core.Now());
        }

        /// <summary>A vcore thread leaving the core (RemoveThread) takes its core with it.</summary>
        public override void NodeDestroy(SchedThread t)
        {
            Vcore v = t.Vcore;
            if (v != null && v.owner == this) Detach(v);
            base.NodeDestroy(t);
        }

        // ================================================================ invariants

        static string Bad(Vcore v, string what) { return "vcore " + v.Name + ": " + what; }

        /// <summary>EDF's invariants plus every core's reservation state and the ledger; null when sound.</summary>
        public override string CheckInvariants()
        {
            string e = base.CheckInvariants();
            if (e != null) return e;
            long now = Core.Now();
            for (int i = 0; i < count; i++)
            {
                Vcore v = vcores[i];
                SchedThread t = v.Thread;
                if (v.owner != this || t == null || t.Vcore != v) return Bad(v, "links inconsistent");
                if (t.Core != Core) return Bad(v, "thread on another core");
                if (v.Removed) return Bad(v, "removed but still in the table");
                if (v.BudgetTimer.IsArmed && !(t.IsExecuting && t.State == ThreadState.Ready)) return Bad(v, "budget watchdog armed but the core is not running");
                if (v.Throttled != t.Has(ThreadState.Throttled)) return Bad(v, "throttle flag disagrees with the thread state");
                if (v.IsHalted != t.Has(ThreadState.Sleeping)) return Bad(v, "halt flag disagrees with the thread state");
                if (v.Throttled && v.InExtra) return Bad(v, "throttled and on extra time");
                if (v.Throttled && v.ExtraEligible) return Bad(v, "throttled although extra time is allowed");
                if (v.InExtra && !v.ExtraEligible) return Bad(v, "on extra time without the flag");
                if (!v.Started) continue;
                if (!v.PeriodTimer.IsArmed || v.PeriodTimer.Expiry != v.DeadlineNs) return Bad(v, "period watchdog not armed at the period end");
                if (v.DeadlineNs <= v.PeriodStartNs) return Bad(v, "empty period");
                if (v.InExtra || v.Throttled)
                {
                    if (v.ReservationNode.InTree && v.InExtra) return Bad(v, "on extra time but keyed by its deadline");
                    if (v.RemainingNs > 0) return Bad(v, "slice left but exhausted");
                }
                else
                {
                    if (!v.ReservationNode.InTree || v.ReservationNode.Key != Clamp(v.DeadlineNs)) return Bad(v, "reservation node not at the period end");
                    if (v.RemainingNs <= 0 && !(v.BudgetTimer.IsArmed && v.BudgetTimer.Expiry <= now) && !v.IsHalted)
                        return Bad(v, "slice used up but not exhausted");
                }
                if (v.RemainingNs > v.SliceNs) return Bad(v, "more slice left than the slice");
                if (t.IsExecuting && t.State == ThreadState.Ready && !v.BudgetTimer.IsArmed) return Bad(v, "running without a budget watchdog");
                if (v.VirtualTimer.IsArmed && !v.TimerArmed) return Bad(v, "virtual watchdog armed without a virtual timer");
                if (v.TimerArmed && !v.InterruptPending && !v.VirtualTimer.IsArmed) return Bad(v, "virtual timer armed without its watchdog");
                if (v.VirtualTimer.IsArmed && v.VirtualTimer.Expiry != v.HostTimeOf(v.TimerDeadline)) return Bad(v, "virtual watchdog not at the deadline's host time");
                if (v.IsHalted && v.InterruptPending) return Bad(v, "halted with an interrupt pending");
            }
            if (!shareLowered)
            {
                Utilization u;
                AdmittedShare(null, out u);
                if (u.CompareTo((ulong)shareNum, (ulong)shareDen) > 0) return "admitted vcore shares exceed the share";
            }
            return null;
        }
    }
}
