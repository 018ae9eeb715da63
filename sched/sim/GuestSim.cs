using System;
using System.Collections.Generic;
using System.IO;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Sched.Sim
{
    /// <summary>Guest-core results of a simulation (SimResult.Guests).</summary>
    public sealed class GuestSimResult
    {
        /// <summary>Per physical CPU with guest cores: its scheduler (share, admitted cores).</summary>
        public readonly SortedDictionary<int, VcoreScheduler> Cpus = new SortedDictionary<int, VcoreScheduler>();
        /// <summary>Every admitted core, in file order.</summary>
        public readonly List<Vcore> Cores = new List<Vcore>();
        /// <summary>Refused cores: the admission message (line, field, share asked and left).</summary>
        public readonly List<string> Rejected = new List<string>();
        public long Elapsed;

        public Vcore Core(string name)
        {
            foreach (Vcore v in Cores) if (v.Name == name) return v;
            return null;
        }
    }

    /// <summary>A host task on a CPU with guest cores (the simulator's host-task model under the vcore scheduler).</summary>
    sealed class HostThread : SchedThread
    {
        public TaskSpec Spec;
        public TaskStats Stats;
        public RatePeriod Period;
        public readonly PriorityNode JobNode = new PriorityNode();
        public ulong Rng;
        public bool InJob, NeedStart, Finished;
        public long Remaining, WallTarget, JobIndex, Completed;
        public int Arrived;

        public HostThread(int id, TaskSpec spec) : base(id, spec.Priority, spec.Name) { Spec = spec; }

        public long Release(long k)
        {
            if (Spec.Kind == TaskKind.Aperiodic) return Spec.Arrivals[k];
            return Spec.Phase + k * Spec.Period;
        }

        public long AbsDeadline(long k)
        {
            if (Spec.Kind == TaskKind.Aperiodic) return Spec.Deadline > 0 ? Spec.Arrivals[k] + Spec.Deadline : long.MaxValue;
            if (Spec.Kind == TaskKind.Background) return long.MaxValue;
            return Release(k) + Spec.Deadline;
        }

        public bool WallWork { get { return Spec.Work == WorkKind.Wall && !(Spec.Kind == TaskKind.Background && Spec.Wcet == 0); } }
    }

    /// <summary>
    /// One CPU of a workload with guests: a SchedCore with the "vcore"
    /// scheduler on a SimPlatform; host tasks as in the plain simulator (EDF
    /// rules: jobs by deadline, background threads by priority), guest cores
    /// run by VcoreThreads (the kernel's vcore thread body in discrete time).
    /// Same order within an instant as the plain simulator: a host job done
    /// now completes first, then timers fire, then phases and arrivals.
    /// </summary>
    sealed class GuestCpuSim
    {
        readonly int cpu;
        readonly SimPlatform platform = new SimPlatform();
        readonly SchedCore core;
        public readonly VcoreScheduler Vs;
        readonly List<HostThread> hosts = new List<HostThread>();
        readonly List<VcoreThread> vthreads = new List<VcoreThread>();
        readonly PriorityQueue<Ev, (long, long)> events = new PriorityQueue<Ev, (long, long)>();
        readonly TraceLog trace;
        readonly bool check;
        readonly long end;
        long seq;
        public string Error;

        enum EvKind { Start, Arrival, PeriodicCheck, AperiodicCheck }

        sealed class Ev
        {
            public EvKind Kind;
            public HostThread Thread;
            public long Index;
        }

        public GuestCpuSim(int cpu, WorkloadSpec w, List<TaskSpec> specs, List<TaskStats> stats, List<Vcore> cores, long end,
            SimOptions o, List<string> notes, List<string> rejected, List<Vcore> admitted)
        {
            this.cpu = cpu;
            this.end = end;
            trace = o.Trace;
            check = o.CheckInvariants;
            Vs = new VcoreScheduler(Math.Max(VcoreScheduler.DefaultCapacity, cores.Count));
            core = new SchedCore(platform, Vs, null);
            if (trace != null) trace.Attach(core, cpu, platform);
            if (Vs.SetShare(w.ShareNum, w.ShareDen) != VcoreStatus.Ok) Error = "bad share " + w.ShareNum + "/" + w.ShareDen;
            int id = 1;
            for (int i = 0; i < specs.Count; i++)
            {
                TaskSpec s = specs[i];
                HostThread t = new HostThread(id++, s);
                t.Stats = stats[i];
                t.Rng = JobWork.Seed(w.Seed, cpu, i);
                core.AddThread(t);
                if (s.Budget > 0) notes.Add("cpu " + cpu + ": task '" + s.Name + "': CBS budgets are not used beside guest cores (the vcore scheduler runs host threads under EDF)");
                if (s.Kind == TaskKind.Periodic)
                {
                    t.Period = new RatePeriod(core, t, i + 1);
                    Push(s.Phase, EvKind.Start, t, 0);
                    Push(s.Phase + s.Deadline, EvKind.PeriodicCheck, t, 0);
                }
                else if (s.Kind == TaskKind.Aperiodic)
                {
                    core.BlockWith(t, ThreadState.Blocked);
                    core.Start(t);
                    for (int k = 0; k < s.Arrivals.Length; k++)
                    {
                        Push(s.Arrivals[k], EvKind.Arrival, t, k);
                        if (s.Deadline > 0) Push(s.Arrivals[k] + s.Deadline, EvKind.AperiodicCheck, t, k);
                    }
                }
                else
                {
                    Push(0, EvKind.Start, t, 0);
                }
                hosts.Add(t);
            }
            foreach (Vcore v in cores)
            {
                VcoreThread t = new VcoreThread(id++, v);
                VcoreAdmission a;
                if (Vs.Attach(t, v, out a) != VcoreStatus.Ok)
                {
                    rejected.Add(a.Message != null ? a.Message : "vcore " + v.Name + ": " + a.Status);
                    continue;
                }
                vthreads.Add(t);
                admitted.Add(v);
            }
            // Every core starts at 0: periods and virtual clocks aligned.
            foreach (VcoreThread t in vthreads)
            {
                Vs.Start(t.Guest, 0);
                PeriodicGuestProgram g = t.Guest.Program as PeriodicGuestProgram;
                if (g != null && g.Error != null && Error == null) Error = "guest " + t.Guest.GuestName + ": " + g.Error;
            }
        }

        void Push(long time, EvKind kind, HostThread t, long index)
        {
            if (time > end) return;
            events.Enqueue(new Ev { Kind = kind, Thread = t, Index = index }, (time, seq++));
        }

        /// <summary>
        /// Trace what only the simulator knows (completions, misses, releases
        /// the core does not make); the core records switches, blocks,
        /// unblocks, releases, period expiries, and the vcore scheduler
        /// vcore_switch_in/out, into this CPU's ring itself.
        /// </summary>
        void Emit(string kind, HostThread t, string extra)
        {
            bool coreReleases = t != null && (t.Spec.Kind == TaskKind.Periodic || (t.Spec.Kind == TaskKind.Aperiodic && t.Spec.Deadline > 0));
            if (trace != null && t != null && !TraceLog.FromCore(kind, coreReleases))
                trace.Add(platform.Clock, cpu, kind, t, extra);
        }

        void Check(string where)
        {
            if (!check || Error != null) return;
            string e = core.CheckInvariants();
            if (e == null)
                foreach (HostThread t in hosts)
                    if (t.Period != null && (e = t.Period.CheckInvariants()) != null) break;
            if (e == null)
                foreach (VcoreThread t in vthreads)
                {
                    PeriodicGuestProgram g = t.Guest.Program as PeriodicGuestProgram;
                    if (g != null && t.Guest.Started && !t.Guest.Removed && (e = g.CheckInvariants()) != null) break;
                }
            if (e != null) Error = "invariant broken at t=" + platform.Clock + " (" + where + "): " + e;
        }

        /// <summary>Constrained deadlines: key the job by release + D instead of the period end.</summary>
        void FixDeadline(HostThread t)
        {
            if (t.Period == null || t.Spec.Deadline >= t.Spec.Period) return;
            PriorityNode n = t.Period.JobNode;
            if (!n.InTree || n.Key != t.Period.JobDeadline) return;
            core.SetPriorityNode(t, n, t.Period.JobDeadline - t.Spec.Period + t.Spec.Deadline);
        }

        void Dispatch()
        {
            platform.SwitchRequested = false;
            core.Dispatch();
        }

        bool Done(HostThread t)
        {
            if (!t.InJob) return false;
            if (t.WallWork) return platform.Clock >= t.WallTarget;
            return t.Remaining <= 0;
        }

        void BeginJob(HostThread t)
        {
            t.NeedStart = false;
            t.InJob = true;
            long w = JobWork.Draw(t.Spec, ref t.Rng);
            t.Remaining = w;
            t.WallTarget = platform.Clock + w;
        }

        /// <summary>The executing thread's zero-time actions; true when the schedule may have changed.</summary>
        bool Act()
        {
            SchedThread x = core.Executing;
            VcoreThread vt = x as VcoreThread;
            if (vt != null) return vt.IsReady && vt.Act();
            HostThread t = x as HostThread;
            if (t == null || !t.IsReady) return false;
            if (t.NeedStart) BeginJob(t);
            if (!Done(t)) return false;
            Complete(t);
            return true;
        }

        void Complete(HostThread t)
        {
            long now = platform.Clock;
            t.InJob = false;
            TaskSpec s = t.Spec;
            if (s.Kind == TaskKind.Periodic)
            {
                long k = t.JobIndex;
                t.Stats.Response(now - t.Release(k));
                t.Completed = k + 1;
                Emit(TraceKind.Complete, t, "job=" + k + " response=" + (now - t.Release(k)));
                PeriodStatus st = t.Period.Run(t, s.Period);
                t.JobIndex = k + 1;
                t.NeedStart = true;
                FixDeadline(t);
                if (st != PeriodStatus.Successful && st != PeriodStatus.Timeout && Error == null)
                    Error = "period of '" + s.Name + "' returned " + st;
            }
            else if (s.Kind == TaskKind.Aperiodic)
            {
                long k = t.Completed;
                t.Stats.Response(now - s.Arrivals[k]);
                Emit(TraceKind.Complete, t, "job=" + k + " response=" + (now - s.Arrivals[k]));
                t.Completed = k + 1;
                if (t.Completed < t.Arrived)
                {
                    t.NeedStart = true;
                    ReleaseAperiodic(t, t.Completed);
                }
                else
                {
                    if (s.Deadline > 0) core.CancelJob(t, t.JobNode);
                    core.Block(t);
                }
            }
            else
            {
                t.Stats.Response(now);
                t.Finished = true;
                Emit(TraceKind.Complete, t, "job=0 response=" + now);
                core.Stop(t);
            }
        }

        void ReleaseAperiodic(HostThread t, long k)
        {
            if (t.Spec.Deadline > 0) core.ReleaseJob(t, t.JobNode, t.AbsDeadline(k));
        }

        void Settle()
        {
            for (int guard = 0; guard < 100000; guard++)
            {
                if (core.DispatchNeeded) { Dispatch(); Check("dispatch"); continue; }
                if (Act()) { Check("act"); continue; }
                return;
            }
            if (Error == null) Error = "no progress at t=" + platform.Clock + " (livelock in zero-time actions)";
        }

        long CompletionTime()
        {
            SchedThread x = core.Executing;
            VcoreThread vt = x as VcoreThread;
            if (vt != null) return vt.IsReady && vt.RunFor > 0 ? Sat(platform.Clock, vt.RunFor) : long.MaxValue;
            HostThread t = x as HostThread;
            if (t == null || !t.InJob || !t.IsReady) return long.MaxValue;
            if (t.WallWork) return Math.Max(platform.Clock, t.WallTarget);
            return Sat(platform.Clock, t.Remaining);
        }

        static long Sat(long a, long b)
        {
            long s = a + b;
            return s < a ? long.MaxValue : s;
        }

        void Handle(Ev e)
        {
            HostThread t = e.Thread;
            TaskSpec s = t.Spec;
            switch (e.Kind)
            {
                case EvKind.Start:
                    core.Start(t);
                    t.NeedStart = true;
                    if (s.Kind == TaskKind.Periodic)
                    {
                        PeriodStatus st = t.Period.Run(t, s.Period);
                        if (st != PeriodStatus.Successful && Error == null) Error = "first period call of '" + s.Name + "' returned " + st;
                        t.JobIndex = 0;
                        FixDeadline(t);
                    }
                    Emit(TraceKind.Release, t, "job=0" + (t.AbsDeadline(0) == long.MaxValue ? "" : " deadline=" + t.AbsDeadline(0)));
                    break;
                case EvKind.Arrival:
                    t.Arrived++;
                    t.Stats.Released++;
                    Emit(TraceKind.Release, t, "job=" + e.Index + (s.Deadline > 0 ? " deadline=" + t.AbsDeadline(e.Index) : ""));
                    if (t.Completed == t.Arrived - 1 && !t.InJob)
                    {
                        t.NeedStart = true;
                        ReleaseAperiodic(t, e.Index);
                        core.Unblock(t);
                    }
                    break;
                case EvKind.PeriodicCheck:
                    if (t.Completed <= e.Index) Miss(t, e.Index);
                    Push(t.Release(e.Index + 1) + s.Deadline, EvKind.PeriodicCheck, t, e.Index + 1);
                    break;
                case EvKind.AperiodicCheck:
                    if (t.Completed <= e.Index) Miss(t, e.Index);
                    break;
            }
        }

        void Miss(HostThread t, long k)
        {
            t.Stats.Misses++;
            if (t.Stats.FirstMissAt < 0) t.Stats.FirstMissAt = platform.Clock;
            Emit(TraceKind.DeadlineMiss, t, "job=" + k + " deadline=" + t.AbsDeadline(k));
        }

        public void Run()
        {
            if (Error != null) return;
            while (Error == null)
            {
                Settle();
                long next = end;
                if (platform.TimerAt < next) next = platform.TimerAt;
                if (events.Count > 0 && events.TryPeek(out _, out var pri) && pri.Item1 < next) next = pri.Item1;
                long c = CompletionTime();
                if (c < next) next = c;
                if (next < platform.Clock) next = platform.Clock;

                long dt = next - platform.Clock;
                SchedThread x = core.Executing;
                HostThread ht = x as HostThread;
                VcoreThread vt = x as VcoreThread;
                if (ht != null && ht.InJob && ht.IsReady && !ht.WallWork) ht.Remaining -= dt;
                if (vt != null && vt.IsReady) vt.Consume(dt);
                platform.Clock = next;

                if (ht != null && ht.IsReady && ht == core.Executing && Done(ht))
                {
                    Complete(ht);
                    Check("complete");
                    if (core.DispatchNeeded && !ht.IsReady) Dispatch();
                }
                if (platform.TimerAt <= platform.Clock)
                {
                    platform.TimerAt = long.MaxValue;
                    core.TimerFired(platform.Clock);
                    foreach (HostThread t in hosts) FixDeadline(t);
                    Check("timer");
                }
                while (events.Count > 0 && events.TryPeek(out var ev, out var p) && p.Item1 <= platform.Clock)
                {
                    events.Dequeue();
                    Handle(ev);
                }
                Check("events");
                if (platform.Clock >= end) break;
            }
            core.Charge();
        }

        public void Finish(SimResult r)
        {
            foreach (HostThread t in hosts)
            {
                t.Stats.CpuTimeNs = t.CpuTimeNs;
                if (t.Period != null)
                {
                    PeriodStatistics ps;
                    t.Period.GetStatistics(out ps);
                    t.Stats.PeriodCount = ps.Count;
                    t.Stats.PeriodMissed = ps.MissedCount;
                    t.Stats.EndPostponed = t.Period.PostponedJobs;
                    if (t.Stats.EndPostponed > t.Stats.MaxPostponed) t.Stats.MaxPostponed = t.Stats.EndPostponed;
                    t.Stats.Released = t.Spec.Phase > end ? 0 : (end - t.Spec.Phase) / t.Spec.Period + 1;
                }
                else if (t.Spec.Kind == TaskKind.Background)
                {
                    t.Stats.Released = 1;
                }
            }
            foreach (VcoreThread t in vthreads)
            {
                PeriodicGuestProgram g = t.Guest.Program as PeriodicGuestProgram;
                if (g != null) g.Finish(t.Guest);
            }
            r.IdleTimeNs += core.IdleTimeNs;
            r.Switches += core.SwitchCount;
        }
    }

    /// <summary>Workloads with guests: host tasks and guest cores on the vcore scheduler, one core per physical CPU.</summary>
    public static class GuestSim
    {
        public static SimResult Run(WorkloadSpec w, SimOptions o)
        {
            SimResult r = new SimResult();
            r.Scheduler = SchedulerKind.Edf;
            r.Guests = new GuestSimResult();
            if (o.SchedulerOverride != null && o.SchedulerOverride != "edf" && o.SchedulerOverride != "vcore")
                r.Notes.Add("--sched " + o.SchedulerOverride + " ignored: a workload with guests runs under the vcore scheduler (EDF for host threads)");
            if (w.SchedulerGiven && w.Scheduler != SchedulerKind.Edf)
                r.Notes.Add("scheduler " + WorkloadSpec.SchedulerName(w.Scheduler) + " ignored: a workload with guests runs under the vcore scheduler (EDF for host threads)");
            long end = o.Duration > 0 ? o.Duration : Simulator.DefaultDuration(w);
            r.Duration = end;
            r.Guests.Elapsed = end;

            // Guest blocks the parser left out (an error inside them) are reported as refused.
            if (w.GuestErrors != null) foreach (string m in w.GuestErrors) r.Guests.Rejected.Add(m);

            // Guest cores (in file order) per physical CPU.
            var coresByCpu = new SortedDictionary<int, List<Vcore>>();
            var cpus = new SortedSet<int>();
            foreach (TaskSpec t in w.Tasks) cpus.Add(t.Cpu);
            for (int gi = 0; gi < w.Guests.Length; gi++)
            {
                GuestSpec g = w.Guests[gi];
                for (int i = 0; i < g.Vcores.Length; i++)
                {
                    Vcore v = GuestFactory.Create(g, i, w.Seed, gi);
                    if (!coresByCpu.TryGetValue(v.Cpu, out var list)) coresByCpu[v.Cpu] = list = new List<Vcore>();
                    list.Add(v);
                    cpus.Add(v.Cpu);
                }
            }

            var all = new List<TaskStats>();
            foreach (int cpu in cpus)
            {
                var specs = new List<TaskSpec>();
                var stats = new List<TaskStats>();
                foreach (TaskSpec t in w.Tasks)
                {
                    if (t.Cpu != cpu) continue;
                    specs.Add(t);
                    stats.Add(new TaskStats { Name = t.Name, Kind = t.Kind, Cpu = cpu, Priority = t.Priority });
                }
                all.AddRange(stats);
                if (!coresByCpu.TryGetValue(cpu, out var cores)) cores = new List<Vcore>();

                AnalysisTask[] at = WorkloadAnalysis.TasksFor(w.Tasks, SchedulerKind.Edf, cpu);
                var ar = new AnalysisResult(at.Length);
                WorkloadAnalysis.Analyze(at, SchedulerKind.Edf, ar);
                r.Verdicts.Add("cpu " + cpu + ": host tasks: " + ar.Describe());
                r.Analysis[cpu] = ar.Verdict;

                var admitted = new List<Vcore>();
                var sim = new GuestCpuSim(cpu, w, specs, stats, cores, end, o, r.Notes, r.Guests.Rejected, admitted);
                r.Guests.Cores.AddRange(admitted);
                if (cores.Count > 0) r.Guests.Cpus[cpu] = sim.Vs;
                if (admitted.Count > 0) r.Verdicts.Add("cpu " + cpu + ": " + Combined(at, admitted));
                sim.Run();
                if (sim.Error != null && r.Error == null) r.Error = "cpu " + cpu + ": " + sim.Error;
                sim.Finish(r);
            }
            // Keep file order of the admitted cores.
            var order = new List<Vcore>();
            foreach (GuestSpec g in w.Guests)
                foreach (Vcore v in r.Guests.Cores)
                    if (v.GuestName == g.Name) order.Add(v);
            r.Guests.Cores.Clear();
            r.Guests.Cores.AddRange(order);
            r.Tasks = all.ToArray();
            return r;
        }

        /// <summary>"EDF with reservations: U = host 1/20 + cores 9/10 = 19/20 (95%) <= 1: host deadlines and reservations are guaranteed".</summary>
        static string Combined(AnalysisTask[] host, List<Vcore> cores)
        {
            Utilization h = Utilization.Zero(), c = Utilization.Zero(), t = Utilization.Zero();
            bool constrained = false;
            foreach (AnalysisTask a in host)
            {
                h.Add((ulong)a.Wcet, (ulong)a.Period);
                t.Add((ulong)a.Wcet, (ulong)a.Period);
                if (a.Deadline < a.Period) constrained = true;
            }
            foreach (Vcore v in cores)
            {
                c.Add((ulong)v.ShareNum, (ulong)v.ShareDen);
                t.Add((ulong)v.ShareNum, (ulong)v.ShareDen);
            }
            int cmp = t.CompareTo(1, 1);
            string s = "EDF with reservations: U = host " + U(h) + " + cores " + U(c) + " = " + U(t);
            if (cmp <= 0 && !constrained) return s + " <= 1: every host deadline and every reservation is guaranteed";
            if (cmp <= 0) return s + " <= 1 (constrained host deadlines: see the host demand test)";
            return s + " > 1: overloaded, host deadlines or reservations may be missed";
        }

        static string U(Utilization u)
        {
            if (u.Exact) return u.Num + "/" + u.Den + " (" + ShareMath.Percent((long)u.Num, (long)u.Den) + ")";
            return "about " + ShareMath.PercentOfPpm(u.Ppb() / 1000);
        }

        public static void Print(TextWriter o, string file, WorkloadSpec w, SimResult r)
        {
            GuestSimResult g = r.Guests;
            int ncores = 0;
            foreach (GuestSpec gs in w.Guests) ncores += gs.Vcores.Length;
            o.WriteLine("workload " + file + ": scheduler vcore (host threads under EDF, guest cores as reservations), duration "
                + Format.Time(r.Duration) + ", seed " + w.Seed + ", " + w.Tasks.Length + " task(s), " + w.Guests.Length + " guest(s) with "
                + ncores + " core(s)");
            o.WriteLine();
            o.WriteLine(RunReport.Header());
            foreach (TaskStats t in r.Tasks) o.WriteLine(RunReport.Line(t));
            o.WriteLine();
            o.WriteLine(RunReport.Total(r.Tasks, r.Switches, r.IdleTimeNs));
            foreach (string v in r.Verdicts) o.WriteLine("analysis " + v);
            foreach (var kv in g.Cpus)
            {
                o.WriteLine();
                o.WriteLine(VcoreReport.CpuTitle(kv.Key, kv.Value, g.Elapsed));
                o.WriteLine(VcoreReport.Header());
                foreach (Vcore v in g.Cores) if (v.Cpu == kv.Key) o.WriteLine(VcoreReport.Line(v, g.Elapsed));
            }
            if (g.Cores.Count > 0)
            {
                o.WriteLine();
                o.WriteLine("virtual interrupts (delivery error = guest clock at delivery - deadline, guest time):");
                o.WriteLine(VcoreReport.IrqHeader());
                foreach (Vcore v in g.Cores) o.WriteLine(VcoreReport.IrqLine(v));
            }
            foreach (Vcore v in g.Cores)
            {
                PeriodicGuestProgram p = v.Program as PeriodicGuestProgram;
                if (p == null || p.Tasks == null) continue;
                o.WriteLine();
                o.WriteLine(VcoreReport.GuestTitle(v, p));
                o.WriteLine(RunReport.Header());
                foreach (TaskStats t in p.Stats) o.WriteLine(RunReport.Line(t));
                o.WriteLine(VcoreReport.GuestTotal(v, p));
            }
            if (g.Rejected.Count > 0) o.WriteLine();
            foreach (string m in g.Rejected) o.WriteLine("rejected: " + m);
            foreach (string n in r.Notes) o.WriteLine("note: " + n);
        }
    }
}
