; hog: computes forever with interrupts on; its virtual timer ticks every
; 10 ms of guest time; every 10th tick it prints its count.
%include "common.inc"
TICK equ 10000000

main:
    mov esi, msg_up
    call puts
    FIRST_DEADLINE TICK
    sti
.loop:
    mov ecx, 256
.spin:
    dec ecx
    jnz .spin
    inc dword [R_WORK]
    ; A spin-wait hint per round: on hardware a hint only; under QEMU's
    ; round-robin vCPUs (TCG, -icount) it ends this vCPU's turn, so the other
    ; CPUs' timer interrupts are taken when due.
    pause
    jmp .loop

tick:
    pushad
    TICK_BOOKKEEPING TICK
    mov esi, msg_ticks
    call ticks_every_10th
    popad
    iret

msg_up: db "hog: up", 10, 0
msg_ticks: db "hog: ticks ", 0
