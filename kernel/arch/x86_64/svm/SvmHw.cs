using System.Runtime;
using System.Runtime.CompilerServices;
using Osprey.Kernel.Memory;

namespace Osprey.Kernel.Arch.Svm
{
    // The one place the SVM code meets the rest of the kernel's hardware
    // layer: CPUID, MSRs, frames, the VMRUN stub (vmrun.asm) and the guest
    // images (images.asm). Physical memory is identity-mapped (Paging), so a
    // frame's physical address is its pointer.
    internal static unsafe class SvmHw
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_svm_run")]
        internal static extern ulong Run(ulong vmcbPa, ulong hostAreaPa, SvmGuestRegs* regs, byte* guestFx);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_guest_image")]
        internal static extern byte* GuestImage(int id, ulong* length);

        internal static void CpuId(uint leaf, uint sub, uint* r) { Cpu.CpuId(leaf, sub, r); }
        internal static ulong ReadMsr(uint msr) { return Cpu.ReadMsr(msr); }
        internal static void WriteMsr(uint msr, ulong v) { Cpu.WriteMsr(msr, v); }
        internal static ulong ReadTsc() { return Cpu.ReadTsc(); }

        // RDMSR of an MSR the CPU may not implement (#GP): false then.
        internal static bool TryReadMsr(uint msr, out ulong value)
        {
            probeMsr = msr;
            probeValue = 0;
            bool q = Faults.Quiet;
            Faults.Quiet = true;
            bool faulted = Faults.Catch(&ProbeRead, 0);
            Faults.Quiet = q;
            value = probeValue;
            return !faulted;
        }
        private static uint probeMsr;
        private static ulong probeValue;
        private static void ProbeRead(ulong unused) { probeValue = Cpu.ReadMsr(probeMsr); }

        // Zeroed, page-aligned frames (0 when none are left).
        internal static ulong Frames(ulong pages, ulong alignment)
        {
            ulong pa = PhysicalMemory.AllocatePages(pages, alignment);
            if (pa != 0) Cpu.MemSet((void*)pa, 0, pages * PhysicalMemory.PageSize);
            return pa;
        }

        // Frames back to the allocator (the caller no longer uses them); false when it did not take them back.
        internal static bool FreeFrames(ulong pa, ulong pages) { return PhysicalMemory.FreePages(pa, pages); }

        internal static byte* Pointer(ulong pa) { return (byte*)pa; }

        internal static void Clear(ulong pa, ulong bytes) { Cpu.MemSet((void*)pa, 0, bytes); }
    }

    // The guest's general registers VMRUN does not hold (vmrun.asm offsets).
    internal struct SvmGuestRegs
    {
        internal ulong Unused, Rbx, Rcx, Rdx, Rsi, Rdi, Rbp, R8, R9, R10, R11, R12, R13, R14, R15;
    }
}
