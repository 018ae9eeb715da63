; Context switch: the only assembly the thread code needs. Everything else
; (choosing the heir, accounting, stacks) is C#.
;
; void osprey_switch(ulong* saveSp, ulong newSp)
;   Saves the callee-saved state of the System V ABI (rbx, rbp, r12-r15, and
;   the MXCSR and x87 control word, which the ABI also makes callee-saved) on
;   the current stack, stores the stack pointer in *saveSp (the switch
;   handle), loads newSp and restores the same state from it. The caller-saved
;   registers, including every xmm register, are dead across a call, so they
;   need no saving here; a thread preempted by an interrupt had its full state
;   (all general registers and fxsave) saved by interrupts.asm before the
;   C# handler ran, and it is switched out from that handler's tail.
;   Called with interrupts disabled; each resumption point restores its own
;   interrupt flag (a popf, an iretq, or the sti of a new thread).
bits 64
default rel
section .text

global osprey_switch, osprey_thread_start
osprey_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8
    stmxcsr [rsp]
    fnstcw [rsp + 4]
    mov [rdi], rsp
    mov rsp, rsi
    ldmxcsr [rsp]
    fldcw [rsp + 4]
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; First code of every new thread: its initial stack (built by
; Machine.InitialContext in kernel/arch/Arch.cs) makes osprey_switch
; "return" here with r12 = the C# entry function and rbx = its argument (the
; Thread). The stack pointer is 16-byte aligned at this point, as a call
; requires.
osprey_thread_start:
    mov rdi, rbx
    sti
    call r12
    ud2                         ; the entry never returns (it exits the thread)

; Memory-mapped I/O: one access of exactly the given width that the compiler
; can neither remove, merge nor reorder (local APIC, I/O APIC, HPET).
global osprey_mmio_read32, osprey_mmio_write32, osprey_mmio_read64, osprey_mmio_write64, osprey_mfence
osprey_mmio_read32:
    mov eax, [rdi]
    ret
osprey_mmio_write32:
    mov [rdi], esi
    ret
osprey_mmio_read64:
    mov rax, [rdi]
    ret
osprey_mmio_write64:
    mov [rdi], rsi
    ret
osprey_mfence:
    mfence
    ret

global osprey_thread_start_address
osprey_thread_start_address:
    lea rax, [rel osprey_thread_start]
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
