using System.Runtime;

namespace Internal.Runtime
{
    internal static unsafe class InterfaceDispatch
    {
        [RuntimeExport("osprey_resolve_interface")]
        private static void* Resolve(object obj, void* cell)
        {
            Osprey.Kernel.Panic.Fail("interface dispatch not implemented");
            return null;
        }
    }
}
