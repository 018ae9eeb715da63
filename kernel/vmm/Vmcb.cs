// The VMCB (virtual machine control block) of AMD SVM: field offsets and a
// builder over one 4 KiB page. AMD64 Architecture Programmer's Manual
// vol. 2, appendix B (table B-1: control area, table B-2: state save area
// from offset 0x400). Portable: it reads and writes memory through a
// pointer only, so the host tests build one in an ordinary buffer.
namespace Osprey.Kernel.Vmm
{
    public static unsafe class VmcbField
    {
        // ---- control area (APM vol. 2, table B-1)
        public const int InterceptCr = 0x000;       // CR reads bits 15:0, writes 31:16
        public const int InterceptDr = 0x004;
        public const int InterceptExceptions = 0x008;
        public const int InterceptMisc1 = 0x00C;    // vector 3: INTR .. SHUTDOWN
        public const int InterceptMisc2 = 0x010;    // vector 4: VMRUN .. XSETBV
        public const int IopmBasePa = 0x040;
        public const int MsrpmBasePa = 0x048;
        public const int TscOffset = 0x050;
        public const int GuestAsid = 0x058;         // 32 bits
        public const int TlbControl = 0x05C;        // 8 bits
        public const int IntControl = 0x060;        // V_TPR, V_IRQ, V_INTR_PRIO, V_IGN_TPR, V_INTR_MASKING, V_INTR_VECTOR
        public const int InterruptShadow = 0x068;
        public const int ExitCode = 0x070;
        public const int ExitInfo1 = 0x078;
        public const int ExitInfo2 = 0x080;
        public const int ExitIntInfo = 0x088;
        public const int NpEnable = 0x090;          // bit 0: nested paging
        public const int EventInj = 0x0A8;
        public const int NestedCr3 = 0x0B0;
        public const int CleanBits = 0x0C0;
        public const int NextRip = 0x0C8;
        public const int InsnBytesFetched = 0x0D0;

        // ---- state save area (APM vol. 2, table B-2); each segment is
        // selector (16), attributes (16), limit (32), base (64).
        public const int Es = 0x400, Cs = 0x410, Ss = 0x420, Ds = 0x430, Fs = 0x440, Gs = 0x450;
        public const int Gdtr = 0x460, Ldtr = 0x470, Idtr = 0x480, Tr = 0x490;
        public const int Cpl = 0x4CB;
        public const int Efer = 0x4D0;
        public const int Cr4 = 0x548, Cr3 = 0x550, Cr0 = 0x558, Dr7 = 0x560, Dr6 = 0x568;
        public const int Rflags = 0x570, Rip = 0x578, Rsp = 0x5D8, Rax = 0x5F8;
        public const int Star = 0x600, Lstar = 0x608, Cstar = 0x610, Sfmask = 0x618, KernelGsBase = 0x620;
        public const int SysenterCs = 0x628, SysenterEsp = 0x630, SysenterEip = 0x638;
        public const int Cr2 = 0x640, GPat = 0x668, DbgCtl = 0x670;

        // Segment sub-fields.
        public const int SegSelector = 0, SegAttrib = 2, SegLimit = 4, SegBase = 8;
    }

    /// <summary>Intercept bits (APM vol. 2, table B-1, offsets 0x0C and 0x10).</summary>
    public static class VmcbIntercept
    {
        // offset 0x0C
        public const uint Intr = 1u << 0, Nmi = 1u << 1, Smi = 1u << 2, Init = 1u << 3, Vintr = 1u << 4;
        public const uint Rdtsc = 1u << 14, Rdpmc = 1u << 15, Cpuid = 1u << 18, Invd = 1u << 22, Hlt = 1u << 24, Invlpga = 1u << 26;
        public const uint Ioio = 1u << 27, Msr = 1u << 28, TaskSwitch = 1u << 29, Shutdown = 1u << 31;
        // offset 0x10
        public const uint Vmrun = 1u << 0, Vmmcall = 1u << 1, Vmload = 1u << 2, Vmsave = 1u << 3;
        public const uint Stgi = 1u << 4, Clgi = 1u << 5, Skinit = 1u << 6, Rdtscp = 1u << 7;
        public const uint Monitor = 1u << 10, Mwait = 1u << 11, Xsetbv = 1u << 13;
    }

    /// <summary>VMCB clean bits (APM vol. 2, 15.15.3): a set bit tells the CPU that field group is unchanged since the last VMRUN.</summary>
    public static class VmcbClean
    {
        public const uint Intercepts = 1u << 0, Iopm = 1u << 1, Asid = 1u << 2, Tpr = 1u << 3, Np = 1u << 4;
        public const uint Crx = 1u << 5, Drx = 1u << 6, Dt = 1u << 7, Seg = 1u << 8, Cr2 = 1u << 9;
        /// <summary>What the VMM never changes after InitControl: intercepts, permission maps, ASID, nested paging.</summary>
        public const uint Fixed = Intercepts | Iopm | Asid | Np;
    }

    /// <summary>The interrupt-control word at 0x60 (APM vol. 2, 15.21 and table B-1).</summary>
    public static class VmcbIntCtl
    {
        public const ulong VIrq = 1UL << 8;
        public const int VIntrPrioShift = 16;
        public const ulong VIgnTpr = 1UL << 20;
        public const ulong VIntrMasking = 1UL << 24;
        public const int VIntrVectorShift = 32;
    }

    /// <summary>
    /// A VMCB page at a pointer: typed reads and writes of its fields and the
    /// guest states the VMM starts guests in.
    /// </summary>
    public unsafe struct Vmcb
    {
        public readonly byte* P;

        public Vmcb(byte* page) { P = page; }

        public ulong Get64(int off) { return *(ulong*)(P + off); }
        public void Set64(int off, ulong v) { *(ulong*)(P + off) = v; }
        public uint Get32(int off) { return *(uint*)(P + off); }
        public void Set32(int off, uint v) { *(uint*)(P + off) = v; }
        public byte Get8(int off) { return P[off]; }
        public void Set8(int off, byte v) { P[off] = v; }

        public void Clear() { for (int i = 0; i < 4096; i += 8) *(ulong*)(P + i) = 0; }

        public void SetSegment(int seg, ushort selector, ushort attrib, uint limit, ulong baseAddress)
        {
            *(ushort*)(P + seg + VmcbField.SegSelector) = selector;
            *(ushort*)(P + seg + VmcbField.SegAttrib) = attrib;
            *(uint*)(P + seg + VmcbField.SegLimit) = limit;
            *(ulong*)(P + seg + VmcbField.SegBase) = baseAddress;
        }

        public ushort SegmentSelector(int seg) { return *(ushort*)(P + seg + VmcbField.SegSelector); }
        public ushort SegmentAttrib(int seg) { return *(ushort*)(P + seg + VmcbField.SegAttrib); }
        public uint SegmentLimit(int seg) { return *(uint*)(P + seg + VmcbField.SegLimit); }
        public ulong SegmentBase(int seg) { return *(ulong*)(P + seg + VmcbField.SegBase); }

        public ulong Rip { get { return Get64(VmcbField.Rip); } set { Set64(VmcbField.Rip, value); } }
        public ulong Rax { get { return Get64(VmcbField.Rax); } set { Set64(VmcbField.Rax, value); } }
        public ulong Rsp { get { return Get64(VmcbField.Rsp); } set { Set64(VmcbField.Rsp, value); } }
        public ulong Rflags { get { return Get64(VmcbField.Rflags); } set { Set64(VmcbField.Rflags, value); } }
        public ulong ExitCode { get { return Get64(VmcbField.ExitCode); } }
        public ulong ExitInfo1 { get { return Get64(VmcbField.ExitInfo1); } }
        public ulong ExitInfo2 { get { return Get64(VmcbField.ExitInfo2); } }
        public ulong ExitIntInfo { get { return Get64(VmcbField.ExitIntInfo); } }
        public ulong Efer { get { return Get64(VmcbField.Efer); } set { Set64(VmcbField.Efer, value); } }
        /// <summary>EFER.LMA (bit 10): the guest runs in long mode.</summary>
        public bool LongMode { get { return (Efer & (1UL << 10)) != 0; } }

        /// <summary>
        /// The control area every Osprey guest core runs with: the required
        /// VMRUN intercept and INTR, NMI, SMI, INIT, SHUTDOWN, HLT, CPUID,
        /// IOIO, MSR, RDTSC, RDTSCP, VMMCALL, INVD, task switches, the other
        /// SVM instructions, MONITOR/MWAIT and XSETBV (which would change the
        /// host's XCR0); the permission maps; the ASID (never 0:
        /// APM 15.5.1, VMRUN with ASID 0 fails); nested paging with nCR3;
        /// V_INTR_MASKING so host interrupts reach the host whatever the
        /// guest's IF (APM 15.21.1). Flushes the TLB on the first VMRUN.
        /// </summary>
        public void InitControl(uint asid, ulong iopmPa, ulong msrpmPa, ulong nestedCr3)
        {
            Set32(VmcbField.InterceptMisc1, VmcbIntercept.Intr | VmcbIntercept.Nmi | VmcbIntercept.Smi | VmcbIntercept.Init
                | VmcbIntercept.Rdtsc | VmcbIntercept.Cpuid | VmcbIntercept.Invd | VmcbIntercept.Hlt | VmcbIntercept.Invlpga | VmcbIntercept.Ioio
                | VmcbIntercept.Msr | VmcbIntercept.TaskSwitch | VmcbIntercept.Shutdown);
            Set32(VmcbField.InterceptMisc2, VmcbIntercept.Vmrun | VmcbIntercept.Vmmcall | VmcbIntercept.Vmload | VmcbIntercept.Vmsave
                | VmcbIntercept.Stgi | VmcbIntercept.Clgi | VmcbIntercept.Skinit | VmcbIntercept.Rdtscp
                | VmcbIntercept.Monitor | VmcbIntercept.Mwait | VmcbIntercept.Xsetbv);
            Set64(VmcbField.IopmBasePa, iopmPa);
            Set64(VmcbField.MsrpmBasePa, msrpmPa);
            Set32(VmcbField.GuestAsid, asid);
            Set8(VmcbField.TlbControl, 1);
            Set64(VmcbField.IntControl, VmcbIntCtl.VIntrMasking);
            Set64(VmcbField.NpEnable, 1);
            Set64(VmcbField.NestedCr3, nestedCr3);
            Set32(VmcbField.CleanBits, 0);
        }

        // Attribute words: the descriptor's access byte in bits 7:0 and its
        // AVL/L/DB/G nibble in bits 11:8 (APM vol. 2, 15.5.1 "segment state").
        public const ushort Code32Attrib = 0xC9B, Data32Attrib = 0xC93, TssAttrib = 0x08B, LdtAttrib = 0x082;

        /// <summary>
        /// Guest state of 32-bit protected mode, paging off, flat 4 GiB
        /// code (selector 0x08) and data (0x10) segments, interrupts off,
        /// entered at rip with EAX/EBX given (the multiboot1 entry state).
        /// EFER.SVME is set: VMRUN refuses a guest EFER without it
        /// (APM 15.5.1, "canonicalization and consistency checks").
        /// </summary>
        public void InitProtectedMode32(ulong rip, ulong rsp, ulong rax)
        {
            SetSegment(VmcbField.Cs, 0x08, Code32Attrib, 0xFFFFFFFF, 0);
            SetSegment(VmcbField.Ds, 0x10, Data32Attrib, 0xFFFFFFFF, 0);
            SetSegment(VmcbField.Es, 0x10, Data32Attrib, 0xFFFFFFFF, 0);
            SetSegment(VmcbField.Ss, 0x10, Data32Attrib, 0xFFFFFFFF, 0);
            SetSegment(VmcbField.Fs, 0x10, Data32Attrib, 0xFFFFFFFF, 0);
            SetSegment(VmcbField.Gs, 0x10, Data32Attrib, 0xFFFFFFFF, 0);
            SetSegment(VmcbField.Gdtr, 0, 0, 0xFFFF, 0);
            SetSegment(VmcbField.Idtr, 0, 0, 0, 0);
            SetSegment(VmcbField.Ldtr, 0, LdtAttrib, 0, 0);
            SetSegment(VmcbField.Tr, 0, TssAttrib, 0x67, 0);
            Set8(VmcbField.Cpl, 0);
            Efer = 1UL << 12;                       // SVME
            Set64(VmcbField.Cr0, 0x11);             // PE, ET
            Set64(VmcbField.Cr3, 0);
            Set64(VmcbField.Cr4, 0);
            Set64(VmcbField.Dr6, 0xFFFF0FF0);
            Set64(VmcbField.Dr7, 0x400);
            Set64(VmcbField.GPat, 0x0007040600070406);
            Rflags = 2;
            Rip = rip;
            Rsp = rsp;
            Rax = rax;
        }

        /// <summary>Raise virtual interrupt `vector` (V_IRQ, priority 15, TPR ignored; APM 15.21.4).</summary>
        public void RaiseVirtualInterrupt(byte vector)
        {
            ulong c = Get64(VmcbField.IntControl);
            c &= ~((0xFFUL << VmcbIntCtl.VIntrVectorShift) | (0xFUL << VmcbIntCtl.VIntrPrioShift));
            c |= VmcbIntCtl.VIrq | (15UL << VmcbIntCtl.VIntrPrioShift) | VmcbIntCtl.VIgnTpr | ((ulong)vector << VmcbIntCtl.VIntrVectorShift);
            Set64(VmcbField.IntControl, c);
        }

        /// <summary>V_IRQ still set: the guest has not taken the virtual interrupt yet (the CPU clears it when taken).</summary>
        public bool VirtualInterruptPending { get { return (Get64(VmcbField.IntControl) & VmcbIntCtl.VIrq) != 0; } }

        public void ClearVirtualInterrupt() { Set64(VmcbField.IntControl, Get64(VmcbField.IntControl) & ~VmcbIntCtl.VIrq); }
    }
}
