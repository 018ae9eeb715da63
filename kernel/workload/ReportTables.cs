using Osprey.Sched;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.Workload
{
    // Rows of the workload and guest-core tables on both consoles: the full
    // layout (RunReport, VcoreReport) on the serial port, which the host
    // compares with the simulator column by column, and the compact one
    // (CompactTable, VcoreCompactReport) on the screen console, whose rows are
    // narrower than the full ones.
    internal static class ReportTables
    {
        internal static void RunHeader() { Log.WriteLineSplit(RunReport.Header(), Narrow() ? CompactTable.RunHeader(Log.ScreenColumns) : null); }
        internal static void RunLine(TaskStats t) { Log.WriteLineSplit(RunReport.Line(t), Narrow() ? CompactTable.RunLine(t, Log.ScreenColumns) : null); }
        internal static void CoreHeader() { Log.WriteLineSplit(VcoreReport.Header(), Narrow() ? VcoreCompactReport.Header(Log.ScreenColumns) : null); }

        internal static void CoreLine(Vcore v, long elapsedNs)
        {
            Log.WriteLineSplit(VcoreReport.Line(v, elapsedNs), Narrow() ? VcoreCompactReport.Line(v, elapsedNs, Log.ScreenColumns) : null);
        }

        internal static void IrqHeader() { Log.WriteLineSplit(VcoreReport.IrqHeader(), Narrow() ? VcoreCompactReport.IrqHeader(Log.ScreenColumns) : null); }
        internal static void IrqLine(Vcore v, long guestClockNs) { Log.WriteLineSplit(VcoreReport.IrqLine(v, guestClockNs), Narrow() ? VcoreCompactReport.IrqLine(v, guestClockNs, Log.ScreenColumns) : null); }

        // The compact layout is used whenever the log goes to a screen console
        // (also on one wide enough for the full rows: the screen shows one layout).
        private static bool Narrow() { return Log.ScreenColumns > 0; }
    }
}
