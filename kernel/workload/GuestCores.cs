using Osprey.Kernel.Threading;
using Osprey.Sched;

using Osprey.Sched.Workload;

namespace Osprey.Kernel.Workload
{
    // Guest cores on real threads (contract in sched/README.md
    // "Guest cores", "Kernel integration"): each admitted virtual core is a
    // kernel thread whose body steps its guest program and spins for the CPU
    // time the guest executes; the vcore scheduler (sched=vcore) gives it its
    // slice every period, cuts it with the one-shot timer when the slice is
    // used up, hands out extra time, and raises its virtual timer interrupts.
    //
    // Each core runs on the CPU its vcore line names (cpu=): its thread is
    // created on that CPU's scheduling core, and that CPU's own vcore
    // scheduler admits it against that CPU's share (one run queue and one
    // analysis per physical CPU, as in the simulator). Every operation on a
    // CPU's scheduler runs on that CPU (Smp.Remote.RunOn: a request and a
    // reschedule IPI; the caller waits), and a run's end is a stop watchdog
    // on each CPU, all at the same instant (StartAll), so no CPU's stop
    // waits for another's. Shared tables (Cores, CoreThreads) are written
    // only by the setup thread's requests, one at a time; a CPU's stop
    // reads only its own rows.
    internal static unsafe class GuestCores
    {
        internal const int Max = WorkloadLimits.MaxGuestCores;
        internal const int MaxCpus = Acpi.AcpiInfo.MaxCpus;
        internal static Vcore[] Cores = new Vcore[Max];
        internal static Thread[] CoreThreads = new Thread[Max];
        internal static int Count;
        internal static string[] Rejected = new string[Max];
        internal static int RejectedCount;
        private static int cores;          // vcore lines seen, admitted or not
        // The run has stopped (the runner's stop, or StopAll): no more events.
        private static bool stopped;
        // Per CPU: a vcore line placed there (its table is printed), its own
        // stop done, and what the report needs, taken by that stop before
        // the cores are removed: the share, what was admitted.
        private static readonly bool[] hosted = new bool[MaxCpus];
        private static readonly bool[] cpuStopped = new bool[MaxCpus];
        private static readonly long[] shareNum = new long[MaxCpus], shareDen = new long[MaxCpus];
        private static readonly Osprey.Sched.Analysis.Utilization[] admitted = new Osprey.Sched.Analysis.Utilization[MaxCpus];
        private static readonly int[] admittedCount = new int[MaxCpus];
        private static readonly CpuStop[] stops = new CpuStop[MaxCpus];
        // Each core's guest clock at its CPU's stop.
        private static readonly long[] guestClock = new long[Max];

        internal static bool Stopped { get { return stopped; } }

        // The calling CPU's vcore scheduler (null under another policy).
        internal static VcoreScheduler Scheduler { get { return Scheduling.Core.Scheduler as VcoreScheduler; } }

        // CPU `cpu`'s vcore scheduler; null when it does not run or runs another policy.
        internal static VcoreScheduler SchedulerOn(int cpu)
        {
            if (cpu < 0 || cpu >= PerCpu.Count || !Smp.Smp.Online(cpu)) return null;
            SchedCore c = PerCpu.Of(cpu).Core;
            return c == null ? null : c.Scheduler as VcoreScheduler;
        }

        internal static void Reset()
        {
            // The previous run's real guests not torn down yet (the self-tests
            // join with StopAll and read the guests' RAM after it): their
            // frames go back now, each on its CPU; a core whose thread still
            // runs keeps them (TearDown says so).
            for (int i = 0; i < Count; i++) TearDown(i);
            for (int i = 0; i < Max; i++) { Cores[i] = null; CoreThreads[i] = null; Rejected[i] = null; guestClock[i] = 0; }
            for (int c = 0; c < MaxCpus; c++)
            {
                hosted[c] = false; cpuStopped[c] = false; admittedCount[c] = 0; shareNum[c] = 1; shareDen[c] = 1;
                if (stops[c] == null) { stops[c] = new CpuStop(); stops[c].Cpu = c; }
                stops[c].Done = false;
            }
            Count = 0;
            RejectedCount = 0;
            cores = 0;
            stopped = false;
            GuestEvents.Reset();
        }

        // ---- Requests run on a core's CPU (Remote.RunOn: interrupts off there) ----

        private sealed class Op
        {
            internal int Cpu;
            internal Vcore V;
            internal Thread T;
            internal string Name;
            internal long At, StopAt, Num, Den;
            internal VcoreStatus S;
            internal VcoreAdmission A;
            internal Osprey.Sched.Analysis.Utilization U;
            internal int N;
            internal bool Ok;
        }

        // On CPU `cpu`: fn(op); false when that CPU did not answer.
        private static bool On(int cpu, delegate*<object, void> fn, Op op)
        {
            op.Cpu = cpu;
            return Smp.Remote.RunOn(cpu, fn, op);
        }

        // Admission and the row together, on the core's CPU: that CPU's
        // stop sees either no core or an admitted one in Cores.
        private static void AttachHere(object o)
        {
            Op op = (Op)o;
            VcoreScheduler vs = Scheduler;
            op.Ok = false;
            if (stopped || cpuStopped[op.Cpu] || vs == null) return;
            op.S = vs.Attach(op.T, op.V, out op.A);
            if (op.S != VcoreStatus.Ok) return;
            Cores[Count] = op.V;
            CoreThreads[Count] = op.T;
            Count++;
            op.Ok = true;
        }

        private static void SetShareHere(object o)
        {
            Op op = (Op)o;
            VcoreScheduler vs = Scheduler;
            op.S = vs == null ? VcoreStatus.InvalidShare : vs.SetShare(op.Num, op.Den);
            // A run charges each CPU's admission the per-reservation
            // overhead the runner chose for that CPU (RunOverheads.Of:
            // measured there).
            if (vs != null && op.Ok) vs.ReservationOverheadNs = RunOverheads.Of(op.Cpu).PerReservationNs;
        }

        // Starts this CPU's cores at op.At and arms its stop at op.StopAt
        // (long.MaxValue: none).
        private static void StartHere(object o)
        {
            Op op = (Op)o;
            VcoreScheduler vs = Scheduler;
            op.Ok = false;
            if (stopped || cpuStopped[op.Cpu] || vs == null) return;
            for (int i = 0; i < Count; i++) if (Cores[i].Cpu == op.Cpu) vs.Start(Cores[i], op.At);
            if (op.StopAt != long.MaxValue) Scheduling.Core.Timers.Insert(stops[op.Cpu], op.StopAt);
            op.Ok = true;
        }

        private static void StartOneHere(object o)
        {
            Op op = (Op)o;
            op.Ok = false;
            if (stopped || cpuStopped[op.Cpu]) return;
            Scheduler.Start(op.V, op.At);
            op.Ok = true;
        }

        private static void RemoveHere(object o)
        {
            Op op = (Op)o;
            op.Ok = false;
            if (stopped || cpuStopped[op.Cpu] || op.V.Removed) return;
            Scheduler.Remove(op.V);
            if (op.T.Started) Scheduling.Core.Suspend(op.T);
            op.Ok = true;
        }

        private static void LeftHere(object o)
        {
            Op op = (Op)o;
            VcoreScheduler vs = Scheduler;
            op.N = 0;
            if (vs == null) return;
            vs.AdmittedShare(null, out op.U);
            op.N = vs.VcoreCount;
        }

        // The self-tests' end: this CPU's cores removed (their threads see
        // Detached and exit), its stop disarmed.
        private static void StopAllHere(object o)
        {
            Op op = (Op)o;
            cpuStopped[op.Cpu] = true;
            Scheduling.Core.Timers.Cancel(stops[op.Cpu]);
            VcoreScheduler vs = Scheduler;
            if (vs == null) return;
            for (int i = 0; i < Count; i++) if (Cores[i].Cpu == op.Cpu) vs.Remove(Cores[i]);
        }

        // The run's stop on the calling CPU at `now` (its timer interrupt,
        // or a request): take what the report needs from this CPU's
        // scheduler and its cores' guest clocks, then remove its cores
        // (reservations and watchdogs go; Step answers Detached) and
        // suspend their threads until ReleaseAll. Bounded, no allocation.
        internal static void StopHere(int cpu, long now)
        {
            if (cpuStopped[cpu]) return;
            cpuStopped[cpu] = true;
            VcoreScheduler vs = Scheduler;
            if (vs != null)
            {
                shareNum[cpu] = vs.ShareNum;
                shareDen[cpu] = vs.ShareDen;
                vs.AdmittedShare(null, out admitted[cpu]);
                admittedCount[cpu] = vs.VcoreCount;
                SchedCore core = Scheduling.Core;
                for (int i = 0; i < Count; i++)
                {
                    if (Cores[i].Cpu != cpu) continue;
                    // A core removed during the run reads its clock at the removal
                    // (Vcore.HostNow), as in the simulator.
                    guestClock[i] = !Cores[i].Started ? 0 : Cores[i].Removed ? Cores[i].VirtualNow() : Cores[i].VirtualAt(now);
                    vs.Remove(Cores[i]);
                    if (CoreThreads[i].Started) core.Suspend(CoreThreads[i]);
                }
            }
            stops[cpu].Done = true;
        }

        private static void StopRequest(object o) { Op op = (Op)o; StopHere(op.Cpu, op.At); }
        private static void ResumeHere(object o) { Op op = (Op)o; if (op.T.Started) Scheduling.Core.Resume(op.T); }
        private static void DiscardHere(object o) { Op op = (Op)o; Threading.Threads.Discard(op.T); }
        private static void ReapHere(object o) { Op op = (Op)o; Threading.Threads.Reap(op.T); }

        // ---- Teardown of real guests (their frames and ASIDs) ----

        // Teardowns that left frames allocated since boot, and the last reason.
        internal static int TeardownFailures;
        internal static string LastTeardownError;

        private static void ReleaseHere(object o)
        {
            Op op = (Op)o;
            op.Name = Osprey.Kernel.Arch.Svm.VmmCores.Release(op.V);
        }

        // Core i's real guest torn down on the core's CPU, once its thread
        // can no longer run it: never started, or ended. Nothing for a
        // synthetic program or a guest already torn down.
        private static void TearDown(int i)
        {
            Vcore v = Cores[i];
            if (!Osprey.Kernel.Arch.Svm.VmmCores.Holds(v)) return;
            Thread t = CoreThreads[i];
            string error;
            if (t != null && t.Started && !t.Exited) error = "guest core " + v.Name + ": its thread has not ended: its guest's frames stay";
            else
            {
                Op op = new Op();
                op.V = v;
                error = On(v.Cpu, &ReleaseHere, op) ? op.Name : "guest core " + v.Name + ": CPU " + v.Cpu + " did not answer the teardown: its guest's frames stay";
            }
            if (error == null) return;
            TeardownFailures++;
            LastTeardownError = error;
            Log.WriteLine("guest cores: " + error);
        }

        // A core refused before it had a thread that ran: its guest never
        // ran, so it is torn down here, on the setup thread's CPU.
        private static void Drop(Vcore v)
        {
            string error = Osprey.Kernel.Arch.Svm.VmmCores.Release(v);
            if (error == null) return;
            TeardownFailures++;
            LastTeardownError = error;
            Log.WriteLine("guest cores: " + error);
        }

        // ---- Setup and events (the workload runner's or a test's thread) ----

        // Admits v on a new thread; false (and the reason in Rejected) when refused.
        internal static bool Add(Vcore v, string name)
        {
            cores++;
            if (Count == Max || cores > Max)
            {
                Reject("line " + v.Line + ": field 'vcore': guest core " + name + " is guest core number " + cores
                    + " of the file; at most " + Max + " guest cores (WorkloadLimits.MaxGuestCores)");
                Drop(v);
                return false;
            }
            return Admit(v, name, "");
        }

        // During the run (GuestEvents, main thread): admits v on a new thread
        // and starts it at `at` (the event's nominal time); its index in
        // Cores, or -1 when refused (the reason in Rejected, after `prefix`:
        // "at T: ") or the run has stopped. Each admitted incarnation takes
        // one of the Max rows.
        internal static int AddAt(Vcore v, string name, long at, string prefix)
        {
            if (Count == Max)
            {
                Reject(prefix + "line " + v.Line + ": field 'vcore': guest core " + name + ": at most " + Max
                    + " guest cores (incarnations included) in one kernel run (WorkloadLimits.MaxGuestCores)");
                Drop(v);
                return -1;
            }
            if (!Admit(v, name, prefix)) return -1;
            int i = Count - 1;
            Op op = new Op();
            op.V = v;
            op.At = at;
            // The stop came between the admission and here: that CPU's stop
            // removed the core already; its thread never starts.
            if (!On(v.Cpu, &StartOneHere, op) || !op.Ok) return -1;
            Threading.Threads.Start(CoreThreads[i]);
            return i;
        }

        // During the run (GuestEvents, main thread): removes core i (its share
        // is free at once) and suspends its thread until ReleaseAll, when it
        // sees Detached and ends. False when it is not running.
        internal static bool Remove(int i)
        {
            Op op = new Op();
            op.V = Cores[i];
            op.T = CoreThreads[i];
            return On(Cores[i].Cpu, &RemoveHere, op) && op.Ok;
        }

        // "admitted 1/2 (50%), 1 core(s)": what CPU `cpu` admits now (the simulator's event lines).
        internal static string Left(int cpu)
        {
            Op op = new Op();
            On(cpu, &LeftHere, op);
            Osprey.Sched.Analysis.Utilization u = op.U;
            return "admitted " + (u.Exact ? u.Num + "/" + u.Den + " (" + ShareMath.Percent((long)u.Num, (long)u.Den) + ")" : "about " + ShareMath.PercentOfPpm(u.Ppb() / 1000))
                + ", " + op.N + " core(s)";
        }

        // Why CPU `cpu` cannot host guest cores, or null.
        private static string CpuRefusal(int cpu)
        {
            if (cpu < 0 || cpu >= Smp.Smp.Count || !Smp.Smp.Online(cpu))
                return "cpu=" + cpu + ", but this kernel runs " + Smp.Smp.Count + " CPU(s) (cpu 0.." + (Smp.Smp.Count - 1) + ")";
            if (SchedulerOn(cpu) == null) return "CPU " + cpu + " does not run the vcore scheduler (it runs " + PerCpu.Of(cpu).Core.Scheduler.Name + ")";
            return null;
        }

        private static bool Admit(Vcore v, string name, string prefix)
        {
            string why = CpuRefusal(v.Cpu);
            if (why != null)
            {
                Reject(prefix + "line " + v.Line + ": field 'cpu': guest core " + name + ": " + why);
                Drop(v);
                return false;
            }
            hosted[v.Cpu] = true;
            Thread t;
            if (Threading.Threads.Create(name, &Body, v, 200, 16384, v.Cpu, out t) != ThreadStatus.Successful)
            {
                Reject(prefix + "guest core " + name + ": no thread on CPU " + v.Cpu);
                Drop(v);
                return false;
            }
            Op op = new Op();
            op.V = v;
            op.T = t;
            bool answered = On(v.Cpu, &AttachHere, op);
            if (answered && op.Ok) return true;
            if (!answered) Reject(prefix + "guest core " + name + ": CPU " + v.Cpu + " did not answer");
            else if (op.A.Message != null || op.S != VcoreStatus.Ok)
                Reject(prefix + (op.A.Message != null ? op.A.Message : "guest core " + name + " on cpu " + v.Cpu + ": " + (int)op.S));
            On(v.Cpu, &DiscardHere, op);
            Drop(v);
            return false;
        }

        // Refusals past the table's size are counted, not kept.
        private static void Reject(string m)
        {
            if (RejectedCount < Max) Rejected[RejectedCount] = m;
            RejectedCount++;
        }

        // The share on every CPU that runs the vcore scheduler (each CPU
        // admits against its own); the first refusal, or null.
        internal static string SetShareEverywhere(long num, long den) { return SetShareEverywhere(num, den, false); }

        // withOverheads: also the run's per-reservation overhead (FromWorkload).
        private static string SetShareEverywhere(long num, long den, bool withOverheads)
        {
            for (int c = 0; c < Smp.Smp.Count && c < MaxCpus; c++)
            {
                if (SchedulerOn(c) == null) continue;
                Op op = new Op();
                op.Num = num;
                op.Den = den;
                op.Ok = withOverheads;
                if (!On(c, &SetShareHere, op)) return "CPU " + c + " did not answer";
                if (op.S != VcoreStatus.Ok) return "cpu " + c + ": " + op.S;
            }
            return null;
        }

        // The guest cores of a workload file: the file's share first (the
        // admission bound of every CPU, as in the simulator), then every
        // core in order, each on its CPU.
        internal static void FromWorkload(WorkloadSpec w)
        {
            // Guest blocks with an error were left out by the parser.
            for (int i = 0; w.GuestErrors != null && i < w.GuestErrors.Length; i++) Reject(w.GuestErrors[i]);
            string shareError = SetShareEverywhere(w.ShareNum, w.ShareDen, true);
            if (shareError != null)
            {
                Reject("field 'share': cannot use the share " + w.ShareNum + "/" + w.ShareDen + " (" + shareError + "): no guest core runs");
                return;
            }
            // Cores with start=, remove=, add= (GuestEvents): the ones that
            // start at 0 are admitted here in file order, the rest later.
            GuestEvents.Plan(w);
            int plan = 0;
            for (int gi = 0; gi < w.Guests.Length; gi++)
            {
                GuestSpec g = w.Guests[gi];
                for (int i = 0; i < g.Vcores.Length; i++, plan++)
                {
                    int cpu = g.Vcores[i].Cpu;
                    if (CpuRefusal(cpu) == null) hosted[cpu] = true;
                    if (GuestEvents.StartsLater(plan)) { cores++; continue; }
                    string refusal;
                    Vcore v = Osprey.Kernel.Arch.Svm.VmmCores.Create(g, i, w.Seed, gi, out refusal);
                    if (v == null) { cores++; Reject(refusal); continue; }
                    if (Add(v, g.Name + "/" + g.Vcores[i].VcpuId))
                        GuestEvents.Admitted(plan, Count - 1);
                }
            }
        }

        // Starts every admitted core at one instant t0 (aligned periods and
        // virtual clocks), each CPU its own; nothing once the run has
        // stopped. stopAt (long.MaxValue: none) arms the stop watchdog of
        // every other CPU hosting cores at the instant the caller's own stop
        // fires (the runner's RunStop calls StopInInterrupt).
        internal static void StartAll(long t0) { StartAll(t0, long.MaxValue); }

        internal static void StartAll(long t0, long stopAt)
        {
            if (stopped) return;
            int self = Machine.CpuIndex;
            for (int c = 0; c < MaxCpus; c++)
            {
                if (!hosted[c] && c != self) continue;
                Op op = new Op();
                op.At = t0;
                op.StopAt = c == self ? long.MaxValue : stopAt;
                On(c, &StartHere, op);
            }
            ulong f = Machine.DisableInterrupts();
            if (!stopped) GuestEvents.Arm(t0);
            Machine.RestoreInterrupts(f);
            for (int i = 0; i < Count; i++) Threading.Threads.Start(CoreThreads[i]);
        }

        // The end of the run on the calling CPU, in its timer interrupt
        // (WorkloadRunner.Stop): its own cores; the other CPUs' stop
        // watchdogs (StartAll) stop theirs at the same instant.
        internal static void StopInInterrupt(long now)
        {
            stopped = true;
            StopHere(Machine.CpuIndex, now);
        }

        // After the runner's stop (thread context): waits until every CPU
        // hosting cores has taken its stop; one that has not within 100 ms
        // of `now` is stopped by a request (its figures are then later
        // than the others'; the note says so). Null, or that note.
        internal static string WaitForStops(long now)
        {
            string note = null;
            for (int c = 0; c < MaxCpus; c++)
            {
                if (!hosted[c]) continue;
                while (!stops[c].Done && Machine.Now() < now + 100000000) Threading.Threads.SleepFor(100000);
                if (stops[c].Done) continue;
                Op op = new Op();
                op.At = now;
                On(c, &StopRequest, op);
                note = "cpu " + c + ": its stop watchdog had not fired 100 ms after the end; stopped by a request";
            }
            return note;
        }

        // Removes every core (their threads see Detached and exit) and joins
        // them (the self-tests' way; a workload run stops in StopInInterrupt).
        // The real guests stay readable (the tests read their RAM): Reset
        // tears them down.
        internal static void StopAll()
        {
            stopped = true;
            for (int c = 0; c < MaxCpus; c++)
            {
                if (!hosted[c] && c != Machine.CpuIndex) continue;
                Op op = new Op();
                On(c, &StopAllHere, op);
            }
            Join(false);
        }

        // After the report: the cores' threads run on to their end.
        internal static void ReleaseAll()
        {
            for (int i = 0; i < Count; i++)
            {
                if (!CoreThreads[i].Started) continue;
                Op op = new Op();
                op.T = CoreThreads[i];
                On(Cores[i].Cpu, &ResumeHere, op);
            }
        }

        // Waits for every core's thread to end and recycles it; a thread of
        // another CPU is polled (its joiners would block on its own core)
        // and recycled there. Then each real guest is torn down on its CPU
        // (the workload runner's end: its report is printed).
        internal static void JoinAll() { Join(true); }

        private static void Join(bool tearDown)
        {
            for (int i = 0; i < Count; i++)
            {
                Thread t = CoreThreads[i];
                int cpu = Cores[i].Cpu;
                Op op = new Op();
                op.T = t;
                if (!t.Joined)
                {
                    if (!t.Started) On(cpu, &DiscardHere, op);
                    else if (cpu == Machine.CpuIndex) Threading.Threads.Join(t);
                    else
                    {
                        while (!t.Exited) Threading.Threads.SleepFor(100000);
                        On(cpu, &ReapHere, op);
                    }
                }
                if (tearDown) TearDown(i);
            }
        }

        // One core's thread: step the guest, then let it execute for the CPU
        // time it asked for, or until its virtual interrupt is pending.
        private static void Body(object arg)
        {
            Vcore v = (Vcore)arg;
            Thread self = Scheduling.Current;
            long ran = 0;
            while (true)
            {
                ulong f = Machine.DisableInterrupts();
                long n = v.Step(ran);
                if (n == Vcore.Detached) { Machine.RestoreInterrupts(f); return; }
                if (n == Vcore.Halted)
                {
                    Scheduling.Reschedule();
                    Machine.RestoreInterrupts(f);
                    ran = 0;
                    continue;
                }
                Machine.RestoreInterrupts(f);
                if (Osprey.Kernel.Arch.Svm.VmmCores.Real(v))
                {
                    // A real guest: VMRUN until the guest or the vcore needs the next Step.
                    long r0 = Threading.Threads.CpuTime(self);
                    Osprey.Kernel.Arch.Svm.VmmCores.Run(v, self);
                    ran = Threading.Threads.CpuTime(self) - r0;
                    continue;
                }
                long c0 = Threading.Threads.CpuTime(self), c = c0;
                // A spin-wait hint each round: under QEMU's round-robin vCPUs
                // (TCG, -icount) it ends this vCPU's turn, so another CPU's
                // timer interrupt (its slice end) is taken at once instead of
                // after this CPU's whole turn.
                while (v.KeepRunning(c - c0)) { Machine.SpinWaitHint(); c = Threading.Threads.CpuTime(self); }
                ran = c - c0;
            }
        }

        // The end-of-run part of the simulator's guest report, from the
        // figures taken when the run stopped: one table per CPU hosting
        // guest cores (the simulator's per-CPU titles), then the virtual
        // interrupts of every core.
        internal static void PrintSummary(long elapsed)
        {
            // Rows in the simulator's order: by guest (file order), each
            // guest's cores in the order they were admitted.
            int[] order = Order();
            bool any = false;
            for (int c = 0; c < MaxCpus; c++)
            {
                if (!hosted[c]) continue;
                any = true;
                PrintCpu(c, order, elapsed);
            }
            if (!any) PrintCpu(0, order, elapsed);
            if (Count > 0)
            {
                Log.WriteLine("");
                Log.WriteLine("virtual interrupts (delivery error = guest clock at delivery - deadline, guest time):");
                ReportTables.IrqHeader();
                for (int o = 0; o < Count; o++) ReportTables.IrqLine(Cores[order[o]], guestClock[order[o]]);
            }
            for (int o = 0; o < Count; o++)
            {
                int i = order[o];
                PeriodicGuestProgram p = Cores[i].Program as PeriodicGuestProgram;
                if (p == null || p.Tasks == null) continue;
                p.Finish(Cores[i], guestClock[i]);
                Log.WriteLine("");
                Log.WriteLine(VcoreReport.GuestTitle(Cores[i], p));
                ReportTables.RunHeader();
                for (int k = 0; k < p.Stats.Length; k++) ReportTables.RunLine(p.Stats[k]);
                Log.WriteLine(VcoreReport.GuestTotal(Cores[i], p));
            }
            if (GuestEvents.LineCount > 0)
            {
                Log.WriteLine("");
                Log.WriteLine("guest core events: " + GuestEvents.Removals + " removal(s), " + GuestEvents.Additions + " addition(s), "
                    + GuestEvents.RefusedAdditions + " refused");
                for (int i = 0; i < GuestEvents.LineCount; i++) Log.WriteLine("  " + GuestEvents.Lines[i]);
            }
            Osprey.Kernel.Arch.Svm.VmmCores.PrintSummary(Cores, Count);
            if (RejectedCount > 0) Log.WriteLine("");
            for (int i = 0; i < RejectedCount && i < Max; i++) Log.WriteLine("rejected: " + Rejected[i]);
            if (RejectedCount > Max) Log.WriteLine("rejected: " + (RejectedCount - Max) + " more guest core(s)");
            if (GuestEvents.Any)
                Log.WriteLine("note: guest cores start, leave and come back at the times of their vcore lines (events above); the combined verdict covers the cores admitted at 0, each later admission is checked against the cores present then");
        }

        private static void PrintCpu(int cpu, int[] order, long elapsed)
        {
            Log.WriteLine("");
            Log.WriteLine(VcoreReport.CpuTitle(cpu, shareNum[cpu], shareDen[cpu], VcoreScheduler.AdmittedText(admitted[cpu]), admittedCount[cpu], elapsed));
            ReportTables.CoreHeader();
            for (int o = 0; o < Count; o++) if (Cores[order[o]].Cpu == cpu) ReportTables.CoreLine(Cores[order[o]], elapsed);
        }

        // Indices of Cores by guest in file order, then admission order.
        private static int[] Order()
        {
            int[] order = new int[Count];
            int n = 0;
            WorkloadSpec w = WorkloadRunner.Spec;
            for (int g = 0; w != null && g < w.Guests.Length; g++)
                for (int i = 0; i < Count; i++)
                    if (Cores[i].GuestName == w.Guests[g].Name) order[n++] = i;
            // Cores of no guest of the file (the self-tests' own cores) keep their order.
            for (int i = 0; i < Count && n < Count; i++)
            {
                bool seen = false;
                for (int k = 0; k < n; k++) if (order[k] == i) { seen = true; break; }
                if (!seen) order[n++] = i;
            }
            return order;
        }
    }

    // A CPU's end of a run: fires in that CPU's timer interrupt at the
    // instant the runner's own stop fires on the boot CPU.
    internal sealed class CpuStop : Watchdog
    {
        internal int Cpu;
        internal volatile bool Done;
        public override void Fire(long now) { GuestCores.StopHere(Cpu, now); }
    }
}
