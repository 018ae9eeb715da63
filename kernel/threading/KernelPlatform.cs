using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // The scheduling core's platform on real hardware: the TSC clock, the
    // local APIC one-shot, and a switch request that is honoured at the next
    // switch point (the end of the kernel call or of the interrupt handler).
    internal sealed class KernelPlatform : Platform
    {
        internal long ArmedFor = long.MaxValue;

        public override long Now() { return Machine.Now(); }

        public override void ArmTimer(long absoluteNs)
        {
            ArmedFor = absoluteNs;
            Machine.ArmTimer(absoluteNs);
        }

        public override void RequestSwitch() { Scheduling.SwitchPending = true; }
    }
}
