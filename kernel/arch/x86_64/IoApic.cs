using Osprey.Kernel.Acpi;
using Osprey.Kernel.Memory;

namespace Osprey.Kernel.Arch
{
    // The I/O APICs the MADT lists: device interrupts (global system
    // interrupts, GSIs) routed to local-APIC vectors. Registers are reached
    // through the index/data window (IOREGSEL at +0x00, IOWIN at +0x10);
    // register 1 is the version (bits 16-23: highest redirection entry),
    // registers 0x10 + 2n / 0x11 + 2n the 64-bit redirection entry n
    // (82093AA I/O APIC data sheet, 3.2). Every entry starts masked; a
    // driver routes the lines it uses. ISA IRQs go through the MADT's
    // interrupt source overrides (IRQ 0 is GSI 2 on most PCs).
    internal static class IoApic
    {
        internal const int MaxControllers = AcpiInfo.MaxIoApics;
        private const uint EntryMasked = 1u << 16, EntryLevel = 1u << 15, EntryActiveLow = 1u << 13;

        private static ulong[] bases = new ulong[MaxControllers];
        private static uint[] gsiBase = new uint[MaxControllers];
        private static int[] entries = new int[MaxControllers];
        private static int count;
        private static AcpiInfo acpi;

        internal static int Count { get { return count; } }
        internal static int EntriesOf(int i) { return entries[i]; }
        // Register 1 of controller i (bits 0-7 version, 16-23 highest entry).
        internal static uint Version(int i) { return Read(i, 1); }

        // Maps and masks every I/O APIC the MADT gives. Without a usable
        // MADT there is none: device interrupts are then unavailable (the
        // timer is the local APIC's and needs no routing).
        internal static void Initialize(AcpiInfo info)
        {
            acpi = info;
            count = 0;
            if (info == null || !info.Found || info.Error != null)
            {
                Log.WriteLine("osprey: no usable MADT: I/O APIC routing disabled, device interrupts unavailable");
                return;
            }
            for (int i = 0; i < info.IoApicCount && count < MaxControllers; i++)
            {
                ulong a = info.IoApics[i].Address;
                if (a == 0 || (a & 0xF) != 0) { Log.WriteLine("osprey: warning: I/O APIC " + info.IoApics[i].Id + " has a bad address; skipped"); continue; }
                Paging.MapDevice(a, 4096);
                bases[count] = a;
                gsiBase[count] = info.IoApics[i].GsiBase;
                entries[count] = (int)((Read(count, 1) >> 16) & 0xFF) + 1;
                for (int n = 0; n < entries[count]; n++) Write(count, 0x10 + 2 * (uint)n, EntryMasked);
                count++;
            }
        }

        // IOREGSEL then IOWIN under windowLock (interrupts off): a thread preempted between
        // the two would read or write the register that the thread (or
        // interrupt handler) that ran meanwhile selected
        // (irq.ioapic_window_under_preemption).
        // Guards the IOREGSEL/IOWIN window of every I/O APIC and the
        // multi-register entry updates.
        private static SpinLock windowLock;

        private static uint Read(int ioapic, uint reg)
        {
            ulong flags = windowLock.Acquire();
            uint v = ReadHeld(ioapic, reg);
            windowLock.Release(flags);
            return v;
        }

        private static void Write(int ioapic, uint reg, uint value)
        {
            ulong flags = windowLock.Acquire();
            WriteHeld(ioapic, reg, value);
            windowLock.Release(flags);
        }

        // The window itself; the caller holds windowLock.
        private static uint ReadHeld(int ioapic, uint reg)
        {
            Cpu.MmioWrite32(bases[ioapic], reg);
            return Cpu.MmioRead32(bases[ioapic] + 0x10);
        }

        private static void WriteHeld(int ioapic, uint reg, uint value)
        {
            Cpu.MmioWrite32(bases[ioapic], reg);
            Cpu.MmioWrite32(bases[ioapic] + 0x10, value);
        }

        // The controller and entry serving gsi, or false.
        private static bool Find(uint gsi, out int ioapic, out uint entry)
        {
            ioapic = -1; entry = 0;
            for (int i = 0; i < count; i++)
                if (gsi >= gsiBase[i] && gsi < gsiBase[i] + (uint)entries[i] && (ioapic < 0 || gsiBase[i] > gsiBase[ioapic])) ioapic = i;
            if (ioapic < 0) return false;
            entry = gsi - gsiBase[ioapic];
            return true;
        }

        // Routes gsi to `vector` on the CPU with local APIC id `apicId`
        // (fixed delivery, physical destination), unmasked. False when no
        // I/O APIC serves that GSI or the vector is not a device vector.
        internal static bool Route(uint gsi, int vector, bool activeLow, bool level, uint apicId)
        {
            int io; uint e;
            if (vector < 0x20 || vector > 0xEF || !Find(gsi, out io, out e)) return false;
            uint low = (uint)vector | (activeLow ? EntryActiveLow : 0) | (level ? EntryLevel : 0);
            ulong flags = windowLock.Acquire();                // one entry, one update
            WriteHeld(io, 0x10 + 2 * e, EntryMasked);          // masked while changing
            WriteHeld(io, 0x11 + 2 * e, apicId << 24);
            WriteHeld(io, 0x10 + 2 * e, low);
            windowLock.Release(flags);
            return true;
        }

        // An ISA IRQ through the interrupt source overrides; returns the GSI
        // used, or -1.
        internal static long RouteIsa(int irq, int vector, uint apicId)
        {
            bool activeLow = false, level = false;
            uint gsi = acpi != null ? acpi.IsaIrqToGsi(irq, out activeLow, out level) : (uint)irq;
            return Route(gsi, vector, activeLow, level, apicId) ? gsi : -1;
        }

        internal static bool Mask(uint gsi)
        {
            int io; uint e;
            if (!Find(gsi, out io, out e)) return false;
            ulong flags = windowLock.Acquire();                // read-modify-write of the entry
            WriteHeld(io, 0x10 + 2 * e, ReadHeld(io, 0x10 + 2 * e) | EntryMasked);
            windowLock.Release(flags);
            return true;
        }

        // The low word of gsi's redirection entry (tests), or 0xFFFFFFFF.
        internal static uint EntryLow(uint gsi)
        {
            int io; uint e;
            if (!Find(gsi, out io, out e)) return 0xFFFFFFFF;
            return Read(io, 0x10 + 2 * e);
        }
    }
}
