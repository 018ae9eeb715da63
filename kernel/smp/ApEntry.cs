using Osprey.Kernel.Threading;

namespace Osprey.Kernel.Smp
{
    // The commands an AP's main thread runs for the boot CPU (Smp.RunOn).
    internal static class SmpCommands
    {
        // Arg0 sleeps of Arg1 ns each on this CPU's scheduler (its one-shot
        // timer wakes each); Result0 = timer interrupts this CPU handled
        // meanwhile, Result1 = ns from the first sleep to the last wake-up.
        internal const int Sleeps = 1;
        // This CPU's main thread replaces its core by a fresh one with
        // policy Text (Scheduling.SwitchPolicy); TextResult = why not, or null.
        internal const int SwitchPolicy = 2;
    }

    // The kernel's side of an application processor, called by the arch
    // start-up code (Machine.StartCpu) on the AP's stack with interrupts
    // off and its PerCpu installed: a scheduling core with the boot CPU's
    // policy, its idle thread and the AP's boot context as its main
    // thread, then (interrupts on) the main thread serves the boot CPU's
    // commands and otherwise stays suspended, so the idle thread halts the
    // CPU until an interrupt.
    internal static unsafe class ApEntry
    {
        internal static void Enter()
        {
            PerCpu cpu = PerCpu.Current;
            Processor p = Smp.Cpus[cpu.Index];
            Scheduling.Start(Smp.Policy, KernelMain.MainPriority, p.Stack.Guard, p.Stack.Top);
            p.Started = true;
            Machine.EnableInterrupts();
            Serve(cpu, p);
        }

        // Command is tested with interrupts off and the thread suspends
        // itself in the same section: the wake-up IPI the boot CPU sends
        // after writing Command stays pending until this CPU's idle thread
        // enables interrupts, then its handler resumes this thread.
        private static void Serve(PerCpu cpu, Processor p)
        {
            while (true)
            {
                ulong f = Machine.DisableInterrupts();
                int command = p.Command;
                if (command == 0)
                {
                    Threads.Suspend(cpu.Main);
                    Machine.RestoreInterrupts(f);
                    continue;
                }
                Machine.RestoreInterrupts(f);
                if (command == SmpCommands.Sleeps) Sleeps(cpu, p);
                else if (command == SmpCommands.SwitchPolicy) p.TextResult = Scheduling.SwitchPolicy(p.Text);
                p.Command = 0;
            }
        }

        private static void Sleeps(PerCpu cpu, Processor p)
        {
            long interrupts = cpu.TimerInterrupts;
            long start = Machine.Now();
            for (long k = 0; k < p.Arg0; k++) Threads.SleepFor(p.Arg1);
            p.Result1 = Machine.Now() - start;
            p.Result0 = cpu.TimerInterrupts - interrupts;
        }
    }
}
