using Osprey.Kernel.Acpi;
using Osprey.Kernel.Arch;
using Osprey.Kernel.Boot;
using Osprey.Kernel.Time;

namespace Osprey.Kernel.Smp
{
    // Starting the application processors: for each enabled processor of
    // the MADT other than the boot CPU, in table order, INIT, 10 ms, SIPI,
    // 200 us, SIPI (Intel SDM vol. 3A 9.4.4.1 "Typical BSP Initialization
    // Sequence"; AMD APM vol. 2 16.5), then up to 100 ms for it to check in
    // (ApEntry). Delays are measured on the calibrated clock. One AP at a
    // time: they share the one trampoline page and its stack field. A CPU
    // that does not check in is sent INIT again (back to wait-for-SIPI) and
    // left out; the next one gets its index, so started CPUs are numbered
    // 0..Count-1 without holes.
    internal static unsafe class Smp
    {
        internal const int PingVector = 0xE8;     // boot CPU -> AP (SmpSuite)
        internal const int PongVector = 0xE9;     // AP -> boot CPU, the answer
        internal const int ApTimerVector = 0xEA;  // an AP's test one-shots
        internal const int WakeVector = 0xEB;     // wakes an idle AP for a command
        internal const long InitDelayNs = 10000000, SipiDelayNs = 200000, CheckInNs = 100000000;
        internal const ulong ApStackBytes = 16384;

        internal static Processor[] Cpus;
        internal static int Count = 1;           // started CPUs, the boot CPU included
        internal static int EnabledInMadt = 1;
        internal static int Limit;               // cpus=N (0: none)
        internal static int LeftOut;             // did not check in
        internal static int NotStartedByLimit;
        internal static string NotStartedReason; // null, or why no AP was started at all
        internal static uint BootApicId;
        internal static volatile int PongsReceived;
        internal static volatile int LastPongFrom;

        internal static void StartAll(AcpiInfo acpi, BootInfo boot, int limit)
        {
            Limit = limit;
            BootApicId = LocalApic.Id;
            Cpus = new Processor[AcpiInfo.MaxCpus];
            Processor bsp = new Processor();
            bsp.ApicId = BootApicId;
            bsp.SeenApicId = BootApicId;
            bsp.ApicHz = (long)Clock.ApicHz;
            bsp.Started = true;
            Cpus[0] = bsp;
            Count = 1;
            RegisterHandlers();

            EnabledInMadt = acpi == null ? 1 : acpi.EnabledCpuCount;
            if (EnabledInMadt <= 1)
            {
                NotStartedReason = acpi == null || acpi.EnabledCpuCount == 0 ? "no MADT processor list" : "the MADT lists one enabled processor";
                Log.WriteLine("osprey: cpus: 1 (" + NotStartedReason + ")");
                return;
            }
            if (limit == 1)
            {
                NotStartedReason = "cpus=1";
                NotStartedByLimit = EnabledInMadt - 1;
                Log.WriteLine("osprey: cpus: 1 of " + EnabledInMadt + " enabled in the MADT (cpus=1)");
                return;
            }
            string error = ApTrampoline.Install(boot);
            if (error != null)
            {
                NotStartedReason = error;
                Log.WriteLine("osprey: warning: application processors not started: " + error + "; running on the boot CPU only");
                return;
            }
            for (int i = 0; i < acpi.CpuCount; i++)
            {
                AcpiCpu c = acpi.Cpus[i];
                if (!c.Enabled || c.ApicId == BootApicId) continue;
                if (limit > 0 && Count >= limit) { NotStartedByLimit++; continue; }
                if (!LocalApic.IsX2Apic && c.ApicId > 0xFE)
                {
                    Log.WriteLine("osprey: warning: APIC id " + c.ApicId + " cannot be reached in xAPIC mode; left out");
                    LeftOut++;
                    continue;
                }
                StartOne(c.ApicId);
            }
            Log.Write("osprey: cpus: "); Log.Dec(Count); Log.Write(" started of "); Log.Dec(EnabledInMadt); Log.Write(" enabled in the MADT");
            if (NotStartedByLimit > 0) { Log.Write(" ("); Log.Dec(NotStartedByLimit); Log.Write(" not started: cpus="); Log.Dec(limit); Log.Write(")"); }
            if (LeftOut > 0) { Log.Write(", "); Log.Dec(LeftOut); Log.Write(" left out"); }
            Log.Write(", start-up page "); Log.Hex(ApTrampoline.Page, 5); Log.WriteLine("");
        }

        private static void StartOne(uint apicId)
        {
            int index = Count;
            Processor p = new Processor();
            p.Index = index;
            p.ApicId = apicId;
            Gdt.Build(out p.Gdt, out p.Tss);
            p.Stack = Threading.Stack.Allocate(ApStackBytes);
            if (p.Stack == null) { Log.WriteLine("osprey: warning: no memory for the stack of cpu " + index + "; left out"); LeftOut++; return; }
            Cpus[index] = p;
            ApTrampoline.Prepare(index, p.Stack.Top);
            uint page = (uint)(ApTrampoline.Page >> 12);
            bool accepted = Icr.SendInit(apicId);
            Delay(InitDelayNs);
            p.SipiNs = Clock.Now();
            accepted = Icr.SendStartup(apicId, page) && accepted;
            Delay(SipiDelayNs);
            // A second SIPI, as the SDM's sequence has it; a CPU that left
            // wait-for-SIPI on the first ignores it.
            accepted = Icr.SendStartup(apicId, page) && accepted;
            while (!p.Started && Clock.Now() - p.SipiNs < CheckInNs) Cpu.Pause();
            if (!p.Started)
            {
                bool arrived = ApTrampoline.Arrived;
                ApTrampoline.Withdraw();
                Icr.SendInit(apicId);
                Cpus[index] = null;
                LeftOut++;
                Log.WriteLine("osprey: warning: cpu " + index + " (APIC id " + apicId + ") did not start within " + (CheckInNs / 1000000) + " ms; left out" +
                    (!accepted ? " (its APIC did not accept an INIT or SIPI)" : arrived ? " (it ran the start-up code but did not check in)" : " (it never ran the start-up code)"));
                return;
            }
            Count = index + 1;
            Log.Write("osprey: cpu "); Log.Dec(index); Log.Write(" (APIC id "); Log.Udec(apicId); Log.Write(") started in ");
            Log.Dec((p.ArrivedNs - p.SipiNs) / 1000); Log.Write(" us, APIC timer "); Log.Fixed(p.ApicHz / 1000, 3); Log.WriteLine(" MHz");
        }

        private static void Delay(long ns)
        {
            long end = Clock.Now() + ns;
            while (Clock.Now() < end) Cpu.Pause();
        }

        // The index of the CPU running this (its APIC id looked up): for
        // handlers that run on any CPU.
        internal static int CurrentIndex()
        {
            uint id = LocalApic.Id;
            for (int i = 0; i < Count; i++) if (Cpus[i] != null && Cpus[i].ApicId == id) return i;
            return -1;
        }

        private static void RegisterHandlers()
        {
            InterruptDispatch.Register(PingVector, new PingHandler());
            InterruptDispatch.Register(PongVector, new PongHandler());
            InterruptDispatch.Register(ApTimerVector, new ApTimerHandler());
            InterruptDispatch.Register(WakeVector, new WakeHandler());
        }

        // Asks idle AP `index` to run `command` (SmpCommands) and waits up to
        // `timeoutNs` for it to finish; false on a time-out.
        internal static bool RunOn(int index, int command, long arg0, long arg1, long timeoutNs)
        {
            Processor p = Cpus[index];
            if (p.Command != 0) return false;
            p.Arg0 = arg0;
            p.Arg1 = arg1;
            p.Result0 = p.Result1 = 0;
            p.Command = command;
            Icr.SendFixed(p.ApicId, WakeVector);
            long start = Clock.Now();
            while (p.Command != 0)
            {
                if (Clock.Now() - start > timeoutNs) return false;
                Cpu.Pause();
            }
            return true;
        }
    }

    internal sealed unsafe class PingHandler : InterruptHandler
    {
        internal PingHandler() { CpuLocal = true; }
        internal override void Handle(InterruptFrame* frame)
        {
            int i = Smp.CurrentIndex();
            LocalApic.EndOfInterrupt();
            if (i <= 0) return;
            Processor p = Smp.Cpus[i];
            p.PingsReceived++;
            p.PongsSent++;
            Smp.LastPongFrom = i;
            Icr.SendFixed(Smp.BootApicId, Smp.PongVector);
        }
    }

    internal sealed unsafe class PongHandler : InterruptHandler
    {
        internal PongHandler() { CpuLocal = true; }
        internal override void Handle(InterruptFrame* frame)
        {
            Smp.PongsReceived++;
            LocalApic.EndOfInterrupt();
        }
    }

    internal sealed unsafe class ApTimerHandler : InterruptHandler
    {
        internal ApTimerHandler() { CpuLocal = true; }
        internal override void Handle(InterruptFrame* frame)
        {
            int i = Smp.CurrentIndex();
            if (i >= 0) Smp.Cpus[i].TimerInterrupts++;
            LocalApic.EndOfInterrupt();
        }
    }

    internal sealed unsafe class WakeHandler : InterruptHandler
    {
        internal WakeHandler() { CpuLocal = true; }
        internal override void Handle(InterruptFrame* frame) { LocalApic.EndOfInterrupt(); }
    }
}
