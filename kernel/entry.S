# First instructions of every hart, in machine mode with paging off.
# QEMU (and xv6emu) start all harts here at 0x80000000 with a0 = mhartid.
# Give each hart its own 4 KiB boot stack out of boot_stacks, then call
# start() in C, which drops to supervisor mode.
        .section .text.entry
        .globl _entry
_entry:
        csrr t0, mhartid
        addi t0, t0, 1
        slli t0, t0, 12          # (hartid + 1) * 4096: top of this hart's stack
        la sp, boot_stacks
        add sp, sp, t0
        call start
1:      wfi                      # start() never returns
        j 1b
