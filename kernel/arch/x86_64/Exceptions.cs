namespace Osprey.Kernel.Arch
{
    // CPU exceptions 0-31 (Intel SDM vol. 3A 7.15). An exception is either
    // expected (a self-test or probe armed Faults.Catch: it is recorded,
    // reported with its registers, and execution resumes after the call) or
    // fatal: its name, vector, error code, RIP, CR2 and registers go to every
    // console and the kernel panics.
    internal static unsafe class Exceptions
    {
        internal static string Name(ulong vector)
        {
            switch (vector)
            {
                case 0: return "divide error (#DE)";
                case 1: return "debug (#DB)";
                case 2: return "non-maskable interrupt (NMI)";
                case 3: return "breakpoint (#BP)";
                case 4: return "overflow (#OF)";
                case 5: return "bound range exceeded (#BR)";
                case 6: return "invalid opcode (#UD)";
                case 7: return "device not available (#NM)";
                case 8: return "double fault (#DF)";
                case 9: return "coprocessor segment overrun";
                case 10: return "invalid TSS (#TS)";
                case 11: return "segment not present (#NP)";
                case 12: return "stack-segment fault (#SS)";
                case 13: return "general protection (#GP)";
                case 14: return "page fault (#PF)";
                case 15: return "reserved vector 15";
                case 16: return "x87 floating-point error (#MF)";
                case 17: return "alignment check (#AC)";
                case 18: return "machine check (#MC)";
                case 19: return "SIMD floating-point exception (#XM)";
                case 20: return "virtualization exception (#VE)";
                case 21: return "control protection (#CP)";
                case 28: return "hypervisor injection exception (#HV)";
                case 29: return "VMM communication exception (#VC)";
                case 30: return "security exception (#SX)";
                default: return "reserved exception";
            }
        }

        // The kernel's context for a fatal report (Machine.SetFaultUpcall):
        // describe(cr2, rsp, vector) writes its lines inside the panic.
        private static delegate*<ulong, ulong, ulong, void> describer;

        internal static void SetDescriber(delegate*<ulong, ulong, ulong, void> d) { describer = d; }

        internal static void Handle(InterruptFrame* f)
        {
            ulong cr2 = Cpu.ReadCr2();
            if (Faults.TryRecover(f, cr2)) return;
            Panic.Begin();
            Log.Write("PANIC: CPU exception: ");
            Dump(f, cr2);
            Panic.End();
        }

        // The report: name, vector, error code, RIP (with symbol), CR2, the
        // thread or test running, and the registers.
        internal static void Dump(InterruptFrame* f, ulong cr2)
        {
            Log.Write(Name(f->Vector));
            Log.Write(" vector ");
            Log.Dec((long)f->Vector);
            Log.Write(" error ");
            Log.Hex(f->ErrorCode, 4);
            if (f->Vector == 14) { Log.Write(" ("); DescribePageFault(f->ErrorCode); Log.Write(")"); }
            Log.Write("\n    # RIP ");
            Symbols.WriteAddress(f->Rip);
            Log.Write("\n    # CR2 "); Log.Hex(cr2);
            Log.Write(" CS "); Log.Hex(f->Cs, 4);
            Log.Write(" RFLAGS "); Log.Hex(f->Rflags, 8);
            Log.Write(" SS:RSP "); Log.Hex(f->Ss, 4); Log.Write(":"); Log.Hex(f->Rsp);
            if (describer != null) describer(cr2, f->Rsp, f->Vector);
            Log.Write("\n    # RAX "); Log.Hex(f->Rax); Log.Write(" RBX "); Log.Hex(f->Rbx); Log.Write(" RCX "); Log.Hex(f->Rcx);
            Log.Write("\n    # RDX "); Log.Hex(f->Rdx); Log.Write(" RSI "); Log.Hex(f->Rsi); Log.Write(" RDI "); Log.Hex(f->Rdi);
            Log.Write("\n    # RBP "); Log.Hex(f->Rbp); Log.Write(" R8  "); Log.Hex(f->R8); Log.Write(" R9  "); Log.Hex(f->R9);
            Log.Write("\n    # R10 "); Log.Hex(f->R10); Log.Write(" R11 "); Log.Hex(f->R11); Log.Write(" R12 "); Log.Hex(f->R12);
            Log.Write("\n    # R13 "); Log.Hex(f->R13); Log.Write(" R14 "); Log.Hex(f->R14); Log.Write(" R15 "); Log.Hex(f->R15);
            Log.Write("\n");
        }

        // Page-fault error code bits (Intel SDM vol. 3A 5.7, figure 5-12).
        private static void DescribePageFault(ulong e)
        {
            Log.Write((e & 1) != 0 ? "protection violation" : "page not present");
            Log.Write((e & 2) != 0 ? ", write" : ", read");
            if ((e & 16) != 0) Log.Write(", instruction fetch");
            if ((e & 8) != 0) Log.Write(", reserved bit set");
        }
    }
}
