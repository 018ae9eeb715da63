namespace Osprey.Kernel.SelfTest
{
    // What the end-of-run summary says: filled by RunSummary in the kernel,
    // by hand in the host tests.
    internal sealed class SummaryFacts
    {
        internal int Pass, Fail, Skip;
        // Failed tests whose name was kept, and how many failed in all.
        internal string[] FailedNames = new string[0];
        internal string[] FailedLines = new string[0];
        internal int FailedKept;
        internal int FailedTotal;
        internal string Build = "";
        internal string CpuVendor = "", CpuModel = "";
        internal long MemoryMiB;
        internal int Cpus;                 // from the ACPI MADT; 0 when unknown
        internal string TimerReference = "";
        internal string ApicMode = "";
        internal string Firmware = "";
    }

    // The summary block at the end of a self-test run, as lines a photo of the
    // screen can carry: totals, each failed test with its first diagnostic
    // line, the image's build id, the machine. Every line is a KTAP diagnostic
    // ("# ..."), so the serial log stays a valid KTAP document. The block fits
    // `columns` x `maxLines` (the screen console): long lines are cut, and
    // when too many tests failed the first ones are listed with "... and K
    // more". Portable (host tests render it).
    internal static class SummaryText
    {
        // Lines besides the failures: rule, result, build, two machine lines, rule.
        internal const int FixedLines = 6;

        internal static string[] Render(SummaryFacts f, int columns, int maxLines)
        {
            int listed = f.FailedKept;
            int more = f.FailedTotal - f.FailedKept;
            int room = maxLines - FixedLines;
            if (listed > room || more > 0)
            {
                // One line goes to "... and K more".
                int fit = room - 1;
                if (fit < 0) fit = 0;
                if (listed > fit) listed = fit;
                more = f.FailedTotal - listed;
            }
            string[] lines = new string[FixedLines + listed + (more > 0 ? 1 : 0)];
            int n = 0;
            lines[n++] = Rule("# ==== Osprey self-test summary ", columns);
            lines[n++] = Result(f);
            for (int i = 0; i < listed; i++)
            {
                string diag = f.FailedLines[i];
                lines[n++] = "# FAILED " + f.FailedNames[i] + (diag != null && diag.Length > 0 ? ": " + diag : "");
            }
            if (more > 0) lines[n++] = "# ... and " + more + " more failed test" + (more == 1 ? "" : "s") + " (all of them above, on the serial port)";
            lines[n++] = "# build:   " + f.Build;
            lines[n++] = "# machine: " + f.CpuVendor + (f.CpuModel.Length > 0 ? ", " + f.CpuModel : "");
            lines[n++] = "#          " + f.MemoryMiB + " MiB usable RAM, " + (f.Cpus > 0 ? f.Cpus + (f.Cpus == 1 ? " CPU" : " CPUs") + " (ACPI), " : "")
                + "timer reference " + f.TimerReference + ", " + f.ApicMode + ", firmware " + f.Firmware;
            lines[n++] = Rule("# ", columns);
            for (int i = 0; i < n; i++) lines[i] = Fit(lines[i], columns);
            return lines;
        }

        static string Result(SummaryFacts f)
        {
            int total = f.Pass + f.Fail + f.Skip;
            string verdict = f.Fail == 0 ? (total == 0 ? "NO TESTS RAN" : "PASSED") : "FAILED";
            return "# result:  " + verdict + ": " + f.Fail + " failed, " + f.Pass + " passed, " + f.Skip + " skipped, " + total + " test" + (total == 1 ? "" : "s");
        }

        // `start` followed by '=' up to 72 columns (or the width, if narrower).
        static string Rule(string start, int columns)
        {
            int width = columns < 72 ? columns : 72;
            int n = width - start.Length;
            if (n <= 0) return start;
            char[] r = new char[n];
            for (int i = 0; i < n; i++) r[i] = '=';
            return start + new string(r, 0, n);
        }

        // True for the lines naming failed tests (and the "... and K more" line).
        internal static bool IsFailureLine(string line)
        {
            return StartsWith(line, "# FAILED ") || StartsWith(line, "# ... and ");
        }

        static bool StartsWith(string s, string prefix)
        {
            if (s.Length < prefix.Length) return false;
            for (int i = 0; i < prefix.Length; i++) if (s[i] != prefix[i]) return false;
            return true;
        }

        // Cuts a line to `columns` characters, the last three "..." when cut.
        internal static string Fit(string s, int columns)
        {
            if (columns <= 0 || s.Length <= columns) return s;
            if (columns <= 3) return s.Substring(0, columns);
            return s.Substring(0, columns - 3) + "...";
        }
    }
}
