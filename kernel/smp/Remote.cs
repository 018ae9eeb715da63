using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.Smp
{
    // A setup-time call made on another CPU (Remote.SpawnOn, NewSemaphoreOn):
    // the caller fills it, posts it and spins until the target CPU, in its
    // reschedule-IPI handler, has run it. The caller spins without
    // allocating, so the heap and the frame allocator have one user at a
    // time while the target allocates.
    internal sealed unsafe class RemoteCall
    {
        internal const int SpawnThread = 1, NewSemaphore = 2, AdoptThread = 3, StartThread = 4, Function = 5;
        internal int What;
        internal string Name;
        internal delegate*<object, void> Entry;      // SpawnThread's body; Function's function
        internal object Argument;
        internal int Priority, Initial, Max;
        internal Thread Thread;
        internal Semaphore Semaphore;
        internal bool Succeeded;
        internal volatile bool Done;

        // On the target CPU, in its handler (interrupts off).
        internal void Run()
        {
            if (What == SpawnThread)
            {
                Thread t;
                if (Threads.Create(Name, Entry, Argument, Priority, 0, out t) == ThreadStatus.Successful && Threads.Start(t) == ThreadStatus.Successful) Thread = t;
            }
            else if (What == NewSemaphore)
            {
                SyncStatus s;
                Semaphore = Semaphore.Create(Scheduling.Core, Initial, Max, WaitDiscipline.Priority, out s);
                if (Semaphore != null) Semaphore.Share(new ObjectLock());
            }
            else if (What == AdoptThread)
            {
                // Threads.SetCpu removed it from its old core; its joiners
                // will block on this core.
                Scheduling.Core.AddThread(Thread);
                Thread.Joiners = new WaitQueue(Scheduling.Core, WaitDiscipline.Priority);
            }
            else if (What == StartThread)
            {
                Succeeded = Threads.Start(Thread) == ThreadStatus.Successful;
            }
            else if (What == Function)
            {
                Entry(Argument);
            }
            Done = true;
        }
    }

    // Work for another CPU's scheduling core goes to that CPU: the request
    // is queued on its RemoteQueue and a reschedule IPI (RescheduleVector)
    // makes it run the request on its own core, from its interrupt handler;
    // the interrupt's exit switches if the request made a more urgent thread
    // ready. A semaphore belongs to the core (CPU) it was made on: a release
    // from another CPU is such a request, so a thread blocked on it wakes on
    // its own CPU, decided by its own core.
    internal static unsafe class Remote
    {
        internal const int RescheduleVector = 0xEC;
        private const int KindRelease = 1, KindCall = 2;
        private const long CallTimeoutNs = 1000000000;

        internal static RemoteQueue[] Queues;

        internal static void Initialize(int cpus)
        {
            Queues = new RemoteQueue[cpus];
            for (int i = 0; i < cpus; i++) Queues[i] = new RemoteQueue();
            Machine.RegisterHandler(RescheduleVector, new RescheduleHandler());
        }

        // The CPU whose core is `core`, or -1 (not a running CPU's core: an
        // object of a core the self-test runner retired).
        internal static int CpuOf(SchedCore core)
        {
            for (int i = 0; i < PerCpu.Count; i++) if (Smp.Online(i) && PerCpu.Of(i).Core == core) return i;
            return -1;
        }

        // Blocking.Release's path for a semaphore of another CPU: queued
        // there; Successful once queued (the release itself, and a count
        // already at its maximum, are that CPU's), TooMany when its queue is
        // full (RemoteQueue.Capacity requests not yet handled).
        internal static SyncStatus Release(Semaphore s, int cpu)
        {
            return Post(cpu, KindRelease, s) ? SyncStatus.Successful : SyncStatus.TooMany;
        }

        // A thread made and started on CPU `cpu`'s core (null: the CPU does
        // not run, or its core refused). Setup time: thread context only.
        internal static Thread SpawnOn(int cpu, string name, delegate*<object, void> entry, object argument, int priority)
        {
            if (cpu == Machine.CpuIndex) return Threads.Spawn(name, entry, argument, priority);
            RemoteCall c = new RemoteCall();
            c.What = RemoteCall.SpawnThread;
            c.Name = name;
            c.Entry = entry;
            c.Argument = argument;
            c.Priority = priority;
            return Call(cpu, c) ? c.Thread : null;
        }

        // Threads.SetCpu's second half: CPU `cpu` adds t to its core.
        internal static bool Adopt(Thread t, int cpu)
        {
            RemoteCall c = new RemoteCall();
            c.What = RemoteCall.AdoptThread;
            c.Thread = t;
            return Call(cpu, c);
        }

        // Threads.Start of a thread of another CPU's core: started there.
        internal static bool StartThread(Thread t)
        {
            int cpu = CpuOf(t.Core);
            if (cpu < 0) return false;
            RemoteCall c = new RemoteCall();
            c.What = RemoteCall.StartThread;
            c.Thread = t;
            return Call(cpu, c) && c.Succeeded;
        }

        // Runs fn(argument) on CPU `cpu` with interrupts off: there, in its
        // reschedule-IPI handler (its core's operations are that CPU's
        // alone); here, when cpu is the calling CPU. The caller waits for
        // it. False when the CPU does not run or did not answer within 1 s.
        // Thread context only; fn must not block.
        internal static bool RunOn(int cpu, delegate*<object, void> fn, object argument)
        {
            if (cpu == Machine.CpuIndex)
            {
                ulong f = Machine.DisableInterrupts();
                fn(argument);
                Scheduling.Preempt();
                Machine.RestoreInterrupts(f);
                return true;
            }
            RemoteCall c = new RemoteCall();
            c.What = RemoteCall.Function;
            c.Entry = fn;
            c.Argument = argument;
            return Call(cpu, c);
        }

        // A priority-ordered semaphore belonging to CPU `cpu`'s core.
        internal static Semaphore NewSemaphoreOn(int cpu, int initial, int max)
        {
            if (cpu == Machine.CpuIndex) return Blocking.NewSemaphore(initial, max, WaitDiscipline.Priority);
            RemoteCall c = new RemoteCall();
            c.What = RemoteCall.NewSemaphore;
            c.Initial = initial;
            c.Max = max;
            return Call(cpu, c) ? c.Semaphore : null;
        }

        private static bool Call(int cpu, RemoteCall c)
        {
            if (!Smp.Online(cpu)) return false;
            long start = Machine.Now();
            while (!Post(cpu, KindCall, c))
            {
                if (Machine.Now() - start > CallTimeoutNs) return false;
                Machine.SpinWaitHint();
            }
            while (!c.Done && Machine.Now() - start < CallTimeoutNs) Machine.SpinWaitHint();
            return c.Done;
        }

        // Never waits: a full queue is the caller's to handle (a release
        // then returns TooMany), so a release stays bounded in time.
        private static bool Post(int cpu, int kind, object item)
        {
            bool wasEmpty;
            if (!Queues[cpu].Push(kind, item, out wasEmpty)) return false;
            string error;
            if (wasEmpty) Machine.SendIpi(Smp.Cpus[cpu].ApicId, RescheduleVector, out error);
            return true;
        }

        // This CPU's requests, oldest first.
        internal static void Drain()
        {
            RemoteQueue q = Queues[Machine.CpuIndex];
            object item;
            int kind;
            while ((kind = q.Pop(out item)) != 0)
            {
                if (kind == KindRelease) Blocking.Release((Semaphore)item);
                else if (kind == KindCall) ((RemoteCall)item).Run();
            }
        }
    }

    internal sealed unsafe class RescheduleHandler : Arch.InterruptHandler
    {
        internal override void Handle(Arch.InterruptFrame* frame)
        {
            Machine.EndOfInterrupt();
            // A timer of this CPU's queue armed from another CPU (global scheduling).
            PerCpu cpu = PerCpu.Current;
            if (cpu.Platform != null && cpu.Platform.RearmPending)
            {
                ulong f = Scheduling.Lock();
                cpu.Platform.RearmIfAsked();
                Scheduling.Unlock(f);
            }
            cpu.RescheduleIpis++;
            WakeHandoff.Drain();
            Remote.Drain();
        }
    }
}
