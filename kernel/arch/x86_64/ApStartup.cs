using System.Runtime;
using Osprey.Kernel.Time;

namespace Osprey.Kernel.Arch
{
    // What starting one application processor gave (Machine.StartCpu).
    internal struct CpuStartReport
    {
        internal long SipiNs;        // clock at the first SIPI
        internal long ArrivedNs;     // clock at the AP's first C# instruction
        internal long ApicHz;        // its local APIC timer rate, measured against the TSC
        internal string ApicMode;    // "xAPIC" or "x2APIC": the mode its local APIC runs in, read on it
        internal string Error;       // null when it checked in
    }

    // Starting an application processor (Machine.StartCpu): INIT, 10 ms,
    // SIPI, 200 us, SIPI (Intel SDM vol. 3A 9.4.4.1 "Typical BSP
    // Initialization Sequence"; AMD APM vol. 2 16.5), delays on the
    // calibrated clock, then up to 1 s for the AP to check in from Enter
    // (a real CPU takes microseconds; an emulated CPU's host thread can
    // wait tens of milliseconds on a loaded host, seen under QEMU TCG). One AP at a time: they share the trampoline page and the
    // fields below. A CPU that does not check in is sent INIT again (back
    // to wait-for-SIPI) and its stack is withdrawn from the trampoline, so
    // it cannot run later on a stack given to the next CPU.
    internal static unsafe class ApStartup
    {
        internal const long InitDelayNs = 10000000, SipiDelayNs = 200000, CheckInNs = 1000000000;
        internal const long CalibrationWindowNs = 2000000;

        // The AP being started; written by the boot CPU before the SIPI,
        // read by the AP (and its results written by the AP, read back).
        private static int startingIndex;
        private static uint startingApicId;
        private static ulong* startingGdt;
        private static CpuBlock* startingBlock;
        private static ulong startingEntry;
        private static long arrivedNs, apicHz;
        private static volatile bool checkedIn;

        internal static bool Start(uint apicId, CpuBlock* block, ulong entry, ulong stackTop, out CpuStartReport r)
        {
            r = new CpuStartReport();
            if (ApTrampoline.Page == 0) { r.Error = "no start-up page (Machine.PrepareCpuStart not run or failed)"; return false; }
            if (!LocalApic.IsX2Apic && apicId > 0xFE) { r.Error = "APIC id " + apicId + " cannot be reached in xAPIC mode"; return false; }
            // The boot CPU takes TLB shootdowns from now on (a no-op after
            // the first start): the AP's unmaps must reach it.
            Tlb.Join(Cpu.CurrentBlock());
            byte* tss;
            Gdt.Build(out startingGdt, out tss);
            startingIndex = block->Index;
            startingApicId = apicId;
            startingBlock = block;
            startingEntry = entry;
            checkedIn = false;
            ApTrampoline.Prepare(block->Index, stackTop);
            uint page = (uint)(ApTrampoline.Page >> 12);
            bool accepted = Icr.SendInit(apicId);
            Delay(InitDelayNs);
            r.SipiNs = Clock.Now();
            accepted = Icr.SendStartup(apicId, page) && accepted;
            Delay(SipiDelayNs);
            // The second SIPI of the SDM's sequence; a CPU that left
            // wait-for-SIPI on the first ignores it.
            accepted = Icr.SendStartup(apicId, page) && accepted;
            // Started APs may unmap meanwhile: take their shootdowns (this
            // CPU may wait here with interrupts off).
            while (!checkedIn && Clock.Now() - r.SipiNs < CheckInNs) { Cpu.Pause(); Tlb.Poll(); }
            if (!checkedIn)
            {
                bool arrived = ApTrampoline.Arrived;
                ApTrampoline.Withdraw();
                Icr.SendInit(apicId);
                // It may have joined the shootdowns just before the time
                // ran out: in INIT it never acknowledges one. Taken out
                // once the INIT surely took effect (the same wait as before
                // the SIPI), so it cannot join again after.
                Delay(InitDelayNs);
                Tlb.Leave(block);
                r.Error = "did not start within " + (CheckInNs / 1000000) + " ms" +
                    (!accepted ? " (its APIC did not accept an INIT or SIPI)" : arrived ? " (it ran the start-up code but did not check in)" : " (it never ran the start-up code)");
                return false;
            }
            r.ArrivedNs = arrivedNs;
            r.ApicHz = apicHz;
            r.ApicMode = ModeName(block->ApicMode);
            return true;
        }

        internal static string ModeName(int mode) { return mode == CpuBlock.ApicModeX2 ? "x2APIC" : mode == CpuBlock.ApicModeX ? "xAPIC" : "unknown"; }

        private static void Delay(long ns)
        {
            long end = Clock.Now() + ns;
            while (Clock.Now() < end) { Cpu.Pause(); Tlb.Poll(); }
        }

        // Where ap_trampoline.asm lands, on the AP's own stack with
        // interrupts off: its GDT and TSS, then its block (GS; after the
        // GDT load, which clears the GS base), the shared IDT, its local
        // APIC in the boot CPU's mode (recorded in its block), joins the TLB
        // shootdowns, its APIC timer calibrated and set up
        // for the scheduler's one-shots as on the boot CPU; it checks in and
        // calls the kernel's entry. It allocates nothing and logs nothing.
        [RuntimeExport("osprey_ap_main")]
        private static void Enter(int index)
        {
            if (index != startingIndex) Cpu.HaltForever();
            long arrived = Clock.Now();
            Gdt.Load(startingGdt);
            CpuBlock.Install(startingBlock);
            Idt.Load();
            if (ApLocalApic.Enable() != null) Cpu.HaltForever();
            // A CPU that took another's start (a late one of an abandoned
            // start) does not check in.
            if (LocalApic.Id != startingApicId) Cpu.HaltForever();
            startingBlock->ApicMode = ApLocalApic.CurrentMode();
            // It can take the shootdown vector now (IDT, local APIC): it
            // joins, and flushes what it cached from the tables so far.
            Tlb.Join(startingBlock);
            apicHz = ApLocalApic.CalibrateTimer(CalibrationWindowNs);
            ApicTimer.Initialize(ApicTimer.TscDeadlineMode);
            arrivedNs = arrived;
            delegate*<void> entry = (delegate*<void>)startingEntry;
            Cpu.MemoryFence();
            checkedIn = true;
            entry();
            Cpu.HaltForever();
        }
    }
}
