namespace Osprey.Kernel.Vmm.Loader
{
    // A guest's RAM as the image loader sees it: guest-physical 0 .. Size,
    // written through the VMM's own mapping (the kernel: the guest's frames
    // behind its nested page tables; the host tests: a byte array).
    internal abstract unsafe class GuestRamView
    {
        internal abstract ulong Size { get; }

        // Copies count bytes to guest-physical gpa; the caller has checked
        // gpa + count <= Size.
        internal abstract void Write(ulong gpa, byte* source, ulong count);

        // Fills guest-physical gpa .. gpa + count with zeros (checked as Write).
        internal abstract void Zero(ulong gpa, ulong count);
    }
}
