namespace Osprey.Sched
{
    /// <summary>
    /// Global EDF over a cluster of M CPUs (RTEMS: one scheduler instance
    /// owning several processors): one ready set, a red-black tree keyed like
    /// EDF's (deadline, or BackgroundBase + priority), shared by the M cores'
    /// GlobalEdfScheduler instances. The M most urgent ready threads (the
    /// first M nodes of the tree) are the heirs of the M CPUs.
    ///
    /// Invariants (Check):
    ///  - the heirs that are not idle are exactly the first min(M, ready)
    ///    threads of the tree, each heir of one CPU (so no CPU idles while a
    ///    ready thread waits);
    ///  - a thread among them that executes on CPU k is the heir of CPU k
    ///    (a preempted thread that becomes urgent again keeps its CPU, and no
    ///    heir is still executing on another CPU: with a delayed reschedule
    ///    request a thread can never run on two CPUs at once);
    ///  - Node.HeirCpu is the CPU whose heir the thread is, -1 for the others.
    /// Ties: new arrivals go behind their equals and an executing thread whose
    /// priority changes goes in front of them (SchedCore.PriorityChanged), so
    /// only a strictly more urgent thread preempts, as under EDF; with M = 1
    /// the decisions are EDF's, one for one.
    /// Cost of a decision: O(log n) for the tree operation plus O(M) for the
    /// assignment (a walk over the first M nodes and over the CPUs); nothing
    /// is allocated after Join. The kernel serializes every entry point of a
    /// cluster's cores (one lock per cluster).
    /// </summary>
    public sealed class GedfCluster
    {
        readonly RbTree ready = new RbTree();
        readonly SchedCore[] cores;
        /// <summary>Heir of each CPU (null: idle).</summary>
        readonly SchedThread[] assigned;
        /// <summary>Scratch: free CPUs in the order they are handed out.</summary>
        readonly int[] freeCpus;
        readonly int m;
        long stamp;

        /// <summary>Decisions made (Schedule calls).</summary>
        public long Decisions;

        GedfCluster(SchedCore[] cores)
        {
            this.cores = cores;
            m = cores.Length;
            assigned = new SchedThread[m];
            freeCpus = new int[m];
        }

        public int CpuCount { get { return m; } }
        public SchedCore CoreAt(int k) { return cores[k]; }
        public RbTree ReadyTree { get { return ready; } }
        public int ReadyCount { get { return ready.Count; } }

        /// <summary>The heir the cluster chose for CPU k (null: idle).</summary>
        public SchedThread HeirOf(int k) { return assigned[k]; }

        /// <summary>
        /// Why `cores` cannot form a cluster, or null: each must be a
        /// distinct gedf core on its own (a cluster of one), and for Join
        /// (`fresh`) one with no ready thread yet.
        /// </summary>
        private static string CheckCores(SchedCore[] cores, bool fresh)
        {
            if (cores == null || cores.Length == 0) return "a cluster needs at least one CPU";
            for (int k = 0; k < cores.Length; k++)
            {
                SchedCore c = cores[k];
                GlobalEdfScheduler g = c == null ? null : c.Scheduler as GlobalEdfScheduler;
                if (g == null) return "cluster CPU " + k + ": not a core with the 'gedf' scheduler";
                if (fresh && (g.Cluster.ReadyCount != 0 || g.Cluster.m != 1)) return "cluster CPU " + k + ": core already has ready threads or a cluster";
                if (!fresh && g.Cluster.m != 1) return "cluster CPU " + k + ": core already in a cluster of " + g.Cluster.m + " CPUs";
                for (int j = 0; j < k; j++)
                    if (cores[j] == c) return "cluster CPU " + k + ": the same core twice";
            }
            return null;
        }

        /// <summary>
        /// A cluster of the given cores, each built with a fresh "gedf"
        /// scheduler (SchedulerTable) and no threads yet; CPU k of the cluster
        /// is cores[k]. Null and error when that does not hold. Setup only.
        /// </summary>
        public static GedfCluster Join(SchedCore[] cores, out string error)
        {
            error = CheckCores(cores, true);
            if (error != null) return null;
            var cl = new GedfCluster(cores);
            for (int k = 0; k < cores.Length; k++) ((GlobalEdfScheduler)cores[k].Scheduler).Bind(cl, k);
            return cl;
        }

        /// <summary>
        /// A cluster of cores that already run threads, each a gedf core on
        /// its own (a cluster of one): the ready threads of every core move
        /// into the cluster's one set (an executing thread in front of its
        /// equals), then the cluster decides once, so each executing thread
        /// keeps its CPU while it stays among the M most urgent. For a kernel
        /// whose CPUs started with their own gedf core; the caller makes sure
        /// no core runs an entry point meanwhile. Setup only (allocates).
        /// </summary>
        public static GedfCluster Gather(SchedCore[] cores, out string error)
        {
            error = CheckCores(cores, false);
            if (error != null) return null;
            var cl = new GedfCluster(cores);
            for (int k = 0; k < cores.Length; k++)
            {
                GlobalEdfScheduler g = (GlobalEdfScheduler)cores[k].Scheduler;
                GedfCluster old = g.Cluster;
                RbNode x;
                while ((x = old.ready.First) != null)
                {
                    SchedThread t = x.Thread;
                    old.Dequeue(t);
                    t.Node.HeirCpu = -1;
                    cl.Enqueue(t, t.IsExecuting);
                }
                old.assigned[0] = null;
                g.Bind(cl, k);
            }
            cl.Schedule();
            return cl;
        }

        /// <summary>
        /// The reverse of Gather: every core becomes a gedf core on its own
        /// again (a cluster of one CPU), and this cluster is no longer used.
        /// Allowed only when nothing is in flight: every ready thread is the
        /// heir of the CPU it executes on and every CPU's heir is what it
        /// executes (so each such thread stays where it runs, the heir of its
        /// own core's new cluster). Null, or why nothing changed. The caller
        /// makes sure no core runs an entry point meanwhile. Setup only
        /// (allocates).
        /// </summary>
        public string Scatter()
        {
            for (RbNode x = ready.First; x != null; x = RbTree.Next(x))
            {
                SchedThread t = x.Thread;
                int k = t.Node.HeirCpu;
                if (k < 0 || cores[k].Executing != t) return "thread " + t.Id + " is ready but does not run on a CPU of its own";
            }
            for (int k = 0; k < m; k++)
                if (cores[k].Heir != cores[k].Executing) return "CPU " + k + " has a switch under way";
            var singles = new GedfCluster[m];
            for (int k = 0; k < m; k++) singles[k] = Single(cores[k]);
            RbNode n;
            while ((n = ready.First) != null)
            {
                SchedThread t = n.Thread;
                int k = t.Node.HeirCpu;
                Dequeue(t);
                singles[k].Enqueue(t, true);
                singles[k].assigned[0] = t;
                t.Node.HeirCpu = 0;
            }
            for (int k = 0; k < m; k++)
            {
                assigned[k] = null;
                ((GlobalEdfScheduler)cores[k].Scheduler).Bind(singles[k], 0);
            }
            return null;
        }

        /// <summary>The cluster of one core (a gedf core on its own: EDF).</summary>
        internal static GedfCluster Single(SchedCore core)
        {
            var cl = new GedfCluster(new SchedCore[] { core });
            return cl;
        }

        internal void Enqueue(SchedThread t, bool atHead)
        {
            SchedNode n = t.Node;
            if (atHead) ready.InsertFirst(n.TreeLink, t.EffectivePriority);
            else ready.Insert(n.TreeLink, t.EffectivePriority);
            n.Queued = true;
        }

        internal void Dequeue(SchedThread t)
        {
            ready.Remove(t.Node.TreeLink);
            t.Node.Queued = false;
        }

        internal void Requeue(SchedThread t, bool atHead)
        {
            ready.Rekey(t.Node.TreeLink, t.EffectivePriority, atHead);
        }

        int IndexOf(SchedCore c)
        {
            if (c == null) return -1;
            GlobalEdfScheduler g = c.Scheduler as GlobalEdfScheduler;
            return g != null && g.Cluster == this ? g.Index : -1;
        }

        /// <summary>
        /// Choose the heir of every CPU: the first M threads of the tree. A
        /// CPU keeps its heir while that stays among them; one of them that
        /// executes on CPU k gets CPU k; the others take the freed CPUs: the
        /// CPU they last ran on when it is free, else first a CPU that runs a
        /// thread (it must switch anyway), then an idle one. Each changed heir
        /// reaches its core by SetHeir, which asks that CPU's platform to
        /// reschedule (a reschedule IPI when it is another CPU).
        /// </summary>
        public void Schedule()
        {
            Decisions++;
            long s = ++stamp;
            int top = 0;
            for (RbNode x = ready.First; x != null && top < m; x = RbTree.Next(x), top++) x.Thread.Node.TopStamp = s;

            // 1. A heir that left the first M frees its CPU.
            for (int k = 0; k < m; k++)
            {
                SchedThread h = assigned[k];
                if (h != null && h.Node.TopStamp != s) { h.Node.HeirCpu = -1; assigned[k] = null; }
            }
            // 2. One of the first M that executes on CPU k keeps CPU k.
            for (int k = 0; k < m; k++)
            {
                SchedCore c = cores[k];
                SchedThread x = c.Executing;
                if (x == c.Idle || x.Node.TopStamp != s || assigned[k] == x) continue;
                SchedThread h = assigned[k];
                if (h != null) h.Node.HeirCpu = -1;
                if (x.Node.HeirCpu >= 0) assigned[x.Node.HeirCpu] = null;
                assigned[k] = x;
                x.Node.HeirCpu = k;
            }
            // 3. The free CPUs in the order they are handed out: those running a thread, then idle ones.
            int nfree = 0;
            for (int k = 0; k < m; k++)
                if (assigned[k] == null && cores[k].Executing != cores[k].Idle) freeCpus[nfree++] = k;
            for (int k = 0; k < m; k++)
                if (assigned[k] == null && cores[k].Executing == cores[k].Idle) freeCpus[nfree++] = k;
            int next = 0;
            int i = 0;
            for (RbNode x = ready.First; x != null && i < m; x = RbTree.Next(x), i++)
            {
                SchedThread t = x.Thread;
                if (t.Node.HeirCpu >= 0) continue;
                int k = IndexOf(t.LastCore);
                if (k < 0 || assigned[k] != null)
                {
                    while (assigned[freeCpus[next]] != null) next++;
                    k = freeCpus[next];
                }
                assigned[k] = t;
                t.Node.HeirCpu = k;
            }
            // 4. Publish.
            for (int k = 0; k < m; k++) cores[k].SetHeir(assigned[k]);
        }

        /// <summary>Structural and assignment invariants; null when sound.</summary>
        public string Check()
        {
            string e = ready.Check();
            if (e != null) return e;
            int i = 0;
            for (RbNode n = ready.First; n != null; n = RbTree.Next(n), i++)
            {
                SchedThread t = n.Thread;
                if (t == null) return "ready tree node without thread";
                if (t.Node.TreeLink != n) return "foreign node in ready tree";
                if (!t.Node.Queued) return "thread " + t.Id + " in tree but not Queued";
                if (t.State != ThreadState.Ready) return "thread " + t.Id + " queued but not ready";
                if (n.Key != t.EffectivePriority) return "thread " + t.Id + " keyed " + n.Key + " but effective " + t.EffectivePriority;
                if (i < m)
                {
                    int k = t.Node.HeirCpu;
                    if (k < 0 || k >= m || assigned[k] != t) return "thread " + t.Id + " is among the " + m + " most urgent but no CPU's heir";
                }
                else if (t.Node.HeirCpu != -1) return "thread " + t.Id + " is heir of CPU " + t.Node.HeirCpu + " but not among the " + m + " most urgent";
            }
            int heirs = 0;
            for (int k = 0; k < m; k++)
            {
                SchedThread h = assigned[k];
                SchedCore c = cores[k];
                if (c.Heir != (h ?? c.Idle)) return "CPU " + k + ": core heir differs from the cluster's choice";
                if (h == null) continue;
                heirs++;
                if (h.Node.HeirCpu != k) return "CPU " + k + ": heir " + h.Id + " records CPU " + h.Node.HeirCpu;
                if (!h.Node.Queued) return "CPU " + k + ": heir " + h.Id + " not ready";
                if (h.IsExecuting && c.Executing != h) return "CPU " + k + ": heir " + h.Id + " executes on another CPU";
            }
            int want = ready.Count < m ? ready.Count : m;
            if (heirs != want) return heirs + " CPUs have a heir but " + want + " threads are ready among the first " + m;
            return null;
        }
    }
}
