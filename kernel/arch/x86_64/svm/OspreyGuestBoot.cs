using Osprey.Kernel.Boot;
using Osprey.Kernel.Vmm;
using Osprey.Kernel.Vmm.Loader;
using Osprey.Sched.Workload;

namespace Osprey.Kernel.Arch.Svm
{
    // A guest's RAM behind its nested page table, as the image loader writes
    // it: the RAM is one block of host frames (GuestMemory), so a
    // guest-physical range is one host range.
    internal sealed unsafe class SvmGuestRam : GuestRamView
    {
        private readonly GuestMemory memory;
        internal SvmGuestRam(GuestMemory m) { memory = m; }
        internal override ulong Size { get { return memory.Bytes; } }
        internal override void Write(ulong gpa, byte* source, ulong count) { memory.Load(gpa, source, count); }
        internal override void Zero(ulong gpa, ulong count)
        {
            byte* p = memory.At(gpa, count);
            if (p != null) Cpu.MemSet(p, 0, count);
        }
    }

    // 'image osprey': the host's own kernel.elf (the boot module 'osprey')
    // loaded into the guest's RAM by the multiboot1 loader with the guest
    // block's cmdline and its own workload as the module 'workload', entered
    // in 32-bit protected mode as a multiboot1 loader enters it. The guest
    // kernel finds the paravirtual platform through CPUID
    // (arch/x86_64/Paravirt.cs) and the VMM handles what it touches beyond
    // it: EFER (SVME kept in the VMCB, hidden from the guest), CR0/CR3/CR4
    // (its own state in the VMCB), COM1 and port 0xF4.
    internal static unsafe class OspreyGuestBoot
    {
        // Below the information block (GuestImageLoader.InfoBase): the boot
        // stub sets its own stack before it uses one.
        internal const ulong EntryStack = 0x7000;

        internal static bool Load(SvmGuest g, GuestSpec spec, out string error)
        {
            BootModule m;
            error = OspreyImageModule.Find(KernelMain.Boot, spec.Name, out m);
            if (error != null) return false;
            // The workload text as bytes, in frames of its own that go back
            // right after the load (the heap does not free).
            string text = spec.NestedWorkload == null ? "" : spec.NestedWorkload;
            ulong pages = ((ulong)text.Length + 1 + 4095) / 4096;
            ulong pa = SvmHw.Frames(pages, 4096);
            if (pa == 0) { error = "guest '" + spec.Name + "': no frames left for a copy of its workload text"; return false; }
            byte* w = SvmHw.Pointer(pa);
            for (int i = 0; i < text.Length; i++) w[i] = (byte)text[i];
            GuestEntryState entry = new GuestEntryState();
            error = GuestImageLoader.Load(spec.Name, (byte*)m.Start, m.End - m.Start, new SvmGuestRam(g.Memory), spec.Cmdline,
                w, (ulong)text.Length, Workload.WorkloadRunner.ModuleName, entry);
            if (!SvmHw.FreeFrames(pa, pages) && error == null) error = "guest '" + spec.Name + "': the copy of its workload text was not taken back";
            if (error != null) return false;
            g.Start32(entry.Eip, entry.Eax, entry.Ebx, EntryStack);
            if (spec.NestedSpec != null) g.Report.Analysis = Osprey.Sched.Analysis.GuestSupplyAnalysis.Describe(spec);
            return true;
        }
    }
}
