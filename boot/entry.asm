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

    mov edi, [boot_magic]
    mov esi, [boot_info]
    xor ebp, ebp
    call kmain
.hang:
    cli
    hlt
    jmp .hang

section .rodata
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

section .data
global boot_magic, boot_info
boot_magic: dd 0
boot_info:  dd 0

section .bss
align 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4096 * 4
global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    resb 65536
boot_stack_top:
