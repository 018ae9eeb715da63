using Osprey.Kernel.Arch;
using Osprey.Kernel.Memory;

namespace Osprey.Kernel.SelfTest
{
    // CPU exceptions raised on purpose under Faults.Catch: each is reported
    // with its registers and the run carries on.
    internal sealed unsafe class ExceptionSuite : Suite
    {
        internal override string Name { get { return "exceptions"; } }
        internal override string[] TestNames
        {
            get
            {
                return new string[] {
                    "null_read_page_faults", "unmapped_write_page_faults", "noncanonical_read_gp",
                    "invalid_opcode_ud", "breakpoint_bp", "divide_error_de", "run_continues_after_fault",
                    "exception_names_cover_all_32", "idt_handles_spurious_pic_vector",
                };
            }
        }

        private static void NullRead(ulong a) { Faults.Read64(8); }
        private static void WriteUnmapped(ulong a) { Faults.Write64(a, 0x1234); }
        private static void ReadAt(ulong a) { Faults.Read64(a); }
        private static void Ud(ulong a) { Faults.TriggerInvalidOpcode(0); }
        private static void Bp(ulong a) { Faults.TriggerBreakpoint(0); }
        private static void De(ulong a) { Faults.TriggerDivideError(a); }
        private static void NoFault(ulong a) { }

        internal override void Run(int index, Check t)
        {
            switch (index)
            {
                case 0:
                    t.True(Faults.Catch(&NullRead, 0), "reading address 8 faults");
                    t.Equal(14, (long)Faults.LastVector, "vector");
                    t.EqualHex(8, Faults.LastCr2, "CR2 holds the faulting address");
                    t.Equal(0, (long)(Faults.LastError & 1), "error code says not present");
                    break;
                case 1:
                {
                    // Just past the highest address the memory map reports.
                    ulong a = (PhysicalMemory.HighestAddress + (1UL << 30)) & ~0xFFFUL;
                    t.False(Paging.IsMapped(a), "address beyond the memory map is unmapped");
                    t.True(Faults.Catch(&WriteUnmapped, a), "writing there faults");
                    t.Equal(14, (long)Faults.LastVector, "vector");
                    t.EqualHex(a, Faults.LastCr2, "CR2");
                    t.Equal(2, (long)(Faults.LastError & 2), "error code says write");
                    break;
                }
                case 2:
                    t.True(Faults.Catch(&ReadAt, 0x8000_0000_0000_0000UL), "non-canonical read faults");
                    t.Equal(13, (long)Faults.LastVector, "vector");
                    break;
                case 3:
                    t.True(Faults.Catch(&Ud, 0), "ud2 faults");
                    t.Equal(6, (long)Faults.LastVector, "vector");
                    break;
                case 4:
                    t.True(Faults.Catch(&Bp, 0), "int3 traps");
                    t.Equal(3, (long)Faults.LastVector, "vector");
                    break;
                case 5:
                    t.True(Faults.Catch(&De, 7), "division by zero faults");
                    t.Equal(0, (long)Faults.LastVector, "vector");
                    break;
                case 6:
                {
                    long before = Faults.Caught;
                    t.False(Faults.Catch(&NoFault, 0), "a call that does not fault returns normally");
                    t.True(Faults.Catch(&NullRead, 0), "a second fault is caught too");
                    t.Equal(before + 1, Faults.Caught, "exactly one fault recorded");
                    break;
                }
                case 7:
                    for (ulong v = 0; v < 32; v++) t.True(Exceptions.Name(v).Length > 0, "exception name");
                    t.Equal("page fault (#PF)", Exceptions.Name(14), "vector 14");
                    t.Equal("double fault (#DF)", Exceptions.Name(8), "vector 8");
                    break;
                case 8:
                {
                    // Raise PIC vector 39 (IRQ 7) in software: nothing is in
                    // service, so it must be counted as spurious and dropped.
                    long before = InterruptDispatch.SpuriousCount;
                    Interrupts.RaiseVector39();
                    t.Equal(before + 1, InterruptDispatch.SpuriousCount, "spurious count");
                    break;
                }
            }
        }
    }
}
