namespace Osprey.Kernel.Smp
{
    // Requests other CPUs make of one CPU (Remote): a fixed ring of (kind,
    // object) entries under a spin lock, preallocated when the CPUs start,
    // so posting allocates nothing and works from interrupt handlers. The
    // owning CPU drains it in its reschedule-IPI handler; the scheduling
    // core it touches is its own, so cores stay single-CPU objects.
    internal sealed class RemoteQueue
    {
        internal const int Capacity = 256;
        private SpinLock guard;             // guards kinds, items, head, count (a field, never copied)
        private readonly int[] kinds = new int[Capacity];
        private readonly object[] items = new object[Capacity];
        private int head, count;
        internal long Posted, Handled, Full;

        internal long Contended { get { return guard.Contended; } }

        // False when full. wasEmpty: nothing was queued before this entry,
        // so no drain is pending and the owner must be interrupted; an entry
        // queued behind others is taken by the drain those started (it pops
        // until the ring is empty).
        internal bool Push(int kind, object item, out bool wasEmpty)
        {
            ulong f = guard.Acquire();
            wasEmpty = count == 0;
            if (count == Capacity) { Full++; guard.Release(f); return false; }
            int tail = (head + count) % Capacity;
            kinds[tail] = kind;
            items[tail] = item;
            count++;
            Posted++;
            guard.Release(f);
            return true;
        }

        // The oldest request (kind 0: none left).
        internal int Pop(out object item)
        {
            ulong f = guard.Acquire();
            if (count == 0) { guard.Release(f); item = null; return 0; }
            int kind = kinds[head];
            item = items[head];
            items[head] = null;
            head = (head + 1) % Capacity;
            count--;
            Handled++;
            guard.Release(f);
            return kind;
        }
    }
}
