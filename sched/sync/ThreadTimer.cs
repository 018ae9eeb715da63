namespace Osprey.Sched
{
    /// <summary>
    /// A thread's timeout watchdog (one per thread, in SchedThread.Wait). It
    /// is armed on the core's TimerQueue for a finite wait or a sleep, and
    /// cancelled when the wait ends otherwise. Firing ends the wait with
    /// Timeout (the thread leaves its queue) or ends the sleep with Successful.
    /// The timer queue fires it only once now &gt;= Expiry: never early.
    /// A wait on a shared object whose waker took the thread out of the queue
    /// on another CPU is not timed out: Queue is null and the handed-off wake
    /// (SyncOps.EndWait) ends it.
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
                // A shared queue: under its guard, and only if no release on
                // another CPU took t out first (then that wake stands).
                q.ExtractGuarded(t, SyncStatus.Timeout);
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
