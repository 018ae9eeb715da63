; periodic: a job released on every virtual timer tick (period 10 ms of
; guest time), each a fixed amount of work; a job that completes after the
; next release (its deadline) is a miss. Every 10th job it prints its
; jobs and misses.
%include "common.inc"
TICK equ 10000000
WORK equ 100000              ; rounds of the job's loop: 200 us under -icount (2 instructions a round), the simulator's idle model

main:
    mov esi, msg_up
    call puts
    FIRST_DEADLINE TICK
.idle:
    cli
    cmp dword [R_PENDING], 0
    jne .job
    sti
    hlt
    jmp .idle
.job:
    dec dword [R_PENDING]
    ; this job's deadline: the release after it, i.e. the armed deadline now
    mov ebp, [R_DEADLINE]
    sti
    mov ecx, WORK
.work:
    dec ecx
    jnz .work
    rdtsc
    sub eax, ebp
    cmp eax, 0
    jle .met
    inc dword [R_MISSES]
.met:
    inc dword [R_JOBS]
    mov eax, [R_JOBS]
    xor edx, edx
    mov ecx, 10
    div ecx
    test edx, edx
    jnz .idle
    mov esi, msg_jobs
    call puts
    mov eax, [R_JOBS]
    call puthex
    mov esi, msg_misses
    call puts
    mov eax, [R_MISSES]
    call puthex
    call newline
    jmp .idle

tick:
    pushad
    TICK_BOOKKEEPING TICK
    inc dword [R_PENDING]
    popad
    iret

msg_up: db "periodic: up", 10, 0
msg_jobs: db "periodic: jobs ", 0
msg_misses: db " misses ", 0
