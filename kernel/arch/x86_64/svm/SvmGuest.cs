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
    internal sealed unsafe class SvmGuest : GuestProgram
    {
        internal readonly string Name;
        internal readonly int VcpuId;
        internal GuestMemory Memory;
        private ulong vmcbPa, statePa, iopmPa, msrpmPa;
        private Vmcb vmcb;
        private SvmGuestRegs* regs;
        private byte* fx;
        private uint asid;
        private bool asidShared, firstRun = true;
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
                g.Memory.Release();
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
            g.asid = SvmCpu.NewAsid(cpu, out g.asidShared);
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

        /// <summary>The frames go back to the pool (after the run: the guest core's thread has ended).</summary>
        internal void Release()
        {
            if (Memory != null) Memory.Release();
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
                vmcb.Set8(VmcbField.TlbControl, (byte)(firstRun || asidShared ? 1 : 0));
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

        private static string Hex(ulong v) { return "0x" + SvmExit.Hex(v); }

        // Interrupts off. True when the vcore needs a Step before the guest runs again.
        private bool HandleExit(Vcore v)
        {
            Exits++;
            ulong code = vmcb.ExitCode;
            switch (SvmExit.Decode(code))
            {
                case ExitAction.HostInterrupt:
                    IntrExits++;
                    return false;
                case ExitAction.Hlt:
                    HltExits++;
                    Advance(1);
                    // A virtual interrupt pending with IF set (a HLT in the shadow of STI) ends the halt
                    // at once, as on a real CPU; with IF clear it does not wake the guest.
                    if (vmcb.VirtualInterruptPending && (vmcb.Rflags & 0x200) != 0) return false;
                    Halted = true;
                    return true;
                case ExitAction.Cpuid:
                    CpuidExits++;
                    Cpuid();
                    Advance(2);
                    return false;
                case ExitAction.Rdtsc:
                case ExitAction.Rdtscp:
                    {
                        RdtscExits++;
                        ulong t = PvAbi.TscOfNs(v.VirtualNow());
                        vmcb.Rax = t & 0xFFFFFFFF;
                        regs->Rdx = t >> 32;
                        if ((uint)code == SvmExit.Rdtscp) { regs->Rcx = (ulong)VcpuId; Advance(3); }
                        else Advance(2);
                        return false;
                    }
                case ExitAction.Vmmcall:
                    VmmcallExits++;
                    Advance(3);
                    return Vmmcall(v);
                case ExitAction.Ioio:
                    IoExits++;
                    return Io(v);
                case ExitAction.Msr:
                    MsrExits++;
                    Msr(v);
                    return Stopped;
                case ExitAction.NestedPageFault:
                    {
                        NpfExits++;
                        ulong gpa = vmcb.ExitInfo2, info = vmcb.ExitInfo1;
                        string what = (info & NpfInfo.Write) != 0 ? "write" : (info & NpfInfo.Fetch) != 0 ? "instruction fetch" : "read";
                        string where = Memory.Contains(gpa, 1) ? "inside its RAM (a nested paging error)" : "outside its " + (Memory.Bytes >> 10) + " KiB of RAM";
                        Stop(v, "nested page fault: " + what + " at guest-physical " + Hex(gpa) + ", " + where + ", guest RIP " + Hex(vmcb.Rip));
                        return true;
                    }
                case ExitAction.Shutdown:
                    Stop(v, "triple fault (shutdown exit), guest RIP " + Hex(vmcb.Rip));
                    return true;
                case ExitAction.SvmInstruction:
                    Stop(v, "executed " + SvmExit.Name(code) + " (no nested virtualization), guest RIP " + Hex(vmcb.Rip));
                    return true;
                case ExitAction.Invalid:
                    Stop(v, "VMRUN refused the guest state (VMEXIT_INVALID), guest RIP " + Hex(vmcb.Rip));
                    return true;
                default:
                    Stop(v, "unexpected exit " + SvmExit.Name(code) + " (code " + Hex(code) + ", EXITINFO1 " + Hex(vmcb.ExitInfo1)
                        + ", EXITINFO2 " + Hex(vmcb.ExitInfo2) + "), guest RIP " + Hex(vmcb.Rip));
                    return true;
            }
        }

        private void Cpuid()
        {
            uint leaf = (uint)vmcb.Rax, sub = (uint)regs->Rcx;
            uint* r = stackalloc uint[4];
            if (leaf >= PvAbi.LeafSignature && leaf <= 0x400000FF)
            {
                r[0] = r[1] = r[2] = r[3] = 0;
                if (leaf == PvAbi.LeafSignature)
                {
                    r[0] = PvAbi.LeafInfo;
                    r[1] = PvAbi.SignatureEbx;
                    r[2] = PvAbi.SignatureEcx;
                    r[3] = PvAbi.SignatureEdx;
                }
                else if (leaf == PvAbi.LeafInfo)
                {
                    r[0] = PvAbi.TscKhz;
                    r[1] = PvAbi.FeatureTimer | PvAbi.FeatureConsole;
                    r[2] = (uint)VcpuId;
                }
            }
            else
            {
                SvmHw.CpuId(leaf, sub, r);
                if (leaf == 1) r[2] = (r[2] | (1u << 31)) & ~(1u << 5);     // hypervisor present; no VMX
                if (leaf == 0x80000001) r[2] &= ~4u;                       // no SVM
            }
            vmcb.Rax = r[0];
            regs->Rbx = r[1];
            regs->Rcx = r[2];
            regs->Rdx = r[3];
        }

        private bool Vmmcall(Vcore v)
        {
            ulong fn = vmcb.Rax;
            bool legacy = !vmcb.LongMode;
            if (legacy) fn &= 0xFFFFFFFF;
            if (fn == PvAbi.CallSetTimer)
            {
                ulong deadline = regs->Rbx;
                ulong vector = regs->Rcx & (legacy ? 0xFFFFFFFFUL : ~0UL);
                ulong now = PvAbi.TscOfNs(v.VirtualNow());
                if (legacy) deadline = (uint)deadline == 0 ? 0 : PvAbi.Widen32((uint)deadline, now);
                if (deadline == 0)
                {
                    v.CancelTimer();
                    vmcb.Rax = PvAbi.Ok;
                    return false;
                }
                if (vector < 32 || vector > 255) { vmcb.Rax = legacy ? (ulong)unchecked((uint)PvAbi.ErrVector) : PvAbi.ErrVector; return false; }
                timerVector = (byte)vector;
                v.ArmTimer(PvAbi.NsOfTsc(deadline));
                vmcb.Rax = PvAbi.Ok;
                return true;
            }
            if (fn == PvAbi.CallExit)
            {
                Exited = true;
                ExitStatus = legacy ? regs->Rbx & 0xFFFFFFFF : regs->Rbx;
                Stop(v, "exited with status " + ExitStatus);
                return true;
            }
            vmcb.Rax = legacy ? (ulong)unchecked((uint)PvAbi.ErrUnknown) : PvAbi.ErrUnknown;
            return false;
        }

        private bool Io(Vcore v)
        {
            IoExitInfo io = IoExitInfo.Decode(vmcb.ExitInfo1);
            if (io.String)
            {
                Stop(v, "string I/O (INS/OUTS) on port " + Hex(io.Port) + " is not emulated, guest RIP " + Hex(vmcb.Rip));
                return true;
            }
            // EXITINFO2 holds the next RIP for IOIO exits (APM 15.10.2), NRIPS or not.
            vmcb.Rip = vmcb.ExitInfo2;
            ulong mask = io.Size == 1 ? 0xFFUL : io.Size == 2 ? 0xFFFFUL : 0xFFFFFFFFUL;
            if (io.In)
            {
                ulong val = GuestConsole.IsCom1(io.Port) ? GuestConsole.Read(io.Port) : mask;
                if (!GuestConsole.IsCom1(io.Port)) OtherPortReads++;
                // IN writes AL/AX/EAX; EAX zero-extends into RAX (a 32-bit write).
                vmcb.Rax = io.Size == 4 ? val : (vmcb.Rax & ~mask) | val;
                return false;
            }
            ulong outv = vmcb.Rax & mask;
            if (io.Port == PvAbi.Com1)
            {
                if (Console.Put((byte)outv)) { LastLine = Console.Take(); lineToLog = LastLine; Report.See(LastLine); }
                return false;
            }
            if (GuestConsole.IsCom1(io.Port)) return false;
            if (io.Port >= PvAbi.DebugExit && io.Port < PvAbi.DebugExit + 4)
            {
                Exited = true;
                ExitStatus = outv;
                Stop(v, "exited with status " + outv + " (port 0xf4)");
                return true;
            }
            OtherPortWrites++;
            return false;
        }

        // MSRs: EFER (SVME kept set: VMRUN refuses a guest EFER without it),
        // PAT, the TSC (the virtual TSC), and the MSRs VMLOAD/VMSAVE hold in
        // the VMCB; every other reads 0 and ignores writes (counted).
        private void Msr(Vcore v)
        {
            uint msr = (uint)regs->Rcx;
            bool write = vmcb.ExitInfo1 == 1;
            ulong value = (vmcb.Rax & 0xFFFFFFFF) | (regs->Rdx << 32);
            int field = -1;
            switch (msr)
            {
                case 0xC0000080: field = VmcbField.Efer; break;
                case 0x277: field = VmcbField.GPat; break;
                case 0xC0000081: field = VmcbField.Star; break;
                case 0xC0000082: field = VmcbField.Lstar; break;
                case 0xC0000083: field = VmcbField.Cstar; break;
                case 0xC0000084: field = VmcbField.Sfmask; break;
                case 0xC0000100: field = VmcbField.Fs + VmcbField.SegBase; break;
                case 0xC0000101: field = VmcbField.Gs + VmcbField.SegBase; break;
                case 0xC0000102: field = VmcbField.KernelGsBase; break;
                case 0x174: field = VmcbField.SysenterCs; break;
                case 0x175: field = VmcbField.SysenterEsp; break;
                case 0x176: field = VmcbField.SysenterEip; break;
            }
            if (write)
            {
                if (field == VmcbField.Efer) value |= SvmCpu.EferSvme;
                if (field >= 0) vmcb.Set64(field, value);
                else UnknownMsrs++;
            }
            else
            {
                if (field >= 0) value = vmcb.Get64(field);
                else if (msr == 0x10) value = PvAbi.TscOfNs(v.VirtualNow());
                else { value = 0; UnknownMsrs++; }
                if (field == VmcbField.Efer) value &= ~SvmCpu.EferSvme;
                vmcb.Rax = value & 0xFFFFFFFF;
                regs->Rdx = value >> 32;
            }
            Advance(2);
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
            s = s + "; canaries " + (Memory.CanariesIntact() ? "intact" : "BROKEN");
            return s;
        }
    }
}
