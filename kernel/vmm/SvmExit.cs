// #VMEXIT codes (AMD APM vol. 2, appendix C) and the decoding of the exit
// information the VMM acts on. Portable.
namespace Osprey.Kernel.Vmm
{
    public enum ExitAction
    {
        /// <summary>A host interrupt (or NMI/SMI/INIT) ended the run: re-enter after the host took it.</summary>
        HostInterrupt,
        Hlt, Ioio, Msr, Cpuid, Vmmcall, Rdtsc, Rdtscp, NestedPageFault, Shutdown,
        /// <summary>The guest executed an SVM instruction (VMRUN etc.): the VMM offers none; the guest is stopped.</summary>
        SvmInstruction,
        /// <summary>VMRUN refused the guest state (VMEXIT_INVALID).</summary>
        Invalid,
        /// <summary>Any other exit: reported and the guest stopped.</summary>
        Unexpected,
    }

    public static class SvmExit
    {
        public const uint Intr = 0x60, Nmi = 0x61, Smi = 0x62, Init = 0x63, Vintr = 0x64;
        public const uint Rdtsc = 0x6E, Cpuid = 0x72, Invd = 0x76, Hlt = 0x78, Ioio = 0x7B, Msr = 0x7C;
        public const uint TaskSwitch = 0x7D, Shutdown = 0x7F;
        public const uint Vmrun = 0x80, Vmmcall = 0x81, Vmload = 0x82, Vmsave = 0x83, Stgi = 0x84, Clgi = 0x85, Skinit = 0x86;
        public const uint Rdtscp = 0x87;
        public const uint Npf = 0x400;
        /// <summary>VMEXIT_INVALID: -1, whose low 32 bits read 0xFFFFFFFF (compare those only).</summary>
        public const uint Invalid = 0xFFFFFFFF;

        public static ExitAction Decode(ulong exitCode)
        {
            uint c = (uint)exitCode;
            switch (c)
            {
                case Intr: case Nmi: case Smi: case Init: return ExitAction.HostInterrupt;
                case Hlt: return ExitAction.Hlt;
                case Ioio: return ExitAction.Ioio;
                case Msr: return ExitAction.Msr;
                case Cpuid: return ExitAction.Cpuid;
                case Vmmcall: return ExitAction.Vmmcall;
                case Rdtsc: return ExitAction.Rdtsc;
                case Rdtscp: return ExitAction.Rdtscp;
                case Npf: return ExitAction.NestedPageFault;
                case Shutdown: return ExitAction.Shutdown;
                case Vmrun: case Vmload: case Vmsave: case Stgi: case Clgi: case Skinit: return ExitAction.SvmInstruction;
                case Invalid: return ExitAction.Invalid;
                default: return ExitAction.Unexpected;
            }
        }

        /// <summary>A short name of an exit code for reports ("npf", "exception 13", "0x1234").</summary>
        public static string Name(ulong exitCode)
        {
            uint c = (uint)exitCode;
            switch (c)
            {
                case Intr: return "intr";
                case Nmi: return "nmi";
                case Smi: return "smi";
                case Init: return "init";
                case Vintr: return "vintr";
                case Rdtsc: return "rdtsc";
                case Cpuid: return "cpuid";
                case Invd: return "invd";
                case Hlt: return "hlt";
                case Ioio: return "ioio";
                case Msr: return "msr";
                case TaskSwitch: return "task switch";
                case Shutdown: return "shutdown (triple fault)";
                case Vmrun: return "vmrun";
                case Vmmcall: return "vmmcall";
                case Vmload: return "vmload";
                case Vmsave: return "vmsave";
                case Stgi: return "stgi";
                case Clgi: return "clgi";
                case Skinit: return "skinit";
                case Rdtscp: return "rdtscp";
                case Npf: return "nested page fault";
                case Invalid: return "invalid guest state";
            }
            if (c >= 0x40 && c < 0x60) return "exception " + (c - 0x40).ToString();
            return "0x" + Hex(c);
        }

        internal static string Hex(ulong v)
        {
            const string digits = "0123456789abcdef";
            char[] b = new char[16];
            int n = 0;
            do { b[15 - n] = digits[(int)(v & 15)]; v >>= 4; n++; } while (v != 0);
            return new string(b, 16 - n, n);
        }
    }

    /// <summary>EXITINFO1 of an IOIO exit (APM vol. 2, 15.10.2, figure 15-2).</summary>
    public struct IoExitInfo
    {
        public ushort Port;
        /// <summary>1, 2 or 4 bytes.</summary>
        public int Size;
        public bool In;
        /// <summary>INS/OUTS (string), REP prefix.</summary>
        public bool String, Rep;

        public static IoExitInfo Decode(ulong info1)
        {
            IoExitInfo r;
            r.In = (info1 & 1) != 0;
            r.String = (info1 & 4) != 0;
            r.Rep = (info1 & 8) != 0;
            r.Size = (info1 & 0x10) != 0 ? 1 : (info1 & 0x20) != 0 ? 2 : 4;
            r.Port = (ushort)(info1 >> 16);
            return r;
        }
    }

    /// <summary>EXITINFO1 of a nested page fault (APM vol. 2, 15.25.6): the #PF error code bits.</summary>
    public static class NpfInfo
    {
        public const ulong Present = 1, Write = 2, User = 4, Fetch = 16;
        /// <summary>Bit 32: on the final guest-physical access; bit 33: while walking the guest's own page tables.</summary>
        public const ulong FinalTranslation = 1UL << 32, GuestTableWalk = 1UL << 33;
    }
}
