namespace Osprey.Kernel.Arch
{
    // The two legacy 8259A PICs: remapped to vectors 32-47 (so a stray IRQ
    // is never mistaken for a CPU exception) and fully masked. Real machines
    // can deliver an interrupt that was pending before the IDT was loaded;
    // IRQ 7 and 15 may be spurious (8259A data sheet: ICW1-ICW4, OCW1, OCW3).
    internal static class Pic
    {
        private const ushort Master = 0x20, Slave = 0xA0;
        internal const int VectorBase = 32;

        internal static void RemapAndMask()
        {
            Cpu.Out8(Master + 1, 0xFF);
            Cpu.Out8(Slave + 1, 0xFF);
            Cpu.Out8(Master, 0x11); Wait();        // ICW1: edge, cascade, ICW4 follows
            Cpu.Out8(Slave, 0x11); Wait();
            Cpu.Out8(Master + 1, VectorBase); Wait();      // ICW2: vector offsets
            Cpu.Out8(Slave + 1, VectorBase + 8); Wait();
            Cpu.Out8(Master + 1, 0x04); Wait();    // ICW3: slave on IRQ2
            Cpu.Out8(Slave + 1, 0x02); Wait();
            Cpu.Out8(Master + 1, 0x01); Wait();    // ICW4: 8086 mode
            Cpu.Out8(Slave + 1, 0x01); Wait();
            Cpu.Out8(Master + 1, 0xFF);            // OCW1: mask everything
            Cpu.Out8(Slave + 1, 0xFF);
        }

        private static void Wait() { Cpu.Out8(0x80, 0); }

        // In-service register (OCW3 read ISR): a spurious IRQ 7/15 has its
        // bit clear.
        internal static bool IsSpurious(int irq)
        {
            ushort port = irq < 8 ? Master : Slave;
            Cpu.Out8(port, 0x0B);
            byte isr = Cpu.In8(port);
            return (isr & (1 << (irq & 7))) == 0;
        }

        // A spurious IRQ 15 still needs an EOI to the master (for IRQ 2).
        internal static void EndOfInterrupt(int irq)
        {
            if (irq >= 8) Cpu.Out8(Slave, 0x20);
            Cpu.Out8(Master, 0x20);
        }
    }
}
