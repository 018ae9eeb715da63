; fault: loads an empty IDT and raises #UD: #UD cannot be delivered (#GP),
; nor can #GP (#DF), nor #DF: a triple fault, the VMM's SHUTDOWN exit.
%include "common.inc"

main:
    mov esi, msg_up
    call puts
    lidt [empty_idt]
    ud2
    mov esi, msg_survived
    call puts
.h: hlt
    jmp .h

tick:
    iret

empty_idt:
    dw 0
    dd 0
msg_up: db "fault: empty IDT, then #UD", 10, 0
msg_survived: db "fault: survived", 10, 0
