namespace Osprey.Kernel.SelfTest
{
    // Prints the summary block (SummaryText) at the end of a self-test run,
    // after the KTAP end marker, on both consoles: the same lines on the
    // serial port and on the screen, sized for the screen so that the block
    // is the last thing shown there and fits it whole.
    internal static class RunSummary
    {
        // Without a screen console the block is sized for the 1024x768 one
        // (128 x 48 characters), so the serial copy matches what a screen shows.
        private const int DefaultColumns = 128;
        private const int DefaultRows = 48;
        // Rows left free below the block: the halting message, and the
        // cursor's line.
        private const int RowsBelow = 2;

        internal static void Print(int pass, int fail, int skip)
        {
            FailureLog.Finish();
            SummaryFacts f = new SummaryFacts();
            f.Pass = pass; f.Fail = fail; f.Skip = skip;
            int kept = FailureLog.Kept;
            f.FailedNames = new string[kept];
            f.FailedLines = new string[kept];
            for (int i = 0; i < kept; i++) { f.FailedNames[i] = FailureLog.NameAt(i); f.FailedLines[i] = FailureLog.LineAt(i); }
            f.FailedKept = kept;
            // The runner's count is the one KTAP reports; the log can only
            // miss failures (never invent them).
            f.FailedTotal = fail > FailureLog.Total ? fail : FailureLog.Total;
            f.Build = BuildInfo.Text;
            f.CpuVendor = Machine.CpuVendor;
            f.CpuModel = MachineInfo.CpuModel();
            f.MemoryMiB = MachineInfo.UsableMiB();
            f.Cpus = MachineInfo.Cpus();
            f.TimerReference = MachineInfo.TimerReference();
            f.ApicMode = MachineInfo.ApicMode();
            f.Firmware = MachineInfo.Firmware();

            int columns = DefaultColumns, rows = DefaultRows;
            if (Console.Screen.Ready && Log.ScreenColumns > 0) { columns = Console.Screen.Text.Columns; rows = Console.Screen.Text.Rows; }
            string[] lines = SummaryText.Render(f, columns, rows - RowsBelow);
            for (int i = 0; i < lines.Length; i++)
            {
                // Failures in the error colour on the screen (serial has none).
                bool red = fail > 0 && (i == 1 || SummaryText.IsFailureLine(lines[i]));
                if (red) Console.Screen.SetErrorColour(true);
                Log.WriteLine(lines[i]);
                if (red) Console.Screen.SetErrorColour(false);
            }
        }
    }
}
