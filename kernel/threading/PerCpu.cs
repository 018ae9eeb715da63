using System.Runtime.CompilerServices;
using Osprey.Kernel.Arch;
using Osprey.Sched;
using Osprey.Sched.Tracing;

namespace Osprey.Kernel.Threading
{
    // One CPU's scheduling state: everything the switch points, the timer
    // interrupt and the interrupt bookkeeping touch lives here, one object
    // per CPU, reached through the CPU's native block (Machine's CpuBlock,
    // GS) in one load: PerCpu.Current. Only its own CPU writes it, with
    // interrupts off; other CPUs may read it (reports).
    //
    // The interrupt nesting count is stored once: the core's
    // SchedCore.InterruptNesting (the portable objects read it there);
    // InterruptNesting below reads it through Core. Before the core exists
    // interrupts are not counted (no thread can block or switch then).
    internal sealed unsafe class PerCpu
    {
        internal readonly int Index;            // 0 = the boot CPU
        internal readonly uint ApicId;
        internal CpuBlock* Block;               // its native block (set once, before the CPU runs)

        internal SchedCore Core;                // this CPU's portable scheduling core
        internal KernelPlatform Platform;       // its timer and switch request
        internal Thread CurrentThread;              // running thread (Core.Executing except inside Reschedule)
        internal Thread Idle, Main;             // its idle thread; its boot context as a thread
        internal bool SwitchPending;            // the core asked for a switch at the next switch point
        internal long TimerInterrupts;          // timer interrupts handled
        internal long TimerDeferred;            // timer shots pushed out by the livelock bound
        internal TraceRing Trace;               // the recording ring of this CPU (null: off)
        internal int CoreCount;                 // cores built on this CPU (1 after Start, +1 per SwitchPolicy)
        // Totals of the cores SwitchPolicy retired.
        internal long RetiredSwitches, RetiredIdleNs;
        // Started threads of this CPU that have not exited (main and idle
        // excepted): intrusive list through Thread.LiveNext/LivePrev.
        internal Thread LiveHead;
        internal int LiveCount;
        // Global scheduling: the cluster this CPU belongs to (null: it
        // schedules alone). Set by this CPU itself (GlobalCluster.Form asks
        // it from its reschedule IPI, outside any scheduling section);
        // cleared by GlobalCluster.Dissolve under the cluster's lock.
        internal KernelCluster Cluster;
        // The cluster whose ReadySetLock this CPU's current scheduling
        // section holds (Scheduling.Lock took it), or null: Unlock and
        // Reschedule release by this record, so a section stays balanced
        // while Form or Dissolve change Cluster.
        internal KernelCluster Held;
        // The thread this CPU is switching away from (Scheduling.Reschedule):
        // the thread that runs next on this CPU clears its SwitchingOut.
        internal Thread SwitchedFrom;
        // Reschedule IPIs this CPU received from other CPUs' decisions
        // ("reschedule CPU k", KernelPlatform.RequestSwitch), and timer
        // re-arms asked by other CPUs (KernelPlatform.ArmTimer).
        internal long RescheduleIpis, RemoteArms;

        private PerCpu(int index, uint apicId, CpuBlock* block)
        {
            Index = index;
            ApicId = apicId;
            Block = block;
        }

        // Every CPU's object, index 0 the boot CPU; sized by Prepare.
        private static PerCpu[] all;
        internal static int Count { get { return all == null ? 0 : all.Length; } }
        internal static PerCpu Of(int index) { return all[index]; }

        // The running CPU's object (null before BootCpu). One GS load; the
        // cast is a type-handle compare (PerCpu is sealed).
        internal static PerCpu Current
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get { return (PerCpu)Machine.CurrentCpuObject(); }
        }

        internal int InterruptNesting { [MethodImpl(MethodImplOptions.AggressiveInlining)] get { return Core == null ? 0 : Core.InterruptNesting; } }

        // The boot CPU's object, attached to the block Machine installed at
        // kmain's start. Needs the heap.
        internal static PerCpu BootCpu()
        {
            CpuBlock* b = Machine.CurrentCpuBlock();
            PerCpu p = new PerCpu(0, 0, b);
            Machine.SetCpuObject(b, p);
            all = new PerCpu[1];
            all[0] = p;
            return p;
        }

        // Sizes the table for `cpus` CPUs (the MADT's enabled count; the
        // boot CPU stays index 0) and makes a block and object for each
        // other CPU, not installed anywhere. apicIds[i] names CPU i's local
        // APIC (apicIds[0] is the boot CPU's). Boot CPU, before other CPUs run.
        internal static void Prepare(int cpus, uint* apicIds)
        {
            if (cpus < 1) cpus = 1;
            PerCpu[] t = new PerCpu[cpus];
            t[0] = all[0];
            for (int i = 1; i < cpus; i++)
            {
                PerCpu p = new PerCpu(i, apicIds == null ? 0 : apicIds[i], null);
                p.Block = Machine.CreateCpuBlock(i, p.ApicId, p);
                t[i] = p;
            }
            all = t;
        }

        // The entry of CPU `index` (> 0) calls this first, on that CPU,
        // interrupts off: its block becomes this CPU's (GS), and
        // PerCpu.Current returns Of(index) from then on.
        internal static PerCpu InstallOnThisCpu(int index)
        {
            if (all == null || index <= 0 || index >= all.Length) Panic.Fail("PerCpu.InstallOnThisCpu: no block for CPU " + index);
            PerCpu p = all[index];
            Machine.InstallCpuBlock(p.Block);
            return p;
        }
    }
}
