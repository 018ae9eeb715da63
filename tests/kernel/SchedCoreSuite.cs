using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // The portable scheduling core (sched/) as compiled into the kernel by
    // ilc, driven on a virtual clock: the same source the host tests cover,
    // here checked to behave the same under the kernel runtime.
    internal sealed class SchedCoreSuite : Suite
    {
        internal override string Name { get { return "sched"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "table_has_five_policies", "priority_picks_most_urgent", "edf_picks_earliest_deadline", "period_releases_and_blocks", "unknown_policy_rejected", "ready_sets_of_1000_keep_invariants" }; }
        }

        private sealed class VirtualPlatform : Platform
        {
            internal long Time;
            internal long Armed = long.MaxValue;
            public override long Now() { return Time; }
            public override void ArmTimer(long absoluteNs) { Armed = absoluteNs; }
            public override void RequestSwitch() { }
        }

        private static SchedCore NewCore(VirtualPlatform p, string policy, Check t)
        {
            string error;
            SchedCore c = SchedCore.Create(p, policy, null, out error);
            t.True(c != null, "core created for " + policy);
            return c;
        }

        private static SchedThread Started(SchedCore c, int id, int prio)
        {
            SchedThread th = new SchedThread(id, prio, "k" + id);
            c.AddThread(th);
            c.Start(th);
            if (c.DispatchNeeded) c.Dispatch();
            return th;
        }

        internal override void Run(int index, Check t)
        {
            VirtualPlatform p = new VirtualPlatform();
            if (index == 5) { ReadySets(t); return; }
            switch (index)
            {
                case 0:
                    t.Equal(5, SchedulerTable.Count, "entries");
                    t.True(SchedulerTable.Contains("priority") && SchedulerTable.Contains("edf") && SchedulerTable.Contains("cbs") && SchedulerTable.Contains("vcore") && SchedulerTable.Contains("gedf"), "names");
                    break;
                case 1:
                {
                    SchedCore c = NewCore(p, "priority", t);
                    if (c == null) return;
                    SchedThread low = Started(c, 1, 200);
                    SchedThread high = Started(c, 2, 10);
                    SchedThread mid = Started(c, 3, 100);
                    t.True(c.Executing == high, "most urgent runs");
                    c.Block(high);
                    if (c.DispatchNeeded) c.Dispatch();
                    t.True(c.Executing == mid, "next most urgent after a block");
                    t.True(c.CheckInvariants() == null, "invariants hold");
                    t.True(low.IsReady, "low still ready");
                    break;
                }
                case 2:
                {
                    SchedCore c = NewCore(p, "edf", t);
                    if (c == null) return;
                    SchedThread a = Started(c, 1, 50);
                    SchedThread b = Started(c, 2, 50);
                    RatePeriod pa = new RatePeriod(c, a);
                    RatePeriod pb = new RatePeriod(c, b);
                    t.True(pa.Run(a, 10_000_000) == PeriodStatus.Successful, "period a starts");
                    t.True(pb.Run(b, 5_000_000) == PeriodStatus.Successful, "period b starts");
                    if (c.DispatchNeeded) c.Dispatch();
                    t.True(c.Executing == b, "earlier deadline (5 ms) runs first");
                    break;
                }
                case 3:
                {
                    SchedCore c = NewCore(p, "priority", t);
                    if (c == null) return;
                    SchedThread a = Started(c, 1, 5);
                    RatePeriod pa = new RatePeriod(c, a);
                    t.True(pa.Run(a, 1_000_000) == PeriodStatus.Successful, "inactive period: activate, no block");
                    t.Equal(1_000_000, p.Armed, "period timer armed at now + length");
                    p.Time = 300_000;
                    t.True(pa.Run(a, 1_000_000) == PeriodStatus.Successful, "active period: blocks until expiry");
                    if (c.DispatchNeeded) c.Dispatch();
                    t.False(a.IsReady, "owner waits for the period");
                    p.Time = 1_000_000;
                    c.TimerFired(p.Time);
                    if (c.DispatchNeeded) c.Dispatch();
                    t.True(c.Executing == a, "next job released at expiry");
                    t.True(pa.Run(new SchedThread(9, 1, "other"), 1_000_000) == PeriodStatus.NotOwner, "not-owner status");
                    break;
                }
                case 4:
                {
                    string error;
                    SchedCore c = SchedCore.Create(p, "lottery", null, out error);
                    t.True(c == null, "no core for an unknown policy");
                    t.True(error != null && error.Length > 0, "an error says why");
                    break;
                }
            }
        }

        // The ready-set benchmark's workload (sched/measure/ReadySetBench.cs)
        // at 1,000 ready threads under each policy and pattern: 3,000 steps
        // of release, pick, block and unblock on the kernel's build of the
        // core, its invariants (tree order and balance, bitmap against
        // chains, heir and executing) checked every 500 steps.
        private static void ReadySets(Check t)
        {
            for (int a = 0; a < 2; a++)
            {
                ReadySetPattern pattern = a == 0 ? ReadySetPattern.Periodic : ReadySetPattern.Random;
                for (int q = 0; q < ReadySetBench.Policies.Length; q++)
                {
                    string what = ReadySetBench.Policies[q] + " " + ReadySetBench.PatternName(pattern);
                    string err;
                    ReadySetBench b = ReadySetBench.Create(ReadySetBench.Policies[q], 1000, pattern, 3 + q, out err);
                    if (!t.True(b != null, what + ": created (" + err + ")")) return;
                    for (int k = 1; k <= 3000; k++)
                    {
                        b.Step();
                        if (k % 500 == 0)
                        {
                            err = b.Check();
                            if (!t.True(err == null, what + " after " + k + " steps: " + err)) return;
                        }
                    }
                    t.Equal(1000, b.Sched.ReadyCount, what + ": ready set size");
                }
            }
        }
    }
}
