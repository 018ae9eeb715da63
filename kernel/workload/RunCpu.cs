using Osprey.Kernel.Threading;
using Osprey.Sched;

namespace Osprey.Kernel.Workload
{
    // One CPU's part of a partitioned workload run (WorkloadRunner): the
    // tasks whose `cpu` field names it run on its own scheduling core, with
    // their periods, CBS servers and job nodes in that core, and the run's
    // end there is this CPU's own stop watchdog (Stop), in its own timer
    // queue at the same instant as every other CPU's: no CPU's end waits
    // for another's. The stop takes this CPU's figures (switches, idle
    // time, its tasks' CPU times and period statistics), suspends its
    // tasks and sets Done; the runner's main thread (CPU 0) waits for every
    // Done before it reads them. Under gedf every task's home is CPU 0's
    // RunCpu (the cluster's stop runs there, under the cluster's lock).
    internal sealed class RunCpu
    {
        internal int Cpu;
        // Tasks of the file placed here (file order is kept in the runner's table).
        internal int Tasks;
        // Set by this CPU's stop (its timer interrupt): the tasks stop
        // spinning, completions after it are not counted.
        internal volatile bool Stopping;
        // The stop has taken every figure below and suspended the tasks.
        internal volatile bool Done;
        internal long StopAt;
        // Context switches and idle time of this CPU's core at the run's
        // start t0 (Start, a watchdog at t0 in its timer queue: the margin
        // before t0, idle on every CPU, is not counted, as in the
        // simulator, which starts at t0) and at its stop.
        internal long SwitchesAtStart, IdleAtStart, SwitchesAtStop, IdleAtStop;
        internal readonly RunStop Stop = new RunStop();
        internal readonly RunStart Start = new RunStart();

        internal RunCpu(int cpu) { Cpu = cpu; Stop.Cpu = cpu; Start.Owner = this; }

        internal void Reset()
        {
            Tasks = 0;
            Stopping = false;
            Done = false;
            StopAt = 0;
            SwitchesAtStart = IdleAtStart = SwitchesAtStop = IdleAtStop = 0;
        }

        // This CPU's counters now (on this CPU, interrupts off): the
        // executing thread (idle, when the CPU had nothing to run) is
        // charged first, so the idle time includes the stretch in progress.
        internal static void Counters(out long switches, out long idle)
        {
            SchedCore core = Scheduling.Core;
            core.Charge();
            switches = Scheduling.Switches;
            idle = core.IdleTimeNs;
        }
    }

    // A CPU's counters at the run's start t0, in its timer interrupt.
    internal sealed class RunStart : Watchdog
    {
        internal RunCpu Owner;
        public override void Fire(long now) { RunCpu.Counters(out Owner.SwitchesAtStart, out Owner.IdleAtStart); }
    }
}
