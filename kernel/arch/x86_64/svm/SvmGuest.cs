using Osprey.Kernel.Threading;
using Osprey.Kernel.Vmm;
using Osprey.Sched;

namespace Osprey.Kernel.Arch.Svm
{
    // One guest core running real code under AMD SVM with nested paging: its
    // VMCB, general and FPU/SSE registers, permission maps and guest RAM,
    // and the GuestProgram the vcore scheduler drives (Vcore.Step). The
    // guest core's thread (GuestCores.Body) calls Step, then RunGuest, which
    // enters the guest until an exit needs the next Step: a HLT, a new
    // virtual timer, a stop, a pending virtual interrupt, or the vcore's
    // time asked for. A host interrupt (the one-shot timer: slice end,
    // period, another thread's release) makes an INTR exit and is taken when
    // RunGuest enables interrupts again, so the host preempts the thread as
    // it preempts any other; the CPU time is charged by the scheduler as for
    // every thread. Exits and the paravirtual interface: README.md, "The
    // Osprey paravirtual interface".
    internal sealed unsafe partial class SvmGuest : GuestProgram
    {
        internal readonly string Name;
        internal readonly int VcpuId;
        internal GuestMemory Memory;
        private ulong vmcbPa, statePa, iopmPa, msrpmPa;
        private Vmcb vmcb;
        private SvmGuestRegs* regs;
        private byte* fx;
        private uint asid;
        private SvmAsids asids;
        private bool firstRun = true;
        // Inside RunGuest (its thread may VMRUN); the guest's frames are given back (Release).
        private bool inRun, released;
        private int cpu;

        // Guest state the VMM keeps.
        internal bool Halted;
        internal bool Stopped;
        internal string StopReason;
        internal bool Exited;
        internal ulong ExitStatus;
        private byte timerVector = 32;
        private bool pendingVirq;

        // Counters for the report and the tests.
        internal long Runs, Exits, IntrExits, HltExits, IoExits, MsrExits, CpuidExits, VmmcallExits, RdtscExits, NpfExits;
        internal long OtherPortReads, OtherPortWrites, UnknownMsrs, VirqInjected, VirqTaken;
        internal long FirstRunTsc, LastExitTsc;
        internal readonly GuestConsole Console = new GuestConsole();
        internal string LastLine;
        // What an Osprey guest's lines said (its table's totals, its self-test summary).
        internal readonly OspreyGuestReport Report = new OspreyGuestReport();
        private string lineToLog;
        private string stopToLog;
        internal static bool EchoConsole = true;

        private SvmGuest(string name, int vcpuId, string kind)
        {
            Name = name;
            VcpuId = vcpuId;
            Kind = kind;
        }

        /// <summary>
        /// A guest core with `memoryBytes` of RAM and its VMCB, not started:
        /// load code with Memory.Load and enter it with Start32. Null and
        /// `error` when SVM is not usable or memory is short.
        /// </summary>
        internal static SvmGuest Create(string name, int vcpuId, int cpu, ulong memoryBytes, string kind, out string error)
        {
            error = null;
            if (!SvmCpu.Usable) { error = SvmCpu.Refusal(name); return null; }
            if (!SvmCpu.Enable(cpu)) { error = "guest '" + name + "': could not enable SVM on CPU " + cpu; return null; }
            SvmGuest g = new SvmGuest(name, vcpuId, kind);
            g.cpu = cpu;
            g.Memory = GuestMemory.Create(memoryBytes == 0 ? GuestMemory.DefaultBytes : memoryBytes, out error);
            if (g.Memory == null) { error = "guest '" + name + "': " + error; return null; }
            // VMCB (1 page), state (regs at 0, fxsave area at 512), IOPM (3), MSRPM (2).
            g.vmcbPa = SvmHw.Frames(1, 4096);
            g.statePa = SvmHw.Frames(1, 4096);
            g.iopmPa = SvmHw.Frames(IoPermissionMap.Pages, 4096);
            g.msrpmPa = SvmHw.Frames(MsrPermissionMap.Pages, 4096);
            if (g.vmcbPa == 0 || g.statePa == 0 || g.iopmPa == 0 || g.msrpmPa == 0)
            {
                g.Release();
                error = "guest '" + name + "': no frames left for its VMCB and permission maps";
                return null;
            }
            g.vmcb = new Vmcb(SvmHw.Pointer(g.vmcbPa));
            g.regs = (SvmGuestRegs*)SvmHw.Pointer(g.statePa);
            g.fx = SvmHw.Pointer(g.statePa + 512);
            // The FPU/SSE state of a reset CPU: FCW 0x37F, MXCSR 0x1F80 (AMD APM vol. 2, 11.4.4 / FXSAVE format).
            *(ushort*)g.fx = 0x37F;
            *(uint*)(g.fx + 24) = 0x1F80;
            // Every port and MSR is intercepted: the guest reaches no host device.
            IoPermissionMap.Fill(SvmHw.Pointer(g.iopmPa), true);
            MsrPermissionMap.Fill(SvmHw.Pointer(g.msrpmPa), true);
            g.asids = SvmAsids.Of(cpu);
            g.asid = g.asids.New();
            g.vmcb.Clear();
            g.vmcb.InitControl(g.asid, g.iopmPa, g.msrpmPa, g.Memory.Npt.Root);
            return g;
        }

        /// <summary>Enter at `entry` in 32-bit protected mode, paging off, flat segments, with EAX and EBX (multiboot1 style).</summary>
        internal void Start32(ulong entry, uint eax, uint ebx, ulong esp)
        {
            vmcb.InitProtectedMode32(entry, esp, eax);
            regs->Rbx = ebx;
        }

        /// <summary>
        /// The teardown: every frame the guest took goes back to the frame
        /// allocator (its VMCB, its register and FPU/SSE state page, the I/O
        /// and MSR permission maps, the nested page table after a walk of
        /// every level, the RAM with its canary pages; the image was copied
        /// into the RAM, the Osprey loader's module copy was freed after the
        /// load) and its ASID goes back to its CPU. Only when the guest can
        /// no longer run: its thread has ended (GuestCores' teardown) or
        /// never started. A guest that ran is released on its own CPU, the
        /// one whose TLB holds its ASID and which did its VMRUNs: called
        /// there with interrupts off, no VMRUN of that CPU is in flight (it
        /// runs with interrupts off too). After it the guest reads as
        /// stopped, its RAM reads as 0 and nothing of it runs again. Null,
        /// or why not everything went back (the frames it names stay
        /// allocated). Idempotent.
        /// </summary>
        internal string Release()
        {
            if (released) return null;
            if (inRun) return "guest '" + Name + "': torn down while its thread is in its run loop: frames kept";
            if (!firstRun && Machine.CpuIndex != cpu)
                return "guest '" + Name + "': torn down on CPU " + Machine.CpuIndex + ", but it ran on CPU " + cpu + ": frames kept";
            released = true;
            ReleasedOn = Machine.CpuIndex;
            if (!Stopped) { Stopped = true; StopReason = "torn down"; }
            string error = Memory == null ? null : Memory.Release();
            error = Give(error, ref vmcbPa, 1, "VMCB");
            error = Give(error, ref statePa, 1, "register state page");
            error = Give(error, ref iopmPa, (ulong)IoPermissionMap.Pages, "I/O permission map");
            error = Give(error, ref msrpmPa, (ulong)MsrPermissionMap.Pages, "MSR permission map");
            regs = null;
            fx = null;
            if (asid != 0) asids.Free(asid);
            asid = 0;
            return error == null ? null : "guest '" + Name + "': " + error;
        }

        /// <summary>The CPU the teardown ran on (-1 before it).</summary>
        internal int ReleasedOn = -1;

        /// <summary>Frames (4 KiB) a guest with `memoryBytes` of RAM takes: RAM and canaries, nested page table region, VMCB, state page, permission maps.</summary>
        internal static ulong FramesOf(ulong memoryBytes)
        {
            return memoryBytes / GuestMemory.Page + 2 + (ulong)NestedPageTable.TablePagesFor(memoryBytes, false) + 2
                + (ulong)IoPermissionMap.Pages + (ulong)MsrPermissionMap.Pages;
        }

        /// <summary>Released: every frame is back (the guest's figures and counters stay readable).</summary>
        internal bool Released { get { return released; } }

        private static string Give(string error, ref ulong pa, ulong pages, string what)
        {
            if (pa == 0) return error;
            if (!SvmHw.FreeFrames(pa, pages)) error = GuestMemory.Append(error, "its " + what + "'s " + pages + " frames were not taken back");
            pa = 0;
            return error;
        }

        // ------------------------------------------------------------ GuestProgram (Vcore.Step)

        public override void Executed(Vcore v, long ranNs) { WorkNs += ranNs; }

        public override void TimerInterrupt(Vcore v)
        {
            Ticks++;
            pendingVirq = true;
            Halted = false;
        }

        public override long Run(Vcore v, long untilInterruptNs)
        {
            if (Stopped || Halted) return Halt;
            return Vcore.Forever;
        }

        // ------------------------------------------------------------ the run loop

        /// <summary>
        /// Runs the guest (interrupts enabled on entry and exit) until the
        /// vcore needs its next Step. Each round: interrupts off, VMRUN
        /// (vmrun.asm: CLGI .. VMRUN .. STGI), the exit handled, interrupts
        /// on, which lets the host take the interrupt that ended the run.
        /// </summary>
        internal void RunGuest(Vcore v, Thread self)
        {
            if (released) return;
            inRun = true;
            RunLoop(v, self);
            inRun = false;
        }

        private void RunLoop(Vcore v, Thread self)
        {
            long c0 = Threads.CpuTime(self);
            while (!Stopped)
            {
                if (!v.KeepRunning(Threads.CpuTime(self) - c0)) return;
                ulong f = Machine.DisableInterrupts();
                if (pendingVirq)
                {
                    vmcb.RaiseVirtualInterrupt(timerVector);
                    pendingVirq = false;
                    VirqInjected++;
                }
                // The guest's VMCB, ASID and host save area belong to the CPU
                // its thread was created on (GuestCores places it there).
                if (Machine.CpuIndex != cpu || !SvmCpu.ActivateHere(cpu))
                {
                    Stop(v, "its thread runs on CPU " + Machine.CpuIndex + ", its VMCB and ASID belong to CPU " + cpu);
                    Machine.RestoreInterrupts(f);
                    Flush();
                    return;
                }
                bool hadVirq = vmcb.VirtualInterruptPending;
                // TLB: flush all on a core's first run and whenever its ASID is shared (APM 15.16.1, TLB_CONTROL).
                vmcb.Set8(VmcbField.TlbControl, (byte)(firstRun || asids.Shared(asid) ? 1 : 0));
                // Clean bits only where the CPU has them (QEMU has none): the groups the VMM never rewrites.
                vmcb.Set32(VmcbField.CleanBits, SvmCpu.CleanBits && !firstRun ? VmcbClean.Fixed : 0u);
                if (firstRun) FirstRunTsc = (long)SvmHw.ReadTsc();
                firstRun = false;
                SvmHw.Run(vmcbPa, SvmCpu.HostArea(cpu), regs, fx);
                Runs++;
                if (hadVirq && !vmcb.VirtualInterruptPending) VirqTaken++;
                bool step = HandleExit(v);
                Machine.RestoreInterrupts(f);
                Flush();
                if (step) return;
            }
        }

        // The log lines of the last exit, written with interrupts on.
        private void Flush()
        {
            if (lineToLog != null)
            {
                string l = lineToLog;
                lineToLog = null;
                if (EchoConsole) Log.WriteLine("guest " + Name + ": " + l);
            }
            if (stopToLog != null)
            {
                string s = stopToLog;
                stopToLog = null;
                Log.WriteLine("guest " + Name + ": stopped: " + s);
            }
        }

        private void Stop(Vcore v, string reason)
        {
            Stopped = true;
            StopReason = reason;
            stopToLog = reason;
            v.CancelTimer();
        }

        private void Advance(ulong length)
        {
            ulong next = SvmCpu.NextRipSave ? vmcb.Get64(VmcbField.NextRip) : 0;
            vmcb.Rip = next != 0 ? next : vmcb.Rip + length;
        }

        // ------------------------------------------------------------ for reports and tests

        /// <summary>A 32-bit word of guest RAM (0 outside it).</summary>
        internal uint Read32(ulong gpa) { return Memory.Read32(gpa); }

        internal string Summary()
        {
            string s = "guest " + Name + " (image " + Kind + ", " + (Memory.Bytes >> 10) + " KiB): " + Runs + " runs, " + Exits + " exits (intr "
                + IntrExits + ", hlt " + HltExits + ", io " + IoExits + ", msr " + MsrExits + ", cpuid " + CpuidExits + ", vmmcall " + VmmcallExits
                + ", rdtsc " + RdtscExits + "), virtual irqs " + VirqInjected + " injected, " + Console.Lines + " console lines";
            if (OtherPortReads + OtherPortWrites > 0) s = s + ", other ports " + OtherPortReads + " reads " + OtherPortWrites + " writes";
            if (UnknownMsrs > 0) s = s + ", unknown MSRs " + UnknownMsrs;
            s = s + (Stopped ? "; stopped: " + StopReason : "; running");
            s = s + (released ? "; torn down, frames returned" : "; canaries " + (Memory.CanariesIntact() ? "intact" : "BROKEN"));
            return s;
        }
    }
}
