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
        internal WaitQueue Joiners;           // threads waiting in Join (on the thread's core; remade by Threads.SetCpu)
        internal Thread LiveNext, LivePrev;   // Scheduling's list of started, not exited threads
        internal Smp.GlobalMutex HeldGlobal;  // the global mutex it spins on or holds (at most one; Smp.GlobalMutex)
        internal PerCpu LiveCpu;              // whose list holds it (the CPU that started it)
        // Set by the CPU switching away from this thread until that CPU no
        // longer runs on its stack (global scheduling: another CPU may pick
        // it meanwhile and must wait; Join waits before freeing the stack).
        internal volatile bool SwitchingOut;
        // Its link in a CPU's list of handed-off wakes (Smp.WakeHandoff; at most one in flight).
        internal Thread HandoffNext;

        internal Thread(int id, string name, int priority, SchedCore core) : base(id, priority, name)
        {
            Joiners = core == null ? null : new WaitQueue(core, WaitDiscipline.Priority);
        }
    }
}
