// The stages of `./build.sh test`, in order. To add a stage, add one line
// (or one Stage with several cases) here; see qemu/runner/README.md.
namespace Osprey.QemuRunner.Stages;

public static class StageList
{
    public static Stage[] All() => new Stage[]
    {
        new("host tests (NUnit)", new HostTestsCase("tests/host/HostTests.csproj")),

        new("in-kernel self-tests (-kernel)", new KernelBootCase("kernel", 240, Clock.Plain, "selftest")),
        new("in-kernel self-tests (-kernel, -icount shift=0,sleep=off)", new KernelBootCase("kernel-icount", 300, Clock.Icount, "selftest clock=exact")),
        new("in-kernel thread, period and primitive suites under sched=edf (-icount)",
            new KernelBootCase("kernel-edf", 300, Clock.Icount, "selftest=threads,periods,primitives sched=edf clock=exact")),
        new("in-kernel CBS budget enforcement under sched=cbs (-icount)",
            new KernelBootCase("kernel-cbs", 120, Clock.Icount, "selftest=primitives.cbs sched=cbs clock=exact")),
        new("in-kernel guest cores on real threads under sched=vcore (-icount)",
            new KernelBootCase("kernel-guests", 180, Clock.Icount, "selftest=guests sched=vcore clock=exact")),
        new("timer calibration on a machine without an HPET (-machine pc,hpet=off): auto falls back to the PM timer",
            new KernelBootCase("kernel-nohpet", 120, Clock.Plain, "selftest=acpi.calibration_references_agree", "-machine", "pc,hpet=off")),

        new("simulator vs kernel on the same workload files (-icount)",
            new CompareCase("sched/examples/rm-threads.wl"),
            new CompareCase("sched/examples/fp-rta-miss.wl"),
            new CompareCase("sched/examples/edf-u095.wl")),

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
    };
}
