using System.Runtime;
using System.Runtime.CompilerServices;

namespace Osprey.Kernel.Arch
{
    // The CPU operations the portable kernel uses, each a few instructions of
    // assembly in cpu.asm (SysV calling convention).
    internal static unsafe class Cpu
    {
        private const MethodImplOptions Call = MethodImplOptions.InternalCall;

        [MethodImpl(Call), RuntimeImport("*", "osprey_outb")] internal static extern void Out8(ushort port, byte value);
        [MethodImpl(Call), RuntimeImport("*", "osprey_outw")] internal static extern void Out16(ushort port, ushort value);
        [MethodImpl(Call), RuntimeImport("*", "osprey_outd")] internal static extern void Out32(ushort port, uint value);
        [MethodImpl(Call), RuntimeImport("*", "osprey_inb")] internal static extern byte In8(ushort port);
        [MethodImpl(Call), RuntimeImport("*", "osprey_inw")] internal static extern ushort In16(ushort port);
        [MethodImpl(Call), RuntimeImport("*", "osprey_ind")] internal static extern uint In32(ushort port);

        [MethodImpl(Call), RuntimeImport("*", "osprey_cli")] internal static extern void DisableInterrupts();
        [MethodImpl(Call), RuntimeImport("*", "osprey_sti")] internal static extern void EnableInterrupts();
        [MethodImpl(Call), RuntimeImport("*", "osprey_hlt")] internal static extern void Halt();
        [MethodImpl(Call), RuntimeImport("*", "osprey_sti_hlt")] internal static extern void EnableInterruptsAndHalt();
        [MethodImpl(Call), RuntimeImport("*", "osprey_pause")] internal static extern void Pause();
        [MethodImpl(Call), RuntimeImport("*", "osprey_save_flags_cli")] internal static extern ulong SaveFlagsAndDisable();
        [MethodImpl(Call), RuntimeImport("*", "osprey_restore_flags")] internal static extern void RestoreFlags(ulong flags);

        [MethodImpl(Call), RuntimeImport("*", "osprey_rdtsc")] internal static extern ulong ReadTsc();
        [MethodImpl(Call), RuntimeImport("*", "osprey_rdmsr")] internal static extern ulong ReadMsr(uint msr);
        [MethodImpl(Call), RuntimeImport("*", "osprey_wrmsr")] internal static extern void WriteMsr(uint msr, ulong value);
        [MethodImpl(Call), RuntimeImport("*", "osprey_wrmsr_fenced")] internal static extern void WriteMsrFenced(uint msr, ulong value);
        [MethodImpl(Call), RuntimeImport("*", "osprey_cpuid")] internal static extern void CpuId(uint leaf, uint subleaf, uint* eaxEbxEcxEdx);

        [MethodImpl(Call), RuntimeImport("*", "osprey_read_cr0")] internal static extern ulong ReadCr0();
        [MethodImpl(Call), RuntimeImport("*", "osprey_read_cr2")] internal static extern ulong ReadCr2();
        [MethodImpl(Call), RuntimeImport("*", "osprey_read_cr3")] internal static extern ulong ReadCr3();
        [MethodImpl(Call), RuntimeImport("*", "osprey_read_cr4")] internal static extern ulong ReadCr4();
        [MethodImpl(Call), RuntimeImport("*", "osprey_write_cr0")] internal static extern void WriteCr0(ulong value);
        [MethodImpl(Call), RuntimeImport("*", "osprey_write_cr3")] internal static extern void WriteCr3(ulong value);
        [MethodImpl(Call), RuntimeImport("*", "osprey_write_cr4")] internal static extern void WriteCr4(ulong value);
        [MethodImpl(Call), RuntimeImport("*", "osprey_invlpg")] internal static extern void InvalidatePage(void* address);
        [MethodImpl(Call), RuntimeImport("*", "osprey_lidt")] internal static extern void LoadIdt(void* descriptor);
        [MethodImpl(Call), RuntimeImport("*", "osprey_lgdt")] internal static extern void LoadGdt(void* descriptor, ushort codeSelector, ushort dataSelector);
        [MethodImpl(Call), RuntimeImport("*", "osprey_ltr")] internal static extern void LoadTaskRegister(ushort selector);
        [MethodImpl(Call), RuntimeImport("*", "osprey_read_rsp")] internal static extern ulong ReadStackPointer();

        [MethodImpl(Call), RuntimeImport("*", "osprey_mmio_read32")] internal static extern uint MmioRead32(ulong address);
        [MethodImpl(Call), RuntimeImport("*", "osprey_mmio_write32")] internal static extern void MmioWrite32(ulong address, uint value);
        [MethodImpl(Call), RuntimeImport("*", "osprey_mmio_read64")] internal static extern ulong MmioRead64(ulong address);
        [MethodImpl(Call), RuntimeImport("*", "osprey_mmio_write64")] internal static extern void MmioWrite64(ulong address, ulong value);
        [MethodImpl(Call), RuntimeImport("*", "osprey_mfence")] internal static extern void MemoryFence();

        // cpu.asm: the per-CPU block through GS and the ticket lock.
        [MethodImpl(Call), RuntimeImport("*", "osprey_cpu_block")] internal static extern CpuBlock* CurrentBlock();
        [MethodImpl(Call), RuntimeImport("*", "osprey_cpu_object")] internal static extern object CurrentObject();
        [MethodImpl(Call), RuntimeImport("*", "osprey_spin_acquire")] internal static extern ulong SpinAcquire(void* spinLock);
        [MethodImpl(Call), RuntimeImport("*", "osprey_spin_release")] internal static extern void SpinRelease(void* spinLock, ulong flags);
        [MethodImpl(Call), RuntimeImport("*", "osprey_take_ticket")] internal static extern uint TakeTicket(uint* counter);
        [MethodImpl(Call), RuntimeImport("*", "osprey_atomic_add")] internal static extern uint AtomicAdd(uint* counter, uint value);

        // switch.asm: save callee-saved state, store rsp in *saveSp, continue on newSp.
        [MethodImpl(Call), RuntimeImport("*", "osprey_switch")] internal static extern void Switch(ulong* saveSp, ulong newSp);
        [MethodImpl(Call), RuntimeImport("*", "osprey_thread_start_address")] internal static extern ulong ThreadStartAddress();

        [MethodImpl(Call), RuntimeImport("*", "memmove")] internal static extern void* MemMove(void* destination, void* source, ulong count);
        [MethodImpl(Call), RuntimeImport("*", "memset")] internal static extern void* MemSet(void* destination, int value, ulong count);

        // Stop this CPU for good (after a panic): interrupts off, halt forever.
        internal static void HaltForever()
        {
            DisableInterrupts();
            while (true) Halt();
        }
    }
}
