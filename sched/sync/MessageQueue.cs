namespace Osprey.Sched
{
    /// <summary>
    /// Fixed-size messages in a ring preallocated at creation (Capacity slots
    /// of MessageSize bytes, one length per slot). Senders wait while the
    /// ring is full, receivers while it is empty; each side has its own FIFO
    /// or priority wait queue.
    ///
    /// Invariants (CheckInvariants):
    ///  - 0 &lt;= Count &lt;= Capacity, every stored length in 0..MessageSize;
    ///  - receivers wait only while Count == 0 (a send with a receiver waiting
    ///    copies straight into that receiver's buffer);
    ///  - senders wait only while Count == Capacity (a receive admits the first
    ///    waiting sender's message into the slot it freed);
    ///  - so receivers and senders never wait at the same time;
    ///  - deleted =&gt; empty, nobody waits.
    /// A waiting sender's message stays in its own buffer until admitted; a
    /// waiting receiver's buffer is written when a message arrives (the
    /// length is then in receiver.Wait.Length).
    /// Shared (Share): threads of every core may use it; its guard is held
    /// around each operation, so a message is copied exactly once, by the
    /// CPU that moves it (sched/README.md "Synchronization across cores").
    /// </summary>
    public sealed class MessageQueue
    {
        readonly SchedCore core;
        readonly WaitQueue senders;
        readonly WaitQueue receivers;
        readonly byte[] ring;
        readonly int[] lengths;
        readonly int size;
        readonly int capacity;
        int head;
        int count;
        bool deleted;
        SyncGuard guard;

        public int Id;

        MessageQueue(SchedCore core, int messageSize, int capacity, WaitDiscipline discipline)
        {
            this.core = core;
            size = messageSize;
            this.capacity = capacity;
            ring = new byte[messageSize * capacity];
            lengths = new int[capacity];
            senders = new WaitQueue(core, discipline);
            receivers = new WaitQueue(core, discipline);
        }

        /// <summary>
        /// A queue of capacity messages of at most messageSize bytes; null and
        /// InvalidArgument when core is null, either is &lt; 1, or the ring would
        /// exceed 2^31 - 1 bytes.
        /// </summary>
        public static MessageQueue Create(SchedCore core, int messageSize, int capacity, WaitDiscipline discipline, out SyncStatus status)
        {
            if (core == null || messageSize < 1 || capacity < 1 || capacity > int.MaxValue / messageSize)
            {
                status = SyncStatus.InvalidArgument;
                return null;
            }
            status = SyncStatus.Successful;
            return new MessageQueue(core, messageSize, capacity, discipline);
        }

        public int Count { get { return count; } }
        public int Capacity { get { return capacity; } }
        public int MessageSize { get { return size; } }
        public bool IsDeleted { get { return deleted; } }
        public WaitQueue Senders { get { return senders; } }
        public WaitQueue Receivers { get { return receivers; } }
        /// <summary>The lock of a shared queue, or null (one core's).</summary>
        public SyncGuard Guard { get { return guard; } }

        /// <summary>
        /// Make the queue usable by threads of every core: g guards its ring
        /// and both wait queues from now on. Setup time, before any thread
        /// waits: InvalidArgument otherwise (g null, shared already, waiters).
        /// </summary>
        public SyncStatus Share(SyncGuard g)
        {
            if (g == null || guard != null || senders.Count != 0 || receivers.Count != 0) return SyncStatus.InvalidArgument;
            senders.Share(g);
            receivers.Share(g);
            guard = g;
            return SyncStatus.Successful;
        }

        /// <summary>
        /// Append a message of length bytes from message. Successful (copied to
        /// a waiting receiver or stored); Unsatisfied (NoWait, full); Blocked
        /// (final: Successful once admitted, Timeout, Deleted); InvalidSize
        /// (length &gt; MessageSize); InvalidArgument (null, length outside the
        /// array, negative timeout); CalledFromInterrupt; InvalidCaller; Deleted.
        /// </summary>
        public SyncStatus Send(SchedThread caller, byte[] message, int length, long timeout)
        {
            return Put(caller, message, length, timeout, false);
        }

        /// <summary>Send to the front of the queue (received before every stored message).</summary>
        public SyncStatus SendUrgent(SchedThread caller, byte[] message, int length, long timeout)
        {
            return Put(caller, message, length, timeout, true);
        }

        SyncStatus Put(SchedThread caller, byte[] message, int length, long timeout, bool urgent)
        {
            SyncGuard g = guard;
            if (g == null) return PutLocked(caller, message, length, timeout, urgent);
            ulong f = g.Enter();
            SyncStatus s = PutLocked(caller, message, length, timeout, urgent);
            g.Exit(f);
            return s;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        SyncStatus PutLocked(SchedThread caller, byte[] message, int length, long timeout, bool urgent)
        {
            if (deleted) return SyncStatus.Deleted;
            if (message == null || length < 0 || length > message.Length) return SyncStatus.InvalidArgument;
            if (length > size) return SyncStatus.InvalidSize;
            SchedCore home;
            SyncStatus st = SyncOps.CheckWait(core, guard, caller, timeout, out home);
            if (st != SyncStatus.Successful) return st;
            SchedThread r = receivers.First;
            if (r != null)
            {
                // Only possible while empty: the message goes straight to the receiver.
                WaitNode rw = r.Wait;
                Copy(message, 0, rw.Buffer, 0, length);
                rw.Length = length;
                rw.Buffer = null;
                receivers.Extract(r, SyncStatus.Successful);
                return SyncStatus.Successful;
            }
            if (count < capacity)
            {
                Store(message, length, urgent);
                return SyncStatus.Successful;
            }
            if (timeout == Timeout.NoWait) return SyncStatus.Unsatisfied;
            st = SyncOps.CheckCaller(home, caller);
            if (st != SyncStatus.Successful) return st;
            WaitNode w = caller.Wait;
            w.Buffer = message;
            w.Length = length;
            w.Urgent = urgent;
            senders.Insert(caller, timeout);
            return SyncStatus.Blocked;
        }

        /// <summary>
        /// Take the first message into buffer (at least MessageSize bytes).
        /// Successful with its length; Unsatisfied (NoWait, empty); Blocked
        /// (final: Successful with the message in buffer and its length in
        /// caller.Wait.Length, Timeout, Deleted); InvalidSize (buffer too
        /// short); InvalidArgument; CalledFromInterrupt; InvalidCaller;
        /// Deleted. length is 0 unless Successful.
        /// </summary>
        public SyncStatus Receive(SchedThread caller, byte[] buffer, long timeout, out int length)
        {
            SyncGuard g = guard;
            if (g == null) return ReceiveLocked(caller, buffer, timeout, out length);
            ulong f = g.Enter();
            SyncStatus s = ReceiveLocked(caller, buffer, timeout, out length);
            g.Exit(f);
            return s;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        SyncStatus ReceiveLocked(SchedThread caller, byte[] buffer, long timeout, out int length)
        {
            length = 0;
            if (deleted) return SyncStatus.Deleted;
            if (buffer == null) return SyncStatus.InvalidArgument;
            if (buffer.Length < size) return SyncStatus.InvalidSize;
            SchedCore home;
            SyncStatus st = SyncOps.CheckWait(core, guard, caller, timeout, out home);
            if (st != SyncStatus.Successful) return st;
            if (count > 0)
            {
                length = lengths[head];
                Copy(ring, head * size, buffer, 0, length);
                head = head + 1 == capacity ? 0 : head + 1;
                count--;
                AdmitSenders();
                return SyncStatus.Successful;
            }
            if (timeout == Timeout.NoWait) return SyncStatus.Unsatisfied;
            st = SyncOps.CheckCaller(home, caller);
            if (st != SyncStatus.Successful) return st;
            WaitNode w = caller.Wait;
            w.Buffer = buffer;
            w.Length = 0;
            receivers.Insert(caller, timeout);
            return SyncStatus.Blocked;
        }

        /// <summary>Discard every stored message (how many in discarded), then admit waiting senders. Allowed in interrupts.</summary>
        public SyncStatus Flush(out int discarded)
        {
            discarded = 0;
            SyncGuard g = guard;
            ulong f = g == null ? 0 : g.Enter();
            SyncStatus s = SyncStatus.Deleted;
            if (!deleted)
            {
                discarded = count;
                count = 0;
                head = 0;
                AdmitSenders();
                s = SyncStatus.Successful;
            }
            if (g != null) g.Exit(f);
            return s;
        }

        /// <summary>Retire: messages are dropped, waiters end with Deleted, later calls return Deleted. Not in interrupts.</summary>
        public SyncStatus Delete()
        {
            SyncGuard g = guard;
            if (g == null) return DeleteLocked();
            ulong f = g.Enter();
            SyncStatus s = DeleteLocked();
            g.Exit(f);
            return s;
        }

        SyncStatus DeleteLocked()
        {
            if (deleted) return SyncStatus.Deleted;
            if (core == null) return SyncStatus.InvalidArgument;
            if (core.CallerInInterrupt) return SyncStatus.CalledFromInterrupt;
            deleted = true;
            count = 0;
            head = 0;
            receivers.WakeAll(SyncStatus.Deleted);
            senders.WakeAll(SyncStatus.Deleted);
            return SyncStatus.Successful;
        }

        /// <summary>Move waiting senders' messages into free slots, in sender order.</summary>
        void AdmitSenders()
        {
            SchedThread s = senders.First;
            while (s != null && count < capacity)
            {
                WaitNode w = s.Wait;
                Store(w.Buffer, w.Length, w.Urgent);
                w.Buffer = null;
                senders.Extract(s, SyncStatus.Successful);
                s = senders.First;
            }
        }

        void Store(byte[] message, int length, bool urgent)
        {
            int slot;
            if (urgent)
            {
                head = head == 0 ? capacity - 1 : head - 1;
                slot = head;
            }
            else
            {
                slot = head + count;
                if (slot >= capacity) slot -= capacity;
            }
            Copy(message, 0, ring, slot * size, length);
            lengths[slot] = length;
            count++;
        }

        static void Copy(byte[] from, int fromIndex, byte[] to, int toIndex, int length)
        {
            for (int i = 0; i < length; i++) to[toIndex + i] = from[fromIndex + i];
        }

        /// <summary>Invariants listed on the class; null when sound.</summary>
        public string CheckInvariants()
        {
            string e = senders.Check();
            if (e != null) return "message queue " + Id + " senders: " + e;
            e = receivers.Check();
            if (e != null) return "message queue " + Id + " receivers: " + e;
            if (count < 0 || count > capacity) return "message queue " + Id + " count " + count + " outside 0.." + capacity;
            if (head < 0 || head >= capacity) return "message queue " + Id + " head " + head + " outside the ring";
            if (receivers.Count != 0 && count != 0) return "message queue " + Id + " receivers wait while messages are stored";
            if (senders.Count != 0 && count != capacity) return "message queue " + Id + " senders wait while there is room";
            if (deleted && (count != 0 || senders.Count != 0 || receivers.Count != 0)) return "message queue " + Id + " deleted but not empty";
            for (int i = 0; i < count; i++)
            {
                int slot = head + i;
                if (slot >= capacity) slot -= capacity;
                if (lengths[slot] < 0 || lengths[slot] > size) return "message queue " + Id + " slot " + slot + " length " + lengths[slot];
            }
            for (SchedThread t = senders.First; t != null; t = senders.Next(t))
            {
                if (t.Wait.Buffer == null || t.Wait.Length < 0 || t.Wait.Length > size) return "message queue " + Id + " sender " + t.Id + " has no valid message";
            }
            for (SchedThread t = receivers.First; t != null; t = receivers.Next(t))
            {
                if (t.Wait.Buffer == null || t.Wait.Buffer.Length < size) return "message queue " + Id + " receiver " + t.Id + " has no valid buffer";
            }
            return null;
        }
    }
}
