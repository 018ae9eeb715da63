; Symbols the NativeAOT-compiled code needs from the runtime that can only be
; written in assembly (see ../../../../shared notes on freestanding NativeAOT).
bits 64
default rel

section .text

; void* osprey_identity(void*): reinterpret an object reference as an
; address, an address as a reference or a byref (no moving collector).
global osprey_identity
osprey_identity:
    mov rax, rdi
    ret

; Reference stores. There is no garbage collector, hence no write barrier:
; RhpAssignRef(ref dst in rdi, object in rsi).
global RhpAssignRef, RhpCheckedAssignRef, RhpAssignRefAVLocation, RhpCheckedAssignRefAVLocation
RhpAssignRef:
RhpCheckedAssignRef:
RhpAssignRefAVLocation:
RhpCheckedAssignRefAVLocation:
    mov [rdi], rsi
    ret

; Custom convention: copy the reference at [rsi] to [rdi], advance both by 8.
global RhpByRefAssignRef, RhpByRefAssignRefAVLocation1, RhpByRefAssignRefAVLocation2
RhpByRefAssignRef:
RhpByRefAssignRefAVLocation1:
    mov rcx, [rsi]
RhpByRefAssignRefAVLocation2:
    mov [rdi], rcx
    add rdi, 8
    add rsi, 8
    ret

global RhpCheckedLockCmpXchg, RhpCheckedXchg
; object RhpCheckedLockCmpXchg(ref object dst, object value, object comparand)
RhpCheckedLockCmpXchg:
    mov rax, rdx
    lock cmpxchg [rdi], rsi
    ret
; object RhpCheckedXchg(ref object dst, object value)
RhpCheckedXchg:
    mov rax, rsi
    xchg [rdi], rax
    ret

; Interface dispatch: a call site does `lea r11, [cell]; call [r11]` with
; `this` in rdi. Resolve in C# (InterfaceDispatch.Resolve(this, cell)),
; preserving every argument register, then jump to the implementation.
extern osprey_resolve_interface
global RhpInitialDynamicInterfaceDispatch, RhpInitialInterfaceDispatch
RhpInitialDynamicInterfaceDispatch:
RhpInitialInterfaceDispatch:
    push rbp
    mov rbp, rsp
    push rdi
    push rsi
    push rdx
    push rcx
    push r8
    push r9
    sub rsp, 8 * 16              ; xmm0-7; keeps rsp 16-byte aligned at the call
    movdqu [rsp + 0x00], xmm0
    movdqu [rsp + 0x10], xmm1
    movdqu [rsp + 0x20], xmm2
    movdqu [rsp + 0x30], xmm3
    movdqu [rsp + 0x40], xmm4
    movdqu [rsp + 0x50], xmm5
    movdqu [rsp + 0x60], xmm6
    movdqu [rsp + 0x70], xmm7
    mov rsi, r11
    call osprey_resolve_interface
    mov r11, rax
    movdqu xmm0, [rsp + 0x00]
    movdqu xmm1, [rsp + 0x10]
    movdqu xmm2, [rsp + 0x20]
    movdqu xmm3, [rsp + 0x30]
    movdqu xmm4, [rsp + 0x40]
    movdqu xmm5, [rsp + 0x50]
    movdqu xmm6, [rsp + 0x60]
    movdqu xmm7, [rsp + 0x70]
    add rsp, 8 * 16
    pop r9
    pop r8
    pop rcx
    pop rdx
    pop rsi
    pop rdi
    pop rbp
    jmp r11

; Block memory helpers the compiler may call.
global memset, memcpy, memmove, RhpCopyAnyWithWriteBarrier
memset:                 ; void* memset(void* d, int c, size_t n)
    mov r9, rdi
    mov eax, esi
    mov rcx, rdx
    rep stosb
    mov rax, r9
    ret
memcpy:
memmove:                ; void* memmove(void* d, const void* s, size_t n)
RhpCopyAnyWithWriteBarrier:
    mov rax, rdi
    mov rcx, rdx
    cmp rdi, rsi
    jbe .forward
    lea r8, [rsi + rdx]
    cmp rdi, r8
    jae .forward
    ; overlapping with destination above source: copy backwards
    lea rsi, [rsi + rdx - 1]
    lea rdi, [rdi + rdx - 1]
    std
    rep movsb
    cld
    ret
.forward:
    rep movsb
    ret

section .data
align 8
global __security_cookie
__security_cookie: dq 0x2B992DDFA232

section .note.GNU-stack noalloc noexec nowrite progbits

section .text
; Addresses the linker script defines, for C# (kernel/arch/x86_64/Image.cs).
extern __image_start, __image_end, __modules_start, __modules_end, boot_stack_bottom, boot_stack_top
global osprey_image_start, osprey_image_end, osprey_modules_start, osprey_modules_end, osprey_boot_stack_bottom, osprey_boot_stack_top
osprey_image_start:
    lea rax, [rel __image_start]
    ret
osprey_image_end:
    lea rax, [rel __image_end]
    ret
osprey_modules_start:
    lea rax, [rel __modules_start]
    ret
osprey_modules_end:
    lea rax, [rel __modules_end]
    ret
osprey_boot_stack_bottom:
    lea rax, [rel boot_stack_bottom]
    ret
osprey_boot_stack_top:
    lea rax, [rel boot_stack_top]
    ret

extern ksym_start
global osprey_ksymtab
osprey_ksymtab:
    lea rax, [rel ksym_start]
    ret
