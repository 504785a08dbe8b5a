# Traps taken while in supervisor mode (stvec in the kernel): interrupts,
# and faults that are kernel bugs. Save the caller-saved registers on the
# current kernel stack, call kerneltrap(), restore, and return with sret.
# Callee-saved registers are preserved by kerneltrap() itself.
        .globl kernelvec
        .align 4
kernelvec:
        addi sp, sp, -256
        sd ra, 0(sp)
        sd gp, 16(sp)
        sd tp, 24(sp)
        sd t0, 32(sp)
        sd t1, 40(sp)
        sd t2, 48(sp)
        sd a0, 72(sp)
        sd a1, 80(sp)
        sd a2, 88(sp)
        sd a3, 96(sp)
        sd a4, 104(sp)
        sd a5, 112(sp)
        sd a6, 120(sp)
        sd a7, 128(sp)
        sd t3, 216(sp)
        sd t4, 224(sp)
        sd t5, 232(sp)
        sd t6, 240(sp)
        call kerneltrap
        ld ra, 0(sp)
        ld gp, 16(sp)
        # tp is not restored: a process may have moved to another hart
        # while it slept in kerneltrap (yield), and tp is the hart id.
        ld t0, 32(sp)
        ld t1, 40(sp)
        ld t2, 48(sp)
        ld a0, 72(sp)
        ld a1, 80(sp)
        ld a2, 88(sp)
        ld a3, 96(sp)
        ld a4, 104(sp)
        ld a5, 112(sp)
        ld a6, 120(sp)
        ld a7, 128(sp)
        ld t3, 216(sp)
        ld t4, 224(sp)
        ld t5, 232(sp)
        ld t6, 240(sp)
        addi sp, sp, 256
        sret
