; runaway: interrupts off, spins forever. Only the host's reservation
; (its one-shot timer, an INTR exit) takes the CPU back.
%include "common.inc"

main:
    mov esi, msg_up
    call puts
    cli
.spin:
    inc dword [R_WORK]
    pause                   ; spin hint (ends the vCPU's turn under QEMU's round-robin TCG)
    jmp .spin

tick:
    iret

msg_up: db "runaway: up", 10, 0
