using Osprey.Kernel.Acpi;
using Osprey.Kernel.Arch;
using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // Device interrupts through the I/O APIC: every line masked at boot, and
    // the PIT's IRQ 0, routed through the MADT's interrupt source override
    // (GSI 2 on QEMU's pc machine), waking a thread from its handler.
    internal sealed unsafe class IrqSuite : Suite
    {
        internal override string Name { get { return "irq"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "ioapic_lines_masked_at_boot", "pit_irq0_via_override_wakes_thread", "pics_stay_masked" }; }
        }

        private const int Vector = 0x70;
        private static Thread waiter;
        private static long fired, firedAt, wokeAt;

        private sealed class PitHandler : InterruptHandler
        {
            internal override void Handle(InterruptFrame* frame)
            {
                fired++;
                firedAt = Machine.Now();
                Threads.Resume(waiter);
                Machine.EndOfInterrupt();
            }
        }

        private static void Waiter(object arg)
        {
            Threads.Suspend(Threads.Current);
            wokeAt = Machine.Now();
        }

        internal override void Run(int index, Check t)
        {
            if (IoApic.Count == 0) { t.Skip("no I/O APIC (no usable MADT)"); return; }
            switch (index)
            {
                case 0:
                {
                    int masked = 0, n = IoApic.EntriesOf(0);
                    for (uint g = 0; g < (uint)n; g++) if ((IoApic.EntryLow(g) & (1u << 16)) != 0) masked++;
                    t.Note("I/O APIC 0: " + n + " redirection entries");
                    t.True(n >= 16, "at least 16 entries");
                    t.Equal(n, masked, "every line masked until a driver routes it");
                    break;
                }
                case 1:
                {
                    fired = 0; firedAt = 0; wokeAt = 0;
                    InterruptDispatch.Register(Vector, new PitHandler());
                    waiter = Threads.Spawn("irq0-waiter", &Waiter, null, 5);   // runs at once and suspends itself
                    long gsi = IoApic.RouteIsa(0, Vector, LocalApic.Id);
                    bool lowActive, level;
                    uint expected = AcpiDiscovery.Info.IsaIrqToGsi(0, out lowActive, out level);
                    t.Equal(expected, gsi, "IRQ 0 routed to the GSI the MADT override names");
                    t.Note("ISA IRQ 0 -> GSI " + gsi);
                    long armedAt = Machine.Now();
                    Pit.OneShotChannel0(1193);                  // about 1 ms
                    Threads.SleepFor(5000000);
                    IoApic.Mask((uint)gsi);
                    InterruptDispatch.Unregister(Vector);
                    t.Equal(1, fired, "one edge, one interrupt");
                    t.True(wokeAt != 0, "the handler's Resume woke the thread");
                    t.True(wokeAt >= firedAt, "after the handler ran");
                    t.True(firedAt - armedAt >= 900000, "no earlier than the PIT count (" + (firedAt - armedAt) + " ns)");
                    Threads.Resume(waiter);
                    Threads.Join(waiter);
                    break;
                }
                case 2:
                    t.EqualHex(0xFF, Cpu.In8(0x21), "master 8259 mask");
                    t.EqualHex(0xFF, Cpu.In8(0xA1), "slave 8259 mask");
                    break;
            }
        }
    }
}
