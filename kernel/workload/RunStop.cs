using Osprey.Sched;

namespace Osprey.Kernel.Workload
{
    // The stop watchdog of a workload run on one CPU: armed in that CPU's
    // timer queue before any task starts, it ends the run there from the
    // timer interrupt (WorkloadRunner.Stop), so the end never waits for a
    // thread, however urgent the workload's threads are (priority 0,
    // deadlines, guest-core reservations) and however overloaded the CPU is.
    internal sealed class RunStop : Watchdog
    {
        internal int Cpu;
        public override void Fire(long now) { WorkloadRunner.Stop(Cpu, now); }
    }
}
