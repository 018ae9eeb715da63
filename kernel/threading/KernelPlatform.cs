using Osprey.Sched;

namespace Osprey.Kernel.Threading
{
    // The scheduling core's platform on real hardware: the TSC clock, the
    // local APIC one-shot, and a switch request that is honoured at the next
    // switch point (the end of the kernel call or of the interrupt handler).
    internal sealed class KernelPlatform : Platform
    {
        internal long ArmedFor = long.MaxValue;
        // Set by the timer interrupt while it fires watchdogs: arming only
        // records the time, and the handler arms the hardware once at its
        // end. (An arm for a time already past would raise the interrupt at
        // once, and a later re-arm does not withdraw it: it stays pending in
        // the local APIC.)
        internal bool DeferArm;
        private readonly PerCpu cpu;           // the CPU whose core this platform serves

        internal KernelPlatform(PerCpu cpu) { this.cpu = cpu; }

        public override long Now() { return Machine.Now(); }

        public override void ArmTimer(long absoluteNs)
        {
            ArmedFor = absoluteNs;
            if (!DeferArm) Machine.ArmTimer(absoluteNs);
        }

        public override void RequestSwitch() { cpu.SwitchPending = true; }
    }
}
