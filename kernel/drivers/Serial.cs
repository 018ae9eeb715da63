using Osprey.Kernel.Arch;

namespace Osprey.Kernel.Drivers
{
    // 16550 UART on COM1 (I/O 0x3F8), 115200 8N1: the test channel. The port
    // is probed with the UART's loopback mode so a PC without COM1 does not
    // stall the log (PC16550D data sheet, registers THR/IER/FCR/LCR/MCR/LSR).
    internal static class Serial
    {
        private const ushort Base = 0x3F8;
        private static bool present;

        internal static bool Present { get { return present; } }

        internal static void Initialize()
        {
            Machine.Out8(Base + 1, 0x00);    // IER: no interrupts
            Machine.Out8(Base + 3, 0x80);    // LCR: DLAB on
            Machine.Out8(Base + 0, 0x01);    // DLL: divisor 1 = 115200 baud
            Machine.Out8(Base + 1, 0x00);    // DLM
            Machine.Out8(Base + 3, 0x03);    // LCR: 8 data bits, no parity, 1 stop
            Machine.Out8(Base + 2, 0xC7);    // FCR: enable and clear FIFOs, 14-byte threshold
            Machine.Out8(Base + 4, 0x1E);    // MCR: loopback, OUT1, OUT2, RTS
            Machine.Out8(Base + 0, 0xAE);
            present = Machine.In8(Base + 0) == 0xAE;
            Machine.Out8(Base + 4, 0x0F);    // MCR: normal operation, DTR, RTS, OUT1, OUT2
        }

        // COM1 forwarded by a VMM that collects the bytes written to THR
        // (Paravirt): no UART to program and no loopback to probe (the VMM
        // reads back 0); the line status reads "transmitter empty".
        internal static void InitializeForwarded() { present = true; }

        // The loopback probe once more (for the self-test), with a different
        // byte: true when the UART echoes it. The log's consoles are held
        // (Log.HoldConsoles: no CPU writes a record meanwhile), interrupts
        // are off for the probe itself and the transmitter drained first (LSR bit 6, TEMT) so that no log byte goes
        // into the loop instead of out of the port.
        internal static bool ProbeAgain()
        {
            Log.HoldConsoles();                              // no log line meanwhile, from any CPU
            ulong flags = Machine.DisableInterrupts();
            for (int spin = 0; spin < 100000 && (Machine.In8(Base + 5) & 0x40) == 0; spin++) Machine.SpinWaitHint();
            Machine.Out8(Base + 4, 0x1E);    // MCR: loopback
            Machine.Out8(Base + 0, 0x5A);
            bool echoed = Machine.In8(Base + 0) == 0x5A;
            Machine.Out8(Base + 4, 0x0F);    // MCR: normal operation
            Machine.RestoreInterrupts(flags);
            Log.ReleaseConsoles();
            return echoed;
        }

        // Waits (bounded) until the transmitter takes a byte: LSR bit 5,
        // transmit holding register (with the FIFO on: the FIFO) empty.
        internal static void WaitTransmitter()
        {
            if (!present) return;
            for (int spin = 0; spin < 100000 && (Machine.In8(Base + 5) & 0x20) == 0; spin++) Machine.SpinWaitHint();
        }

        // One byte into THR without waiting (after WaitTransmitter: the
        // 16550's 16-byte FIFO, enabled by Initialize, takes a CR LF pair).
        internal static void Put(byte b)
        {
            if (present) Machine.Out8(Base, b);
        }

        internal static void WriteByte(byte b)
        {
            if (!present) return;
            // LSR bit 5: transmit holding register empty. Bounded wait.
            for (int spin = 0; spin < 100000 && (Machine.In8(Base + 5) & 0x20) == 0; spin++) Machine.SpinWaitHint();
            Machine.Out8(Base, b);
        }

        internal static void Write(string s)
        {
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '\n') WriteByte((byte)'\r');
                WriteByte(c < 128 ? (byte)c : (byte)'?');
            }
        }
    }
}
