# crt.S — start-up for the C test programs: every hart gets a 16 KiB stack
# and calls main(hartid); hart 0's return value ends the run through the
# SiFive test finisher (0 = pass, N = exit status N), so the same program
# runs under qemu-system-riscv64 -machine virt. Other harts that return wait.
    .section .text.init
    .globl _start
_start:
    csrr a0, mhartid
    la sp, stacks
    addi t0, a0, 1
    slli t0, t0, 14
    add sp, sp, t0
    call main
    csrr t0, mhartid
    bnez t0, 2f
    li t1, 0x5555
    beqz a0, 1f
    slli t1, a0, 16
    li t2, 0x3333
    or t1, t1, t2
1:  li t0, 0x100000
    sw t1, 0(t0)
2:  wfi
    j 2b

    .section .tohost, "aw", @progbits
    .align 6
    .globl tohost
tohost: .dword 0
    .size tohost, 8
    .align 6
    .globl fromhost
fromhost: .dword 0
    .size fromhost, 8

    .bss
    .align 12
stacks: .space 16384 * 8
