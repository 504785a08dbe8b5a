# delegation.S — medeleg/mideleg: an ecall from U delegated to S arrives at
# stvec with scause, sepc and SPP/SPIE set; sret goes back to U with SIE
# restored; an undelegated exception from S still goes to M; mret's
# MPIE/MIE handling.
#include "harness.h"
    .section .text.init
    .globl _start
_start:
    PMP_ALLOW_ALL
    la t0, mhandler
    csrw mtvec, t0
    la t0, shandler
    csrw stvec, t0
    li t0, 1 << 8                # delegate ecall from U
    csrw medeleg, t0

    CHECK_NUM(1)
    csrsi sstatus, 2             # SIE = 1 before entering U
    la s1, mdone
    ENTER(0, user1)
user1:
    ecall                        # → S handler (delegated)
    # back in U after sret; s6 = scause, s7 = sepc, s8 = sstatus seen by S
    ecall                        # → S again, which now hands over to M
mdone:
    EXPECT(s6, 8)
    la t0, user1
    bne s7, t0, fail
    CHECK_NUM(2)                 # SPP was U (0), SPIE was SIE (1), SIE cleared
    andi t0, s8, 0x100
    EXPECT(t0, 0)
    andi t0, s8, 0x20
    EXPECT(t0, 0x20)
    andi t0, s8, 0x2
    EXPECT(t0, 0)

    CHECK_NUM(3)                 # an illegal instruction in S (not delegated) goes to M
    la s1, 1f
    ENTER(1, super1)
super1:
    .word 0xffffffff
1:  EXPECT(s2, 2)
    srli t0, s5, 11
    andi t0, t0, 3
    EXPECT(t0, 1)

    CHECK_NUM(4)                 # mret: MIE = MPIE, MPIE = 1
    li t0, 0x80                  # MPIE = 1
    csrs mstatus, t0
    li t0, 0x1800                # MPP = M
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr t0, mstatus
    andi t1, t0, 0x8
    EXPECT(t1, 0x8)
    andi t1, t0, 0x80
    EXPECT(t1, 0x80)
    csrci mstatus, 0x8

    PASS_AND_HALT

    .align 6
shandler:
    li t0, 1
    beq s9, t0, 1f               # second visit: go to M
    li s9, 1
    csrr s6, scause
    csrr s7, sepc
    csrr s8, sstatus
    addi t0, s7, 4
    csrw sepc, t0
    sret
1:  ecall                        # ecall from S → M handler → mdone
    TRAP_HANDLER(mhandler)
    EPILOGUE
