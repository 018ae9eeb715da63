; Osprey boot entry: multiboot1 and multiboot2 headers, the 32-bit entry
; both loaders jump to, and the switch to 64-bit long mode.
;
; Both loaders enter in 32-bit protected mode with paging off, EAX = loader
; magic and EBX = physical address of the boot information (Multiboot 0.6.96
; section 3.2; Multiboot2 1.6 section 3.3). The stub maps the low 4 GiB with
; 2 MiB pages only as a temporary bridge: kernel/mem/Paging.cs replaces these
; tables with ones built from the firmware memory map before anything else
; runs. Until then the frame allocator hands out nothing above 4 GiB
; (PhysicalMemory.BootMappedEnd must match the span mapped here).

bits 32

MB1_MAGIC        equ 0x1BADB002
MB1_FLAGS        equ (1 << 1) | (1 << 16)      ; memory info, a.out kludge (addresses below)
MB2_MAGIC        equ 0xE85250D6

extern __image_start, __load_end, __bss_end, kmain

section .multiboot
align 4
mb1_header:
    dd MB1_MAGIC
    dd MB1_FLAGS
    dd -(MB1_MAGIC + MB1_FLAGS)
    dd mb1_header            ; header_addr
    dd __image_start         ; load_addr
    dd __load_end            ; load_end_addr
    dd __bss_end             ; bss_end_addr
    dd _start32              ; entry_addr

align 8
mb2_header:
    dd MB2_MAGIC
    dd 0                                   ; architecture: i386 protected mode
    dd mb2_header_end - mb2_header
    dd -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
    ; entry address tag (type 3)
    align 8
    dw 3, 0
    dd 12
    dd _start32
    ; framebuffer request tag (type 5), optional: 1024x768x32 preferred.
    ; Without it GRUB under UEFI gives the kernel no console at all.
    align 8
    dw 5, 1
    dd 20
    dd 1024, 768, 32
    ; module alignment tag (type 6): modules page aligned
    align 8
    dw 6, 0
    dd 8
    ; end tag
    align 8
    dw 0, 0
    dd 8
mb2_header_end:

section .text
global _start32
_start32:
    cli
    cld
    mov [boot_magic], eax
    mov [boot_info], ebx
    mov esp, boot_stack_top

    ; Long mode present? (CPUID 8000_0001h EDX bit 29; Intel SDM vol. 2A CPUID)
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode

    ; Temporary tables: PML4[0] -> PDPT, PDPT[0..3] -> 4 page directories of
    ; 512 x 2 MiB pages (present | writable | large).
    mov eax, boot_pdpt
    or eax, 3
    mov [boot_pml4], eax
    mov ecx, 0
.pdpt_loop:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd
    or eax, 3
    mov [boot_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .pdpt_loop
    mov ecx, 0
.pd_loop:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [boot_pd + ecx * 8], eax
    mov eax, ecx
    shr eax, 11                 ; high dword of the 2 MiB frame address
    mov [boot_pd + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jb .pd_loop

    ; CR4.PAE, CR3, EFER.LME and EFER.NXE, then CR0.PG (Intel SDM vol. 3A 10.8.5)
    mov eax, cr4
    or eax, 1 << 5
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax
    mov ecx, 0xC0000080
    rdmsr
    or eax, (1 << 8) | (1 << 11)
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | 1
    mov cr0, eax
    lgdt [boot_gdt_ptr]
    jmp 0x08:long_entry

.no_long_mode:
    ; Say so on COM1 and halt: this CPU cannot run a 64-bit kernel.
    mov esi, no_lm_msg
.msg:
    lodsb
    test al, al
    jz .halt
    mov dx, 0x3F8
    out dx, al
    jmp .msg
.halt:
    hlt
    jmp .halt

bits 64
long_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top

    ; SSE before any managed code: CR0.EM clear, CR0.MP set, CR4.OSFXSR and
    ; CR4.OSXMMEXCPT set (Intel SDM vol. 3A 14.1.3). The compiler emits SSE2.
    mov rax, cr0
    and rax, ~(1 << 2)
    or rax, 1 << 1
    mov cr0, rax
    mov rax, cr4
    or rax, (1 << 9) | (1 << 10)
    mov cr4, rax
    fninit

    ; Early interrupt table for the 32 exception vectors, before any managed
    ; code: a fault until the kernel loads its own table (Idt.Initialize)
    ; is reported on COM1 instead of resetting the machine silently. Gate
    ; format: Intel SDM vol. 3A 7.14.1 (64-bit interrupt gate, type 0xE).
    mov rdi, early_idt
    xor ecx, ecx
.early_idt_loop:
    mov rax, rcx
    shl rax, 4                   ; stubs are 16 bytes apart
    add rax, early_stubs
    mov rdx, rax
    and edx, 0xFFFF              ; offset 15:0
    mov r8, (0x08 << 16) | (0x8E << 40)   ; code selector, present DPL 0 interrupt gate
    or rdx, r8
    mov r8, rax
    shr r8, 16
    and r8, 0xFFFF
    shl r8, 48                   ; offset 31:16
    or rdx, r8
    mov r9, rcx
    shl r9, 4
    mov [rdi + r9], rdx
    shr rax, 32                  ; offset 63:32, then reserved
    mov [rdi + r9 + 8], rax
    inc ecx
    cmp ecx, 32
    jb .early_idt_loop
    lidt [early_idt_ptr]

    mov edi, [boot_magic]
    mov esi, [boot_info]
    xor ebp, ebp
    call kmain
.hang:
    cli
    hlt
    jmp .hang

; One stub per exception vector, 16 bytes apart. Vectors 8, 10-14, 17, 21,
; 29 and 30 push an error code (Intel SDM vol. 3A table 7-1); the others get
; a 0 so the frame is the same for all.
align 16
early_stubs:
%assign v 0
%rep 32
    align 16
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
    push qword v
%else
    push qword 0
    push qword v
%endif
    jmp early_fault
%assign v v + 1
%endrep

; Stack on entry: vector, error code, then the CPU's frame (RIP, CS,
; RFLAGS, RSP, SS). Writes one line on COM1 and halts for good: nothing is
; known to work yet (no heap, no runtime data, no console but the UART).
early_fault:
    cli
    mov r12, [rsp]               ; vector
    mov r13, [rsp + 8]           ; error code
    mov r14, [rsp + 16]          ; RIP
    mov rbx, [rsp + 40]          ; RSP at the fault
    mov r15, cr2
    mov rsp, early_fault_stack_top
    call early_serial_init
    mov rsi, early_msg_vector
    call early_puts
    mov rax, r12
    call early_dec
    mov al, ' '
    call early_putc
    mov al, '('
    call early_putc
    lea rsi, [early_names + r12 * 4]
    mov ecx, 4
.name:
    lodsb
    cmp al, ' '
    je .name_done
    push rcx
    call early_putc
    pop rcx
    loop .name
.name_done:
    mov al, ')'
    call early_putc
    mov rsi, early_msg_error
    call early_puts
    mov rax, r13
    call early_hex
    mov rsi, early_msg_rip
    call early_puts
    mov rax, r14
    call early_hex
    mov rsi, early_msg_cr2
    call early_puts
    mov rax, r15
    call early_hex
    mov rsi, early_msg_rsp
    call early_puts
    mov rax, rbx
    call early_hex
    mov rsi, early_msg_end
    call early_puts
.halt:
    cli
    hlt
    jmp .halt

; COM1 at 115200 8N1, no interrupts, FIFOs on (PC16550D data sheet; the
; same settings as kernel/drivers/Serial.cs, so doing it twice is harmless).
early_serial_init:
    mov dx, 0x3F9
    xor al, al
    out dx, al                   ; IER: no interrupts
    mov dx, 0x3FB
    mov al, 0x80
    out dx, al                   ; LCR: DLAB on
    mov dx, 0x3F8
    mov al, 1
    out dx, al                   ; DLL: divisor 1
    mov dx, 0x3F9
    xor al, al
    out dx, al                   ; DLM
    mov dx, 0x3FB
    mov al, 3
    out dx, al                   ; LCR: 8N1
    mov dx, 0x3FA
    mov al, 0xC7
    out dx, al                   ; FCR: FIFOs on and cleared
    mov dx, 0x3FC
    mov al, 0x0B
    out dx, al                   ; MCR: DTR, RTS, OUT2
    ret

; AL to COM1 after a bounded wait for LSR bit 5 (transmit holding register
; empty); with no UART the port reads 0xFF and nothing waits.
early_putc:
    mov ah, al
    mov ecx, 100000
    mov dx, 0x3FD
.wait:
    in al, dx
    test al, 0x20
    jnz .send
    pause
    loop .wait
.send:
    mov dx, 0x3F8
    mov al, ah
    out dx, al
    ret

; NUL-terminated string at RSI.
early_puts:
    lodsb
    test al, al
    jz .done
    call early_putc
    jmp early_puts
.done:
    ret

; RAX as 0x-less 16 hex digits.
early_hex:
    mov rdi, rax
    mov r8d, 16
.digit:
    rol rdi, 4
    mov eax, edi
    and eax, 15
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'a' - '9' - 1
.out:
    call early_putc
    dec r8d
    jnz .digit
    ret

; RAX (below 100) in decimal.
early_dec:
    xor edx, edx
    mov ecx, 10
    div ecx
    mov r8d, edx
    test eax, eax
    jz .units
    add al, '0'
    call early_putc
.units:
    mov eax, r8d
    add al, '0'
    call early_putc
    ret

section .rodata
early_msg_vector: db 13, 10, "osprey: early fault before the kernel's interrupt table: vector ", 0
early_msg_error:  db " error 0x", 0
early_msg_rip:    db " RIP 0x", 0
early_msg_cr2:    db " CR2 0x", 0
early_msg_rsp:    db " RSP 0x", 0
early_msg_end:    db 13, 10, "osprey: halted (find RIP with: nm -n out/kernel.elf)", 13, 10, 0
; Mnemonics of vectors 0-31, four bytes each, space padded.
early_names: db "#DE #DB NMI #BP #OF #BR #UD #NM #DF CSO #TS #NP #SS #GP #PF res #MF #AC #MC #XM #VE #CP res res res res res res #HV #VC #SX res "

no_lm_msg: db "osprey: this CPU has no 64-bit long mode; cannot boot", 13, 10, 0

align 16
boot_gdt:
    dq 0
    dq 0x00AF9A000000FFFF          ; 0x08: 64-bit code, ring 0
    dq 0x00CF92000000FFFF          ; 0x10: data, ring 0
boot_gdt_end:
boot_gdt_ptr:
    dw boot_gdt_end - boot_gdt - 1
    dd boot_gdt
early_idt_ptr:
    dw 16 * 32 - 1
    dq early_idt

section .data
global boot_magic, boot_info
boot_magic: dd 0
boot_info:  dd 0

section .bss
align 16
early_idt:  resb 16 * 32
early_fault_stack:
    resb 4096
early_fault_stack_top:
align 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4096 * 4
global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    resb 65536
boot_stack_top:
