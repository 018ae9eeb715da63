using Osprey.Kernel.Boot;
using Osprey.Kernel.Threading;
using Osprey.Sched;
using Osprey.Sched.Analysis;
using Osprey.Sched.Tracing;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.Workload
{
    // Runs a workload file (the same format as ./build.sh sim) on real
    // threads: one thread per task, rate-monotonic periods on the real timer,
    // CBS servers under sched=cbs; then prints the simulator's statistics
    // table (sched/workload/RunReport.cs) so the two can be compared line by
    // line. The file comes from the multiboot module named "workload".
    //
    // Job semantics follow the simulator: every task counts from one
    // instant t0 (runStart), chosen after all threads are set up; each
    // periodic task's period is activated before any task runs
    // (RatePeriod.StartAt) so that its job k is released by the period
    // timer at exactly t0 + phase + k * period, as in the simulator; no
    // set-up time is charged to any job. A job's work is CPU time (or
    // wall-clock time for work=wall), its response is measured from its
    // release, and a job counts as missed when it completes after its
    // deadline (at the deadline is on time: sched/README.md "Job
    // boundaries"; jobs still unfinished at the end whose deadline lies
    // inside the run count too).
    //
    // With `trace` on the command line the run is recorded (KernelTrace):
    // the core records periodic releases, switches, blocks and expiries; this
    // file adds completions, misses and the releases the core does not make
    // (aperiodic jobs without a deadline node, background work), and dumps
    // the ring over serial after the table.
    internal static unsafe partial class WorkloadRunner
    {
        internal const string ModuleName = "workload";
        // From the clock read that fixes t0 to t0: covers activating every
        // period (a few timer-queue inserts per task, interrupts off), so
        // that no release is already past when its period is activated.
        private const long StartMargin = 200000, StartMarginPerTask = 5000;

        internal static WorkloadSpec Spec;
        // Run without printing the table (the property-test suite reads
        // StatsOf and GuestCores itself).
        internal static bool Quiet;
        internal static string FileName;
        private static WorkloadTask[] tasks;
        private static long runStart, runEnd;
        private static volatile bool stopping;
        // Run control (RunStop): CPU 0's stop has fired (each CPU's own in
        // RunCpu), the instant it fired, and the thread waiting for it.
        private static long stopAt;
        private static Thread stopWaiter;
        // Things of the file that do not run (refused guest cores, CBS
        // servers refused admission, guests without the vcore scheduler):
        // the kernel then ends with the failure status.
        internal static int Refused;

        // Finds and parses the workload module. Returns null (and Spec) when
        // there is none or it parsed; else the error, naming line and field.
        internal static string Load(BootInfo boot)
        {
            Spec = null;
            BootModule m;
            string several = boot.FindModule(ModuleName, out m);
            if (several != null) return several;
            if (m != null)
            {
                ulong n = m.End - m.Start;
                if (n > (1UL << 20)) return "module '" + m.CommandLine + "' is " + n + " bytes (at most 1 MiB)";
                byte[] data = new byte[(int)n];
                byte* p = (byte*)m.Start;
                for (int k = 0; k < data.Length; k++) data[k] = p[k];
                ParseResult r = WorkloadParser.Parse(data);
                FileName = FirstWord(m.CommandLine);
                if (!r.Ok) return FileName + ": " + r.Error;
                // Under gedf the tasks run on the cluster (Main.FormCluster
                // checks `cpus N` against the CPUs started; the cpu fields
                // are not used, as in the simulator); else each task runs
                // on the CPU its `cpu` names (CpuRefusal, once the CPUs run).
                Spec = r.Workload;
                return null;
            }
            return null;
        }

        // Partitioned runs (any policy but gedf), once the CPUs are started:
        // why task s cannot run on the CPU its `cpu` names (naming file,
        // line and field), or null. Such a task is refused alone, as a guest
        // core on a missing CPU is: the rest of the file runs and the kernel
        // ends with the failure status.
        internal static string CpuRefusal(TaskSpec s)
        {
            int n = Smp.Smp.Count;
            if (s.Cpu >= 0 && s.Cpu < n && s.Cpu < MaxCpus && Smp.Smp.Online(s.Cpu)) return null;
            return FileName + ": line " + s.Line + ": field 'cpu': task '" + s.Name + "' has cpu=" + s.Cpu
                + ", but this kernel runs " + n + " CPU(s) (cpu 0.." + (n - 1) + "; QEMU -smp, cpus=): it does not run";
        }

        private static string FirstWord(string s)
        {
            int i = 0;
            while (i < s.Length && s[i] != ' ') i++;
            return s.Substring(0, i);
        }

        // The file's task model for a policy, from its operation table
        // (Scheduler.Model; vcore's host threads are deadline threads).
        internal static SchedulerKind KindOf(Scheduler policy)
        {
            if (policy.Model == TaskModel.DeadlineWithServers) return SchedulerKind.Cbs;
            if (policy.Model == TaskModel.Deadline) return SchedulerKind.Edf;
            return SchedulerKind.Priority;
        }

        // Runs Spec to its end on the running scheduler, then prints the table.
        internal static void Run()
        {
            WorkloadSpec w = Spec;
            SchedCore core = Scheduling.Core;
            SchedulerKind sched = KindOf(core.Scheduler);
            long duration = RunReport.DefaultDuration(w);
            Thread main = Threads.Current;
            PriorityNode urgent = new PriorityNode();
            // At most per task a CBS refusal and a period that could not
            // start, per CPU a late activation, and the guests' and the
            // stops' notes.
            string[] notes = new string[2 * w.Tasks.Length + MaxCpus + 4];
            int noteCount = 0;
            // Under gedf every task's home is CPU 0 (also on one CPU, a
            // cluster of one: the cpu fields are not used, as in the simulator).
            bool global = GlobalCluster.Current != null || core.Scheduler is GlobalEdfScheduler;

            RunOverheads.Apply(core.Scheduler, RunOverheads.Choose(w, core.Scheduler.Name));
            // Every other CPU hosting tasks or guest cores is charged its own
            // figures (measured there once, before the run).
            string probeNote = null;
            if (!global)
            {
                bool[] hosting = new bool[MaxCpus];
                bool others = false;
                for (int i = 0; i < w.Tasks.Length; i++)
                    if (w.Tasks[i].Cpu > 0 && w.Tasks[i].Cpu < MaxCpus && Smp.Smp.Online(w.Tasks[i].Cpu)) others = hosting[w.Tasks[i].Cpu] = true;
                for (int g = 0; core.Scheduler.RunsGuestCores && g < w.Guests.Length; g++)
                    for (int v = 0; v < w.Guests[g].Vcores.Length; v++)
                    {
                        int c = w.Guests[g].Vcores[v].Cpu;
                        if (c > 0 && c < MaxCpus && Smp.Smp.Online(c)) others = hosting[c] = true;
                    }
                if (others) probeNote = RunOverheads.ChooseAll(w, core.Scheduler.Name, hosting);
            }
            tasks = new WorkloadTask[w.Tasks.Length];
            // Until t0 is fixed below, nothing may wait for it.
            runStart = long.MaxValue / 4;
            runEnd = runStart + duration;
            stopping = false;
            // Each task's home CPU (CPU 0 under gedf: the cluster's stop runs there).
            for (int c = 0; c < MaxCpus; c++)
            {
                if (cpus[c] == null) cpus[c] = new RunCpu(c);
                cpus[c].Reset();
            }
            string[] refusals = new string[w.Tasks.Length];
            int refusedTasks = 0;
            for (int i = 0; i < w.Tasks.Length; i++)
            {
                if (!global && (refusals[i] = CpuRefusal(w.Tasks[i])) != null) { refusedTasks++; continue; }
                cpus[global ? 0 : w.Tasks[i].Cpu].Tasks++;
            }

            // Main sets the run up and starts the guest cores as the most
            // urgent thread (value 0 under every policy: priority 0, or
            // deadline 0). The end does not depend on it (RunStop).
            ulong f = Scheduling.Lock();
            core.SetPriorityNode(main, urgent, 0);
            Scheduling.Unlock(f);

            // Each task's thread, period and CBS server are made on its home
            // CPU's core, by that CPU (SetUpHere: Smp.Remote.RunOn; on CPU 0
            // a plain call).
            SetUpOp op = new SetUpOp();
            op.Sched = sched;
            for (int i = 0; i < tasks.Length; i++)
            {
                TaskSpec s = w.Tasks[i];
                WorkloadTask k = new WorkloadTask();
                k.Spec = s;
                k.Index = i;
                k.Rng = JobWork.Seed(w.Seed, 0, i);
                k.Refusal = refusals[i];
                k.Stats = new TaskStats();
                k.Stats.Name = s.Name; k.Stats.Kind = s.Kind; k.Stats.Cpu = global ? 0 : s.Cpu; k.Stats.Priority = s.Priority;
                tasks[i] = k;
                if (k.Refusal != null) continue;
                k.Home = cpus[global ? 0 : s.Cpu];
                Thread th;
                ThreadStatus st = Threads.Create(s.Name, &TaskMain, k, s.Priority, 0, k.Home.Cpu, out th);
                if (st != ThreadStatus.Successful) Panic.Fail("workload: cannot create the thread of task '" + s.Name + "' on CPU " + k.Home.Cpu + ": " + (int)st);
                k.Thread = th;
                op.Task = k;
                op.Note = null;
                if (!Smp.Remote.RunOn(k.Home.Cpu, &SetUpHere, op)) Panic.Fail("workload: CPU " + k.Home.Cpu + " did not answer (task '" + s.Name + "')");
                if (op.Note != null) notes[noteCount++] = op.Note;
            }
            bool guests = w.Guests.Length > 0 && core.Scheduler.RunsGuestCores;
            GuestCores.Reset();
            if (guests) GuestCores.FromWorkload(w);
            else if (w.Guests.Length > 0)
                notes[noteCount++] = w.Guests.Length + " guest(s) in the file not run: guest cores need the vcore scheduler (sched=vcore, the default for a file with guests)";
            // t0: every periodic task's period is activated while its thread
            // is still dormant (once started, the owner waits in PeriodWait)
            // for a first release at t0 + phase, before any task runs;
            // aperiodic arrivals and the background start count from t0.
            // The other CPUs hosting tasks activate theirs first (a request
            // each, RemoteMargin apiece), then CPU 0 under its lock.
            int remote = 0;
            for (int c = 1; c < MaxCpus; c++) if (cpus[c].Tasks > 0) remote++;
            long margin = StartMargin + StartMarginPerTask * tasks.Length + RemoteMargin * remote;
            if (remote > 0)
            {
                runStart = Machine.Now() + margin;
                runEnd = runStart + duration;
                for (int c = 1; c < MaxCpus; c++)
                {
                    if (cpus[c].Tasks == 0) continue;
                    ActivateOp a = new ActivateOp();
                    a.Cpu = cpus[c];
                    if (!Smp.Remote.RunOn(c, &ActivateHere, a)) Panic.Fail("workload: CPU " + c + " did not answer (activating its periods)");
                    for (int n = 0; n < a.NoteCount; n++) notes[noteCount++] = a.Notes[n];
                }
            }
            f = Scheduling.Lock();
            if (remote == 0)
            {
                runStart = Machine.Now() + margin;
                runEnd = runStart + duration;
            }
            for (int i = 0; i < tasks.Length; i++)
            {
                WorkloadTask k = tasks[i];
                if (k.Period == null || k.Home.Cpu != 0) continue;
                string note = Activate(k);   // under the lock taken above
                if (note != null) notes[noteCount++] = note;
            }
            // The end of the run is the stop watchdog's, in the timer
            // interrupt, armed before any task runs: no thread priority can
            // delay it. One nanosecond after runEnd, so that everything due
            // at runEnd itself (period ends, releases) happens first. Every
            // other CPU hosting tasks armed its own for the same instant.
            core.Timers.Insert(cpus[0].Stop, runEnd + 1);
            core.Timers.Insert(cpus[0].Start, runStart);
            Scheduling.Preempt();
            Scheduling.Unlock(f);
            ClusterCounters(clusterStart);
            for (int i = 0; i < tasks.Length; i++)
                if (tasks[i].Refusal == null && Threads.Start(tasks[i].Thread) != ThreadStatus.Successful) Panic.Fail("workload: cannot start the thread of task '" + tasks[i].Spec.Name + "'");

            if (guests)
            {
                // Every guest core starts at the run's start. Nothing of the
                // kernel runs during the run: the cores' table is printed
                // after it, from the figures the stop took.
                Threads.SleepUntil(runStart);
                // The other CPUs hosting cores stop them at this CPU's stop instant.
                GuestCores.StartAll(runStart, runEnd + 1);
            }
            WaitForStop(main);
            string late = WaitForCpuStops(stopAt);
            if (late != null) notes[noteCount++] = late;
            if (guests)
            {
                late = GuestCores.WaitForStops(stopAt);
                if (late != null) notes[noteCount++] = late;
            }

            // Every CPU's stop watchdog has suspended its threads of the
            // workload and taken the end figures (RunStop); they no longer
            // change.
            // Tracing, each task's is collected on its home CPU: the misses
            // of its unfinished jobs go to that CPU's ring (a CPU records
            // only into its own ring).
            for (int i = 0; i < tasks.Length; i++)
            {
                if (tasks[i].Refusal != null) continue;
                if (KernelTrace.Ring == null) Collect(tasks[i]);
                else if (!OnHome(tasks[i], &CollectHere)) Panic.Fail("workload: the CPU of task '" + tasks[i].Spec.Name + "' did not answer (collecting its figures)");
            }
            if (!Quiet && GlobalCluster.Current != null)
                ClusterReport.Print(FileName, w, duration, tasks, clusterStart, clusterStop, notes, noteCount);
            else if (!Quiet)
            {
                Print(w, sched, duration, notes, noteCount, guests);
                // What admission and analysis charged, in the file's syntax
                // (./build.sh sim FILE --overheads '...' charges the same).
                if (HostCpus() > 1)
                {
                    for (int c = 0; c < MaxCpus; c++)
                        if (cpus[c].Tasks > 0) Log.WriteLine("overheads charged on cpu " + c + ": " + RunOverheads.Of(c).FileFields() + " (" + RunOverheads.Of(c).Source + ")");
                }
                else Log.WriteLine("overheads charged: " + RunOverheads.Current.FileFields());
                if (probeNote != null) Log.WriteLine("overheads: " + probeNote);
                PrintLatency(sched);
                if (guests) GuestCores.PrintSummary(stopAt - runStart);
            }
            if (guests) Refused += GuestCores.RejectedCount;
            else if (w.GuestErrors != null) Refused += w.GuestErrors.Length;
            Refused += noteCount + refusedTasks;

            // Let the threads end: their periods, servers and cores are gone,
            // sleeps are cut short, spinning jobs see their CPU's Stopping.
            f = Scheduling.Lock();
            core.RemovePriority(main, urgent);
            Scheduling.Unlock(f);
            for (int i = 0; i < tasks.Length; i++) if (tasks[i].Refusal == null) OnHome(tasks[i], &ReleaseHere);
            GuestCores.ReleaseAll();
            int unjoined = 0;
            for (int i = 0; i < tasks.Length; i++) if (tasks[i].Refusal == null && !JoinTask(tasks[i])) unjoined++;
            GuestCores.JoinAll();
            long joined = Machine.Now();
            if (Quiet) return;
            Log.WriteLine("run control: stopped at the end + " + Osprey.Sched.Analysis.Format.Time(stopAt - runEnd)
                + " (timer interrupt), report printed and " + (tasks.Length - refusedTasks - unjoined + GuestCores.Count) + " thread(s) ended at the end + "
                + Osprey.Sched.Analysis.Format.Time(joined - runEnd)
                + (unjoined > 0 ? "; " + unjoined + " task thread(s) of other CPUs had not ended 1 s after the report" : ""));
            KernelTrace.Dump(FileName);
        }

        internal const int MaxCpus = Acpi.AcpiInfo.MaxCpus;
        // The run's part on each CPU (index: CPU), made once, reset per run.
        private static readonly RunCpu[] cpus = new RunCpu[MaxCpus];
        // From t0's clock read to t0, per other CPU hosting tasks: covers its
        // request (an IPI, its handler activating its periods and arming
        // its stop), so that no release is already past when activated.
        private const long RemoteMargin = 5000000;

        // CPUs hosting tasks (1 for a file on one CPU, and under gedf).
        private static int HostCpus()
        {
            int n = 0;
            for (int c = 0; c < MaxCpus; c++) if (cpus[c] != null && cpus[c].Tasks > 0) n++;
            return n;
        }

        private sealed class SetUpOp
        {
            internal WorkloadTask Task;
            internal SchedulerKind Sched;
            internal string Note;
        }

        // On the task's home CPU (interrupts off): its period object and CBS
        // server in that CPU's core; that CPU's per-reservation overhead in
        // its admission (RunOverheads.Of).
        private static void SetUpHere(object o)
        {
            SetUpOp op = (SetUpOp)o;
            WorkloadTask k = op.Task;
            TaskSpec s = k.Spec;
            Scheduler policy = Scheduling.Core.Scheduler;
            RunOverheads.ApplyHere(policy, RunOverheads.Of(k.Home.Cpu));
            if (s.Kind == TaskKind.Periodic) k.Period = Periods.Create(k.Thread);
            if (op.Sched == SchedulerKind.Cbs && s.Budget > 0)
            {
                CbsServer srv = new CbsServer(k.Index + 1, s.Budget, s.Period, s.Overrun == OverrunMode.Hard ? CbsMode.Hard : CbsMode.Soft);
                CbsAdmission a;
                CbsStatus cs = ((CbsScheduler)policy).Attach(k.Thread, srv, out a);
                if (cs != CbsStatus.Ok) op.Note = "cpu " + k.Home.Cpu + ": task '" + s.Name + "' runs without its CBS server: " + a.Message;
                else k.Server = srv;
            }
        }

        // Activates k's period for its first release at t0 + start + phase
        // (on its home CPU, the core locked); null, or the note when it
        // could not start.
        private static string Activate(WorkloadTask k)
        {
            long first = runStart + k.Spec.Start + k.Spec.Phase;
            PeriodStatus ps = k.Period.StartAt(first, k.Spec.Period, k.Spec.Deadline);
            if (ps == PeriodStatus.Successful) { k.Activation = first; return null; }
            return "task '" + k.Spec.Name + "': its period could not start: " + ps;
        }

        private sealed class ActivateOp
        {
            internal RunCpu Cpu;
            internal string[] Notes = new string[WorkloadLimits.MaxTasks + 1];
            internal int NoteCount;
        }

        // On another CPU hosting tasks (its reschedule-IPI handler): its
        // tasks' periods activated for t0, its stop armed at runEnd + 1 and
        // its start counters at t0 in its own timer queue. A request that
        // came after t0 is noted (its first releases were late).
        private static void ActivateHere(object o)
        {
            ActivateOp a = (ActivateOp)o;
            RunCpu rc = a.Cpu;
            long now = Machine.Now();
            if (now >= runStart)
                a.Notes[a.NoteCount++] = "cpu " + rc.Cpu + ": its periods were activated " + Osprey.Sched.Analysis.Format.Time(now - runStart)
                    + " after the run's start (its first releases are late)";
            for (int i = 0; i < tasks.Length; i++)
            {
                WorkloadTask k = tasks[i];
                if (k.Home != rc || k.Period == null) continue;
                string note = Activate(k);
                if (note != null) a.Notes[a.NoteCount++] = note;
            }
            Scheduling.Core.Timers.Insert(rc.Stop, runEnd + 1);
            Scheduling.Core.Timers.Insert(rc.Start, runStart);
        }

        // fn(task) on the task's home CPU (a plain call when that is this
        // CPU or this CPU's cluster; else Smp.Remote.RunOn); false when it
        // did not answer.
        private static bool OnHome(WorkloadTask k, delegate*<object, void> fn)
        {
            if (Scheduling.Local(k.Thread.Core)) { fn(k); return true; }
            int cpu = Smp.Remote.CpuOf(k.Thread.Core);
            return cpu >= 0 && Smp.Remote.RunOn(cpu, fn, k);
        }

        // After the report: a sleep cut short, a suspension lifted.
        private static void ReleaseHere(object o)
        {
            WorkloadTask k = (WorkloadTask)o;
            Threads.Wake(k.Thread);
            Threads.Resume(k.Thread);
        }

        private static void ReapHere(object o) { Threads.Reap(((WorkloadTask)o).Thread); }

        // Waits for k's thread to end and recycles it: joined on this CPU;
        // a thread of another CPU is polled (its joiners would block on its
        // own core) for up to 1 s and recycled there. False when it had
        // not ended.
        private static bool JoinTask(WorkloadTask k)
        {
            Thread t = k.Thread;
            if (Scheduling.Local(t.Core)) { Threads.Join(t); return true; }
            if (!t.Started) return true;
            long until = Machine.Now() + 1000000000;
            while (!t.Exited && Machine.Now() < until) Threads.SleepFor(100000);
            if (!t.Exited) return false;
            return OnHome(k, &ReapHere);
        }

        // After CPU 0's stop (thread context): waits until every other CPU
        // hosting tasks has taken its stop; one that has not within 100 ms
        // of `now` is stopped by a request (its figures are then later than
        // the others'; the note says so). Null, or that note.
        private static string WaitForCpuStops(long now)
        {
            string note = null;
            for (int c = 1; c < MaxCpus; c++)
            {
                RunCpu rc = cpus[c];
                if (rc.Tasks == 0) continue;
                while (!rc.Done && Machine.Now() < now + 100000000) Threads.SleepFor(100000);
                if (rc.Done) continue;
                Smp.Remote.RunOn(c, &StopRequest, rc);
                note = "cpu " + c + ": its stop watchdog had not fired 100 ms after the end; stopped by a request";
            }
            return note;
        }

        private static void StopRequest(object o)
        {
            RunCpu rc = (RunCpu)o;
            Scheduling.Core.Timers.Cancel(rc.Stop);
            Scheduling.Core.Timers.Cancel(rc.Start);
            Stop(rc.Cpu, Machine.Now());
        }

        // Per CPU of the global-EDF cluster: switches, idle ns, migrations
        // in, reschedule IPIs received, at the run's start and at its stop.
        private static readonly long[] clusterStart = new long[4 * ClusterReport.MaxCpus], clusterStop = new long[4 * ClusterReport.MaxCpus];

        private static void ClusterCounters(long[] into)
        {
            KernelCluster cl = GlobalCluster.Current;
            if (cl == null) return;
            for (int c = 0; c < cl.Cpus && c < ClusterReport.MaxCpus; c++)
            {
                PerCpu p = PerCpu.Of(c);
                into[4 * c] = p.Core.SwitchCount;
                into[4 * c + 1] = p.Core.IdleTimeNs;
                into[4 * c + 2] = p.Core.Migrations;
                into[4 * c + 3] = p.RescheduleIpis;
            }
        }

        // The figures of the last run's task i (file order), or null.
        internal static TaskStats StatsOf(int i) { return tasks != null && i >= 0 && i < tasks.Length ? tasks[i].Stats : null; }

        // Main waits here until CPU 0's stop watchdog resumes it.
        private static void WaitForStop(Thread main)
        {
            SchedCore core = Scheduling.Core;
            ulong f = Scheduling.Lock();
            stopWaiter = main;
            while (!stopping)
            {
                if (GuestEvents.Due)
                {
                    // A guest-core event is due (its watchdog resumed main).
                    Scheduling.Unlock(f);
                    GuestEvents.RunDue();
                    f = Scheduling.Lock();
                    continue;
                }
                core.Suspend(main);
                Scheduling.Reschedule();
            }
            stopWaiter = null;
            Scheduling.Unlock(f);
        }

        // In an interrupt (a guest-core event's watchdog): resume main if it
        // waits for the stop, so it makes the event (GuestEvents.RunDue).
        internal static void WakeMain()
        {
            if (stopWaiter != null) Scheduling.Core.Resume(stopWaiter);
        }

        // The end of the run on CPU `cpu`, in its timer interrupt
        // (RunStop.Fire) or a request: from here on no thread of the
        // workload runs there, whatever its priority or deadline. Takes the
        // figures that would move on (CPU times, idle time, period
        // statistics; on CPU 0 the guest cores' and the cluster's), then
        // removes what would keep firing (periods, CBS servers, guest-core
        // reservations) and suspends the CPU's task threads; main collects
        // and prints once every CPU's stop is Done, then lets them end.
        // Bounded work: a few core operations per task and core.
        internal static void Stop(int cpu, long now)
        {
            RunCpu rc = cpu >= 0 && cpu < MaxCpus ? cpus[cpu] : null;
            if (rc == null || rc.Stopping || tasks == null) return;
            SchedCore core = Scheduling.Core;
            rc.Stopping = true;
            rc.StopAt = now;
            rc.SwitchesAtStop = Scheduling.Switches;
            rc.IdleAtStop = core.IdleTimeNs;
            if (cpu == 0)
            {
                stopping = true;
                stopAt = now;
                ClusterCounters(clusterStop);
            }
            CbsScheduler cbs = core.Scheduler as CbsScheduler;
            for (int i = 0; i < tasks.Length; i++)
            {
                WorkloadTask k = tasks[i];
                if (k.Home != rc) continue;
                // A thread not started yet starts later and finds Stopping.
                if (k.Thread.Started) core.Suspend(k.Thread);
                k.Stats.CpuTimeNs = core.CpuTimeOf(k.Thread);
                k.Stats.Migrations = k.Thread.Migrations;
                if (k.Period != null)
                {
                    k.Stats.TakePeriod(k.Period);
                    k.Period.Delete();
                }
                if (k.Server != null)
                {
                    k.Stats.Overruns = k.Server.OverrunCount;
                    if (cbs != null) cbs.Detach(k.Thread);
                }
                core.RemovePriority(k.Thread, k.JobNode);
            }
            if (cpu == 0)
            {
                GuestCores.StopInInterrupt(now);
                if (stopWaiter != null) core.Resume(stopWaiter);
            }
            rc.Done = true;
        }

        private static void CollectHere(object o) { Collect((WorkloadTask)o); }

        // Final figures of one task, after the stop (the thread is suspended;
        // its CPU time and period statistics were taken by Stop).
        private static void Collect(WorkloadTask k)
        {
            TaskStats st = k.Stats;
            TaskSpec s = k.Spec;
            if (s.Kind == TaskKind.Periodic)
            {
                if (k.Activation >= 0)
                {
                    // Releases inside the run and jobs whose deadline passed
                    // unfinished, counted on the nominal release times
                    // (t0 + start + phase + k * period) as the simulator does,
                    // so the few microseconds the activation took do not move
                    // a release across the end of the run. A task with jobs=N
                    // releases at most N jobs (its period is cancelled after
                    // job N-1), so only jobs below N can be missed unfinished.
                    long nominal = runStart + s.Start + s.Phase;
                    long released = nominal > runEnd ? 0 : (runEnd - nominal) / s.Period + 1;
                    if (s.Jobs > 0 && released > s.Jobs) released = s.Jobs;
                    st.Released = released;
                    // Unfinished jobs with a deadline inside the run: jobs
                    // Completed .. last, one trace record each up to a bound.
                    long last = nominal + s.Deadline > runEnd ? -1 : (runEnd - nominal - s.Deadline) / s.Period;
                    if (last >= released) last = released - 1;
                    for (long j = k.Completed; j <= last; j++)
                    {
                        if (j - k.Completed >= MissRecords) { MissCount(k, last - j + 1); break; }
                        Miss(k, j);
                    }
                }
            }
            else if (s.Kind == TaskKind.Aperiodic)
            {
                long released = 0;
                while (released < s.Arrivals.Length && runStart + s.Arrivals[(int)released] <= runEnd) released++;
                st.Released = released;
                for (long j = k.Completed; j < released; j++)
                    if (k.Deadline(j, runStart) <= runEnd) Miss(k, j);
            }
            else st.Released = runStart + s.Start > runEnd ? 0 : 1;
        }

        // Unfinished jobs past this many are counted without a trace record each.
        private const long MissRecords = 10000;

        private static void MissCount(WorkloadTask k, long n)
        {
            if (n > 0) k.Stats.Misses += n;
        }

        private static void Miss(WorkloadTask k, long job)
        {
            KernelTrace.Record(TraceEventKind.DeadlineMiss, k.Thread.Id, 0, job, k.Deadline(job, runStart));
            k.Stats.Misses++;
            if (k.Stats.FirstMissAt < 0) k.Stats.FirstMissAt = k.Deadline(job, runStart) - runStart;
        }

        // Records job `job` done at `done`, unless the run was over by then.
        // Interrupts are off from the Stopping test to the last update: a
        // task preempted after the test by main at the end of the run would
        // otherwise record its job after Collect had counted it unfinished
        // (a miss and a response for the same job). A few stores, no wait.
        private static void Complete(WorkloadTask k, long job, long done)
        {
            ulong f = Scheduling.Lock();
            CompleteLocked(k, job, done);
            Scheduling.Unlock(f);
        }

        // Complete with the core locked (Scheduling.Lock: under global EDF
        // that also orders it with the stop, which runs under the same lock
        // on CPU 0 while the task may run on another CPU).
        private static void CompleteLocked(WorkloadTask k, long job, long done)
        {
            if (k.Home.Stopping || done > runEnd) return;
            long release = k.Release(job, runStart);
            long response = done - release;
            KernelTrace.Record(TraceEventKind.Complete, k.Thread.Id, 0, job, response);
            k.Stats.Response(response);
            long d = k.Deadline(job, runStart);
            if (done > d) Miss(k, job);
            k.Completed = job + 1;
        }

        // Spins for one job's work; false when the run ended first.
        private static bool Work(WorkloadTask k)
        {
            long w = JobWork.Draw(k.Spec, ref k.Rng);
            Thread self = k.Thread;
            if (k.Spec.Work == WorkKind.Wall && w != JobWork.Forever)
            {
                long until = Machine.Now() + w;
                while (Machine.Now() < until) if (k.Home.Stopping) return false;
                return true;
            }
            long target = Threads.CpuTime(self) + w;
            // On a cluster the spin hints the CPU each round (PAUSE): other
            // CPUs of the cluster take its lock in the same loop, and under
            // QEMU's TCG a PAUSE ends the vCPU's turn, so with several vCPUs
            // run round-robin on one thread (-icount) an idle CPU's
            // reschedule IPI is taken at once instead of after the spinning
            // vCPU's whole turn (up to the next timer deadline). The same
            // holds for partitioned tasks whenever several CPUs run (a
            // release timer or request of another CPU).
            bool hint = GlobalCluster.Current != null || Smp.Smp.Count > 1;
            while (Threads.CpuTime(self) < target)
            {
                if (k.Home.Stopping) return false;
                if (hint) Machine.SpinWaitHint();
            }
            return true;
        }

        private static void TaskMain(object o)
        {
            WorkloadTask k = (WorkloadTask)o;
            if (k.Spec.Kind == TaskKind.Periodic) RunPeriodic(k);
            else if (k.Spec.Kind == TaskKind.Aperiodic) RunAperiodic(k);
            else
            {
                // The single job starts at t0 + start (never, when that is
                // past the end: the stop wakes the thread first).
                long at = runStart + k.Spec.Start;
                if (at > runEnd) return;
                Threads.SleepUntil(at);
                if (k.Home.Stopping) return;
                KernelTrace.Record(TraceEventKind.Release, k.Thread.Id, 0, 0, long.MaxValue);
                if (!k.Home.Stopping && Work(k)) Complete(k, 0, Machine.Now());
            }
        }

        private static void RunPeriodic(WorkloadTask k)
        {
            TaskSpec s = k.Spec;
            // The thread first runs when the period timer released job 0 at
            // Activation (Run activated the period before any task ran), or
            // at the end of the run if it never did.
            if (k.Activation < 0) return;
            long job = 0;
            while (!k.Home.Stopping)
            {
                k.NoteStart(Machine.Now() - k.Release(job, runStart));
                if (!Work(k)) return;
                if (s.Jobs > 0 && job + 1 >= s.Jobs)
                {
                    // jobs=N: job N-1 done, the task cancels its period and
                    // ends, as in the simulator: in one interrupts-off section
                    // with the completion, so no period end between the two
                    // releases (or postpones) a job that never runs.
                    ulong f = Scheduling.Lock();
                    CompleteLocked(k, job, Machine.Now());
                    k.Period.Cancel(Scheduling.Current);
                    k.Finished = true;
                    Scheduling.Preempt();
                    Scheduling.Unlock(f);
                    return;
                }
                Complete(k, job, Machine.Now());
                PeriodStatus st = Periods.Run(k.Period, s.Period, s.Deadline);
                if (st != PeriodStatus.Successful && st != PeriodStatus.Timeout) return;
                job++;
            }
        }

        private static void RunAperiodic(WorkloadTask k)
        {
            TaskSpec s = k.Spec;
            SchedCore core = Scheduling.Core;
            // Deadline jobs of plain EDF (the vcore policy's host tasks release as before).
            bool edfJobs = core.Scheduler.Model == TaskModel.Deadline && !core.Scheduler.RunsGuestCores && s.Deadline > 0;
            for (long j = 0; j < s.Arrivals.Length && !k.Home.Stopping; j++)
            {
                long arrival = runStart + s.Arrivals[(int)j];
                if (arrival > runEnd) return;
                Threads.SleepUntil(arrival);
                if (k.Home.Stopping) return;
                if (edfJobs)
                {
                    ulong f = Scheduling.Lock();
                    core.ReleaseJob(k.Thread, k.JobNode, k.Deadline(j, runStart));
                    Scheduling.Preempt();
                    Scheduling.Unlock(f);
                }
                else KernelTrace.Record(TraceEventKind.Release, k.Thread.Id, 0, j, k.Deadline(j, runStart));
                if (!Work(k)) return;
                Complete(k, j, Machine.Now());
                if (edfJobs && (j + 1 >= s.Arrivals.Length || runStart + s.Arrivals[(int)j + 1] > Machine.Now()))
                {
                    ulong f = Scheduling.Lock();
                    core.CancelJob(k.Thread, k.JobNode);
                    Scheduling.Preempt();
                    Scheduling.Unlock(f);
                }
            }
        }
    }
}
