namespace Osprey.Sched
{
    /// <summary>
    /// Fixed-size blocks over an address range [BaseAddress, BaseAddress +
    /// BlockSize * BlockCount). The pool never touches the memory: it hands
    /// out addresses. Free blocks form a LIFO list threaded through a
    /// preallocated int[] (next free index, End at the tail); an allocated
    /// block's entry is Allocated, which is how a double free is caught.
    ///
    /// Invariants (CheckInvariants):
    ///  - the free list visits FreeCount distinct blocks, each not Allocated,
    ///    and every block off the list is marked Allocated;
    ///  - FreeCount &gt; 0  =&gt;  no waiters (a free with waiters hands the block
    ///    straight to the first waiter);
    ///  - deleted =&gt; nobody waits.
    /// Shared (Share): threads of every core may use it; its guard is held
    /// around each operation (sched/README.md "Synchronization across cores").
    /// </summary>
    public sealed class BlockPool
    {
        const int End = -1;
        const int Allocated = -2;

        readonly SchedCore core;
        readonly WaitQueue waiters;
        readonly ulong baseAddress;
        readonly int blockSize;
        readonly int blockCount;
        readonly ulong span;
        readonly int[] next;
        int freeHead;
        int freeCount;
        bool deleted;
        SyncGuard guard;

        public int Id;

        BlockPool(SchedCore core, ulong baseAddress, int blockSize, int blockCount, WaitDiscipline discipline)
        {
            this.core = core;
            this.baseAddress = baseAddress;
            this.blockSize = blockSize;
            this.blockCount = blockCount;
            span = (ulong)blockSize * (ulong)blockCount;
            next = new int[blockCount];
            for (int i = 0; i < blockCount; i++) next[i] = i + 1 < blockCount ? i + 1 : End;
            freeHead = 0;
            freeCount = blockCount;
            waiters = new WaitQueue(core, discipline);
        }

        /// <summary>
        /// A pool of blockCount blocks of blockSize bytes from baseAddress; null
        /// and InvalidArgument when core is null, either count is &lt; 1, or the
        /// range wraps past the top of the address space.
        /// </summary>
        public static BlockPool Create(SchedCore core, ulong baseAddress, int blockSize, int blockCount, WaitDiscipline discipline, out SyncStatus status)
        {
            status = SyncStatus.InvalidArgument;
            if (core == null || blockSize < 1 || blockCount < 1) return null;
            ulong span = (ulong)blockSize * (ulong)blockCount; // < 2^62: no overflow
            if (baseAddress > ulong.MaxValue - span) return null;
            status = SyncStatus.Successful;
            return new BlockPool(core, baseAddress, blockSize, blockCount, discipline);
        }

        public ulong BaseAddress { get { return baseAddress; } }
        public int BlockSize { get { return blockSize; } }
        public int BlockCount { get { return blockCount; } }
        public int FreeCount { get { return freeCount; } }
        public bool IsDeleted { get { return deleted; } }
        public WaitQueue Waiters { get { return waiters; } }
        /// <summary>The lock of a shared pool, or null (one core's).</summary>
        public SyncGuard Guard { get { return guard; } }

        /// <summary>
        /// Make the pool usable by threads of every core: g guards it from
        /// now on. Setup time, before any thread waits: InvalidArgument
        /// otherwise (g null, shared already, waiters).
        /// </summary>
        public SyncStatus Share(SyncGuard g)
        {
            if (guard != null || !waiters.Share(g)) return SyncStatus.InvalidArgument;
            guard = g;
            return SyncStatus.Successful;
        }

        /// <summary>
        /// Take a block. Successful with its address; Unsatisfied (NoWait,
        /// none free); Blocked (final: Successful with the address in
        /// caller.Wait.Address, Timeout, Deleted); InvalidArgument;
        /// CalledFromInterrupt; InvalidCaller; Deleted. address is 0 unless Successful.
        /// </summary>
        public SyncStatus Allocate(SchedThread caller, long timeout, out ulong address)
        {
            SyncGuard g = guard;
            if (g == null) return AllocateLocked(caller, timeout, out address);
            ulong f = g.Enter();
            SyncStatus s = AllocateLocked(caller, timeout, out address);
            g.Exit(f);
            return s;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        SyncStatus AllocateLocked(SchedThread caller, long timeout, out ulong address)
        {
            address = 0;
            if (deleted) return SyncStatus.Deleted;
            SchedCore home;
            SyncStatus st = SyncOps.CheckWait(core, guard, caller, timeout, out home);
            if (st != SyncStatus.Successful) return st;
            if (freeCount > 0)
            {
                int i = freeHead;
                freeHead = next[i];
                next[i] = Allocated;
                freeCount--;
                address = baseAddress + (ulong)i * (ulong)blockSize;
                return SyncStatus.Successful;
            }
            if (timeout == Timeout.NoWait) return SyncStatus.Unsatisfied;
            st = SyncOps.CheckCaller(home, caller);
            if (st != SyncStatus.Successful) return st;
            caller.Wait.Address = 0;
            waiters.Insert(caller, timeout);
            return SyncStatus.Blocked;
        }

        /// <summary>
        /// Return the block at address: to the first waiter if any, else to the
        /// free list. InvalidAddress (outside the pool), NotAligned (not the
        /// start of a block), AlreadyFree (double free), Deleted. Allowed in
        /// interrupts; caller may be null (any thread may free).
        /// </summary>
        public SyncStatus Free(SchedThread caller, ulong address)
        {
            SyncGuard g = guard;
            if (g == null) return FreeLocked(address);
            ulong f = g.Enter();
            SyncStatus s = FreeLocked(address);
            g.Exit(f);
            return s;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        SyncStatus FreeLocked(ulong address)
        {
            if (deleted) return SyncStatus.Deleted;
            int i;
            SyncStatus st = IndexOf(address, out i);
            if (st != SyncStatus.Successful) return st;
            if (next[i] != Allocated) return SyncStatus.AlreadyFree;
            SchedThread t = waiters.First;
            if (t != null)
            {
                t.Wait.Address = address;
                waiters.Extract(t, SyncStatus.Successful);
                return SyncStatus.Successful;
            }
            next[i] = freeHead;
            freeHead = i;
            freeCount++;
            return SyncStatus.Successful;
        }

        /// <summary>Is address the start of a block that is currently allocated?</summary>
        public bool IsAllocated(ulong address)
        {
            int i;
            return IndexOf(address, out i) == SyncStatus.Successful && next[i] == Allocated;
        }

        SyncStatus IndexOf(ulong address, out int index)
        {
            index = -1;
            if (address < baseAddress || address - baseAddress >= span) return SyncStatus.InvalidAddress;
            ulong off = address - baseAddress;
            if (off % (ulong)blockSize != 0) return SyncStatus.NotAligned;
            index = (int)(off / (ulong)blockSize);
            return SyncStatus.Successful;
        }

        /// <summary>Retire: waiters end with Deleted, later calls return Deleted. Not in interrupts.</summary>
        public SyncStatus Delete()
        {
            return SyncOps.Retire(guard, core, ref deleted, waiters);
        }

        /// <summary>Invariants listed on the class; null when sound.</summary>
        public string CheckInvariants()
        {
            string e = waiters.Check();
            if (e != null) return "pool " + Id + " waiters: " + e;
            if (freeCount < 0 || freeCount > blockCount) return "pool " + Id + " free count " + freeCount;
            if (freeCount > 0 && waiters.Count != 0) return "pool " + Id + " has free blocks and waiters";
            if (deleted && waiters.Count != 0) return "pool " + Id + " deleted with waiters";
            int n = 0;
            for (int i = freeHead; i != End; i = next[i])
            {
                if (i < 0 || i >= blockCount) return "pool " + Id + " free list index " + i;
                n++;
                if (n > freeCount) return "pool " + Id + " free list longer than the free count (cycle?)";
            }
            if (n != freeCount) return "pool " + Id + " free list has " + n + " blocks, free count " + freeCount;
            int allocated = 0;
            for (int i = 0; i < blockCount; i++) if (next[i] == Allocated) allocated++;
            if (allocated + freeCount != blockCount) return "pool " + Id + " " + allocated + " allocated + " + freeCount + " free != " + blockCount;
            return null;
        }
    }
}
