using Osprey.Kernel.Arch;
using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // Global EDF over the running CPUs (sched=gedf, or a file's `scheduler
    // gedf`): every CPU starts with a gedf core of its own (a cluster of one
    // CPU: EDF); Form then gathers the first M of them into one cluster
    // (GedfCluster.Gather): one ready set, the M most urgent threads run.
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

    internal static class GlobalCluster
    {
        // The cluster the CPUs form (null: every CPU schedules alone).
        internal static KernelCluster Current;

        // Gathers CPUs 0..m-1 (all running, each on its own gedf core) into
        // one cluster. Boot CPU, main thread, before any other thread runs:
        // the other CPUs' main threads are suspended (ApEntry.Serve) and
        // their cores have no timer armed, so no other CPU enters its core
        // meanwhile. Null, or why nothing changed.
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
                if (c.Core.Timers.Count != 0) return "CPU " + k + " has " + c.Core.Timers.Count + " watchdog(s) armed";
                if (c.LiveCount != 0) return "CPU " + k + " runs " + c.LiveCount + " thread(s)";
            }
            var cores = new SchedCore[m];
            for (int k = 0; k < m; k++) cores[k] = PerCpu.Of(k).Core;
            var cl = new KernelCluster();
            cl.Cpus = m;
            ulong f = Machine.DisableInterrupts();
            string error;
            cl.Set = GedfCluster.Gather(cores, out error);
            if (cl.Set == null) { Machine.RestoreInterrupts(f); return error; }
            for (int k = 0; k < m; k++)
            {
                cores[k].Cpu = k;
                PerCpu.Of(k).Cluster = cl;
            }
            Current = cl;
            Machine.RestoreInterrupts(f);
            return null;
        }
    }
}
