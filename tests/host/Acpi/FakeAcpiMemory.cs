using System;
using System.Collections.Generic;
using Osprey.Kernel.Acpi;

namespace Osprey.Tests.Acpi
{
    // Physical memory as a sparse byte map: only written bytes exist. It
    // also polices the parser: a read of a byte that no earlier successful
    // CanRead covered, a CanRead of a range that wraps past 2^64 or of
    // length 0, or more reads than ReadLimit (a loop that does not end)
    // is recorded in Violations (and the read throws, ending the parse).
    internal sealed class FakeAcpiMemory : AcpiMemory
    {
        private readonly Dictionary<ulong, byte> bytes = new Dictionary<ulong, byte>();
        private readonly List<(ulong first, ulong last)> approved = new List<(ulong, ulong)>();
        internal readonly List<string> Violations = new List<string>();
        internal long Reads;
        internal long CanReadCalls;
        internal long ReadLimit = 20_000_000;
        internal ulong LargestRequest;

        internal void Write(ulong a, byte[] data) { for (int i = 0; i < data.Length; i++) bytes[a + (ulong)i] = data[i]; }
        internal void Fill(ulong a, int count, byte value) { for (int i = 0; i < count; i++) bytes[a + (ulong)i] = value; }
        internal void Remove(ulong a, ulong count) { for (ulong i = 0; i < count; i++) bytes.Remove(a + i); }
        internal byte Peek(ulong a) => bytes[a];
        internal void Poke(ulong a, byte v) => bytes[a] = v;
        internal void Poke16(ulong a, ushort v) => Write(a, BitConverter.GetBytes(v));
        internal void Poke32(ulong a, uint v) => Write(a, BitConverter.GetBytes(v));
        internal void Poke64(ulong a, ulong v) => Write(a, BitConverter.GetBytes(v));
        internal bool Has(ulong a) => bytes.ContainsKey(a);

        // Sets the byte at `checksumAt` so that [start, start + length) sums to 0.
        internal void FixChecksum(ulong start, ulong length, ulong checksumAt)
        {
            bytes[checksumAt] = 0;
            byte s = 0;
            for (ulong i = 0; i < length; i++) s += bytes[start + i];
            bytes[checksumAt] = (byte)(0 - s);
        }

        internal override bool CanRead(ulong phys, ulong length)
        {
            CanReadCalls++;
            if (length == 0) { Violations.Add("CanRead asked for 0 bytes at 0x" + phys.ToString("X")); return false; }
            if (length - 1 > ulong.MaxValue - phys)
            {
                Violations.Add("CanRead asked for a range that wraps: 0x" + phys.ToString("X") + " + 0x" + length.ToString("X"));
                return false;
            }
            if (length > LargestRequest) LargestRequest = length;
            for (ulong i = 0; i < length; i++) if (!bytes.ContainsKey(phys + i)) return false;
            approved.Add((phys, phys + (length - 1)));
            return true;
        }

        internal override byte Read8(ulong phys)
        {
            if (++Reads > ReadLimit)
            {
                Violations.Add("more than " + ReadLimit + " reads: the parser does not stop");
                throw new InvalidOperationException(Violations[^1]);
            }
            for (int i = approved.Count - 1; i >= 0; i--)
                if (phys >= approved[i].first && phys <= approved[i].last) return bytes[phys];
            Violations.Add("read of 0x" + phys.ToString("X") + " without an approving CanRead");
            throw new InvalidOperationException(Violations[^1]);
        }
    }
}
