using System.Runtime;
using System.Runtime.CompilerServices;

namespace Osprey.Kernel
{
    // Names for addresses, from the symbol table the build appends to the
    // image (section .ksymtab, made by kernel/arch/x86_64/symtab.awk from
    // the linker's symbol list, sorted by address): used to name types in
    // panics and functions in fault reports. Nothing here allocates.
    internal static unsafe class Symbols
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "osprey_ksymtab")]
        private static extern byte* Table();

        internal static long Count { get { return *(long*)Table(); } }

        // Index of the last symbol at or below `address`, or -1.
        internal static long Find(ulong address)
        {
            byte* t = Table();
            long n = *(long*)t;
            ulong* entries = (ulong*)(t + 8);
            long lo = 0, hi = n - 1, found = -1;
            while (lo <= hi)
            {
                long mid = (lo + hi) / 2;
                if (entries[mid * 2] <= address) { found = mid; lo = mid + 1; }
                else hi = mid - 1;
            }
            return found;
        }

        internal static ulong AddressOf(long index) { return ((ulong*)(Table() + 8))[index * 2]; }
        internal static byte* NameOf(long index) { byte* t = Table(); return t + ((ulong*)(t + 8))[index * 2 + 1]; }

        // "name+0xoffset" for a code address, or the bare address.
        internal static void WriteAddress(ulong address)
        {
            Log.Hex(address);
            long i = Find(address);
            if (i < 0) return;
            Log.Write(" <");
            WriteName(NameOf(i), false);
            Log.Write("+");
            Log.Hex(address - AddressOf(i), 1);
            Log.Write(">");
        }

        // A MethodTable's symbol is `_ZTV<len><module>_<Namespace>_<Type>`;
        // print the part after the module prefix.
        internal static void WriteTypeName(Internal.Runtime.MethodTable* type)
        {
            long i = Find((ulong)type);
            if (i < 0 || AddressOf(i) != (ulong)type) { Log.Write("type@"); Log.Hex((ulong)type); return; }
            WriteName(NameOf(i), true);
        }

        internal static bool NameEquals(Internal.Runtime.MethodTable* type, string expected)
        {
            long i = Find((ulong)type);
            if (i < 0 || AddressOf(i) != (ulong)type) return false;
            byte* p = SkipTypePrefix(NameOf(i));
            for (int k = 0; k < expected.Length; k++) if (p[k] != (byte)expected[k]) return false;
            return p[expected.Length] == 0;
        }

        private static byte* SkipTypePrefix(byte* p)
        {
            if (p[0] == '_' && p[1] == 'Z' && p[2] == 'T' && p[3] == 'V')
            {
                p += 4;
                while (*p >= '0' && *p <= '9') p++;
            }
            if (p[0] == 'k' && p[1] == 'e' && p[2] == 'r' && p[3] == 'n' && p[4] == 'e' && p[5] == 'l' && p[6] == '_') p += 7;
            return p;
        }

        private static void WriteName(byte* p, bool type)
        {
            if (type) p = SkipTypePrefix(p);
            for (int k = 0; k < 120 && p[k] != 0; k++) Log.Char((char)p[k]);
        }
    }
}
