namespace Osprey.Sched
{
    /// <summary>
    /// A mutex's wait queue: always in priority order, and every change to it
    /// (a waiter arrives, leaves, or changes priority) recomputes the
    /// priority its owner inherits, which may travel on along the chain.
    /// </summary>
    public sealed class MutexQueue : WaitQueue
    {
        readonly Mutex mutex;

        public MutexQueue(SchedCore core, Mutex m) : base(core, WaitDiscipline.Priority)
        {
            mutex = m;
        }

        public Mutex Mutex { get { return mutex; } }

        public override SchedThread Holder { get { return mutex.Owner; } }

        protected override SchedThread Reposition(SchedThread t)
        {
            Resort(t);
            return mutex.Reinherit();
        }

        protected override void Removed(SchedThread t, SyncStatus status)
        {
            mutex.UpdateInheritance();
        }
    }
}
