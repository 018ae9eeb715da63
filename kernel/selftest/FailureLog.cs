namespace Osprey.Kernel.SelfTest
{
    // The failed tests of a self-test run, recorded as the run goes for the
    // summary block at its end (RunSummary): each name with its first
    // diagnostic line. A test's verdict is final when the next test resets its
    // Check (or when the summary is printed), and is decided as the runner
    // decides it: skipped when a skip reason was given and nothing failed,
    // failed when an assertion failed or none was made.
    internal static class FailureLog
    {
        // Names kept for the summary; failures beyond are only counted.
        internal const int Capacity = 64;
        private static readonly string[] names = new string[Capacity];
        private static readonly string[] lines = new string[Capacity];
        private static int count;
        private static int total;
        private static Check pending;

        internal static int Total { get { return total; } }
        internal static int Kept { get { return count; } }
        internal static string NameAt(int i) { return names[i]; }
        internal static string LineAt(int i) { return lines[i]; }

        internal static void Begin(Check t) { pending = t; }

        // Records the pending test if it failed.
        internal static void Finish()
        {
            Check t = pending;
            pending = null;
            if (t == null || t.TestName == null) return;
            bool skipped = t.SkipReason != null && !t.Failed;
            if (skipped || (!t.Failed && t.Assertions > 0)) return;
            string line;
            if (!t.Failed) line = "the test checked nothing";
            else if (!t.FirstFailure.Empty) line = t.FirstFailure.Text();
            else if (t.FirstNote != null) line = t.FirstNote;
            else line = "";
            if (count < Capacity) { names[count] = t.TestName; lines[count] = line; count++; }
            total++;
        }
    }
}
