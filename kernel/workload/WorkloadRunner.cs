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
    // Job semantics follow the simulator: a periodic task's first period()
    // call activates its period at its phase; a job's work is CPU time (or
    // wall-clock time for work=wall), its response is measured from its
    // release, and a job counts as missed when its deadline passes before it
    // completes (jobs still unfinished at the end whose deadline lies inside
    // the run count too). Every period is activated before any job runs:
    // tasks with equal phases are released together.
    //
    // With `trace` on the command line the run is recorded (KernelTrace):
    // the core records periodic releases, switches, blocks and expiries; this
    // file adds completions, misses and the releases the core does not make
    // (aperiodic jobs without a deadline node, background work), and dumps
    // the ring over serial after the table.
    internal static unsafe class WorkloadRunner
    {
        internal const string ModuleName = "workload";
        // Time given to all threads of one phase to activate their periods
        // before the first job runs.
        private const long SettlePerTask = 20000;

        internal static WorkloadSpec Spec;
        internal static string FileName;
        private static WorkloadTask[] tasks;
        private static long runStart, runEnd, settle;
        private static bool stopping;

        // Finds and parses the workload module. Returns null (and Spec) when
        // there is none or it parsed; else the error, naming line and field.
        internal static string Load(BootInfo boot)
        {
            Spec = null;
            for (int i = 0; i < boot.ModuleCount; i++)
            {
                BootModule m = boot.Modules[i];
                if (m.Name != ModuleName) continue;
                ulong n = m.End - m.Start;
                if (n > (1UL << 20)) return "module '" + m.CommandLine + "' is " + n + " bytes (at most 1 MiB)";
                byte[] data = new byte[(int)n];
                byte* p = (byte*)m.Start;
                for (int k = 0; k < data.Length; k++) data[k] = p[k];
                ParseResult r = WorkloadParser.Parse(data);
                FileName = FirstWord(m.CommandLine);
                if (!r.Ok) return FileName + ": " + r.Error;
                string timed = r.Workload.FirstTimedField("the kernel's workload runner");
                if (timed != null) return FileName + ": " + timed;
                for (int k = 0; k < r.Workload.Tasks.Length; k++)
                    if (r.Workload.Tasks[k].Cpu != 0)
                        return FileName + ": line " + r.Workload.Tasks[k].Line + ": field 'cpu': this kernel runs tasks on CPU 0 only, got cpu=" + r.Workload.Tasks[k].Cpu;
                Spec = r.Workload;
                return null;
            }
            return null;
        }

        private static string FirstWord(string s)
        {
            int i = 0;
            while (i < s.Length && s[i] != ' ') i++;
            return s.Substring(0, i);
        }

        internal static SchedulerKind KindOf(string policy)
        {
            if (policy == "edf" || policy == "vcore") return SchedulerKind.Edf;   // vcore: host threads under EDF
            if (policy == "cbs") return SchedulerKind.Cbs;
            return SchedulerKind.Priority;
        }

        // Runs Spec to its end on the running scheduler, then prints the table.
        internal static void Run()
        {
            WorkloadSpec w = Spec;
            SchedCore core = Scheduling.Core;
            SchedulerKind sched = KindOf(core.Scheduler.Name);
            long duration = RunReport.DefaultDuration(w);
            Thread main = Threads.Current;
            PriorityNode urgent = new PriorityNode();
            string[] notes = new string[w.Tasks.Length + 2];
            int noteCount = 0;

            tasks = new WorkloadTask[w.Tasks.Length];
            settle = SettlePerTask * (w.Tasks.Length + 1);
            runStart = Machine.Now() + 1000000;
            runEnd = runStart + duration;
            stopping = false;

            // Main wakes at the end before any task: value 0 is the most
            // urgent under every policy (priority 0, or deadline 0).
            ulong f = Machine.DisableInterrupts();
            core.SetPriorityNode(main, urgent, 0);
            Machine.RestoreInterrupts(f);

            for (int i = 0; i < tasks.Length; i++)
            {
                TaskSpec s = w.Tasks[i];
                WorkloadTask k = new WorkloadTask();
                k.Spec = s;
                k.Index = i;
                k.Rng = JobWork.Seed(w.Seed, 0, i);
                k.Stats = new TaskStats();
                k.Stats.Name = s.Name; k.Stats.Kind = s.Kind; k.Stats.Cpu = 0; k.Stats.Priority = s.Priority;
                tasks[i] = k;
                Thread th;
                ThreadStatus st = Threads.Create(s.Name, &TaskMain, k, s.Priority, 0, out th);
                if (st != ThreadStatus.Successful) Panic.Fail("workload: cannot create the thread of task '" + s.Name + "'");
                k.Thread = th;
                if (s.Kind == TaskKind.Periodic) k.Period = Periods.Create(th);
                if (sched == SchedulerKind.Cbs && s.Budget > 0)
                {
                    CbsServer srv = new CbsServer(i + 1, s.Budget, s.Period, s.Overrun == OverrunMode.Hard ? CbsMode.Hard : CbsMode.Soft);
                    CbsAdmission a;
                    f = Machine.DisableInterrupts();
                    CbsStatus cs = ((CbsScheduler)core.Scheduler).Attach(th, srv, out a);
                    Machine.RestoreInterrupts(f);
                    if (cs != CbsStatus.Ok) notes[noteCount++] = "cpu 0: task '" + s.Name + "' runs without its CBS server: " + a.Message;
                    else k.Server = srv;
                }
            }
            bool guests = w.Guests.Length > 0 && core.Scheduler.Name == "vcore";
            GuestCores.Reset();
            if (guests) GuestCores.FromWorkload(w);
            else if (w.Guests.Length > 0)
                notes[noteCount++] = w.Guests.Length + " guest(s) in the file not run: guest cores need the vcore scheduler (sched=vcore, the default for a file with guests)";
            long switches0 = Scheduling.Switches, idle0 = core.IdleTimeNs;
            for (int i = 0; i < tasks.Length; i++) Threads.Start(tasks[i].Thread);

            if (guests)
            {
                // Every guest core starts at the run's start; main (the most
                // urgent thread) prints the cores' table at intervals.
                Threads.SleepUntil(runStart);
                GuestCores.StartAll(runStart);
                long interval = duration / 4;
                if (interval < 100000000) interval = 100000000;
                for (long at = runStart + interval; at < runEnd; at += interval)
                {
                    Threads.SleepUntil(at);
                    Log.WriteLine("");
                    Log.WriteLine("at " + Osprey.Sched.Analysis.Format.Time(Machine.Now() - runStart) + ":");
                    GuestCores.PrintCores(Machine.Now() - runStart);
                }
            }
            Threads.SleepUntil(runEnd);

            // The end: main is the most urgent thread, nothing else runs
            // while it takes the figures.
            f = Machine.DisableInterrupts();
            stopping = true;
            long switches = Scheduling.Switches - switches0;
            long idle = core.IdleTimeNs - idle0;
            for (int i = 0; i < tasks.Length; i++) Collect(tasks[i], core);
            Machine.RestoreInterrupts(f);

            // Stop the threads: end their periods and sleeps; spinning jobs
            // see `stopping`.
            for (int i = 0; i < tasks.Length; i++)
            {
                if (tasks[i].Period != null) Periods.Delete(tasks[i].Period);
                Threads.Wake(tasks[i].Thread);
                Threads.Resume(tasks[i].Thread);
            }
            long guestElapsed = Machine.Now() - runStart;
            if (guests) GuestCores.StopAll();
            f = Machine.DisableInterrupts();
            core.RemovePriority(main, urgent);
            Machine.RestoreInterrupts(f);
            for (int i = 0; i < tasks.Length; i++) Threads.Join(tasks[i].Thread);

            Print(w, sched, duration, switches, idle, notes, noteCount, guests);
            if (guests) GuestCores.PrintSummary(guestElapsed);
            KernelTrace.Dump(FileName);
        }

        // Final figures of one task, at the end of the run (interrupts off).
        private static void Collect(WorkloadTask k, SchedCore core)
        {
            TaskStats st = k.Stats;
            TaskSpec s = k.Spec;
            st.CpuTimeNs = core.CpuTimeOf(k.Thread);
            if (s.Kind == TaskKind.Periodic)
            {
                if (k.Activation >= 0)
                {
                    // Releases inside the run and jobs whose deadline passed
                    // unfinished, counted on the nominal release times
                    // (start + phase + k * period) as the simulator does, so
                    // the few microseconds the activation took do not move a
                    // release across the end of the run.
                    long nominal = runStart + s.Phase;
                    long released = 0;
                    while (nominal + released * s.Period <= runEnd) released++;
                    st.Released = released;
                    for (long j = k.Completed; j < released; j++)
                        if (nominal + j * s.Period + s.Deadline <= runEnd) Miss(k, j);
                }
                st.TakePeriod(k.Period);
            }
            else if (s.Kind == TaskKind.Aperiodic)
            {
                long released = 0;
                while (released < s.Arrivals.Length && runStart + s.Arrivals[(int)released] <= runEnd) released++;
                st.Released = released;
                for (long j = k.Completed; j < released; j++)
                    if (k.Deadline(j, runStart) <= runEnd) Miss(k, j);
            }
            else st.Released = 1;
            if (k.Server != null) st.Overruns = k.Server.OverrunCount;
        }

        private static void Miss(WorkloadTask k, long job)
        {
            KernelTrace.Record(TraceEventKind.DeadlineMiss, k.Thread.Id, 0, job, k.Deadline(job, runStart));
            k.Stats.Misses++;
            if (k.Stats.FirstMissAt < 0) k.Stats.FirstMissAt = k.Deadline(job, runStart) - runStart;
        }

        // Records job `job` done at `done`, unless the run was over by then.
        // Interrupts are off from the `stopping` test to the last update: a
        // task preempted after the test by main at the end of the run would
        // otherwise record its job after Collect had counted it unfinished
        // (a miss and a response for the same job). A few stores, no wait.
        private static void Complete(WorkloadTask k, long job, long done)
        {
            ulong f = Machine.DisableInterrupts();
            if (stopping || done > runEnd) { Machine.RestoreInterrupts(f); return; }
            long release = k.Release(job, runStart);
            long response = done - (k.Spec.Kind == TaskKind.Background ? runStart : release);
            KernelTrace.Record(TraceEventKind.Complete, k.Thread.Id, 0, job, response);
            k.Stats.Response(response);
            long d = k.Deadline(job, runStart);
            if (done > d) Miss(k, job);
            k.Completed = job + 1;
            Machine.RestoreInterrupts(f);
        }

        // Spins for one job's work; false when the run ended first.
        private static bool Work(WorkloadTask k)
        {
            long w = JobWork.Draw(k.Spec, ref k.Rng);
            Thread self = k.Thread;
            if (k.Spec.Work == WorkKind.Wall && w != JobWork.Forever)
            {
                long until = Machine.Now() + w;
                while (Machine.Now() < until) if (stopping) return false;
                return true;
            }
            long target = Threads.CpuTime(self) + w;
            while (Threads.CpuTime(self) < target) if (stopping) return false;
            return true;
        }

        private static void TaskMain(object o)
        {
            WorkloadTask k = (WorkloadTask)o;
            if (k.Spec.Kind == TaskKind.Periodic) RunPeriodic(k);
            else if (k.Spec.Kind == TaskKind.Aperiodic) RunAperiodic(k);
            else
            {
                Threads.SleepUntil(runStart + settle);
                KernelTrace.Record(TraceEventKind.Release, k.Thread.Id, 0, 0, long.MaxValue);
                if (!stopping && Work(k)) Complete(k, 0, Machine.Now());
            }
        }

        private static void RunPeriodic(WorkloadTask k)
        {
            TaskSpec s = k.Spec;
            // The first period() call is made at the task's phase as the most
            // urgent thread (value 0 under every policy), so it is not delayed
            // by jobs already running (guest cores' reservations, other tasks).
            SchedCore core = Scheduling.Core;
            ulong f = Machine.DisableInterrupts();
            core.SetPriorityNode(k.Thread, k.JobNode, 0);
            Machine.RestoreInterrupts(f);
            Threads.SleepUntil(runStart + s.Phase);
            PeriodStatus first = stopping ? PeriodStatus.NotActive : Periods.Run(k.Period, s.Period);
            f = Machine.DisableInterrupts();
            // Read while still the most urgent thread: once the priority is
            // gone, the thread may wait past the first period's end, whose
            // expiry (in the timer interrupt) moves the deadline on.
            long activation = k.Period.LatestDeadline - s.Period;
            core.RemovePriority(k.Thread, k.JobNode);
            Scheduling.Preempt();
            Machine.RestoreInterrupts(f);
            if (first != PeriodStatus.Successful) return;
            k.Activation = activation;
            k.Stats.MaxPostponed = 0;
            Threads.SleepUntil(runStart + s.Phase + settle);
            long job = 0;
            while (!stopping)
            {
                if (!Work(k)) return;
                Complete(k, job, Machine.Now());
                PeriodInfo info;
                Periods.Status(k.Period, out info);
                if (info.PostponedJobs > k.Stats.MaxPostponed) k.Stats.MaxPostponed = info.PostponedJobs;
                PeriodStatus st = Periods.Run(k.Period, s.Period);
                if (st != PeriodStatus.Successful && st != PeriodStatus.Timeout) return;
                job++;
            }
        }

        private static void RunAperiodic(WorkloadTask k)
        {
            TaskSpec s = k.Spec;
            SchedCore core = Scheduling.Core;
            bool edfJobs = core.Scheduler.Name == "edf" && s.Deadline > 0;
            for (long j = 0; j < s.Arrivals.Length && !stopping; j++)
            {
                long arrival = runStart + s.Arrivals[(int)j];
                if (arrival > runEnd) return;
                Threads.SleepUntil(arrival);
                if (stopping) return;
                if (edfJobs)
                {
                    ulong f = Machine.DisableInterrupts();
                    core.ReleaseJob(k.Thread, k.JobNode, k.Deadline(j, runStart));
                    Scheduling.Preempt();
                    Machine.RestoreInterrupts(f);
                }
                else KernelTrace.Record(TraceEventKind.Release, k.Thread.Id, 0, j, k.Deadline(j, runStart));
                if (!Work(k)) return;
                Complete(k, j, Machine.Now());
                if (edfJobs && (j + 1 >= s.Arrivals.Length || runStart + s.Arrivals[(int)j + 1] > Machine.Now()))
                {
                    ulong f = Machine.DisableInterrupts();
                    core.CancelJob(k.Thread, k.JobNode);
                    Scheduling.Preempt();
                    Machine.RestoreInterrupts(f);
                }
            }
        }

        private static void Print(WorkloadSpec w, SchedulerKind sched, long duration, long switches, long idle, string[] notes, int noteCount, bool guests)
        {
            TaskStats[] stats = new TaskStats[tasks.Length];
            for (int i = 0; i < tasks.Length; i++) stats[i] = tasks[i].Stats;
            Log.WriteLine("");
            if (guests)
            {
                int ncores = 0;
                for (int g = 0; g < w.Guests.Length; g++) ncores += w.Guests[g].Vcores.Length;
                Log.WriteLine("workload " + FileName + ": scheduler vcore (host threads under EDF, guest cores as reservations), duration "
                    + Osprey.Sched.Analysis.Format.Time(duration) + ", seed " + w.Seed + ", " + w.Tasks.Length + " task(s), "
                    + w.Guests.Length + " guest(s) with " + ncores + " core(s)");
            }
            else Log.WriteLine(RunReport.Title(FileName, w, sched, duration));
            Log.WriteLine("");
            Log.WriteLine(RunReport.Header());
            for (int i = 0; i < stats.Length; i++)
            {
                Log.WriteLine(RunReport.Line(stats[i]));
                string over = RunReport.OverrunLine(stats[i]);
                if (over != null) Log.WriteLine(over);
            }
            Log.WriteLine("");
            Log.WriteLine(RunReport.Total(stats, switches, idle));
            string[] verdicts = WorkloadAnalysis.Describe(w, sched, 0);
            for (int i = 0; i < verdicts.Length; i++) Log.WriteLine("analysis cpu 0: " + verdicts[i]);
            if (!guests)
                for (int i = 0; w.GuestErrors != null && i < w.GuestErrors.Length; i++) Log.WriteLine("rejected: " + w.GuestErrors[i]);
            for (int i = 0; i < noteCount; i++) Log.WriteLine("note: " + notes[i]);

        }
    }
}
