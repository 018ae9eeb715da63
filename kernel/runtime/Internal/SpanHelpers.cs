namespace System
{
    // Block copy and fill helpers the compiler calls for struct copies and
    // initialisation (cpblk/initblk); they forward to the assembly routines.
    internal static unsafe class SpanHelpers
    {
        internal static void Memmove(ref byte destination, ref byte source, nuint byteCount)
        {
            fixed (byte* d = &destination)
            fixed (byte* s = &source)
                Osprey.Kernel.Machine.MemMove(d, s, (ulong)byteCount);
        }

        internal static void Fill(ref byte destination, nuint byteCount, byte value)
        {
            fixed (byte* d = &destination) Osprey.Kernel.Machine.MemSet(d, value, (ulong)byteCount);
        }

        internal static void ClearWithoutReferences(ref byte destination, nuint byteCount)
        {
            fixed (byte* d = &destination) Osprey.Kernel.Machine.MemSet(d, 0, (ulong)byteCount);
        }

        internal static void ClearWithReferences(ref IntPtr destination, nuint pointerSizeLength)
        {
            fixed (IntPtr* d = &destination) Osprey.Kernel.Machine.MemSet(d, 0, (ulong)pointerSizeLength * 8);
        }
    }
}
