# traps.S — exceptions into M-mode: ecall from M, S and U; illegal
# instructions (32- and 16-bit, mtval = the bits); breakpoints; access
# faults on fetch, load and store outside any device or RAM.
#include "harness.h"
    .section .text.init
    .globl _start
_start:
    PMP_ALLOW_ALL
    la t0, handler
    csrw mtvec, t0

    CHECK_NUM(1)                 # ecall from M
    la s1, 1f
    ecall
1:  EXPECT(s2, 11)
    la t0, 1b - 4
    bne s3, t0, fail

    CHECK_NUM(2)                 # ecall from S; MPP recorded S
    la s1, 1f
    ENTER(1, s_ecall)
s_ecall:
    ecall
1:  EXPECT(s2, 9)
    srli t0, s5, 11
    andi t0, t0, 3
    EXPECT(t0, 1)

    CHECK_NUM(3)                 # ecall from U; MPP recorded U
    la s1, 1f
    ENTER(0, u_ecall)
u_ecall:
    ecall
1:  EXPECT(s2, 8)
    srli t0, s5, 11
    andi t0, t0, 3
    EXPECT(t0, 0)

    CHECK_NUM(4)                 # illegal 32-bit instruction
    la s1, 1f
    .word 0xffffffff
1:  EXPECT(s2, 2)
    li t0, 0xffffffff
    bne s4, t0, fail

    CHECK_NUM(5)                 # illegal 16-bit instruction (all zeros)
    la s1, 1f
    .half 0x0000
    .half 0x0001                 # c.nop, to realign
1:  EXPECT(s2, 2)
    EXPECT(s4, 0)

    CHECK_NUM(6)                 # ebreak: mepc is the ebreak
    la s1, 2f
1:  ebreak
2:  EXPECT(s2, 3)
    la t0, 1b
    bne s3, t0, fail

    CHECK_NUM(7)                 # load access fault
    la s1, 1f
    li t0, 0x10
    ld t1, 0(t0)
1:  EXPECT(s2, 5)
    EXPECT(s4, 0x10)

    CHECK_NUM(8)                 # store access fault
    la s1, 1f
    li t0, 0x18
    sd t1, 0(t0)
1:  EXPECT(s2, 7)
    EXPECT(s4, 0x18)

    CHECK_NUM(9)                 # instruction access fault: mepc = mtval = target
    la s1, 1f
    li t0, 0x40
    jalr t0
1:  EXPECT(s2, 1)
    EXPECT(s4, 0x40)
    EXPECT(s3, 0x40)

    CHECK_NUM(10)                # misaligned AMO: store/AMO misaligned (spec);
                                 # QEMU 7.2 wrongly reports a load misalignment (4)
    la s1, 1f
    la t0, scratch
    addi t0, t0, 1
    amoadd.d t1, t1, (t0)
1:  EXPECT(s2, 6)

    PASS_AND_HALT
    TRAP_HANDLER(handler)
    EPILOGUE
    .data
scratch: .dword 0, 0
