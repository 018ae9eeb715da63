namespace Osprey.Sched
{
    /// <summary>
    /// Earliest deadline first. The ready set is a red-black tree keyed by the
    /// thread's effective priority value:
    ///  - a thread with a released job has its absolute deadline (ns) as value;
    ///  - a background thread (no job) has BackgroundBase + base priority, so
    ///    it sorts after every deadline and keeps fixed-priority order among
    ///    background threads (RTEMS sets the key's top bit to the same end).
    /// Equal keys are FIFO through the tree's insertion stamps; the executing
    /// thread is requeued before its equals, so an equal deadline never
    /// preempts. Deadlines are clamped below BackgroundBase (2^62 ns is 146
    /// years of uptime).
    /// </summary>
    public class EdfScheduler : ReadyQueueScheduler
    {
        public override TaskModel Model { get { return TaskModel.Deadline; } }

        public const long BackgroundBase = 1L << 62;
        public const long MaxDeadline = BackgroundBase - 1;

        protected readonly RbTree ready = new RbTree();

        public EdfScheduler()
        {
            Name = "edf";
        }

        public override Scheduler CreateInstance() { return new EdfScheduler(); }

        public RbTree ReadyTree { get { return ready; } }
        public override int ReadyCount { get { return ready.Count; } }

        public override long MapPriority(int priority) { return BackgroundBase + priority; }

        public override int UnmapPriority(long value)
        {
            if (value < BackgroundBase) return 0;
            long p = value - BackgroundBase;
            return p > SchedThread.MaxPriority ? SchedThread.MaxPriority : (int)p;
        }

        /// <summary>Is value a deadline (as opposed to a background priority)?</summary>
        public static bool IsDeadline(long value) { return value < BackgroundBase; }

        protected override void Enqueue(SchedThread t, bool atHead)
        {
            SchedNode n = t.Node;
            if (atHead) ready.InsertFirst(n.TreeLink, t.EffectivePriority);
            else ready.Insert(n.TreeLink, t.EffectivePriority);
            n.Queued = true;
        }

        protected override void Dequeue(SchedThread t)
        {
            ready.Remove(t.Node.TreeLink);
            t.Node.Queued = false;
        }

        public override SchedThread Highest()
        {
            RbNode f = ready.First;
            return f == null ? null : f.Thread;
        }

        /// <summary>The heir is the first node of the tree (no virtual Highest call on the hot path).</summary>
        public override void Schedule(SchedThread t)
        {
            RbNode f = ready.First;
            Core.SetHeir(f == null ? null : f.Thread);
        }

        /// <summary>
        /// Re-sort (priority change, or Yield: behind every thread with the same
        /// key, i.e. same deadline or same background priority): in place when
        /// the key keeps the node between its neighbours, else remove + insert.
        /// </summary>
        protected override void Requeue(SchedThread t, bool atHead)
        {
            ready.Rekey(t.Node.TreeLink, t.EffectivePriority, atHead);
        }

        /// <summary>node now carries the job's absolute deadline; the thread is re-sorted.</summary>
        public override void ReleaseJob(SchedThread t, PriorityNode node, long absoluteDeadline)
        {
            if (absoluteDeadline > MaxDeadline) absoluteDeadline = MaxDeadline;
            if (absoluteDeadline < 0) absoluteDeadline = 0;
            Core.SetPriorityNode(t, node, absoluteDeadline);
        }

        /// <summary>Drop the job's deadline: the thread returns to background (unless other nodes keep it urgent).</summary>
        public override void CancelJob(SchedThread t, PriorityNode node)
        {
            Core.RemovePriority(t, node);
        }

        public override string CheckInvariants()
        {
            string e = ready.Check();
            if (e != null) return e;
            for (RbNode n = ready.First; n != null; n = RbTree.Next(n))
            {
                SchedThread t = n.Thread;
                if (t == null) return "ready tree node without thread";
                if (t.Node.TreeLink != n) return "foreign node in ready tree";
                if (!t.Node.Queued) return "thread " + t.Id + " in tree but not Queued";
                if (t.State != ThreadState.Ready) return "thread " + t.Id + " queued but not ready";
                if (n.Key != t.EffectivePriority) return "thread " + t.Id + " keyed " + n.Key + " but effective " + t.EffectivePriority;
            }
            return null;
        }
    }
}
