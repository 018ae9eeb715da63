namespace Osprey.Sched
{
    /// <summary>
    /// Base of the policies that keep the ready set as a queue of their own
    /// (fixed priority: chains per level; EDF: a deadline tree). It turns the
    /// core's transitions into queue operations, so a policy supplies only
    /// Enqueue, Dequeue and Highest (and, if it can move a node cheaper than
    /// Dequeue + Enqueue, Requeue):
    ///  - Unblock: queue the thread behind its equals, then Schedule;
    ///  - Block: take it out, then Schedule;
    ///  - Yield: requeue it behind its equals;
    ///  - UpdatePriority: requeue it at its new priority, in front of its new
    ///    equals when the core asks (Node.RequeueAtHead: the executing thread
    ///    keeps the CPU), else behind them;
    ///  - NodeDestroy: take it out.
    /// SchedNode.Queued says whether the thread is in the ready set; Enqueue
    /// and Dequeue maintain it.
    /// </summary>
    public abstract class ReadyQueueScheduler : Scheduler
    {
        /// <summary>Add t to the ready set at its effective priority, in front of its equals when atHead, else behind them.</summary>
        protected abstract void Enqueue(SchedThread t, bool atHead);

        /// <summary>Remove a queued t from the ready set.</summary>
        protected abstract void Dequeue(SchedThread t);

        /// <summary>Move a queued t to where its effective priority puts it (as Dequeue then Enqueue).</summary>
        protected virtual void Requeue(SchedThread t, bool atHead)
        {
            Dequeue(t);
            Enqueue(t, atHead);
        }

        public override void Unblock(SchedThread t)
        {
            if (!t.Node.Queued) Enqueue(t, false);
            Schedule(t);
        }

        public override void Block(SchedThread t)
        {
            if (t.Node.Queued) Dequeue(t);
            Schedule(t);
        }

        /// <summary>Go behind every thread with the same priority value.</summary>
        public override void Yield(SchedThread t)
        {
            if (t.Node.Queued) Requeue(t, false);
            Schedule(t);
        }

        public override void UpdatePriority(SchedThread t)
        {
            if (t.Node.Queued) Requeue(t, t.Node.RequeueAtHead);
            Schedule(t);
        }

        public override void NodeDestroy(SchedThread t)
        {
            if (t.Node.Queued) Dequeue(t);
            base.NodeDestroy(t);
        }
    }
}
