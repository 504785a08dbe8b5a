# The trampoline: the one page mapped at the same virtual address
# (TRAMPOLINE) in the kernel's and in every user page table, so that the
# code switching satp keeps running across the switch.
#
# uservec: stvec while in user mode. Save every user register in the trap
#   frame (mapped at TRAPFRAME in the user page table), switch to the
#   kernel page table and stack, and jump to usertrap().
# userret(satp): the way back, called by usertrapret() on the kernel page
#   table: switch to the user page table, restore registers, sret.
#
# Register xN is saved at TRAPFRAME + 8*N (struct trapframe, proc.h).
# TRAPFRAME from memlayout.h, spelled out for the assembler (trap.c checks
# that the two agree).
#define TRAPFRAME_VA (0x4000000000 - 2 * 4096)

#define TF_KSATP  256
#define TF_KSP    264
#define TF_KTRAP  272
#define TF_KHART  280

        .section trampsec
        .globl trampoline
        .globl uservec
        .globl userret
trampoline:
        .align 4
uservec:
        csrw sscratch, a0              # free a0 to point at the trap frame
        li a0, TRAPFRAME_VA
        .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        sd x\n, (8*\n)(a0)
        .endr
        csrr t0, sscratch              # the user's a0 (x10)
        sd t0, (8*10)(a0)

        ld sp, TF_KSP(a0)
        ld tp, TF_KHART(a0)
        ld t0, TF_KTRAP(a0)
        ld t1, TF_KSATP(a0)
        sfence.vma zero, zero          # user accesses are done
        csrw satp, t1
        sfence.vma zero, zero          # drop user translations
        jr t0                          # usertrap(), never returns here

        # a0: user satp
userret:
        sfence.vma zero, zero
        csrw satp, a0
        sfence.vma zero, zero
        li a0, TRAPFRAME_VA
        .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        ld x\n, (8*\n)(a0)
        .endr
        ld a0, (8*10)(a0)              # a0 last: it was the base
        sret
