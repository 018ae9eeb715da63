; exits: the benchmark image (not a workload image). Interrupts off, it
; reads its TSC in a loop, every read an RDTSC exit, and keeps the smallest
; and largest gap between two reads longer than 100 us: the time its core
; was switched away.
%include "common.inc"
R_GAPMIN    equ RESULTS + 96
R_GAPMAX    equ RESULTS + 100
R_GAPS      equ RESULTS + 104

main:
    cli
    mov dword [R_GAPMIN], 0xFFFFFFFF
    rdtsc
    mov esi, eax
.loop:
    rdtsc
    mov ebx, eax
    sub ebx, esi
    mov esi, eax
    inc dword [R_WORK]
    cmp ebx, 100000
    jb .loop
    inc dword [R_GAPS]
    cmp ebx, [R_GAPMIN]
    jae .notmin
    mov [R_GAPMIN], ebx
.notmin:
    cmp ebx, [R_GAPMAX]
    jbe .loop
    mov [R_GAPMAX], ebx
    jmp .loop

tick:
    iret
