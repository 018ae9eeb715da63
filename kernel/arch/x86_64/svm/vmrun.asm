; One guest run under AMD SVM (AMD64 APM vol. 2, chapter 15).
;
; ulong osprey_svm_run(ulong vmcbPa, ulong hostAreaPa, SvmGuestRegs* regs, void* guestFx)
;   Called with interrupts disabled. Saves the host's callee-saved registers
;   and FPU/SSE state (fxsave on this stack), loads the guest's FPU/SSE state
;   (guestFx, 512 bytes, 16-aligned) and general registers (regs: rbx, rcx,
;   rdx, rsi, rdi, rbp, r8-r15 at offsets 8..120; RAX and RSP live in the
;   VMCB), and runs the guest:
;     clgi                        GIF=0: no interrupt is taken from here on
;     vmsave [hostAreaPa]         host FS, GS, TR, LDTR, KernelGsBase, STAR..
;     vmload [vmcbPa]             the guest's (VMRUN loads only the rest;
;                                 APM 15.5.2 and the VMLOAD/VMSAVE pages)
;     sti                         the host IF that VMRUN saves as HIF: with
;                                 V_INTR_MASKING a physical interrupt exits
;                                 the guest only while HIF is 1 (APM 15.21.1)
;     vmrun
;   After #VMEXIT (GIF=0; RAX, RSP, RIP, RFLAGS, CS/SS/DS/ES, CR0/3/4, EFER,
;   GDTR/IDTR are the host's again, APM 15.6): vmsave into the guest's VMCB,
;   store the guest's general and FPU/SSE registers, vmload the host's,
;   cli, stgi. The interrupt that ended the guest (an INTR exit) stays
;   pending until the caller enables interrupts (APM 15.17: GIF and IF).
;   Returns 0.
bits 64
default rel
section .text

%define R_RBX 8
%define R_RCX 16
%define R_RDX 24
%define R_RSI 32
%define R_RDI 40
%define R_RBP 48
%define R_R8  56
%define R_R9  64
%define R_R10 72
%define R_R11 80
%define R_R12 88
%define R_R13 96
%define R_R14 104
%define R_R15 112

global osprey_svm_run
osprey_svm_run:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 520                ; 16-aligned 512-byte host fxsave area at [rsp]
    fxsave [rsp]
    fxrstor [rcx]
    push rcx                    ; [rsp+24] after the next three: guestFx
    push rdx                    ; regs
    push rsi                    ; hostAreaPa
    push rdi                    ; vmcbPa
    clgi
    mov rax, rsi
    vmsave                  ; [rax]
    mov rax, rdi
    vmload                  ; [rax]
    mov rbx, [rdx + R_RBX]
    mov rcx, [rdx + R_RCX]
    mov rsi, [rdx + R_RSI]
    mov rdi, [rdx + R_RDI]
    mov rbp, [rdx + R_RBP]
    mov r8,  [rdx + R_R8]
    mov r9,  [rdx + R_R9]
    mov r10, [rdx + R_R10]
    mov r11, [rdx + R_R11]
    mov r12, [rdx + R_R12]
    mov r13, [rdx + R_R13]
    mov r14, [rdx + R_R14]
    mov r15, [rdx + R_R15]
    mov rdx, [rdx + R_RDX]
    sti
    vmrun                  ; [rax]
    ; #VMEXIT: rax = vmcbPa (host RAX), stack as before the run.
    vmsave                  ; [rax]
    push rdx                    ; guest rdx; now [rsp+8]=vmcbPa [rsp+16]=hostAreaPa [rsp+24]=regs [rsp+32]=guestFx
    mov rdx, [rsp + 24]
    mov [rdx + R_RBX], rbx
    mov [rdx + R_RCX], rcx
    mov [rdx + R_RSI], rsi
    mov [rdx + R_RDI], rdi
    mov [rdx + R_RBP], rbp
    mov [rdx + R_R8],  r8
    mov [rdx + R_R9],  r9
    mov [rdx + R_R10], r10
    mov [rdx + R_R11], r11
    mov [rdx + R_R12], r12
    mov [rdx + R_R13], r13
    mov [rdx + R_R14], r14
    mov [rdx + R_R15], r15
    pop rax
    mov [rdx + R_RDX], rax
    pop rax                     ; vmcbPa
    pop rax                     ; hostAreaPa
    vmload                  ; [rax]
    cli
    stgi
    pop rdx                     ; regs
    pop rcx                     ; guestFx
    fxsave [rcx]
    fxrstor [rsp]
    add rsp, 520
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    xor eax, eax
    ret
