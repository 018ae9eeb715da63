using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // A kernel thread: the scheduling core's thread control block plus what
    // the machine needs to run it (its stack and saved stack pointer). All of
    // it is allocated at creation; scheduling paths touch only these fields.
    internal sealed unsafe class Thread : SchedThread
    {
        // The switch handle: the stack pointer saved by Machine.Switch while
        // this thread is not running.
        internal ulong SavedSp;
        internal Stack Stack;                 // null for the boot thread until adopted
        internal delegate*<object, void> Entry;
        internal object Argument;
        internal bool Started, Exited, Joined;
        internal long CreatedAt, ExitedAt;
        internal readonly SleepTimer Sleeper;
        internal Thread Joiner;               // the thread waiting in Join, if any

        internal Thread(int id, string name, int priority) : base(id, priority, name)
        {
            Sleeper = new SleepTimer(this);
        }
    }

    // A thread's sleep/timeout watchdog: on expiry the thread loses its
    // Sleeping reason (and becomes ready when it has no other).
    internal sealed class SleepTimer : Watchdog
    {
        private readonly Thread thread;
        internal SleepTimer(Thread t) { thread = t; }

        public override void Fire(long now)
        {
            thread.Core.UnblockFrom(thread, ThreadState.Sleeping);
        }
    }
}
