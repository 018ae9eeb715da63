namespace Osprey.Sched
{
    /// <summary>A mutex's link in its owner's held list (WaitNode.Held), allocated with the mutex.</summary>
    public sealed class MutexLink : ChainNode
    {
        public readonly Mutex Mutex;
        public MutexLink(Mutex m) { Mutex = m; }
    }
}
