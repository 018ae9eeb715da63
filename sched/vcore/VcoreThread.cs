using Osprey.Sched.Workload;

namespace Osprey.Sched
{
    /// <summary>
    /// A thread that runs a guest core on a simulated platform (the host
    /// simulator, the tests): the kernel's vcore thread body as a state
    /// machine. The kernel runs its own thread objects with the loop in
    /// sched/README.md ("Guest cores", kernel integration); this class does
    /// the same thing in discrete time:
    ///  - Act(): called while the thread is the executing, ready thread at a
    ///    decision point; calls Step when the previous step's execution is
    ///    done or a virtual interrupt is pending (true: the thread halted or
    ///    ended, so the schedule changed);
    ///  - RunFor: CPU ns the thread executes until it must Act again (unless
    ///    an interrupt becomes pending first);
    ///  - Consume(dt): it executed dt ns.
    /// </summary>
    public sealed class VcoreThread : SchedThread
    {
        /// <summary>The core this thread runs (kept after removal, unlike SchedThread.Vcore).</summary>
        public readonly Vcore Guest;
        long spinLeft;
        long ran;
        bool needStep = true;
        public bool Ended;

        public VcoreThread(int id, Vcore v) : base(id, SchedThread.MaxPriority, v.Name)
        {
            Guest = v;
        }

        public long RunFor { get { return spinLeft; } }

        public bool Act()
        {
            if (Ended) return false;
            if (!needStep && spinLeft > 0 && !Guest.InterruptPending) return false;
            long r = ran;
            ran = 0;
            long n = Guest.Step(r);
            if (n == Vcore.Detached)
            {
                Ended = true;
                spinLeft = 0;
                if (Core != null) Core.Stop(this);
                return true;
            }
            if (n == Vcore.Halted)
            {
                spinLeft = 0;
                needStep = true;
                return true;
            }
            spinLeft = n;
            needStep = false;
            return false;
        }

        public void Consume(long dt)
        {
            if (dt <= 0) return;
            ran += dt;
            spinLeft -= dt;
            if (spinLeft <= 0)
            {
                spinLeft = 0;
                needStep = true;
            }
        }
    }

    /// <summary>Guest cores from a parsed workload file (GuestSpec/VcoreSpec).</summary>
    public static class GuestFactory
    {
        /// <summary>
        /// The program of vcore 'index' of guest g: a hog, an idle guest or a
        /// runaway on every core; a periodic guest runs its task set on its
        /// first core and is idle on the others.
        /// </summary>
        public static GuestProgram CreateProgram(GuestSpec g, int index, ulong seed, int guestIndex)
        {
            if (g.Workload == GuestKind.Hog) return new HogProgram();
            if (g.Workload == GuestKind.Runaway) return new RunawayProgram();
            if (g.Workload == GuestKind.Stops) return new StoppedProgram();
            if (g.Workload == GuestKind.Periodic && index == 0)
                return new PeriodicGuestProgram(g.Tasks, WorkloadSpec.SchedulerName(g.Scheduler), seed, guestIndex);
            return new IdleProgram();
        }

        /// <summary>Vcore 'index' of guest g with its program (not admitted yet: VcoreScheduler.Attach does that).</summary>
        public static Vcore Create(GuestSpec g, int index, ulong seed, int guestIndex)
        {
            VcoreSpec c = g.Vcores[index];
            Vcore v = new Vcore(g.Name, c.VcpuId, c.Period, c.Slice, c.ExtraTime, g.DilationNum, g.DilationDen,
                CreateProgram(g, index, seed, guestIndex));
            v.Cpu = c.Cpu;
            v.Line = c.Line;
            return v;
        }
    }
}
