; Single-instruction CPU operations C# cannot express. SysV ABI: arguments in
; rdi, rsi, rdx, rcx; result in rax. Declared in kernel/arch/x86_64/Cpu.cs.
bits 64
default rel
section .text

global osprey_outb, osprey_outw, osprey_outd, osprey_inb, osprey_inw, osprey_ind
osprey_outb:
    mov edx, edi
    mov eax, esi
    out dx, al
    ret
osprey_outw:
    mov edx, edi
    mov eax, esi
    out dx, ax
    ret
osprey_outd:
    mov edx, edi
    mov eax, esi
    out dx, eax
    ret
osprey_inb:
    mov edx, edi
    xor eax, eax
    in al, dx
    ret
osprey_inw:
    mov edx, edi
    xor eax, eax
    in ax, dx
    ret
osprey_ind:
    mov edx, edi
    in eax, dx
    ret

global osprey_cli, osprey_sti, osprey_hlt, osprey_pause, osprey_sti_hlt, osprey_save_flags_cli, osprey_restore_flags
osprey_cli:
    cli
    ret
osprey_sti:
    sti
    ret
osprey_hlt:
    hlt
    ret
osprey_pause:
    pause
    ret
; sti; hlt: the interrupt shadow of sti guarantees no interrupt slips in
; between the two, so a wake-up interrupt cannot be missed.
osprey_sti_hlt:
    sti
    hlt
    ret
osprey_save_flags_cli:          ; ulong: RFLAGS before disabling interrupts
    pushfq
    pop rax
    cli
    ret
osprey_restore_flags:
    push rdi
    popfq
    ret

global osprey_rdtsc, osprey_rdmsr, osprey_wrmsr, osprey_cpuid
osprey_rdtsc:
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret
osprey_rdmsr:                   ; ulong rdmsr(uint msr)
    mov ecx, edi
    rdmsr
    shl rdx, 32
    or rax, rdx
    ret
osprey_wrmsr:                   ; void wrmsr(uint msr, ulong value)
    mov ecx, edi
    mov eax, esi
    mov rdx, rsi
    shr rdx, 32
    wrmsr
    ret
global osprey_wrmsr_fenced
; void wrmsr_fenced(uint msr, ulong value): WRMSR after every earlier store
; is globally visible. A WRMSR to an x2APIC register is not serializing and
; may pass earlier stores (Intel SDM vol. 3A 11.12.3 "MSR Access in x2APIC
; Mode"); MFENCE orders the stores, LFENCE keeps the WRMSR from starting
; before the MFENCE completed. For an IPI whose handler reads data this CPU
; just stored.
osprey_wrmsr_fenced:
    mfence
    lfence
    jmp osprey_wrmsr
osprey_cpuid:                   ; void cpuid(uint leaf, uint subleaf, uint* out4)
    push rbx
    mov r8, rdx
    mov eax, edi
    mov ecx, esi
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    pop rbx
    ret

global osprey_read_cr0, osprey_read_cr2, osprey_read_cr3, osprey_read_cr4, osprey_write_cr0, osprey_write_cr3, osprey_write_cr4
osprey_read_cr0:
    mov rax, cr0
    ret
osprey_read_cr2:
    mov rax, cr2
    ret
osprey_read_cr3:
    mov rax, cr3
    ret
osprey_read_cr4:
    mov rax, cr4
    ret
osprey_write_cr0:
    mov cr0, rdi
    ret
osprey_write_cr3:
    mov cr3, rdi
    ret
osprey_write_cr4:
    mov cr4, rdi
    ret

global osprey_invlpg, osprey_lidt, osprey_ltr, osprey_read_rsp, osprey_read_rbp
osprey_invlpg:
    invlpg [rdi]
    ret
osprey_lidt:                    ; void lidt(void* descriptor)
    lidt [rdi]
    ret
osprey_ltr:                     ; void ltr(ushort selector)
    ltr di
    ret
osprey_read_rsp:
    lea rax, [rsp + 8]
    ret
osprey_read_rbp:
    mov rax, rbp
    ret

; void osprey_lgdt(void* descriptor, ushort code, ushort data): load a GDT and
; reload every segment register (Intel SDM vol. 3A 3.4.3: CS only through a
; far return).
global osprey_lgdt
osprey_lgdt:
    lgdt [rdi]
    mov ax, dx
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    pop rax                     ; return address
    push rsi                    ; new CS
    push rax
    retfq

; The per-CPU block (CpuBlock.cs): IA32_GS_BASE points at it and its first
; qword is its own address, its second the CPU's managed PerCpu object.
; One GS-relative load each (Intel SDM vol. 3A 3.4.4; AMD APM vol. 2 4.5.3).
global osprey_cpu_block, osprey_cpu_object
osprey_cpu_block:               ; CpuBlock* osprey_cpu_block(void)
    mov rax, [gs:0]
    ret
osprey_cpu_object:              ; object osprey_cpu_object(void)
    mov rax, [gs:8]
    ret

; Ticket spin lock (SpinLock.cs): [rdi] the next ticket to hand out,
; [rdi + 4] the ticket now served, [rdi + 8] the holder's CPU block address
; (0: free), [rdi + 24] the contended count. LOCK XADD takes a ticket
; atomically (Intel SDM vol. 2B, XADD; vol. 3A 10.1.2.2 locked operations);
; the waiter spins with PAUSE until its ticket is served. Release is a plain
; store by the holder (the only writer of the served field): x86 stores are
; not reordered with older loads or stores (vol. 3A 10.2.2), so the
; protected writes are visible before the next ticket is served.
;
; ulong osprey_spin_acquire(SpinLock* lock): interrupts off, lock taken;
; returns RFLAGS from before (for release). Returns ~0 (never a valid
; RFLAGS: reserved bits 3, 5, 15 read as 0) without taking it, flags
; restored, when this CPU holds it already.
global osprey_spin_acquire, osprey_spin_release
osprey_spin_acquire:
    pushfq
    pop rax
    cli
    mov rdx, [gs:0]
    cmp [rdi + 8], rdx
    je .recursive
    mov ecx, 1
    lock xadd [rdi], ecx
    cmp [rdi + 4], ecx
    je .taken
    lock inc qword [rdi + 24]
.spin:
    pause
    cmp [rdi + 4], ecx
    jne .spin
.taken:
    mov [rdi + 8], rdx
    ret
.recursive:
    push rax
    popfq
    mov rax, -1
    ret
; void osprey_spin_release(SpinLock* lock, ulong flags)
osprey_spin_release:
    mov qword [rdi + 8], 0
    mov eax, [rdi + 4]
    inc eax
    mov [rdi + 4], eax
    push rsi
    popfq
    ret

; uint osprey_take_ticket(uint* counter): atomically returns *counter and
; adds 1 (LOCK XADD, Intel SDM vol. 2B XADD; vol. 3A 10.1.2.2): the ticket
; of a FIFO lock whose waiters spin outside assembly (GlobalMutex).
global osprey_take_ticket
osprey_take_ticket:
    mov eax, 1
    lock xadd [rdi], eax
    ret

; uint osprey_atomic_add(uint* counter, uint value): atomically returns
; *counter and adds value (LOCK XADD; a full barrier, SDM vol. 3A 10.2.2).
global osprey_atomic_add
osprey_atomic_add:
    mov eax, esi
    lock xadd [rdi], eax
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
