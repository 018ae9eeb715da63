using System.Runtime.InteropServices;

namespace Osprey.Kernel.Arch
{
    // What interrupts.asm leaves on the stack, lowest address first: the
    // general registers it pushed, the vector and error code, then the
    // CPU's own frame (Intel SDM vol. 3A 7.14.1, 64-bit mode: RIP, CS,
    // RFLAGS, RSP, SS are always pushed).
    [StructLayout(LayoutKind.Sequential)]
    internal struct InterruptFrame
    {
        internal ulong R15, R14, R13, R12, R11, R10, R9, R8;
        internal ulong Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
        internal ulong Vector, ErrorCode;
        internal ulong Rip, Cs, Rflags, Rsp, Ss;
    }
}
