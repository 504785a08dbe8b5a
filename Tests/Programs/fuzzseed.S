# fuzzseed.S — the seed ELF the ELF fuzz target mutates: a little of
# everything the board looks at in an executable — code and data segments
# and BSS, an HTIF `tohost`/`fromhost` pair, and the symbols the idle
# detector reads (`scheduler` with a size, `cpus`) — so that mutated
# symbol values and sizes reach the code that uses them. Run as is, it
# counts to 100 in `scheduler`, then reports a pass through tohost.
    .section .text.init
    .globl _start
_start:
    la      sp, stack_top
    call    scheduler
    li      t0, 1
    la      t1, tohost
    sd      t0, 0(t1)
1:  j       1b

    .text
    .globl scheduler
    .type scheduler, @function
scheduler:
    li      a0, 0
    li      a1, 100
    la      a2, cpus
2:  addi    a0, a0, 1
    sd      a0, 0(a2)
    bne     a0, a1, 2b
    ret
    .size scheduler, . - scheduler

    .section .tohost, "aw", @progbits
    .globl tohost
    .align 6
tohost: .dword 0
    .size tohost, 8
    .globl fromhost
    .align 6
fromhost: .dword 0
    .size fromhost, 8

    .data
    .globl cpus
cpus: .dword 0, 0, 0, 0
    .size cpus, 32

    .bss
    .align 4
stack: .space 4096
stack_top:
