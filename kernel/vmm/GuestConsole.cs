// COM1 of a guest as the VMM emulates it (README.md, "The Osprey
// paravirtual interface"): bytes written to the data port are collected
// into lines; the line status port reads 0x60 (transmitter empty). Portable.
namespace Osprey.Kernel.Vmm
{
    public sealed class GuestConsole
    {
        // An Osprey guest's report lines (its analysis line) run past 200 characters.
        public const int MaxLine = 320;
        readonly char[] buf = new char[MaxLine];
        int len;
        /// <summary>Lines completed; bytes dropped past MaxLine.</summary>
        public long Lines, Dropped;

        /// <summary>A byte written to the data port: true when it completed a line (then Take gives it).</summary>
        public bool Put(byte b)
        {
            if (b == (byte)'\n') return true;
            if (b == (byte)'\r') return false;
            if (len == MaxLine) { Dropped++; return false; }
            buf[len++] = b >= 32 && b < 127 ? (char)b : '?';
            return false;
        }

        /// <summary>The line collected so far (the caller logs it), and a fresh one begins.</summary>
        public string Take()
        {
            string s = new string(buf, 0, len);
            len = 0;
            Lines++;
            return s;
        }

        public int Pending { get { return len; } }

        /// <summary>What a read of COM1 port `port` returns.</summary>
        public static byte Read(ushort port) { return port == PvAbi.Com1LineStatus ? (byte)0x60 : (byte)0; }

        public static bool IsCom1(ushort port) { return port >= PvAbi.Com1 && port <= PvAbi.Com1 + 7; }
    }
}
