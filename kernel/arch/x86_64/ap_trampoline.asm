; The application processors' start-up code. An AP leaves its wait-for-SIPI
; state in 16-bit real mode at CS:IP = (SIPI vector << 8):0 (Intel SDM vol.
; 3A 9.4.4 "MP Initialization Example", 11.6.1 "Interrupt Command Register";
; AMD APM vol. 2 16.5), so this code runs from a copy in a 4 KiB page below
; 1 MiB (kernel/arch/x86_64/ApTrampoline.cs copies it and fills the data
; fields). It is position independent: every address is an offset from the
; page start, made linear from CS at run time. Path: real mode -> 32-bit
; protected mode with the trampoline's own GDT -> long mode with the boot
; CPU's page tables (CR3 below 4 GiB; they identity-map this page) -> the
; C# entry osprey_ap_main(cpu index) on a stack of its own.
bits 16
default abs
section .rodata
align 16
global osprey_ap_trampoline_start, osprey_ap_trampoline_end
osprey_ap_trampoline_start:
T equ osprey_ap_trampoline_start
    jmp short real_start
    times 8 - ($ - T) db 0
; Data fields, filled by ApTrampoline.cs at these offsets (keep in step).
f_cr3:      dq 0            ; 8: the boot CPU's CR3 (PML4 below 4 GiB)
f_stack:    dq 0            ; 16: stack top; taken (swapped with 0) by the one AP that uses it
f_entry:    dq 0            ; 24: address of osprey_ap_main
f_index:    dq 0            ; 32: the CPU index passed in edi
f_cr4:      dq 0            ; 40: the boot CPU's CR4, loaded in long mode
f_cr0:      dq 0            ; 48: the boot CPU's CR0, loaded in long mode
f_efer:     dq 0            ; 56: the boot CPU's EFER (LME, NXE; LMA cleared)
f_arrived:  dd 0            ; 64: set to 1 by the first real-mode instruction stored
f_far32:    dd 0            ; 68: far pointer to pm32 (offset made linear at run time)
            dw 0x08, 0      ; 72: 32-bit code selector
f_far64:    dd 0            ; 76: far pointer to lm64
            dw 0x18, 0      ; 80: 64-bit code selector
align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF   ; 0x08: 32-bit code, flat
    dq 0x00CF92000000FFFF   ; 0x10: data, flat
    dq 0x00AF9A000000FFFF   ; 0x18: 64-bit code
gdt_end:
gdtr:
    dw gdt_end - gdt - 1
    dd 0                    ; linear base, set at run time

real_start:
    cli
    cld
    mov ax, cs
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ebx, ebx
    mov bx, ax
    shl ebx, 4                          ; linear address of this page
    mov dword [f_arrived - T], 1
    lea eax, [ebx + (gdt - T)]
    mov [gdtr - T + 2], eax
    lea eax, [ebx + (pm32 - T)]
    mov [f_far32 - T], eax
    lea eax, [ebx + (lm64 - T)]
    mov [f_far64 - T], eax
    o32 lgdt [gdtr - T]
    mov eax, cr0
    or eax, 1                           ; CR0.PE
    mov cr0, eax
    jmp dword far [f_far32 - T]

bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    ; Long mode activation: CR4.PAE, CR3, EFER.LME, then CR0.PG
    ; (Intel SDM vol. 3A 10.8.5; AMD APM vol. 2 14.6.1).
    mov eax, cr4
    or eax, 1 << 5
    mov cr4, eax
    mov eax, [ebx + (f_cr3 - T)]
    mov cr3, eax
    mov ecx, 0xC0000080
    mov eax, [ebx + (f_efer - T)]
    mov edx, [ebx + (f_efer - T) + 4]
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | 1
    mov cr0, eax
    jmp far [ebx + (f_far64 - T)]

bits 64
lm64:
    mov ebx, ebx                        ; upper halves are undefined after the mode switch
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    ; The boot CPU's control registers: SSE enabled (CR4.OSFXSR/OSXMMEXCPT,
    ; CR0.MP set, EM clear) before any managed instruction.
    mov rax, [rbx + (f_cr4 - T)]
    mov cr4, rax
    mov rax, [rbx + (f_cr0 - T)]
    mov cr0, rax
    fninit
    ; Take the stack: one AP only (a late AP from an earlier, abandoned
    ; start finds 0 here and parks).
    xor eax, eax
    xchg rax, [rbx + (f_stack - T)]
    test rax, rax
    jz .park
    mov rsp, rax
    mov edi, [rbx + (f_index - T)]
    mov rax, [rbx + (f_entry - T)]
    xor ebp, ebp
    call rax
.park:
    cli
    hlt
    jmp .park
osprey_ap_trampoline_end:

section .text
bits 64
default rel
global osprey_ap_trampoline_address, osprey_ap_trampoline_size, osprey_ap_main_address
extern osprey_ap_main
osprey_ap_trampoline_address:
    lea rax, [rel osprey_ap_trampoline_start]
    ret
osprey_ap_trampoline_size:
    mov eax, osprey_ap_trampoline_end - osprey_ap_trampoline_start
    ret
osprey_ap_main_address:
    lea rax, [rel osprey_ap_main]
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
