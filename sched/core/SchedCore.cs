using System.Runtime.CompilerServices;

namespace Osprey.Sched
{
    /// <summary>
    /// One CPU's scheduling state: its scheduler instance, timer queue,
    /// platform, executing and heir threads. Every entry point the kernel or
    /// the simulator calls is here; none allocates.
    ///
    /// Invariants (CheckInvariants):
    ///  - Executing and Heir are never null (the idle thread stands in);
    ///  - exactly one thread has IsExecuting, and it is Executing;
    ///  - DispatchNeeded == (Heir != Executing);
    ///  - Heir is the scheduler's Highest() or Idle when nothing is ready;
    ///  - a thread is Queued in the ready set exactly when State == Ready.
    /// CPU time: the executing thread is charged (now - lastCharge) at every
    /// switch (Dispatch) and timer expiry, so accounting is exact at each
    /// switch; between them use CpuTimeOf for an up-to-date value. Entry
    /// points (Block, Unblock, ReleaseJob...) also charge first when the
    /// policy's decisions depend on consumed time (Scheduler.TracksBudgets:
    /// CBS budgets, guest-core reservations) or a trace records the event
    /// (its timestamp is the charge time); fixed priority and EDF skip the
    /// clock read there, so a kernel call reads the clock once, at its switch.
    /// </summary>
    public sealed class SchedCore
    {
        public readonly Platform Platform;
        public readonly Scheduler Scheduler;
        public readonly TimerQueue Timers;
        public readonly SchedThread Idle;

        SchedThread executing;
        SchedThread heir;
        bool dispatchNeeded;
        long lastCharge;
        /// <summary>Scheduler.TracksBudgets, read once: charge before every entry point's operation and call the budget hooks.</summary>
        readonly bool budgets;

        /// <summary>Time the idle thread ran, ns.</summary>
        public long IdleTimeNs;
        /// <summary>Context switches performed by Dispatch.</summary>
        public long SwitchCount;
        /// <summary>Switch requests made to the platform.</summary>
        public long SwitchRequests;
        /// <summary>This core's CPU number (the creator sets it; 0 by default): the trace's cpu, the platform's CPU.</summary>
        public int Cpu;
        /// <summary>Dispatches of a thread that last ran on another core (global scheduling; always 0 when partitioned).</summary>
        public long Migrations;
        /// <summary>
        /// Interrupt nesting depth: the kernel increments it on interrupt entry
        /// and decrements it on exit. While it is above zero the sync objects
        /// refuse every operation that could block (SyncStatus.CalledFromInterrupt).
        /// </summary>
        public int InterruptNesting;
        /// <summary>Whether the caller of this core runs in an interrupt handler (Platform.InInterrupt: the calling CPU's count).</summary>
        public bool CallerInInterrupt { get { return Platform.InInterrupt(this); } }
        /// <summary>This CPU's trace ring (sched/trace), null = not recording: every hook is one null check.</summary>
        public Tracing.TraceRing Trace;
        /// <summary>
        /// Set while the core belongs to a global-EDF cluster of several CPUs
        /// (GlobalEdfScheduler.Bind): threads on any of them call into it.
        /// </summary>
        public bool SharedByCpus;
        /// <summary>
        /// Where an event of this core is recorded (call only while Trace is
        /// set): Trace itself, or for a core shared by several CPUs the ring
        /// the platform names for the caller (Platform.CallerTrace: the
        /// kernel's, the calling CPU's); null: not recorded. Not shared, no
        /// virtual call.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Tracing.TraceRing TraceHere() { return SharedByCpus ? Platform.CallerTrace(this) : Trace; }

        public SchedThread Executing { get { return executing; } }
        public SchedThread Heir { get { return heir; } }
        public bool DispatchNeeded { get { return dispatchNeeded; } }

        /// <summary>
        /// Build a core. idle may be null (a plain SchedThread is made). The
        /// scheduler must be a fresh instance (SchedulerTable.Create).
        /// </summary>
        public SchedCore(Platform platform, Scheduler scheduler, SchedThread idle)
        {
            Platform = platform;
            Scheduler = scheduler;
            Timers = new TimerQueue(platform);
            if (idle == null)
            {
                idle = new SchedThread(-1, SchedThread.MaxPriority, "idle");
            }
            Idle = idle;
            idle.Core = this;
            idle.State = ThreadState.Ready;
            scheduler.Initialize(this);
            budgets = scheduler.TracksBudgets;
            scheduler.StartIdle(idle);
            executing = idle;
            heir = idle;
            idle.IsExecuting = true;
            lastCharge = platform.Now();
        }

        /// <summary>Core with the named policy; null and error text for an unknown name.</summary>
        public static SchedCore Create(Platform platform, string schedulerName, SchedThread idle, out string error)
        {
            Scheduler s = SchedulerTable.Create(schedulerName, out error);
            if (s == null) return null;
            return new SchedCore(platform, s, idle);
        }

        public long Now() { return Platform.Now(); }

        // ------------------------------------------------------------------
        // Thread lifetime

        /// <summary>Attach a new thread (dormant) to this core and its scheduler.</summary>
        public void AddThread(SchedThread t)
        {
            t.Core = this;
            t.State = ThreadState.Dormant;
            t.IsExecuting = false;
            Scheduler.NodeInitialize(t);
            t.BasePriority = Bits.Clamp(t.BasePriority, 0, Scheduler.MaxPriority);
            if (t.BaseNode.InTree) t.Priorities.Remove(t.BaseNode);
            t.Priorities.Insert(t.BaseNode, Scheduler.MapPriority(t.BasePriority));
            if (Trace != null) TraceHere()?.NameThread(t.Id, t.Name);
        }

        /// <summary>Detach a thread: it becomes dormant and leaves the scheduler.</summary>
        public void RemoveThread(SchedThread t)
        {
            Stop(t);
            Scheduler.NodeDestroy(t);
        }

        /// <summary>Dormant -> ready (thread start/restart).</summary>
        public bool Start(SchedThread t) { Enter(); return ClearState(t, ThreadState.Dormant); }

        /// <summary>Make the thread dormant (thread exit/stop).</summary>
        public bool Stop(SchedThread t) { Enter(); return SetState(t, ThreadState.Dormant); }

        // ------------------------------------------------------------------
        // State transitions (each returns whether the bit changed)

        public bool Block(SchedThread t) { Enter(); return SetState(t, ThreadState.Blocked); }
        public bool Unblock(SchedThread t) { Enter(); return ClearState(t, ThreadState.Blocked); }
        public bool Suspend(SchedThread t) { Enter(); return SetState(t, ThreadState.Suspended); }
        public bool Resume(SchedThread t) { Enter(); return ClearState(t, ThreadState.Suspended); }

        /// <summary>Add any not-ready reason(s) (e.g. Sleeping, PeriodWait).</summary>
        public bool BlockWith(SchedThread t, ThreadState reason) { Enter(); return SetState(t, reason); }

        /// <summary>Remove not-ready reason(s); the thread becomes ready when none remain.</summary>
        public bool UnblockFrom(SchedThread t, ThreadState reason) { Enter(); return ClearState(t, reason); }

        /// <summary>The executing thread yields to its equals.</summary>
        public void Yield()
        {
            Enter();
            SchedThread t = executing;
            if (t != Idle && t.State == ThreadState.Ready) Scheduler.Yield(t);
        }

        /// <summary>
        /// Start of an entry point: charge the executing thread when the
        /// policy needs consumed time up to date before deciding, or when a
        /// trace will stamp the event with lastCharge.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        void Enter()
        {
            if (budgets || Trace != null) Charge(Platform.Now());
        }

        // SetState/ClearState run right after Enter(): when tracing,
        // lastCharge is now (the trace's timestamp).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        bool SetState(SchedThread t, ThreadState bits)
        {
            if (t == Idle || (t.State & bits) == bits) return false;
            bool wasReady = t.State == ThreadState.Ready;
            t.State |= bits;
            if (wasReady && Trace != null) TraceHere()?.Block(lastCharge, t, bits);
            if (wasReady) Scheduler.Block(t);
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        bool ClearState(SchedThread t, ThreadState bits)
        {
            if (t == Idle || (t.State & bits) == 0) return false;
            t.State &= ~bits;
            if (t.State == ThreadState.Ready && Trace != null) TraceHere()?.Unblock(lastCharge, t, bits);
            if (t.State == ThreadState.Ready) Scheduler.Unblock(t);
            return true;
        }

        // ------------------------------------------------------------------
        // Priorities

        /// <summary>Change the base priority (0..Scheduler.MaxPriority). False when out of range.</summary>
        public bool SetPriority(SchedThread t, int priority)
        {
            if (priority < 0 || priority > Scheduler.MaxPriority) return false;
            Enter();
            t.BasePriority = priority;
            SetPriorityNode(t, t.BaseNode, Scheduler.MapPriority(priority));
            return true;
        }

        /// <summary>
        /// Add node (e.g. inherited through a mutex) with value, or move it to
        /// value if already active. Values are mapped (a waiter's
        /// EffectivePriority can be passed as is: under EDF that is deadline
        /// inheritance). The thread is re-sorted if its effective priority moves.
        /// </summary>
        public void SetPriorityNode(SchedThread t, PriorityNode node, long value)
        {
            long old = t.EffectivePriority;
            if (node.InTree && node.Key == value) return;
            // As Remove + Insert (behind equal values), in place when the node
            // keeps its place: a job node moving to the next deadline stays
            // in front of the base node.
            t.Priorities.Rekey(node, value, false);
            PriorityChanged(t, old);
        }

        /// <summary>Same as SetPriorityNode (name for the mutex code).</summary>
        public void AddPriority(SchedThread t, PriorityNode node, long value) { SetPriorityNode(t, node, value); }

        /// <summary>Remove an inherited/job node; removing an inactive node is a no-op.</summary>
        public void RemovePriority(SchedThread t, PriorityNode node)
        {
            if (!node.InTree || node == t.BaseNode) return;
            long old = t.EffectivePriority;
            t.Priorities.Remove(node);
            PriorityChanged(t, old);
        }

        void PriorityChanged(SchedThread t, long old)
        {
            if (t.EffectivePriority == old) return;
            if (t.State == ThreadState.Ready && t != Idle)
            {
                // The executing thread goes before its new equals so that a
                // priority change never hands the CPU to an equal thread.
                t.Node.RequeueAtHead = t.IsExecuting;
                Scheduler.UpdatePriority(t);
                t.Node.RequeueAtHead = false;
            }
            // A waiting thread is re-sorted in its wait queue; a mutex passes
            // the change on to its owner (sched/sync, WaitQueue.PriorityChanged).
            WaitQueue q = t.Wait.Queue;
            if (q != null) q.PriorityChanged(t);
        }

        // ------------------------------------------------------------------
        // Jobs (periods and CBS call these)

        public void ReleaseJob(SchedThread t, PriorityNode node, long absoluteDeadline)
        {
            Enter();
            if (Trace != null) TraceHere()?.Release(lastCharge, t, t.JobsReleased, absoluteDeadline);
            t.JobsReleased++;
            Scheduler.ReleaseJob(t, node, absoluteDeadline);
        }

        public void CancelJob(SchedThread t, PriorityNode node)
        {
            Enter();
            Scheduler.CancelJob(t, node);
        }

        // ------------------------------------------------------------------
        // Heir, dispatch, time

        /// <summary>Scheduler callback: h (null = idle) is now the most urgent ready thread.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void SetHeir(SchedThread h)
        {
            if (h == null) h = Idle;
            heir = h;
            bool need = h != executing;
            if (need && !dispatchNeeded)
            {
                dispatchNeeded = true;
                SwitchRequests++;
                Platform.RequestSwitch();
            }
            else if (!need)
            {
                dispatchNeeded = false;
            }
        }

        /// <summary>
        /// Perform the switch decided earlier: charge the outgoing thread, make
        /// the heir executing, run the policy's dispatch hook. Returns the
        /// thread that now executes. Called by the platform at its switch point.
        /// </summary>
        public SchedThread Dispatch()
        {
            long now = Platform.Now();
            Charge(now);
            SchedThread prev = executing;
            SchedThread next = heir;
            dispatchNeeded = false;
            if (prev != next)
            {
                prev.IsExecuting = false;
                next.IsExecuting = true;
                next.DispatchCount++;
                if (next != Idle)
                {
                    SchedCore last = next.LastCore;
                    if (last != this)
                    {
                        if (last != null) { next.Migrations++; Migrations++; }
                        next.LastCore = this;
                    }
                }
                executing = next;
                SwitchCount++;
                if (Trace != null) TraceHere()?.Switch(now, prev, next, Idle);
                if (budgets) Scheduler.OnDispatch(prev, next, now);
            }
            return executing;
        }

        /// <summary>Charge the executing thread up to Platform.Now().</summary>
        public void Charge() { Charge(Platform.Now()); }

        /// <summary>Charge the executing thread for the time since the last charge point.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Charge(long now)
        {
            long delta = now - lastCharge;
            if (delta <= 0) return;
            lastCharge = now;
            SchedThread t = executing;
            if (t == Idle)
            {
                IdleTimeNs += delta;
                return;
            }
            t.CpuTimeNs += delta;
            if (budgets) Scheduler.OnCharge(t, delta, now);
        }

        /// <summary>CPU time of t including the not yet charged running time.</summary>
        public long CpuTimeOf(SchedThread t)
        {
            long c = t.CpuTimeNs;
            // Under a global scheduler t may execute on another core of its cluster.
            SchedCore on = t == executing ? this : t.LastCore;
            if (on != null && on.executing == t)
            {
                long d = on.Platform.Now() - on.lastCharge;
                if (d > 0) c += d;
            }
            return c;
        }

        /// <summary>The platform's one-shot fired: charge, then fire every due watchdog.</summary>
        public void TimerFired(long now)
        {
            Charge(now);
            Timers.FireDue(now);
        }

        /// <summary>Alias of TimerFired for tick-driven platforms.</summary>
        public void Tick(long now) { TimerFired(now); }

        /// <summary>Structural invariants of core + scheduler + timers; null when sound.</summary>
        public string CheckInvariants()
        {
            if (executing == null || heir == null) return "null executing or heir";
            if (!executing.IsExecuting) return "executing thread not flagged IsExecuting";
            if (dispatchNeeded != (heir != executing)) return "DispatchNeeded disagrees with heir != executing";
            SchedThread h = Scheduler.Highest();
            if (h == null) h = Idle;
            if (h != heir) return "heir is not the most urgent ready thread";
            if (Idle.Node.Queued) return "idle thread in the ready set";
            string e = Scheduler.CheckInvariants();
            if (e != null) return e;
            return Timers.Check();
        }
    }
}
