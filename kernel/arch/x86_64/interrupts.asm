; Interrupt and exception entry stubs. Every vector gets a stub that pushes
; an error code (a zero where the CPU pushes none: Intel SDM vol. 3A 7.3,
; table 7-1), then its vector, then joins the common path, which saves the
; general registers and the SSE state (C# handlers use xmm registers) and
; calls InterruptDispatch (C#) with a pointer to the InterruptFrame.
bits 64
default rel
section .text

extern osprey_interrupt_dispatch

%macro STUB_NOERR 1
isr_stub_%1:
    push 0
    push %1
    jmp interrupt_common
%endmacro
%macro STUB_ERR 1
isr_stub_%1:
    push %1
    jmp interrupt_common
%endmacro

%assign v 0
%rep 256
%if v = 8 || v = 10 || v = 11 || v = 12 || v = 13 || v = 14 || v = 17 || v = 21 || v = 29 || v = 30
    STUB_ERR v
%else
    STUB_NOERR v
%endif
%assign v v + 1
%endrep

interrupt_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp                ; InterruptFrame*
    mov rbx, rsp
    sub rsp, 512
    and rsp, -16
    fxsave [rsp]
    cld
    call osprey_interrupt_dispatch
    fxrstor [rsp]
    mov rsp, rbx
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                 ; vector and error code
    iretq

section .rodata
align 8
global osprey_isr_table
osprey_isr_table:
%assign v 0
%rep 256
    dq isr_stub_ %+ v
%assign v v + 1
%endrep

section .text
; --- Expected faults (self-tests and probes) ------------------------------
; ulong osprey_catch_call(void (*fn)(ulong), ulong arg, CatchBuffer* buf)
; Calls fn(arg) and returns 0. If fn faults while the C# fault handler has
; this buffer armed, the handler resumes at osprey_catch_recover with rdi =
; buf, which restores the callee-saved registers and the stack pointer saved
; here and returns 1 from osprey_catch_call.
global osprey_catch_call, osprey_catch_recover
osprey_catch_call:
    mov [rdx + 0], rbx
    mov [rdx + 8], rbp
    mov [rdx + 16], r12
    mov [rdx + 24], r13
    mov [rdx + 32], r14
    mov [rdx + 40], r15
    mov [rdx + 48], rsp         ; points at our return address
    mov rax, rdi
    mov rdi, rsi
    sub rsp, 8                  ; 16-byte alignment for the call
    call rax
    add rsp, 8
    xor eax, eax
    ret
osprey_catch_recover:
    mov rbx, [rdi + 0]
    mov rbp, [rdi + 8]
    mov r12, [rdi + 16]
    mov r13, [rdi + 24]
    mov r14, [rdi + 32]
    mov r15, [rdi + 40]
    mov rsp, [rdi + 48]
    mov eax, 1
    ret

; Deliberate faults for the exception self-tests.
global osprey_read64, osprey_write64, osprey_trigger_ud, osprey_trigger_int3, osprey_trigger_de
osprey_read64:
    mov rax, [rdi]
    ret
osprey_write64:
    mov [rdi], rsi
    ret
osprey_trigger_ud:
    ud2
    ret
osprey_trigger_int3:
    int3
    ret
osprey_trigger_de:
    xor edx, edx
    mov rax, rdi
    xor ecx, ecx
    div rcx
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
section .text
global osprey_isr_table_address, osprey_catch_recover_address
osprey_isr_table_address:
    lea rax, [rel osprey_isr_table]
    ret
osprey_catch_recover_address:
    lea rax, [rel osprey_catch_recover]
    ret
global osprey_raise_vector39
osprey_raise_vector39:
    int 39
    ret
