using Osprey.Kernel.Boot;

namespace Osprey.Kernel.Vmm
{
    // The Osprey kernel image a guest with 'image osprey' boots: the same
    // kernel.elf, given to the host as a boot module named "osprey" (QEMU:
    // -initrd "out/kernel.elf osprey"; GRUB: module2 /boot/kernel.elf osprey).
    internal static class OspreyImageModule
    {
        internal const string ModuleName = "osprey";

        // The module for `guest`, or the refusal naming the guest (none given,
        // or several with the name).
        internal static string Find(BootInfo boot, string guest, out BootModule module)
        {
            string several = boot.FindModule(ModuleName, out module);
            if (several != null) return "guest '" + guest + "': " + several;
            if (module == null || module.End <= module.Start)
                return "guest '" + guest + "': image osprey needs the boot module '" + ModuleName + "' (the kernel.elf); none was given";
            return null;
        }
    }
}
