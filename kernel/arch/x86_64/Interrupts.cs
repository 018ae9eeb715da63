using System.Runtime;
using System.Runtime.CompilerServices;

namespace Osprey.Kernel.Arch
{
    internal static class Interrupts
    {
        // Software interrupt on PIC vector 39 (IRQ 7), for tests of the
        // spurious-interrupt path.
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_raise_vector39")]
        internal static extern void RaiseVector39();
    }
}
