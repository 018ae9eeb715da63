namespace Osprey.Kernel.Arch
{
    // The start-up interprocessor interrupts (INIT, STARTUP; fixed IPIs are
    // LocalApic.SendIcr) through the local APIC's interrupt command
    // register (Intel SDM vol. 3A 11.6.1 "Interrupt Command Register (ICR)";
    // AMD APM vol. 2 16.5 "Interprocessor Interrupts"). xAPIC: the
    // destination goes in ICR high bits 31:24 and the write of ICR low sends;
    // delivery status (bit 12) says when the APIC has accepted it. x2APIC:
    // one 64-bit MSR write (0x830) with the 32-bit destination in bits
    // 63:32 (SDM 11.12.9); there is no delivery status to wait for.
    internal static class Icr
    {
        internal const uint ModeInit = 5u << 8, ModeStartup = 6u << 8;
        internal const uint LevelAssert = 1u << 14;
        private const uint DeliveryPending = 1u << 12;
        private const uint MsrIcr = 0x830;

        // Sends one IPI to `apicId`; false when an xAPIC did not accept it
        // (delivery status still pending) within about 1 ms. Interrupts are
        // off for the two register writes: an interrupt handler sending its
        // own IPI between them would send this one to its destination.
        internal static bool Send(uint apicId, uint low)
        {
            ulong flags = Cpu.SaveFlagsAndDisable();
            bool ok = true;
            if (LocalApic.IsX2Apic)
            {
                Cpu.WriteMsrFenced(MsrIcr, ((ulong)apicId << 32) | low);
            }
            else
            {
                ok = WaitIdle();
                LocalApic.Write(LocalApic.RegIcrHigh, apicId << 24);
                LocalApic.Write(LocalApic.RegIcrLow, low);
                ok = WaitIdle() && ok;
            }
            Cpu.RestoreFlags(flags);
            return ok;
        }

        // INIT (level assert): the target resets into wait-for-SIPI.
        internal static bool SendInit(uint apicId) { return Send(apicId, ModeInit | LevelAssert); }

        // STARTUP with the trampoline's page number (the target starts at
        // page << 12 in real mode).
        internal static bool SendStartup(uint apicId, uint page) { return Send(apicId, ModeStartup | LevelAssert | (page & 0xFF)); }

        private static bool WaitIdle()
        {
            ulong start = Cpu.ReadTsc();
            ulong limit = Time.Clock.TscHz / 1000;
            while ((LocalApic.Read(LocalApic.RegIcrLow) & DeliveryPending) != 0)
            {
                if (Cpu.ReadTsc() - start > limit) return false;
                Cpu.Pause();
            }
            return true;
        }
    }
}
