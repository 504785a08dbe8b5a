# amo.S — LR/SC and AMOs through real loads and stores: SC succeeds after
# LR, fails without a reservation and after an intervening store; every
# AMO's result and the sign extension of the .w forms.
#include "harness.h"
    .section .text.init
    .globl _start
_start:
    PMP_ALLOW_ALL
    la a0, word

    CHECK_NUM(1)
    li t0, 5
    sd t0, 0(a0)
    lr.d t1, (a0)
    EXPECT(t1, 5)
    li t2, 9
    sc.d t3, t2, (a0)
    EXPECT(t3, 0)
    ld t1, 0(a0)
    EXPECT(t1, 9)

    CHECK_NUM(2)                 # no reservation
    sc.d t3, t2, (a0)
    EXPECT(t3, 1)

    CHECK_NUM(3)                 # intervening store
    lr.w t1, (a0)
    sw zero, 0(a0)
    sc.w t3, t2, (a0)
    EXPECT(t3, 1)

    CHECK_NUM(4)                 # amoadd.w sign-extends the old value
    li t0, -1
    sw t0, 0(a0)
    li t1, 1
    amoadd.w t2, t1, (a0)
    EXPECT(t2, -1)
    lw t3, 0(a0)
    EXPECT(t3, 0)

    CHECK_NUM(5)                 # amoswap.d, amoor.d, amoand.d, amoxor.d
    li t0, 0xf0
    sd t0, 0(a0)
    li t1, 0x0f
    amoswap.d t2, t1, (a0)
    EXPECT(t2, 0xf0)
    li t1, 0xf0
    amoor.d t2, t1, (a0)
    EXPECT(t2, 0x0f)
    li t1, 0x3c
    amoand.d t2, t1, (a0)
    EXPECT(t2, 0xff)
    amoxor.d t2, t1, (a0)
    EXPECT(t2, 0x3c)
    ld t2, 0(a0)
    EXPECT(t2, 0)

    CHECK_NUM(6)                 # signed vs unsigned min/max
    li t0, -5
    sd t0, 0(a0)
    li t1, 3
    amomin.d t2, t1, (a0)
    ld t3, 0(a0)
    EXPECT(t3, -5)
    amominu.d t2, t1, (a0)
    ld t3, 0(a0)
    EXPECT(t3, 3)
    li t1, -1
    amomax.w t2, t1, (a0)
    lw t3, 0(a0)
    EXPECT(t3, 3)
    amomaxu.w t2, t1, (a0)
    lw t3, 0(a0)
    EXPECT(t3, -1)
    PASS_AND_HALT
    EPILOGUE
    .data
    .align 3
word: .dword 0
