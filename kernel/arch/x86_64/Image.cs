using System.Runtime;
using System.Runtime.CompilerServices;

namespace Osprey.Kernel.Arch
{
    // Bounds of the loaded kernel image and of its runtime data, from the
    // linker script (boot/linker.ld).
    internal static unsafe class Image
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_image_start")] internal static extern byte* Start();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_image_end")] internal static extern byte* End();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_modules_start")] internal static extern void** ModulesStart();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_modules_end")] internal static extern void** ModulesEnd();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_boot_stack_bottom")] internal static extern byte* BootStackBottom();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_boot_stack_top")] internal static extern byte* BootStackTop();
    }
}
