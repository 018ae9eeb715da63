using Osprey.Kernel.Vmm;
using Osprey.Sched;

namespace Osprey.Kernel.Arch.Svm
{
    // The exits of a guest core (SvmGuest) and their emulation: the
    // paravirtual interface (README.md, "The Osprey paravirtual interface")
    // and the stops. Runs with interrupts off, right after the VMRUN; log
    // lines wait for SvmGuest.Flush.
    internal sealed unsafe partial class SvmGuest
    {
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
                // Hypervisor present; no VMX; no XSAVE/OSXSAVE (XSETBV is not emulated: the guest uses FXSAVE).
                if (leaf == 1) r[2] = (r[2] | (1u << 31)) & ~((1u << 5) | (1u << 26) | (1u << 27));
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
    }
}
