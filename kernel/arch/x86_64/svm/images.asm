; The built-in guest images (kernel/vmm/guests/*.asm, assembled flat by
; build.sh into the include path), embedded in read-only data.
;
; byte* osprey_guest_image(int id, ulong* length): the image's start and
; length; null for an unknown id. Ids: SvmImages in GuestImages.cs.
bits 64
default rel

section .rodata
align 16
img0: incbin "hog.bin"
img0_end:
align 16
img1: incbin "runaway.bin"
img1_end:
align 16
img2: incbin "idle.bin"
img2_end:
align 16
img3: incbin "wild.bin"
img3_end:
align 16
img4: incbin "fault.bin"
img4_end:
align 16
img5: incbin "periodic.bin"
img5_end:
align 16
img6: incbin "exits.bin"
img6_end:

section .data
align 8
table:
    dq img0, img0_end, img1, img1_end, img2, img2_end, img3, img3_end, img4, img4_end, img5, img5_end, img6, img6_end
COUNT equ 7

section .text
global osprey_guest_image
osprey_guest_image:
    xor eax, eax
    cmp edi, COUNT
    jae .none
    movsxd rdi, edi
    shl rdi, 4
    lea rcx, [table]
    mov rax, [rcx + rdi]
    mov rdx, [rcx + rdi + 8]
    sub rdx, rax
    mov [rsi], rdx
.none:
    ret
