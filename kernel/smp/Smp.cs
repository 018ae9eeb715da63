using Osprey.Kernel.Boot;
using Osprey.Kernel.Threading;

namespace Osprey.Kernel.Smp
{
    // Starting the application processors (after the boot CPU's scheduler
    // runs): one per PerCpu prepared at boot (the MADT's enabled
    // processors, at most cpus=N in all), in index order, each through
    // Machine.StartCpu with a 16 KiB stack (guard page below) that becomes
    // its main thread's. On the AP, ApEntry starts a scheduling core with
    // the boot CPU's policy, its idle thread and its one-shot timer, then
    // marks it Started. A CPU that does not start is reported and left out;
    // it keeps its index (the others keep theirs) and runs nothing.
    internal static unsafe class Smp
    {
        internal const int PingVector = 0xE8;     // boot CPU -> AP (SmpSuite)
        internal const int PongVector = 0xE9;     // AP -> boot CPU, the answer
        internal const int WakeVector = 0xEB;     // resumes an AP's main thread for a command
        internal const ulong ApStackBytes = 16384;
        internal const long SchedulerStartNs = 100000000;

        internal static Processor[] Cpus;
        internal static int Count = 1;           // CPUs running, the boot CPU included
        internal static int EnabledInMadt = 1;
        internal static int Limit;               // cpus=N (0: none)
        internal static int LeftOut;
        internal static int NotStartedByLimit;
        internal static string NotStartedReason; // null, or why no AP was started at all
        internal static string Policy;           // the APs' scheduler (the boot CPU's at start)
        internal static uint BootApicId;
        // The boot CPU's APIC timer rate (its calibration against the
        // HPET, PM timer or PIT), for comparison with the APs'.
        internal static long BootApicHz { get { return (long)Time.Calibration.ApicHz; } }
        internal static volatile int PongsReceived;
        internal static volatile int LastPongFrom;

        // Whether CPU `index` runs (started and scheduling).
        internal static bool Online(int index)
        {
            return Cpus != null && index >= 0 && index < Cpus.Length && Cpus[index] != null && Cpus[index].Started;
        }

        internal static void StartAll(BootInfo boot, int enabledInMadt, int limit, string policy)
        {
            Limit = limit;
            Policy = policy;
            EnabledInMadt = enabledInMadt < 1 ? 1 : enabledInMadt;
            BootApicId = Machine.ApicId;
            int n = PerCpu.Count;
            NotStartedByLimit = EnabledInMadt - n;
            Cpus = new Processor[n];
            Processor bsp = new Processor();
            bsp.ApicId = BootApicId;
            bsp.Started = true;
            bsp.ApicHz = BootApicHz;
            Cpus[0] = bsp;
            Count = 1;
            Machine.RegisterHandler(PingVector, new PingHandler());
            Machine.RegisterHandler(PongVector, new PongHandler());
            Machine.RegisterHandler(WakeVector, new WakeHandler());
            Remote.Initialize(n);
            WakeHandoff.Initialize(n);
            if (n == 1)
            {
                NotStartedReason = EnabledInMadt > 1 ? "cpus=" + limit : "the MADT lists one enabled processor";
                Log.WriteLine("osprey: cpus: 1 (" + NotStartedReason + ")");
                return;
            }
            string error = Machine.PrepareCpuStart(boot);
            if (error != null)
            {
                NotStartedReason = error;
                Log.WriteLine("osprey: warning: application processors not started: " + error + "; running on the boot CPU only");
                return;
            }
            for (int i = 1; i < n; i++) StartOne(i);
            Log.Write("osprey: cpus: "); Log.Dec(Count); Log.Write(" started of "); Log.Dec(EnabledInMadt); Log.Write(" enabled in the MADT");
            if (NotStartedByLimit > 0) { Log.Write(" ("); Log.Dec(NotStartedByLimit); Log.Write(" not started: cpus="); Log.Dec(limit); Log.Write(")"); }
            if (LeftOut > 0) { Log.Write(", "); Log.Dec(LeftOut); Log.Write(" left out"); }
            Log.Write(", start-up page "); Log.Hex(Machine.CpuStartPage, 5); Log.Write(", scheduler '"); Log.Write(policy); Log.WriteLine("' on each");
        }

        private static void StartOne(int index)
        {
            PerCpu cpu = PerCpu.Of(index);
            Processor p = new Processor();
            p.Index = index;
            p.ApicId = cpu.ApicId;
            Cpus[index] = p;
            p.Stack = Stack.Allocate(ApStackBytes);
            if (p.Stack == null) { LeaveOut(p, "no memory for its stack"); return; }
            Arch.CpuStartReport r;
            bool ok = Machine.StartCpu(cpu.ApicId, cpu.Block, (ulong)(delegate*<void>)&ApEntry.Enter, p.Stack.Top, out r);
            p.SipiNs = r.SipiNs;
            p.ArrivedNs = r.ArrivedNs;
            p.ApicHz = r.ApicHz;
            if (!ok) { LeaveOut(p, r.Error); return; }
            // The AP builds its scheduling core (it allocates: the boot CPU
            // waits here meanwhile, so the heap and frames have one user).
            long start = Machine.Now();
            while (!p.Started && Machine.Now() - start < SchedulerStartNs) Machine.SpinWaitHint();
            if (!p.Started) { LeaveOut(p, "checked in but its scheduler did not start within " + (SchedulerStartNs / 1000000) + " ms"); return; }
            Count++;
            Log.Write("osprey: cpu "); Log.Dec(index); Log.Write(" (APIC id "); Log.Udec(p.ApicId); Log.Write(", "); Log.Write(r.ApicMode); Log.Write(") started in ");
            Log.Dec((p.ArrivedNs - p.SipiNs) / 1000); Log.Write(" us, APIC timer "); Log.Fixed(p.ApicHz / 1000, 3); Log.WriteLine(" MHz");
        }

        private static void LeaveOut(Processor p, string why)
        {
            p.Error = why;
            LeftOut++;
            Log.WriteLine("osprey: warning: cpu " + p.Index + " (APIC id " + p.ApicId + ") " + (why.StartsWith("did not start") ? why : "did not start: " + why) + "; left out");
        }

        // Asks CPU `index`'s main thread to run `command` (SmpCommands) and
        // waits up to `timeoutNs` for it to finish; false on a time-out.
        internal static bool RunOn(int index, int command, long arg0, long arg1, long timeoutNs)
        {
            if (!Online(index) || index == 0) return false;
            Processor p = Cpus[index];
            if (p.Command != 0) return false;
            p.Arg0 = arg0;
            p.Arg1 = arg1;
            p.Result0 = p.Result1 = 0;
            p.TextResult = null;
            p.Command = command;
            string error;
            if (!Machine.SendIpi(p.ApicId, WakeVector, out error)) return false;
            long start = Machine.Now();
            while (p.Command != 0)
            {
                if (Machine.Now() - start > timeoutNs) return false;
                Machine.SpinWaitHint();
            }
            return true;
        }
    }

    // On an AP: count, answer the boot CPU.
    internal sealed unsafe class PingHandler : Arch.InterruptHandler
    {
        internal override void Handle(Arch.InterruptFrame* frame)
        {
            int i = Machine.CpuIndex;
            Machine.EndOfInterrupt();
            if (i <= 0) return;
            Processor p = Smp.Cpus[i];
            p.PingsReceived++;
            p.PongsSent++;
            Smp.LastPongFrom = i;
            string error;
            Machine.SendIpi(Smp.BootApicId, Smp.PongVector, out error);
        }
    }

    internal sealed unsafe class PongHandler : Arch.InterruptHandler
    {
        internal override void Handle(Arch.InterruptFrame* frame)
        {
            Smp.PongsReceived++;
            Machine.EndOfInterrupt();
        }
    }

    // On an AP: resume its main thread (this CPU's core decides; the switch
    // happens at the interrupt's exit).
    internal sealed unsafe class WakeHandler : Arch.InterruptHandler
    {
        internal override void Handle(Arch.InterruptFrame* frame)
        {
            PerCpu cpu = PerCpu.Current;
            if (cpu.Index > 0 && cpu.Main != null) Threads.Resume(cpu.Main);
            Machine.EndOfInterrupt();
        }
    }
}
