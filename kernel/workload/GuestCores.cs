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
    internal static unsafe class GuestCores
    {
        internal const int Max = WorkloadLimits.MaxGuestCores;
        internal static Vcore[] Cores = new Vcore[Max];
        internal static Thread[] CoreThreads = new Thread[Max];
        internal static int Count;
        internal static string[] Rejected = new string[Max];
        internal static int RejectedCount;
        private static int cores;          // vcore lines seen, admitted or not
        // Taken when the run stops (StopInInterrupt), before the cores are
        // removed: the share, what was admitted, each core's guest clock.
        private static bool stopped;
        private static long shareNum = 1, shareDen = 1;
        private static Osprey.Sched.Analysis.Utilization admitted;
        private static int admittedCount;
        private static readonly long[] guestClock = new long[Max];

        internal static bool Stopped { get { return stopped; } }

        internal static VcoreScheduler Scheduler { get { return Scheduling.Core.Scheduler as VcoreScheduler; } }

        internal static void Reset()
        {
            // The previous run's threads have ended: real guests' frames go back to the pool.
            for (int i = 0; i < Count; i++) Osprey.Kernel.Arch.Svm.VmmCores.Release(Cores[i]);
            for (int i = 0; i < Max; i++) { Cores[i] = null; CoreThreads[i] = null; Rejected[i] = null; guestClock[i] = 0; }
            Count = 0;
            RejectedCount = 0;
            cores = 0;
            stopped = false;
            admittedCount = 0;
            shareNum = 1;
            shareDen = 1;
            GuestEvents.Reset();
        }

        // Admits v on a new thread; false (and the reason in Rejected) when refused.
        internal static bool Add(Vcore v, string name)
        {
            VcoreScheduler vs = Scheduler;
            if (vs == null) { Reject("guest core " + name + ": needs the vcore scheduler (sched=vcore)"); return false; }
            cores++;
            if (Count == Max || cores > Max)
            {
                Reject("line " + v.Line + ": field 'vcore': guest core " + name + " is guest core number " + cores
                    + " of the file; at most " + Max + " guest cores (WorkloadLimits.MaxGuestCores)");
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
                return -1;
            }
            if (v.Cpu != 0 || !Admit(v, name, prefix)) return -1;
            int i = Count - 1;
            ulong f = Machine.DisableInterrupts();
            if (stopped)
            {
                // The stop came between the admission and here: StopInInterrupt
                // removed the core already; its thread never starts.
                Machine.RestoreInterrupts(f);
                return -1;
            }
            Scheduler.Start(v, at);
            Machine.RestoreInterrupts(f);
            Threading.Threads.Start(CoreThreads[i]);
            return i;
        }

        // During the run (GuestEvents, main thread): removes core i (its share
        // is free at once) and suspends its thread until ReleaseAll, when it
        // sees Detached and ends. False when it is not running.
        internal static bool Remove(int i)
        {
            ulong f = Machine.DisableInterrupts();
            if (stopped || Cores[i].Removed) { Machine.RestoreInterrupts(f); return false; }
            Scheduler.Remove(Cores[i]);
            if (CoreThreads[i].Started) Scheduling.Core.Suspend(CoreThreads[i]);
            Scheduling.Preempt();
            Machine.RestoreInterrupts(f);
            return true;
        }

        // "admitted 1/2 (50%), 1 core(s)": what is admitted now (the simulator's event lines).
        internal static string Left()
        {
            VcoreScheduler vs = Scheduler;
            Osprey.Sched.Analysis.Utilization u;
            ulong f = Machine.DisableInterrupts();
            vs.AdmittedShare(null, out u);
            int n = vs.VcoreCount;
            Machine.RestoreInterrupts(f);
            return "admitted " + (u.Exact ? u.Num + "/" + u.Den + " (" + ShareMath.Percent((long)u.Num, (long)u.Den) + ")" : "about " + ShareMath.PercentOfPpm(u.Ppb() / 1000))
                + ", " + n + " core(s)";
        }

        private static bool Admit(Vcore v, string name, string prefix)
        {
            VcoreScheduler vs = Scheduler;
            if (v.Cpu != 0)
            {
                Reject("line " + v.Line + ": field 'cpu': this kernel runs guest cores on CPU 0 only, got cpu=" + v.Cpu);
                return false;
            }
            Thread t;
            if (Threading.Threads.Create(name, &Body, v, 200, 16384, out t) != ThreadStatus.Successful) { Reject("guest core " + name + ": no thread"); return false; }
            VcoreAdmission a;
            // Admission and the row in one interrupts-off section: a stop
            // (StopInInterrupt) sees either no core or an admitted one in Cores.
            ulong f = Machine.DisableInterrupts();
            if (stopped) { Machine.RestoreInterrupts(f); Threading.Threads.Discard(t); return false; }
            VcoreStatus s = vs.Attach(t, v, out a);
            if (s == VcoreStatus.Ok)
            {
                Cores[Count] = v;
                CoreThreads[Count] = t;
                Count++;
            }
            Machine.RestoreInterrupts(f);
            if (s != VcoreStatus.Ok)
            {
                Reject(prefix + (a.Message != null ? a.Message : "guest core " + name + ": " + (int)s));
                Threading.Threads.Discard(t);
                return false;
            }
            return true;
        }

        // Refusals past the table's size are counted, not kept.
        private static void Reject(string m)
        {
            if (RejectedCount < Max) Rejected[RejectedCount] = m;
            RejectedCount++;
        }

        // The guest cores of a workload file: the file's share first (the
        // admission bound, as in the simulator), then every core in order.
        internal static void FromWorkload(WorkloadSpec w)
        {
            // Guest blocks with an error were left out by the parser.
            for (int i = 0; w.GuestErrors != null && i < w.GuestErrors.Length; i++) Reject(w.GuestErrors[i]);
            VcoreScheduler vs = Scheduler;
            if (vs != null)
            {
                ulong f = Machine.DisableInterrupts();
                VcoreStatus st = vs.SetShare(w.ShareNum, w.ShareDen);
                Machine.RestoreInterrupts(f);
                if (st != VcoreStatus.Ok)
                {
                    Reject("field 'share': cannot use the share " + w.ShareNum + "/" + w.ShareDen + " (" + st + "): no guest core runs");
                    return;
                }
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
                    if (GuestEvents.StartsLater(plan)) { cores++; continue; }
                    string refusal;
                    Vcore v = Osprey.Kernel.Arch.Svm.VmmCores.Create(g, i, w.Seed, gi, out refusal);
                    if (v == null) { cores++; Reject(refusal); continue; }
                    if (Add(v, g.Name + "/" + g.Vcores[i].VcpuId))
                        GuestEvents.Admitted(plan, Count - 1);
                }
            }
        }

        // Starts every admitted core at one instant (aligned periods and
        // virtual clocks); nothing once the run has stopped.
        internal static void StartAll(long t0)
        {
            VcoreScheduler vs = Scheduler;
            ulong f = Machine.DisableInterrupts();
            if (stopped) { Machine.RestoreInterrupts(f); return; }
            for (int i = 0; i < Count; i++) vs.Start(Cores[i], t0);
            GuestEvents.Arm(t0);
            Machine.RestoreInterrupts(f);
            for (int i = 0; i < Count; i++) Threading.Threads.Start(CoreThreads[i]);
        }

        // The end of the run, in the timer interrupt (WorkloadRunner.Stop):
        // take what the report needs from the scheduler and the cores' guest
        // clocks, then remove every core (its reservation and watchdogs go;
        // Step answers Detached) and suspend its thread until ReleaseAll.
        internal static void StopInInterrupt(long now)
        {
            stopped = true;
            VcoreScheduler vs = Scheduler;
            if (vs == null) return;
            shareNum = vs.ShareNum;
            shareDen = vs.ShareDen;
            vs.AdmittedShare(null, out admitted);
            admittedCount = vs.VcoreCount;
            SchedCore core = Scheduling.Core;
            for (int i = 0; i < Count; i++)
            {
                // A core removed during the run reads its clock at the removal
                // (Vcore.HostNow), as in the simulator.
                guestClock[i] = !Cores[i].Started ? 0 : Cores[i].Removed ? Cores[i].VirtualNow() : Cores[i].VirtualAt(now);
                vs.Remove(Cores[i]);
                if (CoreThreads[i].Started) core.Suspend(CoreThreads[i]);
            }
        }

        // Removes every core (their threads see Detached and exit) and joins
        // them (the self-tests' way; a workload run stops in StopInInterrupt).
        internal static void StopAll()
        {
            VcoreScheduler vs = Scheduler;
            ulong f = Machine.DisableInterrupts();
            stopped = true;
            for (int i = 0; i < Count; i++) vs.Remove(Cores[i]);
            Scheduling.Preempt();
            Machine.RestoreInterrupts(f);
            for (int i = 0; i < Count; i++) Threading.Threads.Join(CoreThreads[i]);
        }

        // After the report: the cores' threads run on to their end.
        internal static void ReleaseAll()
        {
            for (int i = 0; i < Count; i++)
                if (CoreThreads[i].Started) Threading.Threads.Resume(CoreThreads[i]);
        }

        internal static void JoinAll()
        {
            for (int i = 0; i < Count; i++)
            {
                if (CoreThreads[i].Started) Threading.Threads.Join(CoreThreads[i]);
                else Threading.Threads.Discard(CoreThreads[i]);
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
                while (v.KeepRunning(c - c0)) c = Threading.Threads.CpuTime(self);
                ran = c - c0;
            }
        }

        // The end-of-run part of the simulator's guest report, from the
        // figures taken when the run stopped.
        internal static void PrintSummary(long elapsed)
        {
            Log.WriteLine("");
            Log.WriteLine(VcoreReport.CpuTitle(0, shareNum, shareDen, VcoreScheduler.AdmittedText(admitted), admittedCount, elapsed));
            // Rows in the simulator's order: by guest (file order), each
            // guest's cores in the order they were admitted.
            int[] order = Order();
            ReportTables.CoreHeader();
            for (int o = 0; o < Count; o++) ReportTables.CoreLine(Cores[order[o]], elapsed);
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
}
