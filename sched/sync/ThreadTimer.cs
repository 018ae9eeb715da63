namespace Osprey.Sched
{
    /// <summary>
    /// A thread's timeout watchdog (one per thread, in SchedThread.Wait). It
    /// is armed on the core's TimerQueue for a finite wait or a sleep, and
    /// cancelled when the wait ends otherwise. Firing ends the wait with
    /// Timeout (the thread leaves its queue) or ends the sleep with Successful.
    /// The timer queue fires it only once now &gt;= Expiry: never early.
    /// </summary>
    public sealed class ThreadTimer : Watchdog
    {
        readonly SchedThread thread;

        public ThreadTimer(SchedThread thread) { this.thread = thread; }

        /// <summary>The thread whose waits this watchdog times.</summary>
        public SchedThread Owner { get { return thread; } }

        public override void Fire(long now)
        {
            SchedThread t = thread;
            WaitQueue q = t.Wait.Queue;
            if (q != null)
            {
                q.Extract(t, SyncStatus.Timeout);
                return;
            }
            if (t.Wait.Sleeping)
            {
                t.Wait.Sleeping = false;
                t.WaitResult = SyncStatus.Successful;
                if (t.Core != null) t.Core.UnblockFrom(t, ThreadState.Sleeping);
            }
        }
    }
}
