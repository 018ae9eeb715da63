using System.Runtime.CompilerServices;

namespace Osprey.Sched
{
    /// <summary>
    /// Fixed-priority preemptive scheduling: 256 levels (0 most urgent), one
    /// FIFO chain per level and a two-level bitmap, so the most urgent ready
    /// thread is found in O(1).
    /// Invariants: bitmap bit L is set exactly when chain L is non-empty;
    /// every node on chain L has Level == L and Queued; a ready executing
    /// thread is at the head of its level unless a strictly more urgent
    /// thread is ready (new arrivals append; only the executing thread is
    /// ever requeued at the head), which is why an equal never preempts.
    /// </summary>
    public sealed class PriorityScheduler : ReadyQueueScheduler
    {
        readonly Chain[] ready = new Chain[PriorityBitmap.Levels];
        readonly PriorityBitmap bitmap = new PriorityBitmap();
        int readyCount;

        public PriorityScheduler()
        {
            Name = "priority";
            for (int i = 0; i < ready.Length; i++) ready[i] = new Chain();
        }

        public override Scheduler CreateInstance() { return new PriorityScheduler(); }

        public PriorityBitmap Bitmap { get { return bitmap; } }
        public Chain ReadyChain(int level) { return ready[level]; }
        public override int ReadyCount { get { return readyCount; } }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static int LevelOf(long value)
        {
            if (value < 0) return 0;
            if (value > SchedThread.MaxPriority) return SchedThread.MaxPriority;
            return (int)value;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        protected override void Enqueue(SchedThread t, bool atHead)
        {
            SchedNode n = t.Node;
            int level = LevelOf(t.EffectivePriority);
            n.Level = level;
            if (atHead) ready[level].Prepend(n.Link);
            else ready[level].Append(n.Link);
            bitmap.Set(level);
            n.Queued = true;
            readyCount++;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        protected override void Dequeue(SchedThread t)
        {
            SchedNode n = t.Node;
            Chain c = ready[n.Level];
            c.Remove(n.Link);
            if (c.IsEmpty) bitmap.Clear(n.Level);
            n.Queued = false;
            readyCount--;
        }

        public override SchedThread Highest()
        {
            int level = bitmap.Lowest();
            if (level < 0) return null;
            return ready[level].First.Thread;
        }

        // The transitions of ReadyQueueScheduler again, in this sealed class:
        // Enqueue, Dequeue and Schedule are then direct (inlinable) calls on
        // the hot path instead of virtual ones.

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public override void Schedule(SchedThread t)
        {
            int level = bitmap.Lowest();
            Core.SetHeir(level < 0 ? null : ready[level].First.Thread);
        }

        /// <summary>
        /// The heir is the most urgent ready thread (every change of the ready
        /// set or of a ready thread's priority ends in Schedule), so a thread
        /// that becomes ready is the new heir exactly when it is strictly more
        /// urgent than the heir (or the heir is idle): no bitmap look-up.
        /// </summary>
        public override void Unblock(SchedThread t)
        {
            if (t.Node.Queued) { Schedule(t); return; }
            Enqueue(t, false);
            SchedThread h = Core.Heir;
            if (h == Core.Idle || t.Node.Level < h.Node.Level) Core.SetHeir(t);
            else if (!h.Node.Queued) Schedule(t); // not reached while the invariant holds
        }

        public override void Block(SchedThread t)
        {
            if (t.Node.Queued) Dequeue(t);
            Schedule(t);
        }

        public override string CheckInvariants()
        {
            string e = bitmap.Check();
            if (e != null) return e;
            int total = 0;
            for (int l = 0; l < ready.Length; l++)
            {
                Chain c = ready[l];
                e = c.Check();
                if (e != null) return "level " + l + ": " + e;
                if (bitmap.IsSet(l) != !c.IsEmpty) return "bitmap bit " + l + " disagrees with its chain";
                for (ChainNode n = c.First; n != null; n = c.NextOf(n))
                {
                    SchedThread t = n.Thread;
                    if (t.Node.Level != l) return "thread " + t.Id + " on level " + l + " records level " + t.Node.Level;
                    if (!t.Node.Queued) return "thread " + t.Id + " on a chain but not Queued";
                    if (t.State != ThreadState.Ready) return "thread " + t.Id + " queued but not ready";
                    if (LevelOf(t.EffectivePriority) != l) return "thread " + t.Id + " on level " + l + " with effective priority " + t.EffectivePriority;
                    total++;
                }
            }
            if (total != readyCount) return "ready count " + readyCount + " but " + total + " queued";
            return null;
        }
    }
}
