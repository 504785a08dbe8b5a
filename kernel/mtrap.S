# Machine-mode timer interrupt handler, used only when the kernel is built
# with TIMER=clint. The CLINT's mtimecmp can only be written in machine mode,
# so this handler re-arms it for the next tick and hands the tick to the
# supervisor kernel as a software interrupt (sip.SSIP).
#
# mscratch points at this hart's struct mscratch (start.c):
#   0: save area for a0..a2   24: &mtimecmp   32: interval
        .section .text
        .globl timervec
        .align 4
timervec:
        csrrw a0, mscratch, a0
        sd a1, 0(a0)
        sd a2, 8(a0)
        sd a3, 16(a0)
        ld a1, 24(a0)            # mtimecmp += interval
        ld a2, 32(a0)
        ld a3, 0(a1)
        add a3, a3, a2
        sd a3, 0(a1)
        li a1, 2                 # raise a supervisor software interrupt
        csrs sip, a1
        ld a3, 16(a0)
        ld a2, 8(a0)
        ld a1, 0(a0)
        csrrw a0, mscratch, a0
        mret
