using Osprey.Kernel.Threading;
using Osprey.Kernel.Workload;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.SelfTest
{
    // The promise, tested: random task sets and guest-core sets at the
    // admission limit of the overhead-aware analysis (sched/workload/
    // RandomSets.cs, with the overheads this kernel measured at boot for the
    // running policy) run through the workload runner; every admitted set
    // must run without a deadline miss (and every generated guest core must
    // be admitted by the kernel). Run only by name, one test per policy:
    //   selftest=props.fixed_priority sched=priority
    //   selftest=props.edf sched=edf
    //   selftest=props.guest_cores sched=vcore
    // `props=N[,SEED[,FIRST]]` on the command line sets the sets per test (default
    // 30, 30, 15) and the seed (default 1). The first failing set is printed
    // as a workload file between `# props: failing set begin` and
    // `# props: failing set end` lines (build.sh test saves it in out/test/).
    internal sealed class PropsSuite : Suite
    {
        internal override string Name { get { return "props"; } }
        internal override bool ExplicitOnly { get { return true; } }
        internal override string[] TestNames { get { return new string[] { "fixed_priority", "edf", "guest_cores" }; } }

        private static bool printed;

        internal override void Run(int index, Check t)
        {
            string policy = index == 0 ? "priority" : index == 1 ? "edf" : "vcore";
            if (Scheduling.Core.Scheduler.Name != policy) { t.Skip("needs sched=" + policy); return; }
            if (!OverheadProbe.Done) { t.Fail("the boot-time overhead probe did not run: " + OverheadProbe.Error); return; }
            int n = KernelMain.Options.PropSets > 0 ? KernelMain.Options.PropSets : index == 2 ? 15 : 30;
            ulong seed = KernelMain.Options.PropSeed;
            Overheads o = OverheadProbe.For(policy, true);
            long t0 = Machine.Now();
            ulong heap0 = Memory.Heap.AllocatedBytes;
            int run = 0, skipped = 0, failed = 0;
            long jobs = 0, misses = 0, periods = 0;
            int first = KernelMain.Options.PropFirst;
            for (int i = first; i < first + n; i++)
            {
                RandomSetKind kind = index == 2 ? RandomSetKind.GuestCores
                    : (RandomSetKind)((index == 0 ? 0 : 2) + (i & 1));
                WorkloadSpec w = RandomSets.Make(seed, i, kind, o);
                if (w == null) { skipped++; continue; }
                string name = "props-" + policy + "-" + seed + "-" + i;
                WorkloadRunner.Spec = w;
                WorkloadRunner.FileName = name;
                WorkloadRunner.Quiet = true;
                WorkloadRunner.Run();
                WorkloadRunner.Quiet = false;
                run++;
                string why = null;
                for (int k = 0; k < w.Tasks.Length; k++)
                {
                    TaskStats s = WorkloadRunner.StatsOf(k);
                    if (s == null || w.Tasks[k].Kind != TaskKind.Periodic) continue;
                    jobs += s.Jobs;
                    misses += s.Misses;
                    if (s.Misses > 0 && why == null) why = "task '" + s.Name + "' missed " + s.Misses + " of " + s.Released + " job(s), worst response " + Format.Time(s.RespMax);
                    if (s.Jobs == 0 && why == null) why = "task '" + s.Name + "' completed no job";
                }
                if (index == 2)
                {
                    if (GuestCores.RejectedCount > 0 && why == null) why = "the kernel refused a core: " + GuestCores.Rejected[0];
                    for (int k = 0; k < GuestCores.Count; k++)
                    {
                        Osprey.Sched.Vcore v = GuestCores.Cores[k];
                        periods += v.Periods;
                        misses += v.Misses;
                        if (v.Misses > 0 && why == null) why = "core " + v.Name + " missed " + v.Misses + " of " + v.Periods + " period(s) (" + Format.Time(v.MissedNs) + " of slice left)";
                        if (v.Periods == 0 && why == null) why = "core " + v.Name + " completed no period";
                    }
                }
                if ((i + 1 - first) % 25 == 0) t.Note("progress: " + (i + 1 - first) + " of " + n + " sets, " + failed + " failing");
                if (why == null) continue;
                failed++;
                t.Note(name + " (" + RandomSets.KindName(kind) + "): " + why);
                if (!printed)
                {
                    printed = true;
                    Log.WriteLine("# props: failing set begin " + name);
                    Log.Write(RandomSets.ToText(w, name + ": " + RandomSets.KindName(kind) + ", admitted with " + o.Describe() + "; " + why));
                    // The kernel's table of that run, as comments of the file.
                    Log.WriteLine("# " + RunReport.Header());
                    for (int k = 0; k < w.Tasks.Length; k++)
                        if (WorkloadRunner.StatsOf(k) != null) Log.WriteLine("# " + RunReport.Line(WorkloadRunner.StatsOf(k)));
                    Log.WriteLine("# props: failing set end");
                }
            }
            long wall = Machine.Now() - t0;
            t.Note(policy + ": " + run + " admitted set(s) run (" + skipped + " shapes no utilization admits), " + jobs + " jobs"
                + (index == 2 ? ", " + periods + " core periods" : "") + ", " + misses + " misses, " + failed + " failing set(s); "
                + Format.Time(wall) + " of guest time, heap +" + ((Memory.Heap.AllocatedBytes - heap0) >> 10) + " KiB; " + o.Describe());
            t.True(run > 0 && run >= n / 2, "most generated sets are admitted (" + run + " of " + n + ")");
            t.True(failed == 0, failed + " admitted set(s) missed (first one printed between the props markers)");
            t.Bench("props_" + policy + "_sets", run, "sets");
            t.Bench("props_" + policy + "_misses", misses, "misses");
        }
    }
}
