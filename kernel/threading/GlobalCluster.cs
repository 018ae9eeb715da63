using Osprey.Kernel.Arch;
using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // Global EDF over the running CPUs (sched=gedf, or a file's `scheduler
    // gedf`): every CPU starts with a gedf core of its own (a cluster of one
    // CPU: EDF); Form then gathers the first M of them into one cluster
    // (GedfCluster.Gather): one ready set, the M most urgent threads run.
    // Dissolve gives each CPU its own core back (the gedf self-tests form a
    // cluster for their run and dissolve it after).
    //
    // Locking: ReadySetLock guards the cluster's shared ready set and with it
    // every core of the cluster (executing/heir, timer queues, threads'
    // scheduling nodes): an entry point on any CPU of the cluster holds it
    // (Scheduling.Lock/Unlock), as does each CPU's Dispatch. It is not held
    // across a context switch: Scheduling.Reschedule releases it after
    // Dispatch, marks the outgoing thread SwitchingOut until the CPU has
    // left its stack, and a CPU that picked a thread still switching out
    // elsewhere waits for that first (SwitchWaits counts those waits).
    internal sealed class KernelCluster
    {
        internal SpinLock ReadySetLock;
        internal GedfCluster Set;
        internal int Cpus;
        // Times a CPU picked a thread another CPU was still switching away from.
        internal long SwitchWaits;
    }

    internal static unsafe class GlobalCluster
    {
        // The cluster the CPUs form (null: every CPU schedules alone).
        internal static KernelCluster Current;

        // Gathers CPUs 0..m-1 (all running, each on its own gedf core) into
        // one cluster. Boot CPU, main thread, before any other thread runs:
        // the other CPUs' main threads are suspended (ApEntry.Serve) and
        // their cores have no timer armed, so no other CPU enters its core
        // meanwhile. Null, or why nothing changed.
        //
        // Membership changes on each CPU itself: CPU k takes the cluster as
        // its own (PerCpu.Cluster) in its reschedule IPI's handler
        // (Remote.RunOn), which cannot run inside one of its scheduling
        // sections (they keep interrupts off). So no section of CPU k spans
        // the change: one begun before it took no lock and has ended, every
        // later one takes the cluster's lock. Then this CPU takes the lock,
        // checks the other CPUs are still quiet (stable now: they would need
        // the lock to change) and gathers. Setting CPU k's Cluster from here
        // instead let a section of CPU k that began without the lock end by
        // releasing it (Scheduling.Lock) and run on core k unlocked while
        // this CPU gathered it.
        internal static string Form(int m)
        {
            if (Current != null) return "a cluster already runs";
            if (m < 1 || m > PerCpu.Count) return "a cluster of " + m + " CPU(s) asked, " + PerCpu.Count + " running";
            PerCpu boot = PerCpu.Current;
            if (boot.Index != 0 || boot.CurrentThread != boot.Main) return "not called from the boot CPU's main thread";
            // Wait (bounded) until each AP's main has suspended itself.
            long start = Machine.Now();
            for (int k = 1; k < m; k++)
            {
                PerCpu c = PerCpu.Of(k);
                while (c.Core == null || c.Core.Executing != c.Idle || (c.Main.State & ThreadState.Suspended) == 0)
                {
                    if (Machine.Now() - start > 1000000000) return "CPU " + k + "'s main thread did not go to sleep within 1 s";
                    Machine.SpinWaitHint();
                }
            }
            var cores = new SchedCore[m];
            for (int k = 0; k < m; k++) cores[k] = PerCpu.Of(k).Core;
            var cl = new KernelCluster();
            cl.Cpus = m;
            for (int k = 1; k < m; k++)
            {
                if (!Smp.Remote.RunOn(k, &Adopt, cl))
                    return Abandon(cl, k, "CPU " + k + " did not take the cluster within 1 s (no answer to its reschedule IPI)");
            }
            ulong f = cl.ReadySetLock.Acquire();
            string error = null;
            for (int k = 1; k < m && error == null; k++)
            {
                PerCpu c = PerCpu.Of(k);
                if (c.Core.Executing != c.Idle || c.Core.Heir != c.Idle || (c.Main.State & ThreadState.Suspended) == 0)
                    error = "CPU " + k + " runs '" + ((Thread)c.Core.Executing).Name + "' (its main thread woke)";
                else if (c.Core.Timers.Count != 0) error = "CPU " + k + " has " + c.Core.Timers.Count + " watchdog(s) armed";
                else if (c.LiveCount != 0) error = "CPU " + k + " runs " + c.LiveCount + " thread(s)";
            }
            if (error == null) cl.Set = GedfCluster.Gather(cores, out error);
            if (error == null)
            {
                for (int k = 0; k < m; k++) cores[k].Cpu = k;
                boot.Cluster = cl;
                Current = cl;
            }
            cl.ReadySetLock.Release(f);
            return error == null ? null : Abandon(cl, m, error);
        }

        // On CPU k, from its reschedule IPI (Remote.RunOn): its cluster from now on.
        private static void Adopt(object o)
        {
            PerCpu.Current.Cluster = (KernelCluster)o;
        }

        // On CPU k, from its reschedule IPI: back to scheduling alone (a
        // cluster that was never gathered: its core is still its own).
        private static void Leave(object o)
        {
            PerCpu c = PerCpu.Current;
            if (c.Cluster == o) c.Cluster = null;
        }

        // A Form that failed: CPUs 1..upto-1 leave the cluster they took.
        private static string Abandon(KernelCluster cl, int upto, string why)
        {
            for (int k = 1; k < upto; k++)
                if (!Smp.Remote.RunOn(k, &Leave, cl)) why = why + "; CPU " + k + " did not leave it within 1 s";
            return why;
        }

        // Undoes Form: every CPU of the cluster gets its gedf core on its own
        // back (GedfCluster.Scatter) and schedules alone again. Boot CPU,
        // main thread, with nothing else alive: on the other CPUs idle runs
        // with no switch under way and main is suspended, no CPU has a
        // watchdog armed or a live thread. A thread that exited on another
        // CPU may still be leaving its stack there: the check is retried
        // (bounded, 1 s). Null, or why nothing changed.
        //
        // Every CPU's Cluster is cleared here, under the cluster's lock:
        // each section of another CPU holds that lock (its CPU took the
        // cluster in Form), so none runs meanwhile. A section that read the
        // cluster before and waits for its lock gets it after the release
        // below and releases it again at its end (Scheduling.Lock records
        // which lock it took), on a core that is its CPU's own by then.
        internal static string Dissolve()
        {
            KernelCluster cl = Current;
            if (cl == null) return "no cluster runs";
            if (Scheduling.Current != PerCpu.Of(0).Main) return "not called from the boot CPU's main thread";
            string back = ReturnTo(0);
            if (back != null) return back;
            long start = Machine.Now();
            while (true)
            {
                ulong f = cl.ReadySetLock.Acquire();
                string why = NotQuiet(cl);
                if (why == null)
                {
                    why = cl.Set.Scatter();
                    if (why == null)
                    {
                        for (int k = 0; k < cl.Cpus; k++) PerCpu.Of(k).Cluster = null;
                        Current = null;
                    }
                    cl.ReadySetLock.Release(f);
                    return why;
                }
                cl.ReadySetLock.Release(f);
                if (Machine.Now() - start > 1000000000) return why;
                Machine.SpinWaitHint();
            }
        }

        // Moves the calling thread of the cluster to CPU `cpu` (main, which
        // ran on whichever CPU was free, back to its own). It sleeps 100 us
        // at a time; while it sleeps its LastCore names `cpu`'s core, which
        // the cluster prefers for a waking thread when that CPU is free
        // (GedfCluster.Schedule), so with nothing else running it wakes
        // there (that move is not counted as a migration). Bounded: 1 s.
        private static string ReturnTo(int cpu)
        {
            long start = Machine.Now();
            while (PerCpu.Current.Index != cpu)
            {
                if (Machine.Now() - start > 1000000000)
                    return "thread '" + Scheduling.Current.Name + "' did not get back to CPU " + cpu + " within 1 s (it runs on CPU " + PerCpu.Current.Index + ")";
                ulong f = Scheduling.Lock();
                Thread self = Scheduling.Current;
                SyncStatus s = SyncOps.SleepUntil(Scheduling.Core, self, Machine.Now() + 100000);
                // Blocked, no longer this CPU's heir: this CPU's Dispatch
                // leaves LastCore alone, the wake-up reads it.
                if (s == SyncStatus.Blocked)
                {
                    self.LastCore = PerCpu.Of(cpu).Core;
                    Scheduling.Reschedule();
                }
                Scheduling.Unlock(f);
            }
            return null;
        }

        // A thread as the cluster sees it (a refusal's reason): its name and
        // id, state bits, whether it exited, the CPU whose heir it is and
        // the CPU executing it (-1: none), under the cluster's lock.
        internal static string Describe(KernelCluster cl, Thread t)
        {
            if (t == null) return "(none)";
            int on = -1;
            for (int k = 0; k < cl.Cpus; k++) if (PerCpu.Of(k).Core.Executing == t) on = k;
            return "'" + t.Name + "' (id " + t.Id + ", state " + (uint)t.State + (t.Exited ? ", exited" : "") + (t.SwitchingOut ? ", switching out" : "")
                + ", heir of CPU " + t.Node.HeirCpu + ", executing on CPU " + on + ")";
        }

        // Why the cluster cannot be dissolved yet, or null. Under its lock.
        private static string NotQuiet(KernelCluster cl)
        {
            for (int k = 0; k < cl.Cpus; k++)
            {
                PerCpu c = PerCpu.Of(k);
                if (c.LiveCount != 0) return "CPU " + k + " has " + c.LiveCount + " live thread(s), the first " + Describe(cl, c.LiveHead);
                if (c.Core.Timers.Count != 0) return "CPU " + k + " has " + c.Core.Timers.Count + " watchdog(s) armed";
                if (k == 0) continue;
                if (c.CurrentThread != c.Idle || c.Core.Executing != c.Idle || c.Core.Heir != c.Idle || c.SwitchedFrom != null)
                    return "CPU " + k + " is not idle (it runs '" + c.CurrentThread.Name + "')";
                if ((c.Main.State & ThreadState.Suspended) == 0) return "CPU " + k + "'s main thread is not suspended";
            }
            return null;
        }
    }
}
