using Osprey.Kernel.Threading;

namespace Osprey.Kernel.SelfTest
{
    // Two threads racing for one kernel service (the heap, the frame
    // allocator, the page tables, the I/O APIC window): `background`, less
    // urgent than main, loops on it; `urgent`, more urgent, wakes by itself
    // (short sleeps) and uses it too, preempting the background thread
    // wherever it is. Main waits behind both until both have ended; the
    // caller then checks what the service handed out.
    internal static unsafe class Contention
    {
        // `created` (may be null) runs once both threads exist and before
        // either starts: baselines that must not count their stacks.
        internal static void Run(string name, delegate*<object, void> background, delegate*<object, void> urgent, delegate*<void> created)
        {
            const int Main = KernelMain.MainPriority;
            Thread bg, hi;
            Threads.Create(name + "-bg", background, null, Main + 20, 0, out bg);
            Threads.Create(name + "-hi", urgent, null, Main - 20, 0, out hi);
            if (created != null) created();
            // Main starts both above them and then drops below both in one
            // step: from then on `urgent` runs, and whenever it sleeps
            // `background` is the most urgent ready thread. Were main to drop
            // only after starting `urgent`, each of urgent's sleeps would give
            // the CPU to main first, and on a loaded host (plain emulation:
            // the clock is the host's) urgent's rounds can all pass before main
            // reaches its drop, leaving the background thread no turn.
            Threads.SetPriority(Threads.Current, Main - 30);
            Threads.Start(bg);
            Threads.Start(hi);
            Threads.SetPriority(Threads.Current, Main + 30);
            Threads.Join(hi);
            Threads.Join(bg);
            Threads.SetPriority(Threads.Current, Main);
        }
    }
}
