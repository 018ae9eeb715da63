using Osprey.Kernel.Arch.Svm;
using Osprey.Kernel.Boot;
using Osprey.Kernel.Threading;
using Osprey.Kernel.Workload;
using Osprey.Sched;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.SelfTest
{
    // Osprey as its own guest (kernel/README.md, "Osprey as a guest"): this
    // kernel's image, given as the boot module 'osprey', boots on a guest
    // core under AMD SVM, finds the paravirtual platform, runs its own
    // workload or self-tests and exits; the host reads its report lines.
    // Needs SVM with nested paging (QEMU: -cpu EPYC) and the module (QEMU:
    // -initrd "...,out/kernel.elf osprey"); skipped without them (the
    // boots of every suite on other CPU models). build.sh test runs it in
    // its own stage under -icount, where every figure repeats.
    //
    // The guest's own analysis cannot see the time its core is not running
    // (its clock runs on), so the host predicts: EDF on a periodic resource
    // of the core's period and slice (GuestSupplyAnalysis). Off the exact
    // clock the checks are those no host stall can break: the guest boots,
    // reports and exits, and a demand above its share misses.
    internal sealed unsafe class PvGuestSuite : Suite
    {
        internal override string Name { get { return "pvguest"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "osprey_guest_meets_with_enough_slice", "osprey_guest_misses_with_too_little", "osprey_guest_reports_its_selftests" }; }
        }

        internal override string Policy { get { return "vcore"; } }

        private const long Ms = 1000000;

        // 1 ms every 20 ms and 2 ms every 50 ms: 9% of the guest's time.
        private const string Tasks = "    scheduler edf\n    duration 200ms\n    periodic name=a wcet=1ms period=20ms\n    periodic name=b wcet=2ms period=50ms\n";

        internal override void Run(int index, Check t)
        {
            if (GuestCores.Scheduler == null) { t.Fail("the running scheduler is " + Scheduling.Core.Scheduler.Name + ", not vcore"); return; }
            if (!SvmCpu.Usable) { t.Skip("no AMD SVM with nested paging on this CPU (QEMU: -cpu EPYC)"); return; }
            BootModule m;
            if (Vmm.OspreyImageModule.Find(KernelMain.Boot, "os", out m) != null) { t.Skip("no boot module 'osprey' (QEMU: -initrd \"...,out/kernel.elf osprey\")"); return; }
            ulong need = (index == 2 ? 64UL : 16UL) << 20;
            if (Memory.PhysicalMemory.FreeBytes < need + (8UL << 20))
            { t.Skip("the guest needs " + (need >> 20) + " MiB of RAM; this machine has " + (Memory.PhysicalMemory.FreeBytes >> 20) + " MiB free"); return; }
            GuestCores.Reset();
            GuestCores.Scheduler.SetShare(1, 1);
            lastGuest = null;
            lastSpec = null;
            ulong freed0 = Memory.PhysicalMemory.FreedBytes;
            switch (index)
            {
                case 0: RunWorkload(t, true); break;
                case 1: RunWorkload(t, false); break;
                case 2: SelfTests(t); break;
            }
            GuestCores.Reset();        // the guest torn down: its frames back to the allocator
            if (lastGuest == null) return;
            // Every frame it took: RAM, canaries, table region, VMCB, state page,
            // maps, and the loader's copy of its workload text (freed after the load).
            string text = lastSpec.NestedWorkload == null ? "" : lastSpec.NestedWorkload;
            ulong want = (SvmGuest.FramesOf(lastGuest.Memory.Bytes) + ((ulong)text.Length + 1 + 4095) / 4096) * Memory.PhysicalMemory.PageSize;
            t.True(lastGuest.Released && lastGuest.ReleasedOn == 0, "the guest torn down on CPU 0, its CPU (on " + lastGuest.ReleasedOn + ")");
            t.Equal((long)want, (long)(Memory.PhysicalMemory.FreedBytes - freed0), "every frame the guest took given back, bytes");
        }

        private static SvmGuest lastGuest;
        private static GuestSpec lastSpec;

        // Boots the guest of `text` (one guest block) and runs it until it
        // exits or `maxNs` passed; null when it did not start.
        private static SvmGuest Boot(Check t, string text, long maxNs, out GuestSpec spec)
        {
            spec = null;
            ParseResult pr = WorkloadParser.ParseText(text);
            if (!pr.Ok) { t.Fail("test workload: " + pr.Error); return null; }
            if (pr.Workload.GuestErrors.Length > 0) { t.Fail("test workload: " + pr.Workload.GuestErrors[0]); return null; }
            spec = pr.Workload.Guests[0];
            string refusal;
            Vcore v = VmmCores.Create(spec, 0, 1, 0, out refusal);
            if (v == null) { t.Fail("the Osprey guest was refused: " + refusal); return null; }
            if (!t.True(GuestCores.Add(v, "os"), "admitted")) return null;
            SvmGuest g = (SvmGuest)v.Program;
            lastGuest = g;
            lastSpec = spec;
            UrgentMain.Raise();
            long t0 = Machine.Now();
            GuestCores.StartAll(t0);
            while (!g.Stopped && Machine.Now() - t0 < maxNs) Threads.SleepUntil(Machine.Now() + 20 * Ms);
            long ran = Machine.Now() - t0;
            UrgentMain.Lower();
            GuestCores.StopAll();
            t.Note("guest " + (g.Stopped ? g.StopReason : "still running") + " after " + ran / 1000 + " us of host time; " + g.Summary());
            t.Note("its report: " + g.Report.Summary());
            return g;
        }

        private static void Exited(Check t, SvmGuest g, string what)
        {
            t.True(g.Report.Paravirtual, "the guest found the paravirtual platform (its boot line)");
            t.True(g.Exited, "the guest exited " + what);
            t.Equal(Runner.ExitPass, (long)g.ExitStatus, "its exit status is the pass status");
            t.True(g.Memory.CanariesIntact(), "the guest stayed inside its RAM (canaries)");
        }

        private static void RunWorkload(Check t, bool enough)
        {
            // Enough: 5 ms every 10 ms for 9%; too little: 5 ms every 50 ms (10%) for a 2 ms job every 10 ms (20%).
            string text = "guest name=os\n  image osprey\n  memory 16M\n  cmdline exit\n  vcore period=" + (enough ? "10ms" : "50ms") + " slice=5ms\n  workload\n"
                + (enough ? Tasks : "    scheduler edf\n    duration 200ms\n    periodic name=a wcet=2ms period=10ms\n") + "  end workload\nend\n";
            GuestSpec spec;
            SvmGuest g = Boot(t, text, 5000 * Ms, out spec);
            if (g == null) return;
            string why;
            SupplyResult a = GuestSupplyAnalysis.Of(spec, out why);
            if (!t.True(a != null && a.Decided, "the host's analysis decided (" + (a == null ? why : a.Reason) + ")")) return;
            t.Note("host's analysis: " + GuestSupplyAnalysis.Describe(spec));
            Exited(t, g, "after its workload");
            if (!t.True(g.Report.TotalSeen, "the guest printed its table's totals")) return;
            t.True(g.Report.Jobs > 0, "its tasks ran (" + g.Report.Jobs + " jobs)");
            if (enough)
            {
                t.True(a.Schedulable, "analysis: guaranteed on 5 ms every 10 ms");
                // A host stall (plain emulation) delays the guest's releases as it
                // delays any thread's: the misses are checked on the exact clock.
                if (KernelMain.Options.ExactClock) t.Equal(0, g.Report.Misses, "no deadline miss in the guest");
                else t.Note("plain clock: " + g.Report.Misses + " misses in the guest (not asserted)");
            }
            else
            {
                t.False(a.Schedulable, "analysis: a 20% demand on a 10% share is not schedulable");
                t.True(g.Report.Misses > 0, "the guest misses deadlines (" + g.Report.Misses + " of " + g.Report.Jobs + " jobs)");
            }
        }

        private static void SelfTests(Check t)
        {
            GuestSpec spec;
            SvmGuest g = Boot(t, "guest name=os\n  image osprey\n  memory 64M\n  cmdline selftest=runtime\n  vcore period=10ms slice=9ms\nend\n", 5000 * Ms, out spec);
            if (g == null) return;
            Exited(t, g, "after its self-tests");
            if (!t.True(g.Report.SelfTestSeen, "the host read the guest's summary line ('# selftest: pass=...')")) return;
            t.True(g.Report.Pass > 0, "the guest's tests ran (" + g.Report.Pass + " passed)");
            t.Equal(0, g.Report.Fail, "none of the guest's tests failed");
            t.Equal(g.Report.Total, g.Report.Pass + g.Report.Skip, "its total is its passed and skipped tests");
        }
    }
}
