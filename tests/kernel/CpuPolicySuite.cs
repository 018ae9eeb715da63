using Osprey.Kernel.Arch;
using Osprey.Kernel.Smp;
using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // The runner's policy switch reaches every CPU. Registered twice: as
    // "cpupolicy@edf" (UnderPolicy), where every started CPU's core must run
    // edf, and then plainly, where every CPU must be back on the run's base
    // policy (priority, or the one sched= names). The policy each CPU
    // should run is read from the suite's name (the part after '@'), not
    // from the runner's own choice, so a runner that switched CPU 0 alone
    // fails here on the first other CPU. The refusal test (plain suite
    // only: it needs priority) keeps a thread alive on the last CPU and
    // asks for a switch of every CPU: refused, naming that CPU and thread,
    // and no CPU switched.
    internal sealed unsafe class CpuPolicySuite : Suite
    {
        internal override string Name { get { return "cpupolicy"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "every_cpu_runs_the_suite_policy", "switch_refused_while_a_thread_lives" }; }
        }

        // The refusal test spawns at this priority and never on an EDF core.
        internal override string TestPolicy(int index) { return index == 1 ? "priority" : null; }

        private const int HolderPriority = 100;      // more urgent than an AP's main thread
        private const long WaitNs = 2000000000;      // bounds a lost wake-up
        private const long ShortWaitNs = 1000000;    // the runner's wait for exiting threads, cut short

        internal override void Run(int index, Check t)
        {
            if (index == 0) EveryCpu(t); else Refused(t);
        }

        private static void EveryCpu(Check t)
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

        private static Semaphore hold, done;
        private static volatile int holderCpu;

        private static void Holder(object o)
        {
            holderCpu = Machine.CpuIndex;
            SyncStatus s = Blocking.Obtain(hold, WaitNs);
            if (s == SyncStatus.Successful) Blocking.Release(done);
        }

        private static void Refused(Check t)
        {
            int m = Smp.Smp.Count;
            if (m < 2) { t.Skip("one CPU started: no other CPU to hold a thread"); return; }
            int last = m - 1;
            if (!Smp.Smp.Online(last)) { t.Skip("cpu " + last + " does not run"); return; }
            hold = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
            done = Blocking.NewSemaphore(0, 1, WaitDiscipline.Priority);
            holderCpu = -1;
            Thread h = Remote.SpawnOn(last, "cpupolicy-holder", &Holder, null, HolderPriority);
            if (!t.True(h != null, "a thread started on cpu " + last)) return;
            long start = Machine.Now();
            while (hold.WaitingCount == 0 && Machine.Now() - start < WaitNs) Machine.SpinWaitHint();
            t.Equal(1, hold.WaitingCount, "the thread blocked on cpu " + last);
            t.Equal(last, holderCpu, "it runs on cpu " + last);

            string[] names = new string[m];
            int[] cores = new int[m];
            for (int k = 0; k < m; k++) { names[k] = PerCpu.Of(k).Core.Scheduler.Name; cores[k] = PerCpu.Of(k).CoreCount; }
            string other = names[0] == "edf" ? "priority" : "edf";
            string why = TestPolicies.SwitchEveryCpu(other, ShortWaitNs);
            if (t.True(why != null, "a switch of every CPU to " + other + " is refused"))
            {
                t.Note("refused: " + why);
                t.True(Has(why, "CPU " + last + " "), "the refusal names cpu " + last);
                t.True(Has(why, "'cpupolicy-holder'"), "the refusal names the thread");
            }
            for (int k = 0; k < m; k++)
            {
                t.Equal(names[k], PerCpu.Of(k).Core.Scheduler.Name, "cpu " + k + " keeps its policy");
                t.Equal(cores[k], PerCpu.Of(k).CoreCount, "cpu " + k + " keeps its core");
            }

            Blocking.Release(hold);
            t.Equal((long)SyncStatus.Successful, (long)Blocking.Obtain(done, WaitNs), "the thread woke and signalled back");
            PerCpu lc = PerCpu.Of(last);
            start = Machine.Now();
            while (lc.LiveHead != null && Machine.Now() - start < WaitNs) Machine.SpinWaitHint();
            t.True(lc.LiveHead == null, "the thread exited: cpu " + last + " can switch again");
        }

        private static bool Has(string s, string part)
        {
            for (int i = 0; i + part.Length <= s.Length; i++)
            {
                int j = 0;
                while (j < part.Length && s[i + j] == part[j]) j++;
                if (j == part.Length) return true;
            }
            return false;
        }
    }
}
