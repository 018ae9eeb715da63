using Osprey.Kernel.Arch;

namespace Osprey.Kernel.SelfTest
{
    // The panic paths, run only by name (`selftest=panic.NAME`) since each
    // ends the run: the running test must be reported failed after the
    // panic's report, then `# selftest: panic` and the panic status (37).
    // build.sh test boots each as its own stage and checks the report.
    internal sealed unsafe class PanicSuite : Suite
    {
        internal override string Name { get { return "panic"; } }
        internal override bool ExplicitOnly { get { return true; } }
        internal override string[] TestNames
        {
            get { return new string[] { "unexpected_page_fault_ends_run", "throw_names_type_and_message", "heap_exhaustion_names_request", "stack_overflow_names_thread" }; }
        }

        private static byte[] sink;
        private static long depth;

        private static void Deep(object arg) { depth = Recurse(1); }

        // Not a tail call: each level keeps 256 bytes live across the call.
        private static long Recurse(long n)
        {
            byte* frame = stackalloc byte[256];
            frame[0] = (byte)n;
            return Recurse(n + 1) + frame[0];
        }

        internal override void Run(int index, Check t)
        {
            t.True(true, "about to panic");
            switch (index)
            {
                case 0: Faults.Read64(0x10); break;                       // not under Faults.Catch
                case 1: throw new System.InvalidOperationException("period object used after delete");
                case 2: sink = new byte[0x7FFFFF00]; break;               // 2 GiB: more than the machine has
                case 3:
                {
                    Threading.Thread th;
                    Threading.Threads.Create("deep", &Deep, null, 10, 8192, out th);
                    Threading.Threads.Start(th);                          // overflows its 8 KiB stack at once
                    break;
                }
            }
            t.Fail("the run continued after a panic");
        }
    }
}
