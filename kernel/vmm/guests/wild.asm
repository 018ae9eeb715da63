; wild: writes to the first guest-physical byte past its RAM (EBX at entry),
; which the nested page table does not map: the VMM stops it.
%include "common.inc"

main:
    mov esi, msg_up
    call puts
    mov eax, [R_RAM]
    mov dword [eax], 0x0BADF00D
    mov esi, msg_survived
    call puts
.h: hlt
    jmp .h

tick:
    iret

msg_up: db "wild: writing past my RAM", 10, 0
msg_survived: db "wild: the write went through", 10, 0
