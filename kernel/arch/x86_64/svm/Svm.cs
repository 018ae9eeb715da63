using Osprey.Kernel.Vmm;

namespace Osprey.Kernel.Arch.Svm
{
    // AMD SVM on this CPU: detection (AMD APM vol. 2, 15.4 "enabling SVM",
    // CPUID Fn8000_0001 ECX[2], Fn8000_000A), VM_CR.SVMDIS (MSR C001_0114h
    // bit 4), and per CPU: EFER.SVME and the host save area (VM_HSAVE_PA,
    // MSR C001_0117h) plus the page the host's VMSAVE state goes to.
    internal static unsafe class SvmCpu
    {
        internal const uint MsrEfer = 0xC0000080, MsrVmCr = 0xC0010114, MsrHsavePa = 0xC0010117;
        internal const ulong EferSvme = 1UL << 12;
        internal const int MaxCpus = 64;

        internal static bool Detected;
        internal static bool Svm;            // CPUID 8000_0001h ECX[2]
        internal static bool NestedPaging;   // CPUID 8000_000Ah EDX[0]
        internal static bool NextRipSave;    // EDX[3]
        internal static bool CleanBits;      // EDX[5]
        internal static bool DecodeAssists;  // EDX[7]
        internal static uint Asids;          // EBX: number of ASIDs
        internal static uint Revision;       // EAX[7:0]
        internal static bool DisabledByFirmware; // VM_CR.SVMDIS
        private static string why;

        private static readonly ulong[] hsave = new ulong[MaxCpus];
        private static readonly ulong[] hostArea = new ulong[MaxCpus];

        internal static void Detect()
        {
            if (Detected) return;
            Detected = true;
            uint* r = stackalloc uint[4];
            SvmHw.CpuId(0x80000000, 0, r);
            uint maxExt = r[0];
            if (maxExt >= 0x80000001)
            {
                SvmHw.CpuId(0x80000001, 0, r);
                Svm = (r[2] & 4) != 0;
            }
            if (Svm && maxExt >= 0x8000000A)
            {
                SvmHw.CpuId(0x8000000A, 0, r);
                Revision = r[0] & 0xFF;
                Asids = r[1];
                NestedPaging = (r[3] & 1) != 0;
                NextRipSave = (r[3] & 8) != 0;
                CleanBits = (r[3] & 32) != 0;
                DecodeAssists = (r[3] & 128) != 0;
            }
            if (Svm)
            {
                ulong vmcr;
                // VM_CR exists wherever SVM does; a CPU model without it reads as not disabled.
                if (SvmHw.TryReadMsr(MsrVmCr, out vmcr)) DisabledByFirmware = (vmcr & 16) != 0;
            }
            if (!Svm || !NestedPaging) why = "this CPU has none";
            else if (DisabledByFirmware) why = "it is disabled by the firmware (VM_CR.SVMDIS is set: enable SVM/virtualization in the firmware setup)";
            else if (Asids < 2) why = "this CPU reports no guest ASID";
        }

        /// <summary>True when guests with a real image can run.</summary>
        internal static bool Usable { get { Detect(); return why == null; } }

        /// <summary>Why not (null when usable).</summary>
        internal static string Why { get { Detect(); return why; } }

        /// <summary>The refusal of guest `name` with an image.</summary>
        internal static string Refusal(string name)
        {
            return "guest '" + name + "' needs AMD SVM with nested paging; " + Why;
        }

        internal static string Describe()
        {
            Detect();
            if (!Svm) return "svm: absent";
            return "svm: rev " + Revision + ", " + Asids + " ASIDs, nested paging " + (NestedPaging ? "yes" : "no")
                + ", nrips " + (NextRipSave ? "yes" : "no") + ", clean bits " + (CleanBits ? "yes" : "no")
                + ", decode assists " + (DecodeAssists ? "yes" : "no") + (DisabledByFirmware ? ", disabled by VM_CR.SVMDIS" : "");
        }

        /// <summary>
        /// The host save area and the page for the host's VMSAVE state of
        /// CPU `cpu` (once; from any CPU, at setup). The MSRs that point the
        /// CPU at them are written on that CPU itself (ActivateHere). False
        /// when SVM is not usable, cpu is out of range or no frame is left.
        /// </summary>
        internal static bool Enable(int cpu)
        {
            if (!Usable || cpu < 0 || cpu >= MaxCpus) return false;
            if (hsave[cpu] != 0) return true;
            ulong h = SvmHw.Frames(1, 4096), a = SvmHw.Frames(1, 4096);
            if (h == 0 || a == 0) return false;
            hostArea[cpu] = a;
            hsave[cpu] = h;
            return true;
        }

        // CPUs whose EFER.SVME and VM_HSAVE_PA are set (each by itself).
        private static readonly bool[] active = new bool[MaxCpus];

        /// <summary>
        /// On the CPU that is about to VMRUN (interrupts off): EFER.SVME and
        /// VM_HSAVE_PA are per-CPU registers (AMD APM vol. 2, 15.4 and
        /// 15.30.4), so each CPU that runs a guest sets its own, once, to
        /// the area Enable reserved for it. False when Enable was not called
        /// for this CPU.
        /// </summary>
        internal static bool ActivateHere(int cpu)
        {
            if (cpu < 0 || cpu >= MaxCpus || hsave[cpu] == 0) return false;
            if (active[cpu]) return true;
            SvmHw.WriteMsr(MsrEfer, SvmHw.ReadMsr(MsrEfer) | EferSvme);
            SvmHw.WriteMsr(MsrHsavePa, hsave[cpu]);
            active[cpu] = true;
            return true;
        }

        internal static ulong HostArea(int cpu) { return hostArea[cpu]; }
    }
}
