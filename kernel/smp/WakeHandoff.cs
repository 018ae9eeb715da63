using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.Smp
{
    // Wakes handed to a waiter's own CPU. A shared object's operation on
    // CPU A that ends the wait of a thread of CPU B's core (it took the
    // thread out of the object's queue and stored its final status, under
    // the object's lock) cannot touch B's core: it appends the thread to
    // B's list here and, when the list was empty, sends B a reschedule IPI
    // (Remote.RescheduleVector). B's handler takes the list and, under its
    // own core lock, ends each wait (SyncOps.EndWait: cancel the timer,
    // clear Blocked); its interrupt exit switches if that made a more urgent
    // thread ready. The list is intrusive (Thread.HandoffNext): a thread has
    // at most one wake in flight (it stays blocked until it is handled, so
    // it cannot wait again before), hence the list never fills and a wake
    // never fails or waits for room.
    internal sealed class WakeList
    {
        private SpinLock handoffs;          // guards head, tail and the threads' HandoffNext links
        private Thread head, tail;
        internal long Posted, Handled;

        // Appends t; true when the list was empty (no drain pending: the
        // owner must be interrupted).
        internal bool Push(Thread t)
        {
            ulong f = handoffs.Acquire();
            bool wasEmpty = head == null;
            t.HandoffNext = null;
            if (tail == null) head = t; else tail.HandoffNext = t;
            tail = t;
            Posted++;
            handoffs.Release(f);
            return wasEmpty;
        }

        // Takes the whole list (oldest first through HandoffNext).
        internal Thread TakeAll()
        {
            ulong f = handoffs.Acquire();
            Thread t = head;
            head = tail = null;
            handoffs.Release(f);
            return t;
        }
    }

    internal static class WakeHandoff
    {
        internal static WakeList[] Lists;

        internal static void Initialize(int cpus)
        {
            Lists = new WakeList[cpus];
            for (int i = 0; i < cpus; i++) Lists[i] = new WakeList();
        }

        // KernelPlatform.HandOffWake's path: t (of CPU `cpu`'s core) is
        // woken there.
        internal static void Post(int cpu, Thread t)
        {
            if (Lists[cpu].Push(t))
            {
                string error;
                Machine.SendIpi(Smp.Cpus[cpu].ApicId, Remote.RescheduleVector, out error);
            }
        }

        // This CPU's handed-off wakes, in its reschedule-IPI handler
        // (interrupts off); under the core lock (a cluster's ready-set lock
        // when the CPU is in one).
        internal static void Drain()
        {
            WakeList l = Lists == null ? null : Lists[Machine.CpuIndex];
            if (l == null) return;
            Thread t = l.TakeAll();
            if (t == null) return;
            ulong f = Scheduling.Lock();
            while (t != null)
            {
                Thread next = t.HandoffNext;
                t.HandoffNext = null;
                SyncOps.EndWait(t);
                l.Handled++;
                t = next;
            }
            Scheduling.Unlock(f);
        }
    }
}
