namespace Osprey.Kernel.Acpi
{
    // Physical memory as the ACPI parser sees it. The parser asks CanRead for
    // every range before reading a byte of it; an implementation answers
    // false for anything it cannot read (unmapped, absent, wrapping). The
    // kernel's reader is PhysicalAcpiMemory; host tests use a sparse map.
    internal abstract class AcpiMemory
    {
        // True when every byte of [phys, phys + length) may be read.
        internal abstract bool CanRead(ulong phys, ulong length);
        internal abstract byte Read8(ulong phys);

        // Little-endian reads built on Read8; only for approved ranges.
        internal ushort Read16(ulong phys)
        {
            return (ushort)(Read8(phys) | (Read8(phys + 1) << 8));
        }

        internal uint Read32(ulong phys)
        {
            return (uint)Read16(phys) | ((uint)Read16(phys + 2) << 16);
        }

        internal ulong Read64(ulong phys)
        {
            return (ulong)Read32(phys) | ((ulong)Read32(phys + 4) << 32);
        }

        // True when [start, start + length) does not run past 2^64 (a range
        // may end exactly there). A zero length always fits.
        internal static bool Fits(ulong start, ulong length)
        {
            return length == 0 || length - 1 <= 0xFFFFFFFFFFFFFFFFUL - start;
        }
    }
}
