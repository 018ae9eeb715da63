using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // Which scheduler policy each test runs under, and the switch to it.
    //
    // Without sched= on the command line the run starts on a "priority"
    // core and, before each test, the CPU moves to a fresh core with the
    // policy the test needs (its own, its suite's, else priority) when the
    // running one differs: one boot runs every suite. With sched=NAME the
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

        // Puts the CPU on a core with the test's policy. False when the test
        // must not run: then t carries the skip (sched= forces another
        // policy) or the failure (the switch was refused).
        internal static bool Prepare(Suite suite, int index, Check t)
        {
            string need = Needed(suite, index);
            string forced = Forced;
            if (forced != null && need != forced)
            {
                t.Skip("needs the " + need + " scheduler; sched=" + forced + " on the command line keeps " + forced + " for the whole run");
                return false;
            }
            if (Scheduling.Core.Scheduler.Name != need)
            {
                string why = Scheduling.SwitchPolicy(need);
                if (why != null)
                {
                    t.Fail("cannot switch the scheduler from " + Scheduling.Core.Scheduler.Name + " to " + need + ": " + why);
                    return false;
                }
                // The guest-core tables name threads of the vcore core that
                // was replaced: start the new core with empty ones.
                Workload.GuestCores.Reset();
                t.Note("scheduler: switched to a new " + need + " core (core " + Scheduling.CoreCount + ")");
            }
            if (Scheduling.Core.Scheduler.Name != need)
            {
                t.Fail("the running scheduler is " + Scheduling.Core.Scheduler.Name + ", the test needs " + need);
                return false;
            }
            return true;
        }
    }
}
