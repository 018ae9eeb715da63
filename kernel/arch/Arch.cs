using System.Runtime.CompilerServices;
using Osprey.Kernel.Arch;

namespace Osprey.Kernel
{
    // The arch contract: everything the rest of the kernel needs from a CPU
    // and its platform devices, in one place. The x86-64 implementation is
    // kernel/arch/x86_64/; another architecture would reimplement this file
    // and its own folder. Outside kernel/arch/ no file names a port, an MSR,
    // a control register, the TSC or a device register (tests/host
    // ArchBoundaryTests checks it); the layers above reach the CPU only
    // through these entries and the types they name (InterruptFrame,
    // InterruptHandler, CpuBlock, SpinLock, CacheMode).
    //
    // Arch never names threading, the trace or the self-tests: what it must
    // tell them goes through the up-calls the kernel registers at boot
    // (SetInterruptUpcalls, SetFaultUpcall), plain function pointers.
    internal static unsafe class Machine
    {
        private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

        // ---- Interrupt state of this CPU ----

        // Interrupts off; returns the previous state for RestoreInterrupts.
        [MethodImpl(Inline)] internal static ulong DisableInterrupts() { return Cpu.SaveFlagsAndDisable(); }
        // Puts back the state DisableInterrupts returned.
        // Under Osprey's VMM (Paravirt) self-interrupts raised while they
        // were off are delivered here once they are on again.
        [MethodImpl(Inline)] internal static void RestoreInterrupts(ulong state)
        {
            Cpu.RestoreFlags(state);
            if (Paravirt.HasPending && (state & 0x200) != 0) Paravirt.DeliverPending();
        }
        // Whether a saved state had interrupts enabled.
        internal static bool InterruptsEnabled(ulong state) { return (state & 0x200) != 0; }
        // Interrupts on (boot, once the scheduler runs).
        internal static void EnableInterrupts() { Cpu.EnableInterrupts(); }
        // Sleep until the next interrupt (the idle thread), atomically
        // enabling interrupts first (sti; hlt).
        // Held paravirtual self-interrupts run instead of the halt.
        internal static void WaitForInterrupt()
        {
            if (Paravirt.HasPending) { Cpu.EnableInterrupts(); Paravirt.DeliverPending(); return; }
            Cpu.EnableInterruptsAndHalt();
        }
        // A spin-wait hint (PAUSE) for busy loops; it also carries out a
        // TLB shootdown another CPU asked of this one (Tlb.Poll), so a loop
        // that waits with interrupts off for another CPU's progress does
        // not hold up that CPU's unmaps.
        [MethodImpl(Inline)] internal static void SpinWaitHint() { Cpu.Pause(); Tlb.Poll(); }
        // Atomically returns *counter and adds 1 (visible to every CPU): the
        // ticket of a FIFO lock whose waiters spin in C# (GlobalMutex).
        [MethodImpl(Inline)] internal static uint TakeTicket(uint* counter) { return Cpu.TakeTicket(counter); }

        // ---- Per-CPU context ----

        // This CPU's native block (CpuBlock: its index, APIC id and the
        // kernel's per-CPU object), one GS-relative load.
        [MethodImpl(Inline)] internal static CpuBlock* CurrentCpuBlock() { return Cpu.CurrentBlock(); }
        // The kernel's per-CPU object this CPU's block holds (null before
        // the kernel set one), one GS-relative load.
        [MethodImpl(Inline)] internal static object CurrentCpuObject() { return Cpu.CurrentObject(); }
        // This CPU's index: 0 the boot CPU, then 1..N-1.
        internal static int CpuIndex { [MethodImpl(Inline)] get { return Cpu.CurrentBlock()->Index; } }
        // The boot CPU's block: installed first thing at boot (a static
        // record, usable before the heap), so CpuIndex and the locks work
        // from the first instruction of kmain.
        internal static CpuBlock* BootCpuBlock() { return CpuBlocks.InstallBoot(); }
        // A new block for CPU `index` (APIC id `apicId`) holding perCpu;
        // not installed anywhere yet.
        internal static CpuBlock* CreateCpuBlock(int index, uint apicId, object perCpu) { return CpuBlock.Create(index, apicId, perCpu); }
        // Sets the per-CPU object a block holds (the boot CPU's object is
        // made once the heap exists).
        internal static void SetCpuObject(CpuBlock* block, object perCpu) { block->Object = (ulong)Internal.Runtime.RawCasts.ObjectToPointer(perCpu); }
        // Makes `block` the running CPU's block: the AP entry calls this
        // first (after its GDT load), before any lock or per-CPU access.
        internal static void InstallCpuBlock(CpuBlock* block) { CpuBlock.Install(block); }

        // ---- Contexts: the switch and a new thread's first frame ----

        // Switch stacks: save this context's stack pointer in *save, resume
        // the context whose saved stack pointer is `next`. Interrupts off.
        internal static void Switch(ulong* save, ulong next) { Cpu.Switch(save, next); }

        // Build the first frame of a new context on the stack ending at
        // `top` so that Switch to the returned stack pointer calls
        // entry(argument) with interrupts enabled. `entry` is a managed
        // function pointer ((ulong)(delegate*<T, void>)&Method). Layout
        // consumed by osprey_switch: [mxcsr|fcw] r15 r14 r13 r12 rbx rbp ret.
        internal static ulong InitialContext(ulong top, ulong entry, ulong argument)
        {
            ulong* sp = (ulong*)(top & ~15UL);
            // The return slot sits at top - 8: after its ret the stack pointer
            // is 16-byte aligned, as the trampoline's call requires.
            *--sp = Cpu.ThreadStartAddress();           // ret
            *--sp = 0;                                  // rbp: end of frame chain
            *--sp = argument;                           // rbx
            *--sp = entry;                              // r12
            *--sp = 0;                                  // r13
            *--sp = 0;                                  // r14
            *--sp = 0;                                  // r15
            *--sp = 0x1F80UL | (0x037FUL << 32);        // MXCSR default (all masked), x87 FCW default
            return (ulong)sp;
        }

        // ---- Interrupts: frame, handlers, dispatch up-calls ----

        // InterruptFrame (the saved registers and the CPU's frame) and
        // InterruptHandler (one object per vector, Handle(frame)) are the
        // contract's types. Vectors 32..255 (below: CPU exceptions).
        internal static void RegisterHandler(int vector, InterruptHandler handler) { InterruptDispatch.Register(vector, handler); }
        internal static void UnregisterHandler(int vector) { InterruptDispatch.Unregister(vector); }
        // enter(vector) runs before and exit(vector) after every registered
        // device handler, interrupts off (the kernel's nesting count, trace
        // and preemption point). Set once at boot; null: nothing.
        internal static void SetInterruptUpcalls(delegate*<int, void> enter, delegate*<int, void> exit) { InterruptDispatch.SetUpcalls(enter, exit); }
        // describe(cr2, rsp, vector) adds the kernel's context (thread,
        // test) to a fatal exception's report, inside the panic.
        internal static void SetFaultUpcall(delegate*<ulong, ulong, ulong, void> describe) { Exceptions.SetDescriber(describe); }
        // Acknowledge the interrupt being handled (local APIC EOI; the
        // paravirtual platform's interrupts need none).
        internal static void EndOfInterrupt() { if (!Paravirt.Active) LocalApic.EndOfInterrupt(); }
        // Raise `vector` on this CPU (self-IPI shorthand; paravirtual: INT n,
        // held while interrupts are off).
        internal static void RaiseInterrupt(int vector)
        {
            if (Paravirt.Active) Paravirt.RaiseInterrupt(vector);
            else LocalApic.SendSelf(vector);
        }
        // Interrupts of `vector` counted since boot: on CPU `cpu` (each CPU
        // counts its own, in its block: no count lost to two CPUs), and
        // summed over every CPU. Spurious ones (PIC lines 7 and 15, the
        // local APIC's spurious vector) are counted in their vector and
        // in SpuriousInterrupts.
        internal static long InterruptCount(int cpu, int vector) { return InterruptDispatch.CountOn(cpu, vector); }
        internal static long InterruptCount(int vector) { return InterruptDispatch.Count(vector); }
        internal static long SpuriousInterrupts(int cpu) { return InterruptDispatch.SpuriousOn(cpu); }

        // ---- Inter-processor interrupts ----

        // A fixed interrupt `vector` to the CPU whose local APIC id is
        // apicId (the ICR, xAPIC or x2APIC; no shorthand). False, with
        // error set, when the APIC refused it (xAPIC: delivery never done).
        internal static bool SendIpi(uint apicId, int vector, out string error) { return LocalApic.SendFixed(apicId, vector, out error); }
        // A fixed interrupt to every CPU but this one (ICR shorthand
        // "all excluding self").
        internal static bool SendIpiAllButSelf(int vector, out string error) { return LocalApic.SendAllButSelf(vector, out error); }
        // This CPU's local APIC id.
        // (Paravirtual: the VMM's vcpu number; there is no local APIC.)
        internal static uint ApicId { get { return Paravirt.Active ? Paravirt.VcpuId : LocalApic.Id; } }

        // ---- CPU start-up ----

        // Chooses and fills the page below 1 MiB application processors
        // start in (ApTrampoline: the highest usable 4 KiB page of the
        // firmware map outside the boot information and modules). Null, or
        // why no CPU can be started (then StartCpu refuses).
        internal static string PrepareCpuStart(Boot.BootInfo boot) { return ApTrampoline.Install(boot); }
        // The start-up page's physical address (0: none).
        internal static ulong CpuStartPage { get { return ApTrampoline.Page; } }
        // Starts the CPU with local APIC id apicId (INIT-SIPI-SIPI): it
        // enters long mode on the kernel's page tables, loads its own GDT
        // and TSS (own IST stacks), installs `block` (GS), loads the shared
        // IDT, enables its local APIC in the boot CPU's mode, calibrates its
        // APIC timer against the TSC and sets it up for ArmTimer, then calls
        // `entry` (a managed function pointer taking no argument, never
        // returning) on the stack ending at stackTop, interrupts off. True
        // once the CPU checked in (report: its figures); false with
        // report.Error set otherwise (no answer within 1 s: the CPU is
        // sent INIT again and must not be used). One CPU at a time, from
        // the boot CPU (ApStartup).
        internal static bool StartCpu(uint apicId, CpuBlock* block, ulong entry, ulong stackTop, out CpuStartReport report)
        {
            return ApStartup.Start(apicId, block, entry, stackTop, out report);
        }

        // ---- Clock and one-shot timer ----

        // The monotonic clock in nanoseconds since calibration.
        [MethodImpl(Inline)] internal static long Now() { return Time.Clock.Now(); }
        // The raw cycle counter (TSC), for instruction-level measurements.
        [MethodImpl(Inline)] internal static ulong Cycles() { return Cpu.ReadTsc(); }
        // Cycle-counter ticks to nanoseconds (calibrated rate).
        internal static long CyclesToNs(ulong ticks) { return Time.Clock.TscToNs(ticks); }
        // Interrupt on TimerVector at absolute time ns (long.MaxValue: never).
        // Paravirtual: the VMMCALL SET_TIMER hypercall instead of the APIC timer.
        internal static void ArmTimer(long absoluteNs)
        {
            if (Paravirt.Active) Paravirt.ArmTimer(absoluteNs);
            else ApicTimer.Arm(absoluteNs);
        }
        internal const int TimerVector = ApicTimer.Vector;
        // Calibrate the clock and the one-shot against the reference `mode`
        // names (calib=), start Now() and set the timer up; logs one line.
        // Paravirtual: the VMM's TSC rate, no calibration (acpi unused).
        internal static void StartTime(Time.CalibrationSource mode, Acpi.AcpiInfo acpi)
        {
            if (Paravirt.Active) Paravirt.StartTime();
            else TimeStart.Run(mode, acpi);
        }

        // ---- Memory mapping (identity: virtual = physical) ----

        // Map [physical, physical + length) with the cache attribute and access.
        internal static void Map(ulong physical, ulong length, CacheMode cache, PageAccess access) { Memory.Paging.MapRange(physical, length, Memory.Paging.FlagsFor(cache, access)); }
        // Device memory (uncached), e.g. a framebuffer or an APIC page.
        internal static void MapDevice(ulong physical, ulong length) { Memory.Paging.MapDevice(physical, length); }
        // Make one 4 KiB page absent (guard pages).
        internal static void UnmapPage(ulong address) { Memory.Paging.UnmapPage(address); }
        // Make [address, address + length) absent (whole 4 KiB pages).
        internal static void Unmap(ulong address, ulong length) { Memory.Paging.UnmapRange(address, length); }
        //
        // TLB shootdown invariant: Unmap, UnmapPage, and a Map or MapDevice
        // that changes a present translation (another frame, cache
        // attribute or access) return only when every started CPU has
        // invalidated the old translation: no CPU can reach the old frame
        // through it afterwards, so the frame may be reused. The others are
        // interrupted (vector TlbShootdownVector) with the range, or told
        // to flush everything beyond 32 pages, and each acknowledges; the
        // caller spins meanwhile with interrupts off, carrying out any
        // shootdown another CPU asks of it, so two CPUs shooting at each
        // other both finish (kernel/arch/x86_64/Tlb.cs). A CPU takes part
        // from its start (the boot CPU from the first AP start): before any
        // AP runs, a change costs a fence and a compare, no IPI. Callers
        // must hold no SpinLock (a target spinning on it with interrupts
        // off would never acknowledge: a panic after 5 s names it), and a
        // CPU that waits for the caller with interrupts off must wait with
        // SpinWaitHint (which carries out shootdowns). Mapping a page
        // that was absent needs no shootdown (absent entries are never cached).
        internal const int TlbShootdownVector = Tlb.Vector;
        // Shootdowns started by, and requests carried out on, CPU `cpu`.
        internal static long TlbShootdownsStarted(int cpu) { CpuBlock* b = CpuBlocks.Of(cpu); return b == null ? 0 : b->TlbInitiated; }
        internal static long TlbShootdownsHandled(int cpu) { CpuBlock* b = CpuBlocks.Of(cpu); return b == null ? 0 : b->TlbHandledRequests; }
        // Of those, the ones CPU `cpu` carried out with a whole-TLB flush (a range above TlbFullFlushPages).
        internal static long TlbFullFlushes(int cpu) { CpuBlock* b = CpuBlocks.Of(cpu); return b == null ? 0 : b->TlbFullFlushes; }
        internal const ulong TlbFullFlushPages = Tlb.FullFlushPages;
        // CPUs that take part in shootdowns (1: none but this one).
        internal static int TlbShootdownCpus { get { return Tlb.JoinedCount; } }
        // Whether address is mapped.
        internal static bool IsMapped(ulong address) { return Memory.Paging.IsMapped(address); }
        // Whether the kernel's own page tables are active (false early in boot).
        internal static bool PagingActive { get { return Memory.Paging.Active; } }
        // The page-table root this CPU runs on (CR3 value); the AP start-up
        // loads the same one.
        internal static ulong PageTableRoot { get { return Memory.Paging.Root; } }
        // Bytes the tables map.
        internal static ulong MappedBytes { get { return Memory.Paging.MappedBytes; } }
        // Build the kernel's tables from the firmware memory map and switch to them.
        internal static void InitializePaging(Boot.MemoryRegion* regions, int count) { Memory.Paging.Initialize(regions, count, (ulong)Image.End()); }

        // ---- Locks ----

        // SpinLock (kernel/arch/x86_64/SpinLock.cs): a ticket lock held
        // with interrupts off: `ulong f = l.Acquire(); ... l.Release(f);`.

        // ---- Port I/O and MSRs for drivers ----

        [MethodImpl(Inline)] internal static byte In8(ushort port) { return Cpu.In8(port); }
        [MethodImpl(Inline)] internal static void Out8(ushort port, byte value) { Cpu.Out8(port, value); }
        [MethodImpl(Inline)] internal static ulong ReadMsr(uint msr) { return Cpu.ReadMsr(msr); }
        [MethodImpl(Inline)] internal static void WriteMsr(uint msr, ulong value) { Cpu.WriteMsr(msr, value); }

        // ---- CPU identification ----

        // CPUID vendor string ("GenuineIntel", "AuthenticAMD", "TCGTCGTCGTCG").
        internal static string CpuVendor { get { return CpuFeatures.Vendor; } }
        // The brand string ("" when the CPU has none).
        internal static string CpuModel() { return CpuFeatures.BrandString(); }
        // "x2APIC", "xAPIC", or "paravirtual" under Osprey's VMM.
        internal static string InterruptControllerMode { get { return Paravirt.Active ? "paravirtual" : LocalApic.IsX2Apic ? "x2APIC" : "xAPIC"; } }
        // The mode CPU `cpu`'s local APIC runs in, as that CPU set it
        // ("x2APIC", "xAPIC"; "unknown" before it did or without a block).
        internal static string InterruptControllerModeOf(int cpu) { CpuBlock* b = CpuBlocks.Of(cpu); return b == null ? "unknown" : ApStartup.ModeName(b->ApicMode); }

        // ---- The platform: a PC, or Osprey's paravirtual VMM ----

        // Detects Osprey's own VMM (CPUID 40000000H "OspreyVMM",
        // arch/x86_64/Paravirt.cs) first thing at boot, before the heap.
        // When found, the PC's timers and interrupt controllers are never
        // touched: StartTime, ArmTimer, EndOfInterrupt, RaiseInterrupt and
        // InitializeCpuTables take the paravirtual path.
        internal static void DetectPlatform() { Paravirt.Detect(); }
        // Whether the kernel runs as a guest of Osprey's VMM.
        internal static bool Paravirtual { get { return Paravirt.Active; } }
        // Whether that VMM forwards COM1 (its loopback test is not run).
        internal static bool ParavirtualConsole { get { return Paravirt.Active && Paravirt.ConsoleForwarded; } }

        // ---- Boot, halt, reset, exit ----

        // CPU tables (GDT, IDT, legacy PICs masked) before anything can
        // fault or interrupt; the heap must exist.
        // The GS base survives: osprey_lgdt loads a null selector into GS,
        // which clears the base on some CPUs, so it is written back.
        internal static void InitializeCpuTables()
        {
            ulong gs = Cpu.ReadMsr(CpuBlock.MsrGsBase);
            Gdt.Initialize();
            Cpu.WriteMsr(CpuBlock.MsrGsBase, gs);
            InterruptDispatch.Initialize();
            Idt.Initialize();
            if (!Paravirt.Active) Pic.RemapAndMask();
        }
        // Route device interrupts (I/O APICs from the MADT; none under the
        // paravirtual platform).
        internal static void InitializeInterruptRouting(Acpi.AcpiInfo acpi) { if (!Paravirt.Active) IoApic.Initialize(acpi); }
        // Stop this CPU for good: interrupts off, halt forever.
        internal static void HaltForever() { Cpu.HaltForever(); }
        // Leave the machine with `code` through QEMU's isa-debug-exit port
        // (QEMU exits with status code*2+1); on a machine without it this
        // returns and the caller halts.
        internal static void DebugExit(byte code) { Cpu.Out8(DebugExitPort, code); }
        internal const ushort DebugExitPort = 0xF4;
        // Write a qword (a test word faults on purpose with it).
        internal static void Poke64(ulong address, ulong value) { Faults.Write64(address, value); }

        // ---- Memory copies (the runtime's memmove/memset) ----

        [MethodImpl(Inline)] internal static void* MemMove(void* destination, void* source, ulong count) { return Cpu.MemMove(destination, source, count); }
        [MethodImpl(Inline)] internal static void* MemSet(void* destination, int value, ulong count) { return Cpu.MemSet(destination, value, count); }
    }

    // Cache attributes for Machine.Map.
    internal enum CacheMode { WriteBack, Uncached }
    // Access for Machine.Map: read-write data and code, or read-only data
    // that can never be executed.
    internal enum PageAccess { ReadWrite, ReadOnlyNoExecute }
}
