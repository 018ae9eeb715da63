using System.Runtime;
using Osprey.Kernel.Arch;
using Osprey.Kernel.Boot;
using Osprey.Kernel.Drivers;
using Osprey.Kernel.Memory;
using Screen = Osprey.Kernel.Console.Screen;

namespace Osprey.Kernel
{
    // Boot sequence, from the boot stub's call to the idle loop. The order
    // matters: nothing before the heap may allocate, nothing before the
    // static-data setup may touch a reference-type static.
    internal static unsafe class KernelMain
    {
        internal static BootInfo Boot;
        internal static CommandLine Options;
        internal static long BootTsc;
        internal const ulong EarlyFaultAddress = 0x2_0000_0000UL;   // 8 GiB

        // The IL assembly needs an entry point; the boot stub calls kmain.
        private static int Main() { return 0; }

        [RuntimeExport("kmain")]
        private static void KMain(uint magic, uint info)
        {
            Machine.BootCpuBlock();
            ulong tsc0 = Machine.Cycles();
            // Osprey's own VMM (CPUID 40000000H "OspreyVMM") replaces the
            // PC's timers and interrupt controllers: arch/x86_64/Paravirt.cs.
            Machine.DetectPlatform();
            if (Machine.ParavirtualConsole) Serial.InitializeForwarded();
            else Serial.Initialize();
            Serial.Write("\nosprey: booting\n");

            // 1. Memory map without allocating; frames and heap from it.
            MemoryRegion* regions = stackalloc MemoryRegion[BootInfo.MaxRegions];
            int n = MultibootParser.ReadMemoryMap(magic, (byte*)info, 0, regions, BootInfo.MaxRegions);
            if (n < 0)
            {
                Serial.Write("osprey: PANIC: the boot loader gave no usable memory map (magic ");
                Serial.Write(magic == MultibootParser.Multiboot1Magic ? "multiboot1" : magic == MultibootParser.Multiboot2Magic ? "multiboot2" : "unknown");
                Serial.Write(")\n");
                Machine.HaltForever();
            }
            ReserveBootData(magic, info, regions, n);
            // A test word: fault here, where the boot stub's early interrupt
            // table is still the only one, to check that such a fault is
            // reported on COM1 (build.sh test). The address is above the
            // boot stub's 4 GiB bridge, so the write page-faults.
            if (MultibootParser.RawCommandLineHasWord(magic, (byte*)info, 0, CommandLine.EarlyFaultWord)) Machine.Poke64(EarlyFaultAddress, 0);

            // 2. Runtime data: reference statics become real objects.
            Internal.Runtime.CompilerHelpers.StartupCodeHelpers.Initialize(Image.ModulesStart(), Image.ModulesEnd());
            BootTsc = (long)tsc0;
            Threading.PerCpu.BootCpu();

            // 3. CPU tables before anything can fault or interrupt.
            Machine.InitializeCpuTables();

            // 4. Our own page tables from the memory map.
            Machine.InitializePaging(regions, n);

            // 5. The rest of the boot information, consoles, command line.
            Boot = MultibootParser.Parse(magic, (byte*)info, 0);
            if (Boot.Error != null) Log.WriteLine("osprey: warning: boot information: " + Boot.Error);
            Options = CommandLine.Parse(Boot.CommandLine, SchedulerNames());
            string screenError = Options.ScreenConsole ? Screen.Initialize(Boot.Framebuffer) : "disabled by console=serial";
            Log.EnableScreen(Screen.Ready);
            // The self-test channel is COM1 whatever console= says.
            bool serial = Options.SerialConsole || Options.SelfTest;
            if (!serial) Log.WriteLine("osprey: console=screen: further log lines go to the screen only");
            Log.EnableSerial(serial);
            Banner(screenError);
            CheckSelfTestMemory();

            // 6. Interrupt controller, calibrated clock, one-shot timer, then
            //    the scheduler: the boot context becomes the "main" thread.
            // The paravirtual platform has no ACPI tables: one CPU, no
            // calibration, no I/O APIC.
            Acpi.AcpiInfo acpi = Machine.Paravirtual ? null : Acpi.AcpiDiscovery.Discover(Boot);
            Machine.StartTime(Options.Calibration, acpi);
            PrepareCpus(acpi);
            Machine.InitializeInterruptRouting(acpi);
            string workloadError = Workload.WorkloadRunner.Load(Boot);
            if (workloadError != null) Log.WriteLine("osprey: error: workload " + workloadError + " (nothing of it runs)");
            string policy = SchedulerChoice();
            Threading.Scheduling.Start(policy, MainPriority, (ulong)Image.BootStackBottom(), (ulong)Image.BootStackTop());
            Machine.SetFaultUpcall(&DescribeFault);
            Log.WriteLine("osprey: scheduler '" + policy + "', threads running");
            Smp.Smp.StartAll(Boot, enabledCpus, Options.CpuLimit, policy);
            if (policy == "gedf")
            {
                string clusterError = FormCluster();
                if (clusterError != null && workloadError == null)
                {
                    workloadError = clusterError;
                    Log.WriteLine("osprey: error: workload " + clusterError + " (nothing of it runs)");
                }
            }
            // The overheads the analysis charges, measured before any trace
            // records (its probe interrupts are not part of a run).
            Machine.EnableInterrupts();
            Threading.OverheadProbe.Run();
            Threading.OverheadProbe.Print();
            if (Options.Trace)
            {
                Threading.KernelTrace.Start(Options.TraceDropNewest ? Osprey.Sched.Tracing.TraceOverflow.DropNewest : Osprey.Sched.Tracing.TraceOverflow.OverwriteOldest);
                Log.WriteLine("osprey: trace: recording scheduling events, " + Threading.KernelTrace.RingCount + " ring(s) (one per CPU) of " + Threading.KernelTrace.RingCapacity + " events, " +
                    (Options.TraceDropNewest ? "keeping the first (trace=drop)" : "keeping the latest (trace=overwrite)"));
            }

            if (Options.SelfTest)
            {
                SelfTest.Runner.RunAll(SelfTest.Registry.Suites(), Options.SelfTestFilter);
            }
            else if (workloadError != null)
            {
                // Nothing of the file runs: say so and end with the failure
                // status, with or without `exit` (QEMU's isa-debug-exit; on
                // a machine without it the kernel halts).
                Log.WriteLine("osprey: workload refused: exit with the failure status");
                SelfTest.Runner.Exit(SelfTest.Runner.ExitFail);
            }
            else if (Workload.WorkloadRunner.Spec != null)
            {
                Workload.WorkloadRunner.Run();
            }
            int refused = Options.SelfTest ? 0 : Workload.WorkloadRunner.Refused;
            if (refused > 0)
                Log.WriteLine("osprey: workload partly refused: " + refused + " part(s) of the file did not run (the 'rejected:' and 'note:' lines above)"
                    + (Options.ExitWhenDone ? "; exit with the failure status" : ""));
            if (Options.ExitWhenDone)
            {
                Log.WriteLine("osprey: done; exit");
                SelfTest.Runner.Exit(refused > 0 ? SelfTest.Runner.ExitFail : SelfTest.Runner.ExitPass);
            }
            Log.WriteLine("osprey: idle");
            Threading.Threads.Exit();
        }

        // The MADT's enabled processors (1 without a usable MADT).
        private static int enabledCpus = 1;

        // One per-CPU block for each CPU to start: the MADT's enabled
        // processors, the boot CPU first (index 0), at most cpus=N in all;
        // without a MADT only the boot CPU's.
        private static void PrepareCpus(Acpi.AcpiInfo acpi)
        {
            int n = acpi != null && acpi.Found && acpi.Error == null ? acpi.EnabledCpuCount : 1;
            if (n < 1) n = 1;
            enabledCpus = n;
            if (Options.CpuLimit > 0 && n > Options.CpuLimit) n = Options.CpuLimit;   // cpus=N
            uint* ids = stackalloc uint[Acpi.AcpiInfo.MaxCpus];
            uint self = Machine.ApicId;
            ids[0] = self;
            int k = 1;
            for (int i = 0; acpi != null && i < acpi.CpuCount && k < n; i++)
                if (acpi.Cpus[i].Enabled && acpi.Cpus[i].ApicId != self) ids[k++] = acpi.Cpus[i].ApicId;
            Threading.PerCpu.Prepare(k, ids);
            Log.Prepare(k);
        }

        // The kernel's lines in a fatal CPU exception's report
        // (Machine.SetFaultUpcall): the test and the thread running, and
        // whether the fault hit the thread's stack guard page.
        private static void DescribeFault(ulong cr2, ulong rsp, ulong vector)
        {
            if (SelfTest.Runner.CurrentTest != null) { Log.Write("\n    # while running test "); Log.Write(SelfTest.Runner.CurrentTest); }
            Threading.Thread t = Threading.Scheduling.Current;
            if (t == null) return;
            Log.Write("\n    # in thread '"); Log.Write(t.Name); Log.Write("' (id "); Log.Dec(t.Id); Log.Write(")");
            // A push into the guard page faults; the CPU cannot push the
            // #PF frame on the same stack and raises #DF (on its own IST
            // stack) with CR2 still naming the guard page.
            if (t.Stack != null && (t.Stack.GuardContains(cr2) || (vector == 8 && t.Stack.GuardContains(rsp))))
            {
                Log.Write("\n    # stack overflow in thread '"); Log.Write(t.Name); Log.Write("': guard page "); Log.Hex(t.Stack.Guard);
                Log.Write(", stack "); Log.Udec(t.Stack.Bytes); Log.Write(" bytes");
            }
        }

        // sched= wins over the workload file's scheduler line (a file with
        // guests implies vcore); without either, fixed priority.
        // sched=gedf (or a file's `scheduler gedf`): the running CPUs, or the
        // first N of them for a file's `cpus N`, become one global-EDF
        // cluster (GlobalCluster). Null, or the error (a file asking for
        // more CPUs than started names its line and field).
        private static string FormCluster()
        {
            Osprey.Sched.Workload.WorkloadSpec w = Options.SelfTest ? null : Workload.WorkloadRunner.Spec;
            int m = Smp.Smp.Count;
            if (w != null && w.Cpus > 0)
            {
                if (w.Cpus > Smp.Smp.Count)
                    return Workload.WorkloadRunner.FileName + ": line " + w.CpusLine + ": field 'cpus': a cluster of " + w.Cpus
                        + " CPUs asked, " + Smp.Smp.Count + " started (QEMU -smp, cpus=)";
                m = w.Cpus;
            }
            if (m <= 1) return null;
            string why = Threading.GlobalCluster.Form(m);
            if (why != null) { Log.WriteLine("osprey: error: global EDF cluster: " + why); return "global EDF cluster of " + m + " CPUs: " + why; }
            Log.WriteLine("osprey: global EDF: one cluster of " + m + " CPUs (one ready set)");
            return null;
        }

        private static string SchedulerChoice()
        {
            // Self-tests do not run the workload: only sched= counts.
            if (Options.SelfTest) return Options.Scheduler != null ? Options.Scheduler : "priority";
            Osprey.Sched.Workload.WorkloadSpec w = Workload.WorkloadRunner.Spec;
            string fromFile = w != null && w.SchedulerGiven ? Osprey.Sched.Workload.WorkloadSpec.SchedulerName(w.Scheduler) : null;
            // Guest cores run on the vcore scheduler (host threads under EDF beside them).
            if (w != null && w.Guests.Length > 0) fromFile = "vcore";
            if (Options.Scheduler != null)
            {
                if (fromFile != null && fromFile != Options.Scheduler)
                    Log.WriteLine("osprey: sched=" + Options.Scheduler + " overrides the workload file's 'scheduler " + fromFile + "'");
                return Options.Scheduler;
            }
            return fromFile != null ? fromFile : "priority";
        }

        // The self-test suites allocate for good (frames and heap are never
        // returned): all of them in one boot were measured to pass with 33 MiB
        // of usable RAM (QEMU -m 34) and to run out with 32 MiB; the floor
        // keeps a margin for suites added since. A smaller machine stops here
        // with that figure instead of panicking in whichever test runs out.
        // Workloads have no such floor (the default one runs in 7 MiB).
        internal const ulong SelfTestMinimumMiB = 48;

        private static void CheckSelfTestMemory()
        {
            ulong usableMiB = Boot.UsableBytes() >> 20;
            if (!Options.SelfTest || usableMiB >= SelfTestMinimumMiB) return;
            Panic.Fail("the self-test suite needs at least " + SelfTestMinimumMiB + " MiB of usable RAM; this machine has " + usableMiB + " MiB (QEMU: -m 64 or more)");
        }

        // The main thread's base priority: self-tests create threads on both
        // sides of it.
        internal const int MainPriority = 128;

        private static string[] SchedulerNames()
        {
            string[] names = new string[Osprey.Sched.SchedulerTable.Count];
            for (int i = 0; i < names.Length; i++) names[i] = Osprey.Sched.SchedulerTable.NameAt(i);
            return names;
        }

        // Keeps the kernel image and everything the boot loader handed over
        // (information structure, strings, modules) out of the frame
        // allocator, using only non-allocating reads.
        private static void ReserveBootData(uint magic, uint info, MemoryRegion* regions, int n)
        {
            const int Capacity = 8 + 3 * BootInfo.MaxModules;
            ulong* rs = stackalloc ulong[Capacity];
            ulong* re = stackalloc ulong[Capacity];
            rs[0] = (ulong)Image.Start(); re[0] = (ulong)Image.End();
            int m = MultibootParser.ReadBootSpans(magic, (byte*)info, 0, rs + 1, re + 1, Capacity - 1);
            PhysicalMemory.Initialize(regions, n, rs, re, 1 + (m < 0 ? 0 : m));
        }

        private static void Banner(string screenError)
        {
            Log.WriteLine("Osprey real-time kernel (C#, NativeAOT) on x86-64");
            Log.Write("osprey: boot loader '"); Log.Write(Boot.LoaderName); Log.Write("', multiboot"); Log.Dec(Boot.Protocol);
            Log.Write(Boot.EfiBoot ? ", UEFI" : ""); Log.Write(", command line '"); Log.Write(Boot.CommandLine); Log.WriteLine("'");
            Log.Write("osprey: memory: "); Log.Dec(Boot.RegionCount); Log.Write(" regions, ");
            Log.Udec(Boot.UsableBytes() >> 20); Log.Write(" MiB usable, "); Log.Udec(PhysicalMemory.FreeBytes >> 20);
            Log.Write(" MiB free; page tables map "); Log.Udec(Machine.MappedBytes >> 20); Log.WriteLine(" MiB");
            Log.Write("osprey: modules: "); Log.Dec(Boot.ModuleCount);
            for (int i = 0; i < Boot.ModuleCount; i++) { Log.Write(" '"); Log.Write(Boot.Modules[i].CommandLine); Log.Write("' ("); Log.Udec(Boot.Modules[i].End - Boot.Modules[i].Start); Log.Write(" bytes)"); }
            Log.WriteLine("");
            if (Boot.ModulesRefused > 0)
                Log.WriteLine("osprey: error: " + (Boot.ModuleCount + Boot.ModulesRefused) + " boot modules given; the kernel takes at most " + BootInfo.MaxModules +
                    ": the last " + Boot.ModulesRefused + " are refused (not used)");
            for (int i = 0; i < Boot.ModuleCount; i++)
                if (Boot.Modules[i].Name != Workload.WorkloadRunner.ModuleName && Boot.Modules[i].Name != Vmm.OspreyImageModule.ModuleName)
                    Log.WriteLine("osprey: warning: boot module '" + Boot.Modules[i].CommandLine + "' is not used (the kernel reads the modules named '" + Workload.WorkloadRunner.ModuleName +
                        "' and '" + Vmm.OspreyImageModule.ModuleName + "', the kernel image for guests with 'image osprey')");
            if (Boot.RegionsTruncated)
                Log.WriteLine("osprey: warning: the memory map has more than " + BootInfo.MaxRegions + " regions; those after the " + BootInfo.MaxRegions + "th are not used");
            if (PhysicalMemory.RangesDropped > 0)
                Log.WriteLine("osprey: warning: " + PhysicalMemory.RangesDropped + " fragments of free RAM beyond the allocator's table are not used");
            if (screenError == null) { Log.Write("osprey: screen console "); Log.Dec(Screen.Text.Columns); Log.Write("x"); Log.Dec(Screen.Text.Rows); Log.WriteLine(" characters"); }
            else Log.WriteLine("osprey: no screen console: " + screenError);
            for (int i = 0; i < Options.UnknownCount; i++) Log.WriteLine("osprey: warning: unknown command-line word '" + Options.Unknown[i] + "' (ignored)");
            for (int i = 0; i < Options.ErrorCount; i++) Log.WriteLine("osprey: error: command line: " + Options.Errors[i]);
            if (Options.Scheduler != null) Log.WriteLine("osprey: scheduler " + Options.Scheduler);
        }
    }
}
