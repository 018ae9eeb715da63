using Osprey.Kernel.Arch;

namespace Osprey.Kernel
{
    // Unrecoverable errors. A panic prints its reason on every console, then
    // either ends the self-test run (the running test is reported failed and
    // QEMU exits with the panic code) or halts the CPU. Nothing here
    // allocates: the heap may be what ran out.
    internal static unsafe class Panic
    {
        private static int depth;

        internal static void Fail(string reason)
        {
            Begin();
            Log.Write("PANIC: ");
            Log.WriteLine(reason);
            End();
        }

        internal static void OutOfMemory(ulong size, Internal.Runtime.MethodTable* type)
        {
            Begin();
            Log.Write("PANIC: out of memory: request of ");
            Log.Udec(size);
            Log.Write(" bytes");
            if (type != null)
            {
                Log.Write(" for ");
                Symbols.WriteTypeName(type);
            }
            Log.Write(" (heap ");
            Log.Udec(Memory.Heap.AllocatedBytes);
            Log.Write(" bytes in use, ");
            Log.Udec(Memory.PhysicalMemory.FreeBytes);
            Log.WriteLine(" bytes of RAM free)");
            End();
        }

        // `throw`: there is no unwinder; name the exception and its message.
        internal static void Exception(System.Exception ex)
        {
            Begin();
            Log.Write("PANIC: unhandled exception ");
            if (ex == null) Log.Write("(null)");
            else
            {
                Symbols.WriteTypeName(ex.GetMethodTable());
                Log.Write(": ");
                Log.Write(ex.Message);
            }
            Log.WriteLine("");
            End();
        }

        internal static void Begin()
        {
            Machine.DisableInterrupts();
            depth++;
            Log.EnterPanic();
            if (depth > 2) Machine.HaltForever();   // a panic inside the panic path
        }

        internal static void End()
        {
            if (depth == 1) SelfTest.Runner.OnPanic();
            Machine.HaltForever();
        }
    }
}
