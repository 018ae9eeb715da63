// The stages of `./build.sh test`, in order. To add a stage, add one line
// (or one Stage with several cases) here; see qemu/runner/README.md.
namespace Osprey.QemuRunner.Stages;

public static class StageList
{
    /// <summary>GRUB's menu on the serial terminal: the down arrow and Enter pick the second entry, "Osprey self-test".</summary>
    static readonly (string, string) SelfTestEntry = ("Press enter to boot", "\u001b[B\r");

    /// <summary>40 words and 5,000 characters of padding, then a space.</summary>
    static string LongCommandLine() =>
        string.Concat(Enumerable.Range(1, 40).Select(i => "pad" + i + " ")) + new string('x', 5000) + " ";

    public static Stage[] All() => new Stage[]
    {
        new("host tests (NUnit)", new HostTestsCase("tests/host/HostTests.csproj")),

        // One boot runs every suite: the self-test runner moves the CPU to a
        // core with the policy each test declares (kernel/README.md, "Policies").
        new("in-kernel self-tests, every suite and policy (-kernel)", new KernelBootCase("kernel", 300, Clock.Plain, "selftest")),
        new("in-kernel self-tests, every suite and policy (-kernel, -icount shift=0,sleep=off)",
            new KernelBootCase("kernel-icount", 420, Clock.Icount, "selftest clock=exact")),
        // The application processors: started, each scheduling, their timers
        // and IPIs (the smp and arch suites; under the -smp 1 runs above the
        // AP tests are skipped), with every other suite beside them: on 2 and
        // on 4 CPUs, plain and -icount. The gedf suite forms its own cluster
        // of all CPUs for each test and dissolves it, and the suites after it
        // run on the CPUs' own cores again. Under plain emulation the tests
        // assert causality only (the host's load sets the speed); timing is
        // asserted in the -icount boots.
        new("application processors: every suite on 2 and 4 CPUs (-smp 2, -smp 4; plain and -icount shift=0,sleep=off)",
            new KernelBootCase("kernel-smp2", 300, Clock.Plain, "selftest", "-smp", "2"),
            new KernelBootCase("kernel-smp4", 300, Clock.Plain, "selftest", "-smp", "4"),
            new KernelBootCase("kernel-smp2-icount", 300, Clock.Icount, "selftest clock=exact", "-smp", "2"),
            new KernelBootCase("kernel-smp4-icount", 300, Clock.Icount, "selftest clock=exact", "-smp", "4")),
        // Global EDF over the CPUs (sched=gedf: one cluster, one ready set):
        // the gedf suite on 2 and 4 CPUs under -icount (timing asserted).
        new("global EDF in the kernel: the gedf suite on 2 and 4 CPUs (-smp 2 and -smp 4, -icount shift=0,sleep=off)",
            new KernelBootCase("kernel-gedf2-icount", 120, Clock.Icount, "selftest=gedf sched=gedf clock=exact", "-smp", "2"),
            new KernelBootCase("kernel-gedf4-icount", 120, Clock.Icount, "selftest=gedf sched=gedf clock=exact", "-smp", "4")),
        new("AMD SVM: guest cores run real guest code (-cpu EPYC, plain and -icount); refused without nested paging (-cpu qemu64)",
            new KernelBootCase("svm-epyc", 120, Clock.Plain, "selftest=svm", "-cpu", "EPYC"),
            new KernelBootCase("svm-epyc-icount", 120, Clock.Icount, "selftest=svm clock=exact", "-cpu", "EPYC"),
            new KernelBootCase("svm-qemu64", 60, Clock.Plain, "selftest=svm", "-cpu", "qemu64")),
        // Guest cores placed by cpu= on CPUs 1..3, each CPU's own vcore
        // scheduler (sched=vcore puts every CPU on it): one test, two boots.
        new("guest cores on CPUs 1..3, program and real guests, each CPU admitting its own (-smp 4 -cpu EPYC; plain and -icount shift=0,sleep=off)",
            new KernelBootCase("vcore-smp4", 120, Clock.Plain, "selftest=svm.partitioned sched=vcore", "-smp", "4", "-cpu", "EPYC"),
            new KernelBootCase("vcore-smp4-icount", 180, Clock.Icount, "selftest=svm.partitioned sched=vcore clock=exact", "-smp", "4", "-cpu", "EPYC")),
        new("random admitted sets in the kernel, zero misses (-icount)",
            new PropsCase("fixed_priority", "priority", 30),
            new PropsCase("edf", "edf", 30),
            new PropsCase("guest_cores", "vcore", 15)),
        new("timer calibration on a machine without an HPET (-machine pc,hpet=off): auto falls back to the PM timer",
            new KernelBootCase("kernel-nohpet", 120, Clock.Plain, "selftest=acpi.calibration_references_agree", "-machine", "pc,hpet=off")),

        new("simulator vs kernel on the same workload files (-icount)",
            new CompareCase("sched/examples/rm-threads.wl"),
            new CompareCase("sched/examples/fp-rta-miss.wl"),
            new CompareCase("sched/examples/edf-u095.wl"),
            new CompareCase("sched/examples/harmonic.wl"),
            new CompareCase("sched/examples/mixed-wall.wl"),
            new CompareCase("sched/examples/rm-slack.wl"),
            new CompareCase("sched/examples/edf-first-jobs.wl"),
            new CompareCase("sched/examples/edf-four-first-jobs.wl"),
            new CompareCase("sched/examples/timed-tasks.wl"),
            new CompareCase("sched/examples/guests-events.wl"),
            new CompareCase("sched/examples/guests-real.wl", qemuArgs: new[] { "-cpu", "EPYC" })),
        // Global EDF on 2 and 4 CPUs (-smp N -icount: QEMU runs the vCPUs
        // round-robin on one thread and guest time is the instructions of
        // all of them, so each CPU runs at 1/N speed while time stays one
        // clock; sched/README.md "Global EDF in the kernel"). GFB-accepted
        // sets: 0 misses in both. gedf-dhall's heavy job 1 ends exactly at
        // its deadline: the simulator charging 5 us per switch gives the
        // kernel's counts (2 misses; 1 without overhead).
        new("simulator vs kernel, global EDF on several CPUs (-smp 2 and -smp 4, -icount)",
            new CompareCase("sched/examples/gedf-2cpu.wl", 2),
            new CompareCase("sched/examples/gedf-4cpu.wl", 4),
            new CompareCase("sched/examples/gedf-dhall.wl", 2, new[] { "--overheads", "switch=5us" }),
            // One CPU started (cpus=1; run boots four): a cluster of 4 is refused, naming line and field.
            new RunStatusCase("sched/examples/gedf-4cpu.wl", "osprey: error: workload sched/examples/gedf-4cpu.wl: line 12: field 'cpus': a cluster of 4 CPUs asked, 1 started", ExitCodes.Fail, "run-status-gedf-cpus", "cpus=1")),
        // Partitioned on 2 and 4 CPUs (each task on its cpu's own core and
        // timer, one table per CPU): -smp N -icount as above. The 4-CPU
        // file's CPU 0 is harmonic at U = 1 (no slack): any per-job cost
        // makes h3 late, so it compares against the simulator charging
        // 5 us per switch (the kernel's counts; sched/README.md "Kernel
        // and simulator"); its CPUs 1..3 have slack either way.
        new("simulator vs kernel, partitioned tasks on several CPUs (-smp 2 and -smp 4, -icount)",
            new CompareCase("sched/examples/smp-partitioned-2cpu.wl", 2),
            new CompareCase("sched/examples/smp-partitioned-4cpu.wl", 4, new[] { "--overheads", "switch=5us" }),
            // One CPU started (cpus=1; run boots four): the tasks of CPU 1 are refused, naming file, line and field; CPU 0's run; failure status.
            new RunStatusCase("sched/examples/smp-partitioned-2cpu.wl", "rejected: sched/examples/smp-partitioned-2cpu.wl: line 18: field 'cpu': task 'd' has cpu=1, but this kernel runs 1 CPU(s)", ExitCodes.Fail, "run-status-partitioned-cpus", "cpus=1")),

        new("conformance: sched/examples/conformance in the simulator and the kernel against theory (-icount)",
            new ConformanceCase("sched/examples/conformance")),

        new("run control: overloaded and starving workloads end on time (-icount)",
            RunControlCase.Each("tests/workloads", "runctl-*.wl")),

        new("guest reports: taken before teardown, the file's share, the core limit, refusals end in failure, cores on CPUs 1..3 (-smp 4) (-icount)",
            new GuestReportCase("sched/examples/guests.wl", ExitCodes.Pass),
            new GuestReportCase("sched/examples/guests-extra.wl", ExitCodes.Fail),
            new GuestReportCase("tests/workloads/guests-share.wl", ExitCodes.Fail),
            new GuestReportCase("tests/workloads/guests-smp4.wl", ExitCodes.Fail, "-smp", "4"),
            new GuestLimitCase(),
            new RunStatusCase("tests/workloads/guests-share.wl", "rejected: line 12: field 'slice'", ExitCodes.Fail),
            new AdmittedCase("tests/workloads/guests-50.wl"),
            new AdmittedCase("tests/workloads/guests-dil200.wl")),

        new("Osprey as its own guest: the kernel.elf boots on an SVM guest core, runs its workload and self-tests (-cpu EPYC, -icount)",
            new PvGuestCase()),

        new("scheduling trace: kernel dump to SVG and JSON; a partitioned run's trace on 2 CPUs agrees with its table (-icount, -smp 2)",
            new TraceCase("tests/host/Trace/data/edf-u095-100ms.wl", threads: 6),
            new TraceCpusCase("sched/examples/smp-partitioned-2cpu.wl", cpus: 2)),

        new("panic paths (each ends its run: status 37, the test reported not ok)",
            new PanicCase("unexpected_page_fault_ends_run", "page fault (#PF) vector 14", "# RIP "),
            new PanicCase("throw_names_type_and_message", "unhandled exception System_InvalidOperationException: period object used after delete", "PANIC"),
            new PanicCase("heap_exhaustion_names_request", "out of memory: request of 2147483416 bytes for __Array<UInt8>", "bytes of RAM free"),
            new PanicCase("stack_overflow_names_thread", "stack overflow in thread 'deep'", "double fault (#DF) vector 8"),
            new BootPanicCase("calib_hpet_without_hpet", "selftest calib=hpet", "timer calibration: calib=hpet: no HPET table", "-machine", "pc,hpet=off"),
            new BootPanicCase("selftest_below_memory_floor", "selftest", "the self-test suite needs at least 48 MiB of usable RAM; this machine has 31 MiB", "-m", "32")),

        // 41 words and over 5,000 characters before 'selftest=boot': the suite
        // runs, so the last word was applied (boot.command_line_has_selftest
        // also checks there was no command-line error).
        new("command line and boot modules taken whole or refused with a message",
            new KernelBootCase("long-command-line", 120, Clock.Plain, LongCommandLine() + "selftest=boot") { Workload = null },
            new KernelLineCase("two-workload-modules", 60, 30,
                "^osprey: error: workload 2 boot modules are named 'workload' \\('.*default.wl workload', '.*rm-threads.wl workload'\\): give one; none of them is used",
                "exit", "kernel/default.wl workload,sched/examples/rm-threads.wl workload")),

        new("a fault before the kernel's interrupt table is reported on COM1 (test-early-fault)",
            new KernelLineCase("early-fault", 60, 30,
                "^osprey: early fault before the kernel.s interrupt table: vector 14 \\(#PF\\) error 0x0000000000000002 RIP 0x[0-9a-f]{16} CR2 0x0000000200000000 RSP 0x[0-9a-f]{16}",
                "selftest test-early-fault")),

        new("ISO boot smoke test (BIOS)", new IsoBootCase("iso-bios", 120, 60, Firmware.Bios, "^osprey: idle")),
        // GRUB's hotkey 's' picks the self-test entry; under -icount the timing
        // tests do not depend on the host's load (SeaBIOS and GRUB take ~35 s).
        new("ISO self-test entry under BIOS with RAM above 4 GiB (-m 6G, -icount)",
            new IsoBootCase("iso-bios-6g", 300, 120, Firmware.Bios, null, "-m", "6G", "-smp", "1", "-icount", "shift=0,sleep=off")
                { SendOn = ("to boot the selected OS", "s") }),
        new("ISO boot smoke test (UEFI, OVMF)", new IsoBootCase("iso-uefi", 180, 90, Firmware.Uefi, "^osprey: idle")),

        new("ISO self-test menu entry (BIOS)",
            new IsoBootCase("iso-selftest-bios", 300, 60, Firmware.Bios, null) { SendOn = SelfTestEntry }),
        new("ISO self-test menu entry (UEFI, OVMF)",
            new IsoBootCase("iso-selftest-uefi", 420, 90, Firmware.Uefi, null) { SendOn = SelfTestEntry }),
    };
}
