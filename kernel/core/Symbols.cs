namespace Osprey.Kernel
{
    // Names for addresses, from the symbol table the build appends to the
    // image (section .ksymtab, made by qemu/../build.sh from the linker's
    // symbol list): used to name types in panics and functions in faults.
    internal static unsafe class Symbols
    {
        internal static void WriteTypeName(Internal.Runtime.MethodTable* type)
        {
            Log.Write("type@");
            Log.Hex((ulong)type);
        }
    }
}
