using Osprey.Kernel.Memory;
using Osprey.Kernel.Time;

namespace Osprey.Kernel.Arch
{
    // The HPET's main counter, used only as a calibration reference (no
    // comparators, no interrupts). IA-PC HPET specification 1.0a:
    // section 2.3.4 General Capabilities and ID (offset 0x000: period in fs
    // in bits 63:32, COUNT_SIZE_CAP in bit 13), 2.3.5 General Configuration
    // (0x010: ENABLE_CNF in bit 0 starts the main counter), 2.3.7 Main
    // Counter Value (0x0F0).
    internal static class Hpet
    {
        private const ulong RegCapabilities = 0x000, RegConfig = 0x010, RegCounter = 0x0F0;

        internal static ulong Base;          // 0: not set up
        internal static ulong Hz;
        internal static int Bits;

        // Maps the block the ACPI HPET table names and starts its counter if
        // the firmware left it stopped. Returns null, or why it cannot serve.
        internal static string Initialize(ulong address)
        {
            if (address == 0) return "no HPET table";
            if (Base != address) Paging.MapDevice(address, 1024);
            ulong caps = Cpu.MmioRead64(address + RegCapabilities);
            ulong hz = ReferenceMath.HpetHz(caps);
            if (hz == 0) return "HPET period " + (caps >> 32) + " fs is outside 1..100,000,000";
            Base = address;
            Hz = hz;
            Bits = ReferenceMath.HpetCounterBits(caps);
            ulong conf = Cpu.MmioRead64(address + RegConfig);
            if ((conf & 1) == 0) Cpu.MmioWrite64(address + RegConfig, conf | 1);
            return null;
        }

        // A 32-bit counter's upper half is not defined: keep the low bits.
        internal static ulong Read()
        {
            ulong v = Cpu.MmioRead64(Base + RegCounter);
            return Bits == 64 ? v : v & 0xFFFFFFFFUL;
        }
    }
}
