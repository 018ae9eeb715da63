namespace Osprey.Sched
{
    /// <summary>Which threads the ready-set benchmark acts on (see <see cref="ReadySetBench"/>).</summary>
    public enum ReadySetPattern { Periodic, Random }

    /// <summary>
    /// The ready-set benchmark's workload, shared by the host benchmark
    /// (sched/sim/Bench.cs, Stopwatch nanoseconds) and the kernel's bench
    /// suite (under -icount, where guest nanoseconds count instructions).
    /// It drives the real core (SchedCore entry points) on a do-nothing
    /// platform; the caller times only the one call of each operation.
    ///
    /// A step is: PrepareRelease, Release (timed); Pick (timed, in groups);
    /// PrepareBlock, Block (timed), Settle; PrepareUnblock, Unblock (timed),
    /// Settle. Settle is the platform's switch to the heir (untimed), so the
    /// most urgent thread is always the executing one.
    ///
    /// Patterns:
    ///  - Periodic: implicit-deadline tasks sharing one period T in EDF steady
    ///    state, jobs released in time order with deadline release + T (at or
    ///    beyond every queued deadline). Release and block act on the most
    ///    urgent thread (the one that runs): its next job, its job ending.
    ///    Unblock wakes the longest-waiting thread right after its next job
    ///    was released (untimed), as the period timer does.
    ///  - Random: release and block act on a uniformly random ready thread;
    ///    release gives it a deadline uniformly random in [now + W, now + 2W),
    ///    W = (N + M) x 150 ns; unblock wakes the longest-blocked thread with
    ///    its deadline unchanged (anywhere in the tree).
    /// M = clamp(N / 10, 1, 64) further threads wait in a FIFO, so the ready
    /// set holds N threads before every operation. Under fixed priority the
    /// same steps run (release changes nothing there). Under CBS every thread
    /// has a soft server with period T (periodic) or W (random), budgets
    /// summing to 1/2. The clock advances 50 ns per operation so charging is
    /// real.
    /// Setup allocates; the steps allocate nothing.
    /// </summary>
    public sealed class ReadySetBench
    {
        sealed class NullPlatform : Platform
        {
            public long Clock = 1000000;
            public override long Now() { return Clock; }
            public override void ArmTimer(long absoluteNs) { }
            public override void RequestSwitch() { }
        }

        public const int OpRelease = 0, OpPick = 1, OpBlock = 2, OpUnblock = 3;
        public static readonly string[] OpNames = { "release", "pick-next", "block", "unblock" };
        public static readonly string[] Policies = { "priority", "edf", "cbs" };

        readonly NullPlatform platform = new NullPlatform();
        public readonly SchedCore Core;
        public readonly Scheduler Sched;
        public readonly ReadySetPattern Pattern;
        /// <summary>Ready threads before every operation.</summary>
        public readonly int N;
        readonly SchedThread[] threads;   // Id = index + 1
        readonly PriorityNode[] jobs;
        readonly long period;             // periodic: the common period T; random: the window W
        long releaseClock;                // periodic: the time of the latest release
        readonly int[] waiting;           // FIFO of waiting (blocked) thread indices
        int waitHead, waitCount;
        ulong rng;
        int victim;                       // the thread the prepared operation acts on
        long deadline;                    // the prepared release's deadline

        public static string PatternName(ReadySetPattern p) { return p == ReadySetPattern.Periodic ? "periodic" : "random"; }

        /// <summary>Builds the ready set, or returns null with error set for an unknown policy or a size below 1.</summary>
        public static ReadySetBench Create(string policy, int n, ReadySetPattern pattern, int seed, out string error)
        {
            if (n < 1) { error = "ready-set size must be at least 1, got " + n; return null; }
            Scheduler s;
            if (policy == "cbs") { s = null; error = null; }
            else
            {
                s = SchedulerTable.Create(policy, out error);
                if (s == null) return null;
            }
            var b = new ReadySetBench(policy, s, n, pattern, seed, out error);
            return error == null ? b : null;
        }

        ReadySetBench(string policy, Scheduler sched, int n, ReadySetPattern pattern, int seed, out string error)
        {
            error = null;
            N = n;
            Pattern = pattern;
            rng = 0x9E3779B97F4A7C15UL ^ (ulong)(seed * 1000003L + n);
            int m = Bits.Clamp(n / 10, 1, 64);
            int total = n + m;
            if (policy == "cbs") sched = new CbsScheduler(total);
            Sched = sched;
            Core = new SchedCore(platform, sched, null);
            threads = new SchedThread[total];
            jobs = new PriorityNode[total];
            waiting = new int[m + 1];
            period = pattern == ReadySetPattern.Periodic ? (long)total * 10000 : (long)total * 150;
            for (int i = 0; i < total; i++)
            {
                var t = new SchedThread(i + 1, 1 + NextInt(254), "bench");
                Core.AddThread(t);
                if (policy == "cbs")
                {
                    long budget = period / (2 * total);
                    var srv = new CbsServer(i + 1, budget < 1 ? 1 : budget, period, CbsMode.Soft);
                    CbsAdmission a;
                    if (((CbsScheduler)sched).Attach(t, srv, out a) != CbsStatus.Ok) { error = a.Message; return; }
                }
                Core.Start(t);
                jobs[i] = new PriorityNode();
                // Later than the deadline the CBS wake-up rule gave at Start (now + server period).
                long d = platform.Clock + period + 1 + NextLong(period);
                if (d - period > releaseClock) releaseClock = d - period;
                Core.ReleaseJob(t, jobs[i], d);
                threads[i] = t;
            }
            // M threads start waiting, chosen as the pattern chooses.
            for (int k = 0; k < m; k++)
            {
                int i = Victim();
                Core.Block(threads[i]);
                PushWaiting(i);
            }
            Settle();
        }

        int NextInt(int bound)
        {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
            return (int)((rng >> 1) % (ulong)bound);
        }

        long NextLong(long bound)
        {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
            return (long)((rng >> 1) % (ulong)bound);
        }

        void PushWaiting(int i)
        {
            waiting[(waitHead + waitCount) % waiting.Length] = i;
            waitCount++;
        }

        int PopWaiting()
        {
            int i = waiting[waitHead];
            waitHead = (waitHead + 1) % waiting.Length;
            waitCount--;
            return i;
        }

        /// <summary>The thread the next release or block acts on (see the patterns).</summary>
        int Victim()
        {
            if (Pattern == ReadySetPattern.Periodic) return Sched.Highest().Id - 1;
            while (true)
            {
                int i = NextInt(threads.Length);
                if (threads[i].IsReady) return i;
            }
        }

        long NewDeadline()
        {
            if (Pattern == ReadySetPattern.Periodic)
            {
                releaseClock += period / threads.Length;   // one release every T / (N + M)
                return releaseClock + period;
            }
            return platform.Clock + period + 1 + NextLong(period);
        }

        /// <summary>Chooses the release's thread and deadline, advances the clock.</summary>
        public void PrepareRelease()
        {
            victim = Victim();
            deadline = NewDeadline();
            platform.Clock += 50;
        }

        /// <summary>The timed release (a job with the prepared deadline).</summary>
        public void Release() { Core.ReleaseJob(threads[victim], jobs[victim], deadline); }

        /// <summary>The timed pick-next: the policy's most urgent ready thread.</summary>
        public SchedThread Pick() { return Sched.Highest(); }

        /// <summary>Chooses the thread that blocks, advances the clock.</summary>
        public void PrepareBlock()
        {
            victim = Victim();
            platform.Clock += 50;
        }

        /// <summary>The timed block.</summary>
        public void Block() { Core.Block(threads[victim]); }

        /// <summary>
        /// After Block: the blocked thread joins the waiting FIFO. Then the
        /// longest-waiting thread is chosen to wake (periodic: its next job is
        /// released first, untimed), and the clock advances.
        /// </summary>
        public void PrepareUnblock()
        {
            PushWaiting(victim);
            victim = PopWaiting();
            if (Pattern == ReadySetPattern.Periodic)
            {
                long d = NewDeadline();
                Core.ReleaseJob(threads[victim], jobs[victim], d);
            }
            platform.Clock += 50;
        }

        /// <summary>The timed unblock.</summary>
        public void Unblock() { Core.Unblock(threads[victim]); }

        /// <summary>The timed call of a prepared OpRelease, OpBlock or OpUnblock.</summary>
        public void Perform(int op)
        {
            if (op == OpRelease) Release();
            else if (op == OpBlock) Block();
            else Unblock();
        }

        /// <summary>The platform's switch to the heir, as after every operation (untimed).</summary>
        public void Settle() { if (Core.DispatchNeeded) Core.Dispatch(); }

        /// <summary>One whole step, untimed (warm-up).</summary>
        public void Step()
        {
            PrepareRelease(); Release(); Settle();
            Pick();
            PrepareBlock(); Block(); Settle();
            PrepareUnblock(); Unblock(); Settle();
        }

        /// <summary>Null when the core's invariants hold and the ready set holds N threads, else what is wrong.</summary>
        public string Check()
        {
            string e = Core.CheckInvariants();
            if (e != null) return e;
            if (Sched.ReadyCount != N) return "ready set holds " + Sched.ReadyCount + " threads, expected " + N;
            return null;
        }

        /// <summary>The number of threads, ready and waiting (the warm-up touches each at least once in this many steps).</summary>
        public int Threads { get { return threads.Length; } }
    }
}
