// The stages of `./build.sh test`, in order. To add a stage, add one line
// (or one Stage with several cases) here; see qemu/runner/README.md.
namespace Osprey.QemuRunner.Stages;

public static class StageList
{
    /// <summary>GRUB's menu on the serial terminal: the down arrow and Enter pick the second entry, "Osprey self-test".</summary>
    static readonly (string, string) SelfTestEntry = ("Press enter to boot", "\u001b[B\r");

    public static Stage[] All() => new Stage[]
    {
        new("host tests (NUnit)", new HostTestsCase("tests/host/HostTests.csproj")),

        // One boot runs every suite: the self-test runner moves the CPU to a
        // core with the policy each test declares (kernel/README.md, "Policies").
        new("in-kernel self-tests, every suite and policy (-kernel)", new KernelBootCase("kernel", 300, Clock.Plain, "selftest")),
        new("in-kernel self-tests, every suite and policy (-kernel, -icount shift=0,sleep=off)",
            new KernelBootCase("kernel-icount", 420, Clock.Icount, "selftest clock=exact")),
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
            new CompareCase("sched/examples/edf-four-first-jobs.wl")),

        new("conformance: sched/examples/conformance in the simulator and the kernel against theory (-icount)",
            new ConformanceCase("sched/examples/conformance")),

        new("run control: overloaded and starving workloads end on time (-icount)",
            RunControlCase.Each("tests/workloads", "runctl-*.wl")),

        new("guest reports: taken before teardown, the file's share, the core limit, refusals end in failure (-icount)",
            new GuestReportCase("sched/examples/guests.wl", ExitCodes.Pass),
            new GuestReportCase("sched/examples/guests-extra.wl", ExitCodes.Fail),
            new GuestReportCase("tests/workloads/guests-share.wl", ExitCodes.Fail),
            new GuestLimitCase(),
            new RunStatusCase("tests/workloads/guests-share.wl", "rejected: line 12: field 'slice'", ExitCodes.Fail),
            new AdmittedCase("tests/workloads/guests-50.wl"),
            new AdmittedCase("tests/workloads/guests-dil200.wl")),

        new("scheduling trace: kernel dump to SVG and JSON (-icount)",
            new TraceCase("tests/host/Trace/data/edf-u095-100ms.wl", threads: 6)),

        new("panic paths (each ends its run: status 37, the test reported not ok)",
            new PanicCase("unexpected_page_fault_ends_run", "page fault (#PF) vector 14", "# RIP "),
            new PanicCase("throw_names_type_and_message", "unhandled exception System_InvalidOperationException: period object used after delete", "PANIC"),
            new PanicCase("heap_exhaustion_names_request", "out of memory: request of 2147483416 bytes for __Array<UInt8>", "bytes of RAM free"),
            new PanicCase("stack_overflow_names_thread", "stack overflow in thread 'deep'", "double fault (#DF) vector 8"),
            new BootPanicCase("calib_hpet_without_hpet", "selftest calib=hpet", "timer calibration: calib=hpet: no HPET table", "-machine", "pc,hpet=off")),

        new("ISO boot smoke test (BIOS)", new IsoBootCase("iso-bios", 120, 60, Firmware.Bios, "^osprey: idle")),
        new("ISO boot smoke test (UEFI, OVMF)", new IsoBootCase("iso-uefi", 180, 90, Firmware.Uefi, "^osprey: idle")),

        new("ISO self-test menu entry (BIOS)",
            new IsoBootCase("iso-selftest-bios", 300, 60, Firmware.Bios, null) { SendOn = SelfTestEntry }),
        new("ISO self-test menu entry (UEFI, OVMF)",
            new IsoBootCase("iso-selftest-uefi", 420, 90, Firmware.Uefi, null) { SendOn = SelfTestEntry }),
    };
}
