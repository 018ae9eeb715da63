// The parsed form of a workload file (see sched/README.md, "Workload file
// format"). Plain arrays and fields: the simulator, the kernel (its own
// periodic threads) and the guest-core layer all read this one object.
namespace Osprey.Sched.Workload
{
    public enum SchedulerKind { Priority = 0, Edf = 1, Cbs = 2, Gedf = 3 }

    public enum TaskKind { Periodic = 0, Aperiodic = 1, Background = 2 }

    /// <summary>Cpu: a job needs Wcet of CPU time. Wall: a job spins until Wcet of wall-clock time
    /// has passed since it first ran (RTEMS test style), so preemption shortens its CPU use.</summary>
    public enum WorkKind { Cpu = 0, Wall = 1 }

    /// <summary>CBS budget overrun: Hard throttles until the next period, Soft demotes to background.</summary>
    public enum OverrunMode { Hard = 0, Soft = 1 }

    /// <summary>What a guest core executes. Stops: a real image that is stopped at its first slice
    /// (wild, fault): the simulator's model of it halts for good at once.</summary>
    public enum GuestKind { Hog = 0, Periodic = 1, Idle = 2, Runaway = 3, Stops = 4 }

    /// <summary>A guest block's 'image' line: Program (none, or program-*) runs the synthetic program
    /// of Workload; the others are real guest code run by the kernel's VMM (kernel/vmm).</summary>
    public enum GuestImage { Program = 0, Hog = 1, Runaway = 2, Idle = 3, Wild = 4, Fault = 5, Periodic = 6, Osprey = 7 }

    public sealed class TaskSpec
    {
        public string Name;
        public TaskKind Kind;
        /// <summary>Line of the file that declared it (1-based).</summary>
        public int Line;
        /// <summary>Work per job (ns). Background: 0 = runs forever.</summary>
        public long Wcet;
        /// <summary>Periodic: period. Aperiodic: CBS server period (0 = no server).</summary>
        public long Period;
        /// <summary>Relative deadline; periodic: defaults to Period; aperiodic: 0 = none.</summary>
        public long Deadline;
        /// <summary>Release offset of the first job (periodic).</summary>
        public long Phase;
        /// <summary>Fixed priority, lower = more urgent, 0..255.</summary>
        public int Priority;
        /// <summary>True when the file gave the priority (false: assigned by the parser).</summary>
        public bool PriorityGiven;
        /// <summary>CBS budget per period (0 = not a CBS server). Used under scheduler cbs.</summary>
        public long Budget;
        public OverrunMode Overrun;
        /// <summary>Execution-time jitter: each job's work is drawn uniformly from [Wcet - Jitter, Wcet].</summary>
        public long Jitter;
        public WorkKind Work;
        /// <summary>Aperiodic: arrival times (non-decreasing, absolute from the start).</summary>
        public long[] Arrivals;
        /// <summary>Physical CPU (default 0).</summary>
        public int Cpu;
        /// <summary>True when the line gave 'cpu'.</summary>
        public bool CpuGiven;
        /// <summary>Periodic and background: when the task's thread starts (from the run's start;
        /// a periodic task's first job is released at Start + Phase). 0 = at the start.</summary>
        public long Start;
        /// <summary>Periodic: the task stops after this many jobs (0 = it runs to the end).</summary>
        public long Jobs;

        /// <summary>Release time of job k of a periodic task: Start + Phase + k * Period.</summary>
        public long ReleaseOf(long k) { return Start + Phase + k * Period; }
    }

    public sealed class VcoreSpec
    {
        public int Line;
        public int VcpuId;
        public long Period;
        public long Slice;
        public bool ExtraTime;
        /// <summary>Physical CPU the core is placed on.</summary>
        public int Cpu;
        /// <summary>When the core is admitted and started (host time from the run's start).</summary>
        public long Start;
        /// <summary>Host times at which the core is removed (its share freed) and added again
        /// (admitted anew, a fresh boot of the core): Start &lt; Remove[0] &lt; Add[0] &lt; Remove[1] &lt; ...;
        /// Add has as many entries as Remove or one fewer (then it stays removed). Empty arrays when none.</summary>
        public long[] Remove;
        public long[] Add;
    }

    public sealed class GuestSpec
    {
        public string Name;
        public int Line;
        /// <summary>Guest time = host time * DilationNum / DilationDen.</summary>
        public long DilationNum;
        public long DilationDen;
        public GuestKind Workload;
        /// <summary>The periodic guest's own scheduler (default edf).</summary>
        public SchedulerKind Scheduler;
        /// <summary>The periodic guest's task set (empty for the other workloads), times in guest time.</summary>
        public TaskSpec[] Tasks;
        public VcoreSpec[] Vcores;
        /// <summary>An Osprey guest's own workload file (the lines between 'workload' and
        /// 'end workload' in its block, each ending in a newline), or null; the VMM gives it to the
        /// guest kernel as its 'workload' module. NestedSpec is that text parsed.</summary>
        public string NestedWorkload;
        public int NestedWorkloadLine;
        public WorkloadSpec NestedSpec;
        /// <summary>The 'image' line (Program when none or program-*); ImageLine 0 when none.</summary>
        public GuestImage Image;
        public int ImageLine;
        /// <summary>The 'memory' line: guest RAM in bytes for a real image (0: the VMM's default).</summary>
        public long MemoryBytes;
        /// <summary>The 'cmdline' line (image osprey), spaces collapsed; null when none.</summary>
        public string Cmdline;
        /// <summary>True for a real image (run on the VMM; modelled by Workload in the simulator).</summary>
        public bool RealImage { get { return Image != GuestImage.Program; } }
    }

    public sealed class WorkloadSpec
    {
        public SchedulerKind Scheduler;
        /// <summary>False when the file has no scheduler line (Scheduler is then Priority;
        /// the kernel's sched= option may choose).</summary>
        public bool SchedulerGiven;
        /// <summary>Run length in ns; 0 when the file does not say.</summary>
        public long Duration;
        /// <summary>The 'cpus N' line's N (0: not given; then the CPUs are those the tasks name) and its line.</summary>
        public int Cpus;
        public int CpusLine;
        /// <summary>The 'ipi-latency T' line (ns, 0 by default): how long a reschedule request from one
        /// CPU takes to reach another (global scheduling; the simulator models it).</summary>
        public long IpiLatency;
        public ulong Seed;
        /// <summary>CPU share for guest-core admission per physical CPU, as ShareNum/ShareDen (default 1/1).</summary>
        public long ShareNum;
        public long ShareDen;
        /// <summary>The file's 'overheads' line (all zero without one): kernel costs the simulator
        /// models and the analysis charges (sched/analysis/Overheads.cs).</summary>
        public Osprey.Sched.Analysis.Overheads Overheads;
        /// <summary>A 'floor' line's value (0: none): periods and budgets down to it were accepted.</summary>
        public long FloorNs;
        public int FloorLine;
        /// <summary>Host tasks in file order: periodic, aperiodic and background.</summary>
        public TaskSpec[] Tasks;
        public GuestSpec[] Guests;
        /// <summary>Guest blocks left out because of an error inside them ("line L: field 'f': ..."),
        /// one per guest: the rest of the file, other guests included, is kept.</summary>
        public string[] GuestErrors;

        public int CountTasks(TaskKind kind)
        {
            int c = 0;
            for (int i = 0; i < Tasks.Length; i++) if (Tasks[i].Kind == kind) c++;
            return c;
        }

        /// <summary>
        /// CPUs the host tasks run on: N of 'cpus N' when given, else one more
        /// than the highest task cpu (1 for a file without cpu fields).
        /// </summary>
        public int CpuCount()
        {
            if (Cpus > 0) return Cpus;
            int n = 1;
            for (int i = 0; i < Tasks.Length; i++) if (Tasks[i].Cpu + 1 > n) n = Tasks[i].Cpu + 1;
            return n;
        }

        public TaskSpec FindTask(string name)
        {
            for (int i = 0; i < Tasks.Length; i++) if (Tasks[i].Name == name) return Tasks[i];
            return null;
        }

        public static string SchedulerName(SchedulerKind k)
        {
            if (k == SchedulerKind.Edf) return "edf";
            if (k == SchedulerKind.Cbs) return "cbs";
            if (k == SchedulerKind.Gedf) return "gedf";
            return "priority";
        }

        public static string GuestKindName(GuestKind k)
        {
            if (k == GuestKind.Periodic) return "periodic";
            if (k == GuestKind.Idle) return "idle";
            if (k == GuestKind.Runaway) return "runaway";
            if (k == GuestKind.Stops) return "stops";
            return "hog";
        }

        public static string ImageName(GuestImage i)
        {
            switch (i)
            {
                case GuestImage.Hog: return "hog";
                case GuestImage.Runaway: return "runaway";
                case GuestImage.Idle: return "idle";
                case GuestImage.Wild: return "wild";
                case GuestImage.Fault: return "fault";
                case GuestImage.Periodic: return "periodic";
                case GuestImage.Osprey: return "osprey";
            }
            return "program";
        }
    }

    /// <summary>Result of parsing: either Ok with Workload, or the error (line, field, message).</summary>
    public sealed class ParseResult
    {
        public bool Ok;
        public WorkloadSpec Workload;
        /// <summary>1-based line of the error (0 for whole-file errors).</summary>
        public int Line;
        /// <summary>The field (or directive) at fault, or "" when the whole line is.</summary>
        public string Field;
        public string Message;
        /// <summary>"line 7: field 'period': expected a time like 10ms, got '10 parsecs'".</summary>
        public string Error;
    }
}
