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
            ulong tsc0 = Cpu.ReadTsc();
            // Osprey's own VMM (CPUID 40000000H "OspreyVMM") replaces the
            // PC's timers and interrupt controllers: arch/x86_64/Paravirt.cs.
            Paravirt.Detect();
            if (Paravirt.Active && Paravirt.ConsoleForwarded) Serial.InitializeForwarded();
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
                Cpu.HaltForever();
            }
            ReserveBootData(magic, info, regions, n);
            // A test word: fault here, where the boot stub's early interrupt
            // table is still the only one, to check that such a fault is
            // reported on COM1 (build.sh test). The address is above the
            // boot stub's 4 GiB bridge, so the write page-faults.
            if (MultibootParser.RawCommandLineHasWord(magic, (byte*)info, 0, CommandLine.EarlyFaultWord)) Faults.Write64(EarlyFaultAddress, 0);

            // 2. Runtime data: reference statics become real objects.
            Internal.Runtime.CompilerHelpers.StartupCodeHelpers.Initialize(Image.ModulesStart(), Image.ModulesEnd());
            BootTsc = (long)tsc0;

            // 3. CPU tables before anything can fault or interrupt.
            Gdt.Initialize();
            InterruptDispatch.Initialize();
            Idt.Initialize();
            if (!Paravirt.Active) Pic.RemapAndMask();

            // 4. Our own page tables from the memory map.
            Paging.Initialize(regions, n, (ulong)Image.End());

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
            if (Paravirt.Active) Paravirt.StartTime();
            else
            {
                Acpi.AcpiInfo acpi = Acpi.AcpiDiscovery.Discover(Boot);
                StartTime(acpi);
                IoApic.Initialize(acpi);
            }
            string workloadError = Workload.WorkloadRunner.Load(Boot);
            if (workloadError != null) Log.WriteLine("osprey: error: workload " + workloadError + " (nothing of it runs)");
            string policy = SchedulerChoice();
            Threading.Scheduling.Start(policy, MainPriority, (ulong)Image.BootStackBottom(), (ulong)Image.BootStackTop());
            Log.WriteLine("osprey: scheduler '" + policy + "', threads running");
            // The overheads the analysis charges, measured before any trace
            // records (its probe interrupts are not part of a run).
            Cpu.EnableInterrupts();
            Threading.OverheadProbe.Run();
            Threading.OverheadProbe.Print();
            if (Options.Trace)
            {
                Threading.KernelTrace.Start(Options.TraceDropNewest ? Osprey.Sched.Tracing.TraceOverflow.DropNewest : Osprey.Sched.Tracing.TraceOverflow.OverwriteOldest);
                Log.WriteLine("osprey: trace: recording scheduling events, ring of " + Osprey.Sched.Tracing.TraceRing.DefaultCapacity + " events, " +
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

        // sched= wins over the workload file's scheduler line (a file with
        // guests implies vcore); without either, fixed priority.
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

        private static void StartTime(Acpi.AcpiInfo acpi)
        {
            CpuFeatures.Read();
            LocalApic.Initialize(true);
            InterruptDispatch.Register(LocalApic.ErrorVector, new ApicErrorHandler());
            Time.Calibration.Run(Options.Calibration, acpi);
            if (Time.Calibration.Skipped != null) Log.WriteLine("osprey: timer calibration skipped " + Time.Calibration.Skipped);
            Time.Clock.Start(Time.Calibration.TscHz, Time.Calibration.ApicHz);
            ApicTimer.Initialize(true);
            Log.Write("osprey: cpu '"); Log.Write(CpuFeatures.Vendor); Log.Write("', local APIC id "); Log.Udec(LocalApic.Id);
            Log.Write(LocalApic.IsX2Apic ? " (x2APIC)" : " (xAPIC at "); if (!LocalApic.IsX2Apic) { Log.Hex(LocalApic.PhysicalBase, 8); Log.Write(")"); }
            Log.Write(", TSC "); Log.Fixed((long)(Time.Calibration.TscHz / 1000), 3); Log.Write(" MHz (spread ");
            Log.Udec(Time.Calibration.TscSpreadHz / 1000); Log.Write(" kHz)");
            Log.Write(CpuFeatures.InvariantTsc ? " invariant" : " not invariant");
            Log.Write(", APIC timer "); Log.Fixed((long)(Time.Calibration.ApicHz / 1000), 3); Log.Write(" MHz");
            Log.Write(" (against the "); Log.Write(ReferenceName(Time.Calibration.Source)); Log.Write(" at ");
            Log.Fixed((long)(Time.Calibration.ReferenceHz / 1000), 3); Log.Write(" MHz)");
            Log.Write(ApicTimer.TscDeadlineMode ? ", one-shot in TSC-deadline mode" : ", one-shot in APIC count mode");
            Log.Write(CpuFeatures.Arat ? ", ARAT" : ", no ARAT");
            if (CpuFeatures.TscHzFromCpuid != 0) { Log.Write(", CPUID 15H says "); Log.Udec(CpuFeatures.TscHzFromCpuid / 1000); Log.Write(" kHz"); }
            Log.WriteLine("");
        }

        private static string ReferenceName(Time.CalibrationSource s)
        {
            if (s == Time.CalibrationSource.Hpet) return "HPET";
            if (s == Time.CalibrationSource.PmTimer) return "ACPI PM timer";
            return "8254 PIT";
        }

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
            Log.Write(" MiB free; page tables map "); Log.Udec(Paging.MappedBytes >> 20); Log.WriteLine(" MiB");
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
