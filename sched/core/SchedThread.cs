using System.Runtime.CompilerServices;

namespace Osprey.Sched
{
    /// <summary>
    /// Why a thread is not ready, as a bit set: a thread is ready exactly when
    /// no bit is set (State == Ready). Bits compose: a suspended thread that is
    /// also blocked needs both Resume and Unblock. "Executing" is not a state
    /// bit: it is SchedThread.IsExecuting (the CPU's current thread).
    /// </summary>
    public enum ThreadState : uint
    {
        Ready = 0,
        /// <summary>Created but not started, or stopped.</summary>
        Dormant = 1,
        /// <summary>Waiting on a kernel object (semaphore, mutex, message...).</summary>
        Blocked = 2,
        /// <summary>Suspended by Suspend; cleared by Resume.</summary>
        Suspended = 4,
        /// <summary>Waiting for the end of its rate-monotonic period.</summary>
        PeriodWait = 8,
        /// <summary>CBS hard mode: budget exhausted, waiting for replenishment.</summary>
        Throttled = 16,
        /// <summary>Sleeping until a time (kernel delay).</summary>
        Sleeping = 32,
    }

    /// <summary>
    /// One contribution to a thread's priority: its base priority, a priority
    /// inherited through a mutex, or the deadline of a released job. Values are
    /// in the active scheduler's mapped space (Scheduler.MapPriority; for EDF
    /// a deadline is its own value), smaller is more urgent. The owner of the
    /// node (thread, mutex, period, CBS server) allocates it once.
    /// </summary>
    public sealed class PriorityNode : RbNode
    {
        /// <summary>Is the node currently part of some thread's aggregation?</summary>
        public bool IsActive { get { return InTree; } }
        public long Value { get { return Key; } }
    }

    /// <summary>
    /// Per-thread data owned by the active scheduler (RTEMS Scheduler_Node).
    /// Both built-in ready-queue links are embedded so no policy allocates.
    /// </summary>
    public sealed class SchedNode
    {
        /// <summary>Fixed priority: link in the ready chain of Level.</summary>
        public readonly ChainNode Link = new ChainNode();
        /// <summary>EDF: link in the deadline-ordered ready tree.</summary>
        public readonly RbNode TreeLink = new RbNode();
        /// <summary>Ready-chain level while queued (fixed priority).</summary>
        public int Level;
        /// <summary>True while the thread is in its scheduler's ready set.</summary>
        public bool Queued;
        /// <summary>Set by the core before UpdatePriority: requeue before equals (the executing thread keeps the CPU).</summary>
        public bool RequeueAtHead;
        /// <summary>The scheduler instance that owns this node, null when none.</summary>
        public Scheduler Owner;
        /// <summary>Global scheduling (GedfCluster): index in the cluster of the CPU this thread is heir of, -1 when none.</summary>
        public int HeirCpu = -1;
        /// <summary>Global scheduling: the cluster's decision stamp when the thread was last among the M most urgent.</summary>
        public long TopStamp;

        public SchedNode(SchedThread thread)
        {
            Link.Thread = thread;
            TreeLink.Thread = thread;
        }
    }

    /// <summary>
    /// Thread control block of the scheduling core. The kernel's Thread and
    /// the simulator's task derive from it. Everything a scheduling path
    /// touches is allocated here, at creation.
    /// </summary>
    public class SchedThread
    {
        public const int MinPriority = 0;
        public const int MaxPriority = 255;

        public int Id;
        public string Name;

        /// <summary>Not-ready reasons; Ready (0) means in the ready set.</summary>
        public ThreadState State = ThreadState.Dormant;
        /// <summary>True while this is its core's executing (current) thread.</summary>
        public bool IsExecuting;
        /// <summary>Base priority 0..255, 0 most urgent.</summary>
        public int BasePriority;

        /// <summary>The base-priority node, always in Priorities while the thread belongs to a core.</summary>
        public readonly PriorityNode BaseNode = new PriorityNode();
        /// <summary>
        /// Priority aggregation: every active priority node of the thread,
        /// ordered by value. The effective priority is its first node.
        /// </summary>
        public readonly RbTree Priorities = new RbTree();

        /// <summary>CPU time consumed, ns (charged at switch and charge points).</summary>
        public long CpuTimeNs;
        /// <summary>Scheduler data owned by the active scheduler.</summary>
        public readonly SchedNode Node;
        /// <summary>The core this thread belongs to (set by SchedCore.AddThread).</summary>
        public SchedCore Core;
        /// <summary>CBS server attached to this thread, or null.</summary>
        public CbsServer Server;
        /// <summary>Guest core run by this thread (sched/vcore, VcoreScheduler.Attach), or null.</summary>
        public Vcore Vcore;
        /// <summary>Number of times this thread was dispatched.</summary>
        public long DispatchCount;
        /// <summary>Jobs released through SchedCore.ReleaseJob (the trace numbers releases by it).</summary>
        public long JobsReleased;
        /// <summary>The core (CPU) that last dispatched this thread, null before its first dispatch.
        /// Core is the thread's home (its entry points, timers, periods); under a global scheduler
        /// the thread executes on any CPU of the cluster, and LastCore says which.</summary>
        public SchedCore LastCore;
        /// <summary>Dispatches on a CPU other than the one that dispatched it before (global scheduling).</summary>
        public long Migrations;

        /// <summary>
        /// Synchronization (sched/sync): the thread's wait-queue link, timeout
        /// watchdog, held-mutex list and the parameters of its current wait.
        /// A thread waits on at most one object at a time.
        /// </summary>
        public readonly WaitNode Wait;
        /// <summary>Final status of the last blocking sync operation (Blocked while it still waits).</summary>
        public SyncStatus WaitResult;
        /// <summary>The wait queue this thread is in, or null.</summary>
        public WaitQueue WaitingOn { get { return Wait.Queue; } }

        public SchedThread()
        {
            Node = new SchedNode(this);
            Wait = new WaitNode(this);
        }

        public SchedThread(int id, int basePriority)
        {
            Node = new SchedNode(this);
            Wait = new WaitNode(this);
            Id = id;
            BasePriority = Bits.Clamp(basePriority, MinPriority, MaxPriority);
        }

        public SchedThread(int id, int basePriority, string name)
        {
            Node = new SchedNode(this);
            Wait = new WaitNode(this);
            Id = id;
            Name = name;
            BasePriority = Bits.Clamp(basePriority, MinPriority, MaxPriority);
        }

        public bool IsReady { get { return State == ThreadState.Ready; } }
        public bool Has(ThreadState bits) { return (State & bits) != 0; }

        /// <summary>
        /// Most urgent value among the priority nodes (mapped space); the base
        /// node alone when nothing is inherited and no job is released.
        /// </summary>
        public long EffectivePriority
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                RbNode f = Priorities.First;
                return f == null ? BasePriority : f.Key;
            }
        }
    }
}
