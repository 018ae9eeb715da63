using Osprey.Kernel.Console;
using Osprey.Kernel.Drivers;
using Osprey.Kernel.Memory;
using Osprey.Kernel.Smp;
using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.SelfTest
{
    // The consoles: the serial port the tests speak through, and the
    // framebuffer text renderer drawn into an ordinary heap buffer (so it
    // runs with or without a real framebuffer), compiled by ilc.
    internal sealed unsafe class ConsoleSuite : Suite
    {
        internal override string Name { get { return "console"; } }
        internal override string[] TestNames
        {
            get { return new string[] { "serial_present", "render_glyph_32bpp", "scroll_moves_rows", "screen_matches_boot_framebuffer", "log_numbers", "log_lines_from_every_cpu" }; }
        }

        internal override void Run(int index, Check t)
        {
            switch (index)
            {
                case 0:
                    // The boot's probe and a second one agree, on a machine
                    // with COM1 and on one without (QEMU -serial none, most
                    // new PCs), where the run goes on with the screen alone.
                    t.True(Serial.ProbeAgain() == Serial.Present, Serial.Present
                        ? "COM1 answered the boot's loopback probe and answers a second one"
                        : "no COM1: neither the boot's loopback probe nor a second one got an answer");
                    break;
                case 1:
                {
                    const uint W = 64, H = 32, Pitch = W * 4;
                    byte* fb = (byte*)Heap.Allocate(Pitch * H);
                    FramebufferText c = new FramebufferText(fb, W, H, Pitch, 32, 1, 16, 8, 8, 8, 0, 8);
                    t.True(c.IsUsable, "usable");
                    c.SetColors(0xFFFFFF, 0x000000);
                    c.PutChar('|');
                    int lit = 0;
                    for (uint y = 0; y < 16; y++) for (uint x = 0; x < 8; x++) if (*(uint*)(fb + y * Pitch + x * 4) == 0xFFFFFF) lit++;
                    t.True(lit >= 10, "the glyph lit some pixels white");
                    int outside = 0;
                    for (uint y = 0; y < H; y++) for (uint x = 8; x < W; x++) if (*(uint*)(fb + y * Pitch + x * 4) != 0) outside++;
                    t.Equal(0, outside, "nothing drawn outside the first cell");
                    t.Equal(1, c.CursorColumn, "cursor advanced");
                    break;
                }
                case 2:
                {
                    const uint W = 16, H = 32, Pitch = W * 4;   // 2 columns, 2 rows
                    byte* fb = (byte*)Heap.Allocate(Pitch * H);
                    FramebufferText c = new FramebufferText(fb, W, H, Pitch, 32, 1, 16, 8, 8, 8, 0, 8);
                    c.SetColors(0xFFFFFF, 0x000000);
                    c.Write("#\n\n");
                    int top = 0, bottom = 0;
                    for (uint y = 0; y < 16; y++) for (uint x = 0; x < 8; x++) if (*(uint*)(fb + y * Pitch + x * 4) != 0) top++;
                    for (uint y = 16; y < 32; y++) for (uint x = 0; x < 8; x++) if (*(uint*)(fb + y * Pitch + x * 4) != 0) bottom++;
                    t.Equal(0, top + bottom, "the '#' scrolled off a two-row screen");
                    break;
                }
                case 3:
                {
                    var fbi = KernelMain.Boot.Framebuffer;
                    if (fbi == null) { t.Skip("no framebuffer from the boot loader"); break; }
                    t.True(Screen.Ready, "screen console running");
                    t.Equal((long)(fbi.Width / 8), Screen.Text.Columns, "columns");
                    t.Equal((long)(fbi.Height / 16), Screen.Text.Rows, "rows");
                    break;
                }
                case 4:
                    t.Equal("-12", (-12L).ToString(), "log decimal");
                    t.Equal("18446744073709551615", ulong.MaxValue.ToString(), "ulong max");
                    break;
                case 5: EveryCpuLogs(t); break;
            }
        }

        // Every running CPU's thread logs LoggerLines lines at once, each
        // naming its CPU and sequence number; the longest stretch the log
        // path kept interrupts off meanwhile is reported (a figure that
        // repeats under -icount).
        private const int LoggerLines = 40;
        private static Semaphore loggersDone;

        private static void Logger(object o)
        {
            int me = Machine.CpuIndex;
            for (int k = 0; k < LoggerLines; k++)
            {
                Log.Write("    # logring cpu "); Log.Dec(me); Log.Write(" line "); Log.Dec(k);
                Log.Write(" ................................................\n");
            }
            Blocking.Release(loggersDone);
        }

        private static void EveryCpuLogs(Check t)
        {
            int n = Smp.Smp.Cpus.Length, running = 0;
            loggersDone = Blocking.NewSemaphore(0, 64, WaitDiscipline.Priority);
            Log.ResetMaxInterruptsOff();
            for (int i = 0; i < n; i++)
            {
                if (!Smp.Smp.Online(i)) continue;
                // CPU 0's logger runs below this thread's priority (it
                // shares CPU 0 with the wait below).
                if (t.True(Remote.SpawnOn(i, "log-ring-logger", &Logger, null, i == 0 ? KernelMain.MainPriority + 1 : 100) != null, "a logger on cpu " + i)) running++;
            }
            int ended = 0;
            while (ended < running && Blocking.Obtain(loggersDone, 2000000000L) == SyncStatus.Successful) ended++;
            long worst = Log.MaxInterruptsOffNs;
            t.Equal(running, ended, "loggers that finished");
            t.Note(running + " CPUs logged " + LoggerLines + " lines each; longest interrupts-off stretch of the log path " + worst + " ns");
            t.Bench("log_interrupts_off_max", worst, "ns");
        }
    }
}
