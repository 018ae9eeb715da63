using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // The runner's policy switch reaches every CPU. Registered twice: as
    // "cpupolicy@edf" (UnderPolicy), where every started CPU's core must run
    // edf, and then plainly, where every CPU must be back on the run's base
    // policy (priority, or the one sched= names). The policy each CPU
    // should run is read from the suite's name (the part after '@'), not
    // from the runner's own choice, so a runner that switched CPU 0 alone
    // fails here on the first other CPU.
    internal sealed class CpuPolicySuite : Suite
    {
        internal override string Name { get { return "cpupolicy"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "every_cpu_runs_the_suite_policy" }; }
        }

        internal override void Run(int index, Check t)
        {
            string suite = Runner.CurrentSuite;
            string expected = TestPolicies.Base;
            for (int i = 0; suite != null && i < suite.Length; i++)
                if (suite[i] == '@') { expected = suite.Substring(i + 1); break; }
            int m = Smp.Smp.Count;
            int seen = 0;
            for (int k = 0; k < PerCpu.Count; k++)
            {
                if (k != 0 && !Smp.Smp.Online(k)) continue;
                PerCpu c = PerCpu.Of(k);
                if (!t.True(c.Core != null, "cpu " + k + " has a scheduling core")) continue;
                t.Equal(expected, c.Core.Scheduler.Name, "cpu " + k + "'s policy in " + suite);
                t.True(c.LiveHead == null, "cpu " + k + " runs no thread of an earlier test");
                seen++;
            }
            t.Equal(m, seen, "CPUs checked (every started one)");
            t.Note(seen + " CPU(s) checked for '" + expected + "' cores in " + suite);
        }
    }
}
