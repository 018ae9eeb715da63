using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Osprey.Kernel.Acpi;

namespace Osprey.Tests.Acpi
{
    // Byte images of ACPI structures (ACPI 6.5 chapter 5.2) with correct
    // checksums, for the tests to place in a FakeAcpiMemory and then break.
    internal static class AcpiBytes
    {
        internal static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

        internal static byte Sum(byte[] b, int start, int count)
        {
            byte s = 0;
            for (int i = 0; i < count; i++) s += b[start + i];
            return s;
        }

        internal static void SetChecksum(byte[] b, int at, int start, int count)
        {
            b[at] = 0;
            b[at] = (byte)(0 - Sum(b, start, count));
        }

        // RSDP: 20 bytes for revision 0/1, 36 for revision 2 and later.
        internal static byte[] Rsdp(byte revision, uint rsdt, ulong xsdt, string oemId = "OSPREY")
        {
            byte[] r = new byte[revision >= 2 ? 36 : 20];
            Array.Copy(Ascii("RSD PTR "), r, 8);
            Array.Copy(Ascii(oemId.PadRight(6).Substring(0, 6)), 0, r, 9, 6);
            r[15] = revision;
            BitConverter.GetBytes(rsdt).CopyTo(r, 16);
            if (revision >= 2)
            {
                BitConverter.GetBytes(36u).CopyTo(r, 20);
                BitConverter.GetBytes(xsdt).CopyTo(r, 24);
            }
            SetChecksum(r, 8, 0, 20);
            if (revision >= 2) SetChecksum(r, 32, 0, 36);
            return r;
        }

        // A table: the 36-byte header (length, checksum, OEM fields) and `body`.
        internal static byte[] Table(string signature, byte revision, byte[] body)
        {
            byte[] t = new byte[36 + body.Length];
            Array.Copy(Ascii(signature), t, 4);
            BitConverter.GetBytes((uint)t.Length).CopyTo(t, 4);
            t[8] = revision;
            Array.Copy(Ascii("OSPREY"), 0, t, 10, 6);
            Array.Copy(Ascii("TESTTABL"), 0, t, 16, 8);
            BitConverter.GetBytes(1u).CopyTo(t, 24);
            Array.Copy(Ascii("OSPR"), 0, t, 28, 4);
            BitConverter.GetBytes(1u).CopyTo(t, 32);
            body.CopyTo(t, 36);
            SetChecksum(t, 9, 0, t.Length);
            return t;
        }

        internal static byte[] Rsdt(params uint[] entries) => Table("RSDT", 1, entries.SelectMany(BitConverter.GetBytes).ToArray());
        internal static byte[] Xsdt(params ulong[] entries) => Table("XSDT", 1, entries.SelectMany(BitConverter.GetBytes).ToArray());

        // ---------------------------------------------------------- MADT --
        internal static byte[] Madt(uint localApic, uint flags, params byte[][] entries)
        {
            var body = new List<byte>();
            body.AddRange(BitConverter.GetBytes(localApic));
            body.AddRange(BitConverter.GetBytes(flags));
            foreach (byte[] e in entries) body.AddRange(e);
            return Table("APIC", 5, body.ToArray());
        }

        internal static byte[] Entry(byte type, params byte[] payload)
        {
            byte[] e = new byte[2 + payload.Length];
            e[0] = type;
            e[1] = (byte)e.Length;
            payload.CopyTo(e, 2);
            return e;
        }

        internal static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
        internal static byte[] U16(ushort v) => BitConverter.GetBytes(v);
        internal static byte[] U32(uint v) => BitConverter.GetBytes(v);
        internal static byte[] U64(ulong v) => BitConverter.GetBytes(v);

        internal const uint Enabled = 1, OnlineCapable = 2;

        internal static byte[] LocalApic(byte acpiId, byte apicId, uint flags) => Entry(0, Cat(new[] { acpiId, apicId }, U32(flags)));
        internal static byte[] IoApic(byte id, uint address, uint gsiBase) => Entry(1, Cat(new byte[] { id, 0 }, U32(address), U32(gsiBase)));
        internal static byte[] Override(byte bus, byte irq, uint gsi, ushort flags) => Entry(2, Cat(new[] { bus, irq }, U32(gsi), U16(flags)));
        internal static byte[] LocalApicNmi(byte processor, ushort flags, byte lint) => Entry(4, Cat(new[] { processor }, U16(flags), new[] { lint }));
        internal static byte[] LocalApicAddressOverride(ulong address) => Entry(5, Cat(U16(0), U64(address)));
        internal static byte[] X2Apic(uint apicId, uint flags, uint uid) => Entry(9, Cat(U16(0), U32(apicId), U32(flags), U32(uid)));
        internal static byte[] X2ApicNmi(ushort flags, uint uid, byte lint) => Entry(10, Cat(U16(flags), U32(uid), new byte[] { lint, 0, 0, 0 }));

        // ---------------------------------------------------------- HPET --
        internal static byte[] Hpet(byte addressSpace, ulong address, byte number = 0, ushort minTick = 0x80, uint blockId = 0x8086A201)
        {
            byte[] body = new byte[20];
            BitConverter.GetBytes(blockId).CopyTo(body, 0);
            body[4] = addressSpace;      // GAS: space, bit width, bit offset, access size, address
            body[5] = 64;
            BitConverter.GetBytes(address).CopyTo(body, 8);
            body[16] = number;
            BitConverter.GetBytes(minTick).CopyTo(body, 17);
            return Table("HPET", 1, body);
        }

        // ---------------------------------------------------------- FADT --
        // A FADT of `length` bytes (116 for ACPI 1.0, 244 for 2.0, 276 for 6.x).
        internal static byte[] Fadt(int length, byte revision, uint pmTimerBlock, byte pmTimerLength = 4, uint flags = 0,
            ushort bootArch = 0, byte xSpace = 1, ulong xAddress = 0)
        {
            byte[] body = new byte[length - 36];
            void Put(int offset, byte[] v) { if (offset + v.Length <= length) v.CopyTo(body, offset - 36); }
            Put(76, U32(pmTimerBlock));
            Put(91, new[] { pmTimerLength });
            Put(109, U16(bootArch));
            Put(112, U32(flags));
            Put(208, new byte[] { xSpace, 32, 0, 3 });
            Put(212, U64(xAddress));
            return Table("FACP", revision, body);
        }
    }

    // A machine's tables at fixed addresses in a FakeAcpiMemory: by default
    // like QEMU's pc machine (one CPU, one I/O APIC, IRQ0 on GSI 2, IRQ9
    // level, HPET, FADT with the PM timer at 0x608), reachable from an
    // RSDP copy at Hint through both an RSDT and an XSDT.
    internal sealed class AcpiWorld
    {
        internal const ulong Hint = 0x10000;
        internal const ulong Rsdt = 0x7FE0000, Xsdt = 0x7FE1000, Madt = 0x7FE2000, Hpet = 0x7FE3000, Fadt = 0x7FE4000, Spare = 0x7FE5000;

        internal readonly FakeAcpiMemory Memory = new FakeAcpiMemory();
        private readonly Dictionary<ulong, int> lengths = new Dictionary<ulong, int>();

        internal static byte[] StandardMadt() => AcpiBytes.Madt(0xFEE00000, 1,
            AcpiBytes.LocalApic(0, 0, AcpiBytes.Enabled),
            AcpiBytes.IoApic(0, 0xFEC00000, 0),
            AcpiBytes.Override(0, 0, 2, 0),
            AcpiBytes.Override(0, 9, 9, 0xD),
            AcpiBytes.LocalApicNmi(0xFF, 0, 1));

        internal static byte[] StandardFadt() => AcpiBytes.Fadt(244, 3, 0x608, 4, 0, 0x2, 1, 0x608);

        // rsdpRevision 0 gives a 20-byte RSDP and no XSDT.
        internal readonly int RsdpLength;   // of the copy at Hint: 20 (revision 0) or 36

        internal AcpiWorld(byte rsdpRevision = 2)
        {
            RsdpLength = rsdpRevision >= 2 ? 36 : 20;
            Table(Madt, StandardMadt());
            Table(Hpet, AcpiBytes.Hpet(0, 0xFED00000));
            Table(Fadt, StandardFadt());
            Roots(Madt, Hpet, Fadt);
            Rsdp(Hint, rsdpRevision);
        }

        internal void Table(ulong at, byte[] bytes) { Memory.Write(at, bytes); lengths[at] = bytes.Length; }

        internal void Rsdp(ulong at, byte revision, uint rsdt = (uint)Rsdt, ulong xsdt = Xsdt, string oem = "OSPREY")
            => Memory.Write(at, AcpiBytes.Rsdp(revision, rsdt, revision >= 2 ? xsdt : 0, oem));

        // Both root tables list `entries` (the RSDT their low halves).
        internal void Roots(params ulong[] entries)
        {
            Memory.Remove(Rsdt, 0x1000);
            Memory.Remove(Xsdt, 0x1000);
            Table(Rsdt, AcpiBytes.Rsdt(entries.Select(e => (uint)e).ToArray()));
            Table(Xsdt, AcpiBytes.Xsdt(entries));
        }

        // Recomputes the checksum of the table written at `at` (over the
        // length it was written with), after a test changed its bytes.
        internal void Rechecksum(ulong at) => Memory.FixChecksum(at, (ulong)lengths[at], at + 9);

        internal int LengthOf(ulong at) => at == Hint ? RsdpLength : lengths[at];

        // Recomputes the checksums of the RSDP at Hint (both, for revision 2).
        internal void RechecksumRsdp()
        {
            Memory.FixChecksum(Hint, 20, Hint + 8);
            if (RsdpLength == 36) Memory.FixChecksum(Hint, 36, Hint + 32);
        }

        internal AcpiInfo Parse(ulong hint = Hint) => AcpiParser.Parse(Memory, hint);
    }
}
