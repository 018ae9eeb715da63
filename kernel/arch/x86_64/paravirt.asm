; The guest side of the Osprey paravirtual interface (kernel/README.md,
; "Osprey as a guest"): the VMMCALL hypercall and software interrupts by
; vector number. Declared in kernel/arch/x86_64/Paravirt.cs. SysV ABI.
bits 64
default rel
section .text

global osprey_vmmcall, osprey_soft_int

; long vmmcall(ulong function, ulong rbx, ulong rcx): RAX = function, RBX and
; RCX the arguments, result in RAX (AMD APM vol. 3, VMMCALL: 0F 01 D9; the
; VMM advances RIP past it). RBX is callee-saved in the SysV ABI.
osprey_vmmcall:
    push rbx
    mov rax, rdi
    mov rbx, rsi
    mov rcx, rdx
    vmmcall
    pop rbx
    ret

; void soft_int(int vector): INT n for n in 0..255 (Intel SDM vol. 2A, INT n)
; through a table of 4-byte entries "int n; ret; pad": INT takes its vector
; as an immediate only.
osprey_soft_int:
    movzx eax, dil
    lea rdx, [soft_int_table]
    lea rax, [rdx + rax * 4]
    jmp rax

align 4
soft_int_table:
%assign v 0
%rep 256
    int v
    ret
    nop
%assign v v + 1
%endrep
