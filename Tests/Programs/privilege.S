# privilege.S — what S and U may not do: touch M-only CSRs, read counters
# without mcounteren/scounteren, satp/sfence.vma under TVM, wfi under TW,
# sret under TSR, sret from U.
#include "harness.h"
    .section .text.init
    .globl _start
_start:
    PMP_ALLOW_ALL
    la t0, handler
    csrw mtvec, t0

    CHECK_NUM(1)                 # S reads mstatus: illegal
    la s1, 1f
    ENTER(1, s1_)
s1_:
    csrr t0, mstatus
    j fail
1:  EXPECT(s2, 2)

    CHECK_NUM(2)                 # U reads cycle with counters disabled: illegal
    csrw mcounteren, zero
    la s1, 1f
    ENTER(0, u2)
u2: rdcycle t0
    j fail
1:  EXPECT(s2, 2)

    CHECK_NUM(3)                 # U reads cycle with both enables: fine, then ecall
    li t0, 7
    csrw mcounteren, t0
    csrw scounteren, t0
    la s1, 1f
    ENTER(0, u3)
u3: rdcycle t0
    rdinstret t0
    ecall
1:  EXPECT(s2, 8)

    CHECK_NUM(4)                 # TVM: satp from S is illegal
    li t0, 1 << 20
    csrs mstatus, t0
    la s1, 1f
    ENTER(1, s4)
s4: csrr t0, satp
    j fail
1:  EXPECT(s2, 2)

    CHECK_NUM(5)                 # TVM: sfence.vma from S is illegal
    la s1, 1f
    ENTER(1, s5)
s5: sfence.vma
    j fail
1:  EXPECT(s2, 2)
    li t0, 1 << 20
    csrc mstatus, t0

    CHECK_NUM(6)                 # TW: wfi from S is illegal
    li t0, 1 << 21
    csrs mstatus, t0
    la s1, 1f
    ENTER(1, s6)
s6: wfi
    j fail
1:  EXPECT(s2, 2)
    li t0, 1 << 21
    csrc mstatus, t0

    CHECK_NUM(7)                 # TSR: sret from S is illegal
    li t0, 1 << 22
    csrs mstatus, t0
    la s1, 1f
    ENTER(1, s7)
s7: sret
    j fail
1:  EXPECT(s2, 2)
    li t0, 1 << 22
    csrc mstatus, t0

    CHECK_NUM(8)                 # sret from U is illegal
    la s1, 1f
    ENTER(0, u8)
u8: sret
    j fail
1:  EXPECT(s2, 2)

    CHECK_NUM(9)                 # an unknown CSR is illegal even in M
    la s1, 1f
    csrr t0, 0x7ff
    j fail
1:  EXPECT(s2, 2)

    PASS_AND_HALT
    TRAP_HANDLER(handler)
    EPILOGUE
