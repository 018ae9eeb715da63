using Osprey.Kernel.Arch;

namespace Osprey.Kernel.SelfTest
{
    // Runs the registered suites as nested KTAP on the kernel log (COM1 is
    // the channel the host reads), then leaves QEMU through isa-debug-exit
    // with a distinct status for pass, fail and panic. The host side is
    // qemu/runner (KtapRunner).
    internal static class Runner
    {
        // Values written to isa-debug-exit (port 0xF4); QEMU exits with
        // (value << 1) | 1, so 33, 35 and 37. Never 0: a triple fault exits 0.
        internal const byte ExitPass = 0x10;
        internal const byte ExitFail = 0x11;
        internal const byte ExitPanic = 0x12;

        private static bool active;
        private static string currentSuite;
        private static string currentTest;
        private static int currentNumber;

        internal static bool Active { get { return active; } }
        internal static string CurrentTest { get { return currentTest; } }
        internal static string CurrentSuite { get { return currentSuite; } }

        // filter: null or "" = everything; "suite" or "suite.test" (prefix
        // match on the test name), several separated by commas.
        internal static void RunAll(Suite[] suites, string filter)
        {
            active = true;
            int suiteCount = 0;
            for (int s = 0; s < suites.Length; s++) if (CountSelected(suites[s], filter) > 0) suiteCount++;
            Log.WriteLine("KTAP version 1");
            Log.Write("1..");
            Log.Dec(suiteCount);
            Log.Write("\n");
            if (suiteCount == 0) Log.WriteLine("# selftest: the filter '" + filter + "' selects no test");

            Check t = new Check();
            int pass = 0, fail = 0, skip = 0, suiteNumber = 0;
            for (int s = 0; s < suites.Length; s++)
            {
                Suite suite = suites[s];
                int n = CountSelected(suite, filter);
                if (n == 0) continue;
                suiteNumber++;
                currentSuite = suite.Name;
                Log.WriteLine("    KTAP version 1");
                Log.Write("    # Subtest: ");
                Log.WriteLine(suite.Name);
                Log.Write("    1..");
                Log.Dec(n);
                Log.Write("\n");
                string[] names = suite.TestNames;
                t.BenchSuffix = suite.Variant ? "@" + suite.Policy : "";
                bool suiteFailed = false;
                int number = 0;
                for (int i = 0; i < names.Length; i++)
                {
                    if (!Listed(suite, names, i, filter)) continue;
                    number++;
                    currentTest = names[i];
                    currentNumber = number;
                    t.Reset();
                    if (TestPolicies.Prepare(suite, i, t)) suite.Run(i, t);
                    if (t.SkipReason != null && !t.Failed)
                    {
                        skip++;
                        Log.Write("    ok "); Log.Dec(number); Log.Write(" "); Log.Write(names[i]);
                        Log.Write(" # SKIP "); Log.WriteLine(t.SkipReason);
                    }
                    else if (t.Failed || t.Assertions == 0)
                    {
                        if (!t.Failed) t.Note("the test checked nothing");
                        fail++;
                        suiteFailed = true;
                        Log.Write("    not ok "); Log.Dec(number); Log.Write(" "); Log.WriteLine(names[i]);
                    }
                    else
                    {
                        pass++;
                        Log.Write("    ok "); Log.Dec(number); Log.Write(" "); Log.WriteLine(names[i]);
                    }
                }
                currentTest = null;
                Log.Write(suiteFailed ? "not ok " : "ok ");
                Log.Dec(suiteNumber);
                Log.Write(" ");
                Log.WriteLine(suite.Name);
            }
            Log.Write("# selftest: pass="); Log.Dec(pass);
            Log.Write(" fail="); Log.Dec(fail);
            Log.Write(" skip="); Log.Dec(skip);
            Log.Write(" total="); Log.Dec(pass + fail + skip);
            Log.Write("\n");
            Log.WriteLine("# selftest: end");
            RunSummary.Print(pass, fail, skip);
            Log.Flush();
            HoldScreen();
            Exit(fail == 0 ? ExitPass : ExitFail);
        }

        private static int CountSelected(Suite suite, string filter)
        {
            int n = 0;
            string[] names = suite.TestNames;
            for (int i = 0; i < names.Length; i++) if (Listed(suite, names, i, filter)) n++;
            return n;
        }

        // True when test i of suite runs: the suite lists it, the filter
        // selects it, and the suite is not one that runs only when named
        // (the panic suite; policy variants when sched= forces a policy).
        private static bool Listed(Suite suite, string[] names, int i, string filter)
        {
            if (!suite.Lists(i) || !Selected(suite.Name, names[i], filter)) return false;
            bool onlyNamed = suite.ExplicitOnly || (suite.Variant && TestPolicies.Forced != null);
            return !onlyNamed || NamesSuite(suite.Name, filter);
        }

        // True when `filter` (comma-separated terms) selects suite.test.
        internal static bool Selected(string suite, string test, string filter)
        {
            if (filter == null || filter.Length == 0) return true;
            int start = 0;
            for (int i = 0; i <= filter.Length; i++)
            {
                if (i < filter.Length && filter[i] != ',') continue;
                if (i > start && TermMatches(suite, test, filter, start, i - start)) return true;
                start = i + 1;
            }
            return false;
        }

        // True when a term of the filter names the suite itself.
        private static bool NamesSuite(string suite, string filter)
        {
            if (filter == null || filter.Length == 0) return false;
            return Selected(suite, "", filter) || SelectedAnyTest(suite, filter);
        }

        private static bool SelectedAnyTest(string suite, string filter)
        {
            int start = 0;
            for (int i = 0; i <= filter.Length; i++)
            {
                if (i < filter.Length && filter[i] != ',') continue;
                int len = i - start;
                if (len > suite.Length && filter[start + suite.Length] == '.')
                {
                    bool same = true;
                    for (int k = 0; k < suite.Length; k++) if (filter[start + k] != suite[k]) same = false;
                    if (same) return true;
                }
                start = i + 1;
            }
            return false;
        }

        private static bool TermMatches(string suite, string test, string f, int at, int len)
        {
            // "suite" alone, or "suite.prefix-of-test"
            int dot = -1;
            for (int i = 0; i < len; i++) if (f[at + i] == '.') { dot = i; break; }
            int suiteLen = dot < 0 ? len : dot;
            if (suiteLen != suite.Length) return false;
            for (int i = 0; i < suiteLen; i++) if (f[at + i] != suite[i]) return false;
            if (dot < 0) return true;
            int prefix = len - dot - 1;
            if (prefix > test.Length) return false;
            for (int i = 0; i < prefix; i++) if (f[at + dot + 1 + i] != test[i]) return false;
            return true;
        }

        // Called by Panic once the reason is printed: the running test fails
        // and the run ends with the panic status.
        internal static void OnPanic()
        {
            if (!active)
            {
                // A panic before the suites start (at boot) still ends a
                // self-test run, with the panic status, instead of halting
                // until the host's timeout.
                if (KernelMain.Options != null && KernelMain.Options.SelfTest)
                {
                    Log.WriteLine("# selftest: panic");
                    Exit(ExitPanic);
                }
                return;
            }
            if (currentTest != null)
            {
                Log.Write("    not ok "); Log.Dec(currentNumber); Log.Write(" "); Log.WriteLine(currentTest);
            }
            Log.WriteLine("# selftest: panic");
            Exit(ExitPanic);
        }

        // With no serial port the summary on the screen is the only report:
        // it stays there this long before QEMU is left, so a camera or a host
        // taking screen captures (the matrix's screen row, one a second) sees
        // it. On a PC without the exit device the kernel halts afterwards, and
        // the screen stays as it is.
        private const long ScreenHoldNs = 5000000000L;

        private static void HoldScreen()
        {
            if (Drivers.Serial.Present || !Console.Screen.Ready || !Time.Clock.Ready) return;
            long until = Time.Clock.Now() + ScreenHoldNs;
            while (Time.Clock.Now() < until) Machine.SpinWaitHint();
        }

        // Every log line reaches COM1 (Log.Flush) before QEMU is left or
        // the CPU halts.
        internal static void Exit(byte code)
        {
            Log.Flush();
            Machine.DebugExit(code);
            // Not under QEMU (no isa-debug-exit device): stop here.
            Log.WriteLine("osprey: self-test finished; halting (no QEMU exit device)");
            Log.Flush();
            Machine.HaltForever();
        }
    }
}
