# vectored.S — vectored trap vectors: with mtvec.MODE = 1 an interrupt
# goes to base + 4·cause and an exception to base; likewise stvec. The
# interrupt is a supervisor software interrupt raised by writing mip.SSIP.
#include "harness.h"
    .section .text.init
    .globl _start
_start:
    PMP_ALLOW_ALL
    CHECK_NUM(1)                 # M-mode vector: SSI (cause 1) at base + 4
    la t0, mvec
    ori t0, t0, 1
    csrw mtvec, t0
    li t0, 2
    csrs mie, t0                 # SSIE
    la s1, 1f
    csrs mip, t0                 # SSIP pending
    csrsi mstatus, 8             # MIE: taken now
    j fail
1:  EXPECT(s10, 1)
    li t6, 0x8000000000000001
    bne s2, t6, fail
    csrci mip, 2

    CHECK_NUM(2)                 # exceptions still go to the base
    la s1, 1f
    ecall
1:  EXPECT(s10, 0)
    EXPECT(s2, 11)

    CHECK_NUM(3)                 # S-mode vector: delegated SSI from U at stvec base + 4
    la t0, svec
    ori t0, t0, 1
    csrw stvec, t0
    li t0, 2
    csrs mideleg, t0
    csrs mip, t0                 # pending again; not taken in M (delegated to S)
    la t0, mbase
    csrw mtvec, t0
    la s1, 2f
    ENTER(0, user)
user:
    j user                       # spins until the interrupt
2:  EXPECT(s10, 2)
    li t6, 0x8000000000000001
    bne s11, t6, fail
    PASS_AND_HALT

    .align 8
    .option push
    .option norvc                # vector entries are 4 bytes apart
mvec:
    j mbase_v                    # 0: exceptions
    j mssi                       # 1: SSI
    j fail
    .option pop
mbase_v:
    li s10, 0
    j record
mssi:
    li s10, 1
    csrci mstatus, 8
    csrci mip, 2
record:
    csrr s2, mcause
    li t6, 0x1800
    csrs mstatus, t6
    csrw mepc, s1
    mret

    .align 8
    .option push
    .option norvc
svec:
    j fail                       # 0
    j sssi                       # 1
    .option pop
sssi:
    li s10, 2
    csrr s11, scause
    csrci sip, 2
    ecall                        # to M (not delegated from S) → mbase → s1
    TRAP_HANDLER(mbase)
    EPILOGUE
