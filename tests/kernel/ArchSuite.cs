using Osprey.Kernel.Arch;
using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // The arch contract's per-CPU block, ticket lock and IPIs on this CPU.
    internal sealed unsafe class ArchSuite : Suite
    {
        internal override string Name { get { return "arch"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "percpu_block_through_gs", "percpu_blocks_per_madt_cpu", "spinlock_tickets_and_interrupts", "ipi_to_self_through_icr", "ipi_refuses_bad_vector", "ipi_all_but_self_skips_self" }; }
        }

        private const int Vector = 0x64;
        private static long received;
        private static uint receivedOnIndex;

        private sealed class IpiHandler : InterruptHandler
        {
            internal override void Handle(InterruptFrame* frame)
            {
                received++;
                receivedOnIndex = (uint)Machine.CpuIndex;
                Machine.EndOfInterrupt();
            }
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
                    t.Note("MADT: " + expect + " enabled CPU(s); per-CPU blocks: " + PerCpu.Count);
                    t.Equal(expect, PerCpu.Count, "one per-CPU object per enabled CPU");
                    bool ok = true;
                    for (int i = 1; i < PerCpu.Count; i++)
                    {
                        PerCpu p = PerCpu.Of(i);
                        if (p.Index != i || p.Block == null || p.Block->Self != (ulong)p.Block || p.Block->Index != i || p.Block->ApicId != p.ApicId
                            || p.ApicId == PerCpu.Of(0).ApicId || p.Core != null)
                            ok = false;
                    }
                    t.True(ok, "CPUs 1..N-1: own block (self address, index, APIC id), not started");
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
                    Machine.RegisterHandler(Vector, new IpiHandler());
                    string error;
                    // With one CPU it reaches no one; with more, only the
                    // other CPUs, which have no handler yet: they are not
                    // started, and a halted AP ignores fixed IPIs.
                    bool sent = PerCpu.Count == 1 && Machine.SendIpiAllButSelf(Vector, out error);
                    if (PerCpu.Count != 1) { Machine.UnregisterHandler(Vector); t.Skip("more than one CPU listed: the other CPUs are not started"); break; }
                    long until = Machine.Now() + 2000000;
                    while (Machine.Now() < until) Machine.SpinWaitHint();
                    Machine.UnregisterHandler(Vector);
                    t.True(sent, "sent");
                    t.Equal(0, received, "no IPI arrived on the sender");
                    break;
                }
            }
        }
    }
}
