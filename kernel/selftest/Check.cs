namespace Osprey.Kernel.SelfTest
{
    // Assertions of one running test. A failed assertion prints a KTAP
    // diagnostic line (before the test's result line) and marks the test
    // failed; the test goes on unless it returns. The first failure line and
    // the first note are kept for the end-of-run summary (FailureLog).
    internal sealed class Check
    {
        internal bool Failed;
        internal string SkipReason;
        internal int Assertions;
        // "suite.test" of the test this check serves (null before the first Reset).
        internal string TestName;
        internal string FirstNote;
        internal readonly LineCapture FirstFailure = new LineCapture();
        // Appended to figure names ("@edf" in a policy variant such as
        // threads@edf) so that each figure's name stays unique in the run.
        internal string BenchSuffix = "";

        internal void Reset()
        {
            // The previous test's verdict is final once the next one starts.
            FailureLog.Finish();
            Failed = false; SkipReason = null; Assertions = 0;
            FirstNote = null;
            FirstFailure.Clear();
            TestName = Runner.CurrentSuite == null ? Runner.CurrentTest : Runner.CurrentSuite + "." + Runner.CurrentTest;
            FailureLog.Begin(this);
        }

        internal bool True(bool condition, string what)
        {
            Assertions++;
            if (condition) return true;
            Fail(what);
            return false;
        }

        internal bool False(bool condition, string what) { return True(!condition, what); }

        internal bool Equal(long expected, long actual, string what)
        {
            Assertions++;
            if (expected == actual) return true;
            BeginMismatch(what);
            Log.Dec(expected);
            Log.Write(", got ");
            Log.Dec(actual);
            Log.Write("\n");
            return false;
        }

        internal bool EqualHex(ulong expected, ulong actual, string what)
        {
            Assertions++;
            if (expected == actual) return true;
            BeginMismatch(what);
            Log.Hex(expected);
            Log.Write(", got ");
            Log.Hex(actual);
            Log.Write("\n");
            return false;
        }

        internal bool Equal(string expected, string actual, string what)
        {
            Assertions++;
            if (expected == actual) return true;
            BeginFail();
            Log.Write(what);
            Log.Write(": expected '");
            Log.Write(expected == null ? "(null)" : expected);
            Log.Write("', got '");
            Log.Write(actual == null ? "(null)" : actual);
            Log.Write("'\n");
            return false;
        }

        internal bool InRange(long low, long high, long actual, string what)
        {
            Assertions++;
            if (actual >= low && actual <= high) return true;
            BeginFail();
            Log.Write(what);
            Log.Write(": ");
            Log.Dec(actual);
            Log.Write(" not in [");
            Log.Dec(low);
            Log.Write(", ");
            Log.Dec(high);
            Log.Write("]\n");
            return false;
        }

        // "    # FAIL what: expected " — the start of every value mismatch line.
        private void BeginMismatch(string what)
        {
            BeginFail();
            Log.Write(what);
            Log.Write(": expected ");
        }

        // "    # FAIL " — the start of every failure line; the rest of the
        // test's first one is captured as it is written.
        private void BeginFail()
        {
            Log.Write("    # FAIL ");
            if (!Failed) Log.CaptureLine(FirstFailure);
            Failed = true;
        }

        internal void Fail(string what)
        {
            BeginFail();
            Log.Write(what);
            Log.Write("\n");
        }

        // A diagnostic line attached to the next result.
        internal void Note(string text)
        {
            if (FirstNote == null) FirstNote = text;
            Log.Write("    # ");
            Log.Write(text);
            Log.Write("\n");
        }

        // A figure scripts can read: `# BENCH <name> <value> <unit>`.
        internal void Bench(string name, long value, string unit)
        {
            Log.Write("    # BENCH ");
            Log.Write(name);
            Log.Write(BenchSuffix);
            Log.Write(" ");
            Log.Dec(value);
            Log.Write(" ");
            Log.Write(unit);
            Log.Write("\n");
        }

        internal void Skip(string reason) { SkipReason = reason; }
    }
}
