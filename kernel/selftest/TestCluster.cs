using Osprey.Kernel.Smp;
using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // A global-EDF cluster over every started CPU for one test of a boot
    // whose policy is not gedf (sched=gedf forms it at boot instead). Form
    // puts each CPU on a gedf core (CPU 0: the one the runner gave every
    // CPU for the test, TestPolicies; each other CPU: a fresh one, its main
    // thread, asked through Smp.RunOn, running Scheduling.SwitchPolicy on
    // its own CPU, under the same rules: only main and idle alive there)
    // and gathers them
    // (GlobalCluster.Form). Dissolve scatters the cluster and gives every
    // CPU a fresh core of the policy it had before Form, so the next tests
    // run as if no cluster had been. Boot CPU, main thread.
    internal static class TestCluster
    {
        private const long AnswerNs = 1000000000;

        // Each CPU's policy before Form (null: no cluster formed here).
        private static string[] before;

        // Null, or why no cluster formed (every CPU is back on a fresh core
        // of its policy then).
        internal static string Form()
        {
            int m = Smp.Smp.Count;
            if (m < 2) return "one CPU started";
            if (GlobalCluster.Current != null) return "a cluster already runs";
            if (Scheduling.Core.Scheduler.Name != "gedf") return "CPU 0 runs '" + Scheduling.Core.Scheduler.Name + "', not a gedf core";
            string[] was = new string[m];
            for (int k = 0; k < m; k++) was[k] = PerCpu.Of(k).Core.Scheduler.Name;
            for (int k = 1; k < m; k++)
            {
                string why = SwitchOn(k, "gedf");
                if (why != null) { Restore(was, k); return why; }
            }
            string e = GlobalCluster.Form(m);
            if (e != null) { Restore(was, m); return "CPUs 0.." + (m - 1) + " on gedf cores, but they did not gather: " + e; }
            before = was;
            return null;
        }

        // Null, or why the cluster stays (a thread of the test still alive,
        // a watchdog still armed) or a CPU did not get its core back.
        internal static string Dissolve()
        {
            if (before == null) return "no cluster formed by the self-tests";
            string why = GlobalCluster.Dissolve();
            if (why != null) return "the cluster stays: " + why;
            string[] was = before;
            before = null;
            // CPU 0: a fresh gedf core (the runner's choice for this test);
            // the scattered one still names the cluster's threads.
            string e0 = Scheduling.SwitchPolicy("gedf");
            if (e0 != null) return "CPU 0 cannot leave its cluster core: " + e0;
            return Restore(was, was.Length);
        }

        // CPUs 1..upto-1 back on fresh cores of their policies.
        private static string Restore(string[] was, int upto)
        {
            string first = null;
            for (int k = 1; k < upto; k++)
            {
                string why = SwitchOn(k, was[k]);
                if (why != null && first == null) first = why;
            }
            return first;
        }

        // CPU k's main thread puts CPU k on a fresh core of `policy`
        // (only main and idle alive there). Null, or why not. Also the
        // runner's switch of every CPU (TestPolicies.SwitchEveryCpu) and
        // svm.partitioned use it.
        internal static string SwitchOn(int k, string policy)
        {
            Processor p = Smp.Smp.Cpus[k];
            p.Text = policy;
            if (!Smp.Smp.RunOn(k, SmpCommands.SwitchPolicy, 0, 0, AnswerNs))
                return "CPU " + k + " did not switch to a '" + policy + "' core within " + (AnswerNs / 1000000) + " ms (its main thread busy or the CPU not online)";
            if (p.TextResult != null) return "CPU " + k + " cannot switch to a '" + policy + "' core: " + p.TextResult;
            return null;
        }
    }
}
