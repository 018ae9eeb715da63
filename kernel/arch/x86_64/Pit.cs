namespace Osprey.Kernel.Arch
{
    // The 8254 programmable interval timer, used only as a reference to
    // calibrate the TSC and the local APIC timer. Channel 2 is used because
    // its gate and output can be read through port 0x61 without any
    // interrupt (8254 data sheet: mode 0 "interrupt on terminal count";
    // port 0x61 bit 0 = gate 2, bit 1 = speaker data, bit 5 = OUT2).
    internal static class Pit
    {
        internal const ulong Hz = 1193182;
        private const ushort Channel2 = 0x42, Command = 0x43, PortB = 0x61;

        // Loads channel 2 with `count` in mode 0 with its gate low, so
        // nothing counts until Start.
        internal static void Prepare(ushort count)
        {
            byte b = Cpu.In8(PortB);
            Cpu.Out8(PortB, (byte)(b & 0xFC));            // gate low, speaker off
            Cpu.Out8(Command, 0xB0);                       // channel 2, lobyte/hibyte, mode 0, binary
            Cpu.Out8(Channel2, (byte)(count & 0xFF));
            Cpu.Out8(Channel2, (byte)(count >> 8));
        }

        // Raises gate 2: counting starts at the next input clock.
        internal static void Start()
        {
            byte b = Cpu.In8(PortB);
            Cpu.Out8(PortB, (byte)((b & 0xFC) | 0x01));
        }

        // OUT2 goes high at terminal count in mode 0.
        internal static bool Expired() { return (Cpu.In8(PortB) & 0x20) != 0; }

        // Channel 0 in mode 0: its output (ISA IRQ 0) rises once, `count`
        // input clocks from now; a device interrupt source for tests.
        internal static void OneShotChannel0(ushort count)
        {
            Cpu.Out8(Command, 0x30);                       // channel 0, lobyte/hibyte, mode 0, binary
            Cpu.Out8(0x40, (byte)(count & 0xFF));
            Cpu.Out8(0x40, (byte)(count >> 8));
        }

        internal static void Stop()
        {
            byte b = Cpu.In8(PortB);
            Cpu.Out8(PortB, (byte)(b & 0xFC));
        }
    }
}
