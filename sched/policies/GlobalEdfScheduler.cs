namespace Osprey.Sched
{
    /// <summary>
    /// Table entry "gedf": one CPU's view of a global-EDF cluster
    /// (GedfCluster). Every core of the cluster has its own instance; all of
    /// them share the cluster's ready set. A core built alone (SchedCore.Create
    /// with "gedf") is a cluster of one CPU, which decides exactly as EDF;
    /// GedfCluster.Join binds M such cores into one cluster.
    /// Priority values are EDF's (a deadline, or BackgroundBase + priority).
    /// A thread's home core (SchedThread.Core: its entry points, timers and
    /// periods) is any core of the cluster; it executes on whichever CPU the
    /// cluster gives it (SchedThread.LastCore).
    /// </summary>
    public sealed class GlobalEdfScheduler : Scheduler
    {
        GedfCluster cluster;
        int index;

        public GlobalEdfScheduler() { Name = "gedf"; }

        public override Scheduler CreateInstance() { return new GlobalEdfScheduler(); }

        /// <summary>Deadlines, as EDF (a cluster of one CPU decides exactly as EDF).</summary>
        public override TaskModel Model { get { return TaskModel.Deadline; } }

        public GedfCluster Cluster { get { return cluster; } }
        /// <summary>This CPU's index in its cluster.</summary>
        public int Index { get { return index; } }

        public override void Initialize(SchedCore core)
        {
            base.Initialize(core);
            cluster = GedfCluster.Single(core);
            index = 0;
        }

        // A core of a cluster of several CPUs is entered from each of them
        // (SchedCore.SharedByCpus: its trace events go to the calling CPU's ring).
        internal void Bind(GedfCluster c, int k) { cluster = c; index = k; Core.SharedByCpus = c.CpuCount > 1; }

        public override long MapPriority(int priority) { return EdfScheduler.BackgroundBase + priority; }

        public override int UnmapPriority(long value)
        {
            if (value < EdfScheduler.BackgroundBase) return 0;
            long p = value - EdfScheduler.BackgroundBase;
            return p > SchedThread.MaxPriority ? SchedThread.MaxPriority : (int)p;
        }

        public override int ReadyCount { get { return cluster.ReadyCount; } }

        /// <summary>This CPU's heir as the cluster chose it (null: idle).</summary>
        public override SchedThread Highest() { return cluster.HeirOf(index); }

        public override void Schedule(SchedThread t) { cluster.Schedule(); }

        public override void Unblock(SchedThread t)
        {
            if (!t.Node.Queued) cluster.Enqueue(t, false);
            cluster.Schedule();
        }

        public override void Block(SchedThread t)
        {
            if (t.Node.Queued) cluster.Dequeue(t);
            cluster.Schedule();
        }

        public override void Yield(SchedThread t)
        {
            if (t.Node.Queued) cluster.Requeue(t, false);
            cluster.Schedule();
        }

        public override void UpdatePriority(SchedThread t)
        {
            if (t.Node.Queued) cluster.Requeue(t, t.Node.RequeueAtHead);
            cluster.Schedule();
        }

        public override void NodeInitialize(SchedThread t)
        {
            base.NodeInitialize(t);
            t.Node.HeirCpu = -1;
        }

        public override void NodeDestroy(SchedThread t)
        {
            if (t.Node.Queued) cluster.Dequeue(t);
            base.NodeDestroy(t);
        }

        /// <summary>As EDF: the node carries the job's absolute deadline (through the thread's home core).</summary>
        public override void ReleaseJob(SchedThread t, PriorityNode node, long absoluteDeadline)
        {
            if (absoluteDeadline > EdfScheduler.MaxDeadline) absoluteDeadline = EdfScheduler.MaxDeadline;
            if (absoluteDeadline < 0) absoluteDeadline = 0;
            t.Core.SetPriorityNode(t, node, absoluteDeadline);
        }

        public override void CancelJob(SchedThread t, PriorityNode node) { t.Core.RemovePriority(t, node); }

        public override string CheckInvariants() { return cluster.Check(); }
    }
}
