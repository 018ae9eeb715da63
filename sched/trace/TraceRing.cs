namespace Osprey.Sched.Tracing
{
    /// <summary>
    /// One CPU's trace: a fixed-size ring of TraceEntry allocated once, in
    /// the constructor, plus a table of thread names (written at dump time:
    /// entries name threads by id only). Recording never allocates.
    ///
    /// Attach it with <c>core.Trace = ring</c>: the core then records
    /// switches, blocks, unblocks and job releases, periods their expiries
    /// and CBS its budget overruns; a hook site is one null check when no
    /// ring is attached. Drivers (kernel, simulator) add job completions,
    /// deadline misses, interrupts and releases the core does not see.
    ///
    /// Full ring: OverwriteOldest replaces the oldest entry, DropNewest
    /// discards the new one; either way Dropped counts the lost events.
    /// A derived class may make room instead (MakeRoom, host only: the
    /// simulator moves the entries to a list and never drops).
    ///
    /// Not synchronized: the owner records with interrupts disabled (kernel)
    /// or from one thread (simulator). Invariant: 0 &lt;= Count &lt;= Capacity,
    /// Accepted = Count + overwritten + entries removed by MakeRoom/Clear.
    /// </summary>
    public class TraceRing
    {
        /// <summary>Thread field of events without a thread (idle, none).</summary>
        public const int NoThread = -1;
        /// <summary>The kernel's trace budget (`trace` on its command line): 64 Ki events, 2.5 MiB, shared by its CPUs' rings.</summary>
        public const int DefaultCapacity = 65536;
        /// <summary>Thread names remembered per ring.</summary>
        public const int DefaultNameCapacity = 1024;

        public readonly int Cpu;
        public readonly int Capacity;
        public TraceOverflow Overflow;
        /// <summary>Timestamps of Record and the hooks (the core's platform).</summary>
        public Platform Clock;
        /// <summary>While set, nothing is recorded and nothing counted (e.g. during a dump).</summary>
        public bool Paused;

        readonly TraceEntry[] entries;
        int head;       // index of the oldest entry
        int count;
        long dropped;
        long accepted;

        readonly int[] nameIds;
        readonly string[] names;
        int nameCount;
        int namesLost;

        public TraceRing(int cpu, int capacity, TraceOverflow overflow, Platform clock)
            : this(cpu, capacity, overflow, clock, DefaultNameCapacity) { }

        public TraceRing(int cpu, int capacity, TraceOverflow overflow, Platform clock, int nameCapacity)
        {
            if (capacity < 1) capacity = 1;
            if (nameCapacity < 1) nameCapacity = 1;
            Cpu = cpu;
            Capacity = capacity;
            Overflow = overflow;
            Clock = clock;
            entries = new TraceEntry[capacity];
            nameIds = new int[nameCapacity];
            names = new string[nameCapacity];
        }

        /// <summary>Entries held now (oldest at index 0).</summary>
        public int Count { get { return count; } }
        /// <summary>Events lost because the ring was full (overwritten or not stored).</summary>
        public long Dropped { get { return dropped; } }
        /// <summary>Events stored since creation (including those overwritten later).</summary>
        public long Accepted { get { return accepted; } }

        /// <summary>Entry i (0 = oldest); false when out of range.</summary>
        public bool Get(int i, out TraceEntry e)
        {
            if (i < 0 || i >= count)
            {
                e = new TraceEntry();
                return false;
            }
            int k = head + i;
            if (k >= Capacity) k -= Capacity;
            e = entries[k];
            return true;
        }

        /// <summary>Forget every entry (the drop count and names stay).</summary>
        public void Clear()
        {
            head = 0;
            count = 0;
        }

        /// <summary>Forget entries, the drop count and the accepted count (names stay).</summary>
        public void Reset()
        {
            Clear();
            dropped = 0;
            accepted = 0;
        }

        /// <summary>
        /// Called when the ring is full, before the overflow policy applies.
        /// Return true after making room (Count &lt; Capacity). Host only: a
        /// kernel ring never overrides it.
        /// </summary>
        protected virtual bool MakeRoom() { return false; }

        /// <summary>Store one event with an explicit timestamp.</summary>
        public void Add(long time, TraceEventKind kind, int thread, int obj, long a, long b)
        {
            if (Paused) return;
            int k;
            if (count < Capacity || MakeRoom())
            {
                k = head + count;
                if (k >= Capacity) k -= Capacity;
                count++;
            }
            else if (Overflow == TraceOverflow.DropNewest)
            {
                dropped++;
                return;
            }
            else
            {
                k = head;
                head++;
                if (head == Capacity) head = 0;
                dropped++;
            }
            accepted++;
            TraceEntry[] es = entries;
            es[k].Time = time;
            es[k].Kind = kind;
            es[k].Thread = thread;
            es[k].Object = obj;
            es[k].A = a;
            es[k].B = b;
        }

        /// <summary>Store one event stamped Clock.Now().</summary>
        public void Record(TraceEventKind kind, int thread, int obj, long a, long b)
        {
            Add(Clock.Now(), kind, thread, obj, a, b);
        }

        // ------------------------------------------------------------------
        // Hooks of the portable core (each call site: `if (trace != null) ...`).
        // Block, Unblock and Release take the time the core has just read for
        // its CPU-time charge (no second clock read); period expiries and
        // budget overruns, which fire inside the timer queue after other
        // watchdogs may have recorded, read the clock afresh, so times in a
        // ring never go back.

        /// <summary>SchedCore.Dispatch switched from prev to next (idle is not recorded).</summary>
        public void Switch(long now, SchedThread prev, SchedThread next, SchedThread idle)
        {
            if (prev != idle) Add(now, TraceEventKind.SwitchOut, prev.Id, 0, (long)(uint)prev.State, 0);
            if (next != idle) Add(now, TraceEventKind.SwitchIn, next.Id, 0, 0, 0);
        }

        /// <summary>t stopped being ready: bits were set.</summary>
        public void Block(long now, SchedThread t, ThreadState bits)
        {
            Add(now, TraceEventKind.Block, t.Id, 0, (long)(uint)bits, 0);
        }

        /// <summary>t became ready: bits were cleared.</summary>
        public void Unblock(long now, SchedThread t, ThreadState bits)
        {
            Add(now, TraceEventKind.Unblock, t.Id, 0, (long)(uint)bits, 0);
        }

        /// <summary>Job number job of t released with an absolute deadline (long.MaxValue: none).</summary>
        public void Release(long now, SchedThread t, long job, long deadline)
        {
            Add(now, TraceEventKind.Release, t.Id, 0, job, deadline);
        }

        /// <summary>The period periodId of owner that ended at `at` expired; postponed jobs after it.</summary>
        public void PeriodExpiry(long now, SchedThread owner, int periodId, long at, long postponed)
        {
            Add(now, TraceEventKind.PeriodExpiry, owner.Id, periodId, at, postponed);
        }

        /// <summary>The CBS server serverId of t ran out of its budget.</summary>
        public void BudgetExhausted(long now, SchedThread t, int serverId, long budgetNs, bool soft)
        {
            Add(now, TraceEventKind.BudgetExhausted, t.Id, serverId, budgetNs, soft ? 1 : 0);
        }

        // ------------------------------------------------------------------
        // Thread names

        /// <summary>Remember (or rename) thread id. Setup path; a full table counts NamesLost.</summary>
        public void NameThread(int id, string name)
        {
            for (int i = 0; i < nameCount; i++)
            {
                if (nameIds[i] == id)
                {
                    names[i] = name;
                    return;
                }
            }
            if (nameCount == names.Length)
            {
                namesLost++;
                return;
            }
            nameIds[nameCount] = id;
            names[nameCount] = name;
            nameCount++;
        }

        public int NameCount { get { return nameCount; } }
        public int NamesLost { get { return namesLost; } }
        public int NameIdAt(int i) { return nameIds[i]; }
        public string NameAt(int i) { return names[i]; }

        /// <summary>The name of thread id, or null.</summary>
        public string NameOf(int id)
        {
            for (int i = 0; i < nameCount; i++) if (nameIds[i] == id) return names[i];
            return null;
        }
    }
}
