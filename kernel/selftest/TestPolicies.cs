using Osprey.Kernel.Arch;
using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // Which scheduler policy each test runs under, and the switch to it.
    //
    // Without sched= on the command line the run starts on "priority"
    // cores and, before each test, every started CPU whose core runs
    // another policy than the test needs (its own, its suite's, else
    // priority) moves to a fresh core of that policy: one boot runs every
    // suite, and a suite run @edf has EDF on every CPU. With sched=NAME the
    // run keeps NAME's core throughout: tests that need another policy skip
    // (naming sched= and the policy they need) and policy variants
    // (threads@edf) run only when the filter names them.
    internal static class TestPolicies
    {
        internal const string Default = "priority";

        // The policy sched= forces, or null.
        internal static string Forced
        {
            get { return KernelMain.Options != null ? KernelMain.Options.Scheduler : null; }
        }

        internal static string Base { get { string f = Forced; return f != null ? f : Default; } }

        // The policy test `index` of `suite` runs under.
        internal static string Needed(Suite suite, int index)
        {
            string p = suite.TestPolicy(index);
            if (p == null) p = suite.Policy;
            return p != null ? p : Base;
        }

        // Puts every started CPU on a core with the test's policy. False when
        // the test must not run: then t carries the skip (sched= forces
        // another policy) or the failure (a CPU refused the switch).
        internal static bool Prepare(Suite suite, int index, Check t)
        {
            string need = Needed(suite, index);
            string forced = Forced;
            if (forced != null && need != forced)
            {
                t.Skip("needs the " + need + " scheduler; sched=" + forced + " on the command line keeps " + forced + " for the whole run");
                return false;
            }
            int differing = Differing(need);
            if (differing > 0)
            {
                string why = SwitchEveryCpu(need);
                // The guest-core tables name threads of vcore cores that
                // were replaced: start the new cores with empty ones.
                if (Differing(need) < differing) Workload.GuestCores.Reset();
                if (WaitedNs > 0) t.Note("scheduler: waited " + WaitedNs / 1000 + " us for other CPUs' threads of the last test to exit");
                if (why != null) { t.Fail(why); return false; }
                t.Note("scheduler: every CPU (" + CpuRange() + ") switched to a new " + need + " core (core " + Scheduling.CoreCount + " on CPU 0)");
            }
            for (int k = 0; k < PerCpu.Count; k++)
            {
                if (!Smp.Smp.Online(k) && k != 0) continue;
                string name = PerCpu.Of(k).Core.Scheduler.Name;
                if (name != need)
                {
                    t.Fail("CPU " + k + " runs " + name + ", the test needs " + need);
                    return false;
                }
            }
            return true;
        }

        // The started CPUs whose core runs another policy than `policy`.
        private static int Differing(string policy)
        {
            int n = 0;
            for (int k = 0; k < PerCpu.Count; k++)
                if ((k == 0 || Smp.Smp.Online(k)) && PerCpu.Of(k).Core.Scheduler.Name != policy) n++;
            return n;
        }

        private static string CpuRange()
        {
            int m = Smp.Smp.Count;
            return m == 1 ? "0" : "0.." + (m - 1);
        }

        // Every started CPU whose core runs another policy moves to a fresh
        // core of `policy`: CPU 0 here, each other CPU through its main
        // thread (TestCluster.SwitchOn). Each CPU switches only with main
        // and idle alive there (Scheduling.SwitchPolicy). Before any CPU
        // switches, each is checked for a cluster or a thread still alive
        // (another CPU's given up to exitWaitNs to end its threads), so such
        // a refusal leaves every CPU as it was and names the CPU and its
        // thread. Null, or why not. A CPU that passes the check and still
        // refuses on its own (SwitchPolicy checks again there) stops the
        // switch at that CPU, named in the message; the CPUs before it have
        // switched.
        internal static string SwitchEveryCpu(string policy) { return SwitchEveryCpu(policy, ExitWaitNs); }

        internal static string SwitchEveryCpu(string policy, long exitWaitNs)
        {
            WaitedNs = 0;
            for (int k = 0; k < PerCpu.Count; k++)
            {
                if (k != 0 && !Smp.Smp.Online(k)) continue;
                PerCpu c = PerCpu.Of(k);
                if (c.Core.Scheduler.Name == policy) continue;
                string why = k == 0 ? Busy(c) : BusyAfterWait(c, exitWaitNs);
                if (why != null) return "CPU " + k + " cannot leave its " + c.Core.Scheduler.Name + " core for " + policy + ": " + why;
            }
            string was0 = Scheduling.Core.Scheduler.Name;
            if (was0 != policy)
            {
                string why = Scheduling.SwitchPolicy(policy);
                if (why != null) return "CPU 0 cannot switch the scheduler from " + was0 + " to " + policy + ": " + why;
            }
            for (int k = 1; k < PerCpu.Count; k++)
            {
                if (!Smp.Smp.Online(k) || PerCpu.Of(k).Core.Scheduler.Name == policy) continue;
                string why = TestCluster.SwitchOn(k, policy);
                if (why != null) return why;
            }
            return null;
        }

        // A thread of the previous test may still be on its way out on
        // another CPU (it signalled CPU 0, which went on, then it exits):
        // up to this long for the other CPUs' threads to exit before the
        // refusal. (CPU 0's own threads cannot run while main waits.)
        private const long ExitWaitNs = 1000000000;

        // The time the last SwitchEveryCpu waited for other CPUs' threads
        // to exit (the runner notes it).
        internal static long WaitedNs;

        private static string BusyAfterWait(PerCpu c, long waitNs)
        {
            long start = Machine.Now();
            if (c.LiveHead == null) return Busy(c);
            while (c.Cluster == null && c.LiveHead != null && Machine.Now() - start < waitNs) Machine.SpinWaitHint();
            WaitedNs += Machine.Now() - start;
            return Busy(c);
        }

        // Why CPU c's core cannot be replaced, as far as CPU 0 can see
        // (its cluster, its first live thread), or null. A read of another
        // CPU's list without its lock: a thread that exits meanwhile only
        // makes the message out of date; the switch itself checks again on
        // that CPU, with interrupts off.
        private static string Busy(PerCpu c)
        {
            if (c.Cluster != null) return "it is in a global-EDF cluster of " + c.Cluster.Cpus + " CPUs";
            Thread first = c.LiveHead;
            if (first != null) return c.LiveCount + " thread(s) of an earlier test still alive there, the first '" + first.Name + "' (id " + first.Id + ")";
            return null;
        }
    }
}
