; idle: halts until its virtual timer (every 10 ms of guest time), counts
; the tick, does 200 us of work (under -icount: 100,000 rounds of two
; instructions; the simulator's idle model), halts again; every 10th tick
; it prints.
%include "common.inc"
TICK equ 10000000

main:
    mov esi, msg_up
    call puts
    FIRST_DEADLINE TICK
.loop:
    sti
    hlt
    jmp .loop

tick:
    pushad
    TICK_BOOKKEEPING TICK
    mov ecx, 100000
.work:
    dec ecx
    jnz .work
    inc dword [R_WORK]
    mov esi, msg_ticks
    call ticks_every_10th
    popad
    iret

msg_up: db "idle: up", 10, 0
msg_ticks: db "idle: ticks ", 0
