using Osprey.Kernel.Time;

namespace Osprey.Kernel.Arch
{
    // The one-shot timer behind the scheduler's timer queue: the local APIC
    // timer in TSC-deadline mode when CPUID.01H:ECX[24] offers it (an
    // absolute TSC value in IA32_TSC_DEADLINE, MSR 0x6E0; writing 0 disarms),
    // else in one-shot mode (a count of APIC clocks in the initial-count
    // register; writing 0 stops it). Intel SDM vol. 3A, chapter "APIC",
    // section "APIC Timer". Never periodic: with nothing due it is disarmed
    // (tickless).
    internal static class ApicTimer
    {
        internal const int Vector = 0xF0;                      // highest priority class
        private const uint ModeOneShot = 0, ModeTscDeadline = 2u << 17;
        private const uint MsrTscDeadline = 0x6E0;
        private const ulong MaxCount = 0xFFFFFFFF;

        private static bool deadlineMode;
        internal static bool TscDeadlineMode { get { return deadlineMode; } }
        internal static long Arms, Disarms;

        internal static void Initialize(bool allowTscDeadline)
        {
            deadlineMode = allowTscDeadline && CpuFeatures.TscDeadline;
            if (deadlineMode)
            {
                LocalApic.Write(LocalApic.RegLvtTimer, (uint)Vector | ModeTscDeadline);
                // The LVT write and the MSR write are not ordered by the CPU:
                // the SDM asks for MFENCE before using the deadline MSR.
                Cpu.MemoryFence();
                Cpu.WriteMsr(MsrTscDeadline, 0);
            }
            else
            {
                LocalApic.Write(LocalApic.RegDivide, 0xB);      // divide by 1
                LocalApic.Write(LocalApic.RegLvtTimer, (uint)Vector | ModeOneShot);
                LocalApic.Write(LocalApic.RegInitialCount, 0);
            }
        }

        // Interrupt at absolute time ns (Clock), or never for long.MaxValue.
        // A time already past fires at once. In one-shot mode a time more
        // than 2^32 APIC clocks away fires early; the timer interrupt then
        // finds nothing due and re-arms (the timer queue allows early fires).
        internal static void Arm(long ns)
        {
            if (ns == long.MaxValue)
            {
                Disarms++;
                if (deadlineMode) Cpu.WriteMsr(MsrTscDeadline, 0);
                else LocalApic.Write(LocalApic.RegInitialCount, 0);
                return;
            }
            Arms++;
            if (deadlineMode)
            {
                Cpu.WriteMsr(MsrTscDeadline, Clock.TscAt(ns));
                return;
            }
            long delta = ns - Clock.Now();
            ulong count = delta <= 0 ? 1 : Clock.ApicTicks(delta);
            if (count > MaxCount) count = MaxCount;
            LocalApic.Write(LocalApic.RegInitialCount, (uint)count);
        }
    }
}
