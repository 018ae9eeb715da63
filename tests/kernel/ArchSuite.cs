using Osprey.Kernel.Arch;
using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // The arch contract's per-CPU block, ticket lock and IPIs on this CPU;
    // TLB shootdown across CPUs (TlbTests); per-CPU interrupt counts and
    // fault catching (PerCpuArchTests).
    internal sealed unsafe class ArchSuite : Suite
    {
        internal override string Name { get { return "arch"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "percpu_block_through_gs", "percpu_blocks_per_madt_cpu", "spinlock_tickets_and_interrupts", "ipi_to_self_through_icr", "ipi_refuses_bad_vector", "ipi_all_but_self_skips_self",
                "tlb_unmap_reaches_every_cpu", "tlb_concurrent_shootdowns", "tlb_shootdown_round_trip", "interrupt_counts_per_cpu", "fault_catch_per_cpu" }; }
        }

        private const int Vector = 0x64;
        private static long received;
        private static uint receivedOnIndex;
        private static long[] perCpu;

        private sealed class IpiHandler : InterruptHandler
        {
            internal override void Handle(InterruptFrame* frame)
            {
                received++;
                receivedOnIndex = (uint)Machine.CpuIndex;
                // One counter per CPU: each written by its own CPU only.
                if (perCpu != null) perCpu[receivedOnIndex]++;
                Machine.EndOfInterrupt();
            }
        }

        // IPIs counted on CPUs from..N-1.
        private static long Arrived(int from)
        {
            long n = 0;
            for (int i = from; i < perCpu.Length; i++) n += perCpu[i];
            return n;
        }

        internal override void Run(int index, Check t)
        {
            switch (index)
            {
                case 0:
                {
                    CpuBlock* b = Machine.CurrentCpuBlock();
                    t.True(b != null, "GS names a block");
                    t.EqualHex((ulong)b, b->Self, "the block's first field is its own address");
                    t.Equal(0, Machine.CpuIndex, "the boot CPU is index 0");
                    PerCpu p = PerCpu.Current;
                    t.True(p != null && p == PerCpu.Of(0), "PerCpu.Current is CPU 0's object");
                    t.True(p != null && p.Block == b, "and holds the installed block");
                    t.True(p != null && p.CurrentThread == Threads.Current && p.Core == Scheduling.Core, "the scheduling state is the per-CPU object's");
                    t.Equal(Machine.ApicId, p == null ? 0xFFFFFFFF : p.ApicId, "its APIC id is this CPU's");
                    break;
                }
                case 1:
                {
                    Acpi.AcpiInfo a = Acpi.AcpiDiscovery.Info;
                    long expect = a != null && a.Found && a.Error == null ? a.EnabledCpuCount : 1;
                    int limit = KernelMain.Options.CpuLimit;
                    if (limit > 0 && expect > limit) expect = limit;       // cpus=N
                    t.Note("MADT: " + expect + " enabled CPU(s) to use; per-CPU blocks: " + PerCpu.Count);
                    t.Equal(expect, PerCpu.Count, "one per-CPU object per enabled CPU (at most cpus=N)");
                    bool ok = true;
                    for (int i = 1; i < PerCpu.Count; i++)
                    {
                        PerCpu p = PerCpu.Of(i);
                        if (p.Index != i || p.Block == null || p.Block->Self != (ulong)p.Block || p.Block->Index != i || p.Block->ApicId != p.ApicId
                            || p.ApicId == PerCpu.Of(0).ApicId || (p.Core != null) != Smp.Smp.Online(i))
                            ok = false;
                    }
                    t.True(ok, "CPUs 1..N-1: own block (self address, index, APIC id), a core exactly when started");
                    break;
                }
                case 2:
                {
                    SpinLock l = default(SpinLock);
                    ulong before = Machine.DisableInterrupts();
                    Machine.RestoreInterrupts(before);
                    t.True(Machine.InterruptsEnabled(before), "interrupts on in the test thread");
                    ulong f = l.Acquire();
                    ulong inside = Machine.DisableInterrupts();
                    bool held = l.HeldHere;
                    l.Release(f);
                    ulong after = Machine.DisableInterrupts();
                    Machine.RestoreInterrupts(after);
                    t.False(Machine.InterruptsEnabled(inside), "interrupts off while held");
                    t.True(held, "held by this CPU");
                    t.True(Machine.InterruptsEnabled(after) && !l.HeldHere, "released: interrupts back on, not held");
                    for (int i = 0; i < 1000; i++) l.Release(l.Acquire());
                    t.Equal(1001, l.Acquisitions, "every acquisition counted");
                    t.Equal(0, l.Contended, "never contended on one CPU");
                    break;
                }
                case 3:
                {
                    received = 0;
                    Machine.RegisterHandler(Vector, new IpiHandler());
                    string error;
                    bool sent = Machine.SendIpi(Machine.ApicId, Vector, out error);
                    // Interrupts are on: the IPI is taken at the latest a few
                    // instructions after the ICR write; wait a bounded time.
                    long until = Machine.Now() + 10000000;
                    while (received == 0 && Machine.Now() < until) Machine.SpinWaitHint();
                    Machine.UnregisterHandler(Vector);
                    t.True(sent, "sent (" + (error == null ? "no error" : error) + ") in " + Machine.InterruptControllerMode + " mode");
                    t.Equal(1, received, "the fixed IPI to our own APIC id arrived once");
                    t.Equal(0, receivedOnIndex, "on CPU 0");
                    break;
                }
                case 4:
                {
                    string error;
                    t.False(Machine.SendIpi(Machine.ApicId, 5, out error), "vector 5 (an exception vector) refused");
                    t.True(error != null && error.StartsWith("IPI vector 5 "), "the error names the vector: " + error);
                    break;
                }
                case 5:
                {
                    received = 0;
                    perCpu = new long[PerCpu.Count];
                    Machine.RegisterHandler(Vector, new IpiHandler());
                    string error;
                    // With one CPU it reaches no one; with more, each other
                    // running CPU once (CPUs left out are held in INIT and
                    // take no fixed IPI).
                    bool sent = Machine.SendIpiAllButSelf(Vector, out error);
                    long until = Machine.Now() + (PerCpu.Count == 1 ? 2000000 : 2000000000L);
                    while (Machine.Now() < until && Arrived(1) < Smp.Smp.Count - 1) Machine.SpinWaitHint();
                    if (PerCpu.Count > 1) { long settle = Machine.Now() + 2000000; while (Machine.Now() < settle) Machine.SpinWaitHint(); }
                    t.True(sent, "sent");
                    t.Equal(0, perCpu[0], "none on the sender");
                    for (int i = 1; i < perCpu.Length; i++)
                        t.Equal(Smp.Smp.Online(i) ? 1 : 0, perCpu[i], "IPIs on cpu " + i + (Smp.Smp.Online(i) ? " (running)" : " (not running)"));
                    Machine.UnregisterHandler(Vector);
                    perCpu = null;
                    break;
                }
                case 6: TlbTests.UnmapReachesEveryCpu(t); break;
                case 7: TlbTests.ConcurrentShootdowns(t); break;
                case 8: TlbTests.RoundTrip(t); break;
                case 9: PerCpuArchTests.InterruptCounts(t); break;
                case 10: PerCpuArchTests.FaultCatchPerCpu(t); break;
            }
        }
    }
}
