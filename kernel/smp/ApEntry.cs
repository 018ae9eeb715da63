using System.Runtime;
using Osprey.Kernel.Arch;
using Osprey.Kernel.Time;

namespace Osprey.Kernel.Smp
{
    // The commands an idle AP runs for the boot CPU (Smp.RunOn).
    internal static class SmpCommands
    {
        // Arg0 one-shots of Arg1 ns each on Smp.ApTimerVector, one after the
        // other; Result0 = interrupts counted, Result1 = ns from the first
        // arming to the last interrupt.
        internal const int TimerShots = 1;
    }

    // Where an application processor lands from ap_trampoline.asm, on its
    // own stack with interrupts off: its own GDT and TSS, the shared IDT,
    // its local APIC enabled and its APIC timer calibrated, then it checks
    // in (Processor.Started) and idles, running the boot CPU's commands.
    // It allocates nothing and writes no log line (the boot CPU reports).
    internal static unsafe class ApEntry
    {
        internal const long CalibrationWindowNs = 2000000;

        [RuntimeExport("osprey_ap_main")]
        private static void Enter(int index)
        {
            Processor[] cpus = Smp.Cpus;
            if (cpus == null || index <= 0 || index >= cpus.Length || cpus[index] == null) Cpu.HaltForever();
            Processor p = cpus[index];
            p.ArrivedNs = Clock.Now();
            Gdt.Load(p.Gdt);
            Idt.Load();
            if (ApLocalApic.Enable() != null) Cpu.HaltForever();
            p.SeenApicId = LocalApic.Id;
            // A CPU that took another's start (a late one from an abandoned
            // start) does not check in.
            if (p.SeenApicId != p.ApicId) Cpu.HaltForever();
            p.ApicHz = ApLocalApic.CalibrateTimer(CalibrationWindowNs);
            Cpu.MemoryFence();
            p.Started = true;
            Idle(p);
        }

        // Interrupts are off while Command is tested, and sti;hlt enables
        // them atomically with the halt: a wake-up IPI sent after the test
        // ends the halt instead of being lost.
        private static void Idle(Processor p)
        {
            while (true)
            {
                Cpu.DisableInterrupts();
                int command = p.Command;
                if (command == 0) { Cpu.EnableInterruptsAndHalt(); continue; }
                Cpu.EnableInterrupts();
                if (command == SmpCommands.TimerShots) TimerShots(p);
                Cpu.MemoryFence();
                p.Command = 0;
            }
        }

        private static void TimerShots(Processor p)
        {
            int shots = (int)p.Arg0;
            long periodNs = p.Arg1;
            ulong count = (ulong)p.ApicHz * (ulong)periodNs / 1000000000UL;
            if (count == 0) count = 1;
            if (count > 0xFFFFFFFF) count = 0xFFFFFFFF;
            p.TimerInterrupts = 0;
            long start = Clock.Now(), last = start;
            for (int k = 0; k < shots; k++)
            {
                int before = p.TimerInterrupts;
                long armed = Clock.Now();
                ApLocalApic.ArmOneShot(Smp.ApTimerVector, (uint)count);
                // Bounded: a timer that never fires ends the wait after 100
                // periods (the count then says so).
                while (p.TimerInterrupts == before && Clock.Now() - armed < 100 * periodNs) Cpu.Pause();
                if (p.TimerInterrupts == before) break;
                last = Clock.Now();
            }
            ApLocalApic.StopTimer();
            p.Result0 = p.TimerInterrupts;
            p.Result1 = last - start;
        }
    }
}
