# diffharness.S — the bare-metal harness around the random programs of the
# differential test (Tests/MachineTests/Differential/). The generated file
# supplies the code between diff_gen_start and diff_gen_end, cut into
# segments, and the data tables named below; this file runs the segments one
# after another in M, S or U mode, with Sv39 on or off, and after each one
# prints the whole architectural state over the UART, so the same ELF under
# xv6emu and qemu-system-riscv64 must print the same text. It holds no test
# logic: the Swift side generates, compares and minimizes.
#
# Register conventions the generator keeps: sp (x2) points into the middle
# of the scratch region and tp (x4) at the harness context; random code never
# writes either, so both handlers can rely on them without touching any CSR
# the random code may write (mscratch and sscratch are fair game for it).
#
# Tables the generated file defines (.data):
#   diff_seed              scratch fill seed (xorshift64)
#   diff_xinit, diff_finit 32 dwords each: initial x and f registers
#   diff_nsegs, diff_segs  segment count; per segment 4 dwords:
#                          start, address of its closing ecall, mode, medeleg
#                          (mode: bits 1:0 privilege, bit 8 Sv39 on)
#   diff_pte_s, diff_pte_u 4 dwords each: PTE flags of the scratch pages in
#                          the S and the U page table
#   diff_map_s, diff_map_u 4 dwords each: which physical scratch page each
#                          virtual scratch page maps to (offset mappings)
#   diff_giga_s, diff_giga_u  the root entry for VA 0x40000000 (a 1 GiB leaf)
#
# Output, one line per item: "S <segment>", then "x01 <hex>"…, "f00 <hex>"…
# (after the last segment; the others print "r <hash>", "f <hash>" instead),
# "c<csr> <hex>", "T <handler> <cause> <epc> <tval>" per trap, "n <traps>",
# "i <minstret delta>" (instructions the segment took, to count them: not
# compared, QEMU's minstret counts time unless run with -icount),
# "h <trap hash>", "m <scratch FNV>", "p <page-table FNV>"; "E" at the end.
# Only the first LOGMAX traps of a segment are printed; the hash covers all.
# Then the SiFive test finisher powers off.

#define UART        0x10000000
#define FINISHER    0x100000
#define SCRATCH_PAGES 4
#define LOGMAX      8          /* trap records printed per segment (all are hashed) */
#define FNV_PRIME   0x100000001b3
#define FNV_BASIS   0xcbf29ce484222325

/* ctx layout (tp points at ctx) */
#define CTX_SAVE    0          /* x0..x31 at 8·n */
#define CTX_HM      256        /* M handler temporaries t0..t5 */
#define CTX_HS      304        /* S handler temporaries t0..t5 */
#define CTX_SEGEND  352        /* pc of the current segment's closing ecall */
#define CTX_SEGIDX  360
#define CTX_LOGN    368        /* traps so far in this segment */
#define CTX_HASH    376        /* hash of every trap record in this segment */
#define CTX_MSTATUS 384        /* mstatus as the closing ecall left it */
#define CTX_I0      392        /* minstret when the segment was entered */
#define CTX_FREGS   512        /* f0..f31, for the dump */

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_A 0x40
#define PTE_D 0x80

    .option norelax
    .section .text.init
    .globl _start
_start:
    la tp, ctx
    la t0, mtrap
    csrw mtvec, t0
    la t0, strap
    csrw stvec, t0
    /* S and U may reach everything (QEMU enforces PMP: no entry, no access). */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    /* FS = Initial; loading the f registers below makes it Dirty. */
    li t0, 1 << 13
    csrs mstatus, t0

    /* Scratch: xorshift64 from diff_seed. */
    la t0, diff_scratch
    li t1, SCRATCH_PAGES * 4096 / 8
    ld t2, diff_seed
1:  slli t3, t2, 13
    xor t2, t2, t3
    srli t3, t2, 7
    xor t2, t2, t3
    slli t3, t2, 17
    xor t2, t2, t3
    sd t2, 0(t0)
    addi t0, t0, 8
    addi t1, t1, -1
    bnez t1, 1b

    /* Two Sv39 tables: one for S segments (generated code supervisor-only),
       one for U segments (generated code user-accessible). */
    la a0, pt_s
    la a3, diff_pte_s
    la a4, diff_map_s
    li a5, PTE_V | PTE_R | PTE_X
    jal ra, build_pt
    la a0, pt_u
    la a3, diff_pte_u
    la a4, diff_map_u
    li a5, PTE_V | PTE_R | PTE_X | 0x10
    jal ra, build_pt
    /* VA 0x40000000: a 1 GiB leaf from the generated tables (an alias of
       RAM, or a misaligned superpage that faults). */
    ld t0, diff_giga_s
    la t1, pt_s
    sd t0, 8(t1)
    ld t0, diff_giga_u
    la t1, pt_u
    sd t0, 8(t1)

    la t0, diff_finit
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fld f\n, 8*\n(t0)
    .endr
    csrw fcsr, zero
    /* x registers start from diff_xinit (restored from the save area). */
    la t0, diff_xinit
    mv t1, tp
    li t2, 32
1:  ld t3, 0(t0)
    sd t3, 0(t1)
    addi t0, t0, 8
    addi t1, t1, 8
    addi t2, t2, -1
    bnez t2, 1b
    sd tp, 8*4(tp)
    sd zero, CTX_SEGIDX(tp)
    sd zero, CTX_LOGN(tp)
    li t0, FNV_BASIS
    sd t0, CTX_HASH(tp)
    j enter_segment

# build_pt: a0 = three zeroed pages (root, level 1, level 0), a3 = scratch
# PTE flags, a4 = scratch page map, a5 = flags of the generated code pages.
# Everything from 0x80000000 to _end is mapped 4 KiB at a time, identity,
# supervisor-only RWX with A and D set, except the generated code and the
# scratch pages. Nothing else is mapped (so address 0 page-faults).
build_pt:
    li t0, 4096
    add a1, a0, t0              /* level 1 */
    add a2, a1, t0              /* level 0 */
    srli t0, a1, 12
    slli t0, t0, 10
    ori t0, t0, PTE_V
    sd t0, 16(a0)               /* VPN[2] = 2: 0x80000000 */
    srli t0, a2, 12
    slli t0, t0, 10
    ori t0, t0, PTE_V
    sd t0, 0(a1)
    li t1, 0x80000000           /* page */
    la t2, _end
    la t3, diff_gen_start
    la t4, diff_gen_end
    la t5, diff_scratch
    li t6, SCRATCH_PAGES * 4096
    add t6, t6, t5
1:  bgeu t1, t2, 9f
    li a6, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    mv a7, t1                   /* physical page */
    bltu t1, t3, 2f
    bgeu t1, t4, 2f
    mv a6, a5
2:  bltu t1, t5, 3f
    bgeu t1, t6, 3f
    sub s0, t1, t5
    srli s0, s0, 12
    slli s0, s0, 3
    add s1, a3, s0
    ld a6, 0(s1)
    add s1, a4, s0
    ld a7, 0(s1)
    slli a7, a7, 12
    add a7, a7, t5
3:  srli a7, a7, 12
    slli a7, a7, 10
    or a7, a7, a6
    li s0, 0x80000000
    sub s0, t1, s0
    srli s0, s0, 12
    slli s0, s0, 3
    add s0, s0, a2
    sd a7, 0(s0)
    li s0, 4096
    add t1, t1, s0
    j 1b
9:  ret

# enter_segment: start segment CTX_SEGIDX, or finish after the last.
enter_segment:
    ld t0, CTX_SEGIDX(tp)
    ld t1, diff_nsegs
    bgeu t0, t1, finish
    slli t2, t0, 5
    la t1, diff_segs
    add t1, t1, t2
    ld t2, 8(t1)
    sd t2, CTX_SEGEND(tp)
    ld t2, 0(t1)
    csrw mepc, t2
    ld t2, 24(t1)
    csrw medeleg, t2
    ld t3, 16(t1)
    li t5, 0
    andi t6, t3, 0x100
    beqz t6, 1f
    la t5, pt_s
    andi t6, t3, 3
    bnez t6, 2f
    la t5, pt_u
2:  srli t5, t5, 12
    li t6, 8
    slli t6, t6, 60
    or t5, t5, t6
1:  csrw satp, t5
    sfence.vma
    li t6, 3 << 11
    csrc mstatus, t6
    andi t6, t3, 3
    slli t6, t6, 11
    csrs mstatus, t6
    la sp, diff_scratch + 0x2000
    csrr t0, minstret
    sd t0, CTX_I0(tp)
    .irp n, 1,3,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, 8*\n(tp)
    .endr
    mret

finish:
    li a1, 'E'
    jal ra, putkey
    jal ra, putnl
    li t0, FINISHER
    li t1, 0x5555
    sw t1, 0(t0)
1:  j 1b

# The M-mode trap handler. The closing ecall of a segment dumps the state;
# any other trap is logged and skipped (a fetch fault returns to ra, which
# the generator's jump gadgets set), and the random code goes on.
    .align 6
mtrap:
    sd t0, CTX_HM+0(tp)
    sd t1, CTX_HM+8(tp)
    sd t2, CTX_HM+16(tp)
    sd t3, CTX_HM+24(tp)
    sd t4, CTX_HM+32(tp)
    sd t5, CTX_HM+40(tp)
    csrr t0, mepc
    ld t1, CTX_SEGEND(tp)
    beq t0, t1, segment_done
    csrr t1, mcause
    csrr t2, mtval
    li t3, 3
    jal t5, log_trap
    li t3, 1
    beq t1, t3, 2f
    li t3, 12
    beq t1, t3, 2f
    lhu t3, 0(t0)
    andi t3, t3, 3
    li t4, 3
    addi t0, t0, 2
    bne t3, t4, 1f
    addi t0, t0, 2
1:  csrw mepc, t0
    j 3f
2:  csrw mepc, ra
3:  ld t0, CTX_HM+0(tp)
    ld t1, CTX_HM+8(tp)
    ld t2, CTX_HM+16(tp)
    ld t3, CTX_HM+24(tp)
    ld t4, CTX_HM+32(tp)
    ld t5, CTX_HM+40(tp)
    mret

# The S-mode handler, for the causes a segment delegates. Same as mtrap; it
# sets SUM around the instruction read, since the U page table maps the
# generated code user-accessible.
    .align 6
strap:
    sd t0, CTX_HS+0(tp)
    sd t1, CTX_HS+8(tp)
    sd t2, CTX_HS+16(tp)
    sd t3, CTX_HS+24(tp)
    sd t4, CTX_HS+32(tp)
    sd t5, CTX_HS+40(tp)
    csrr t0, sepc
    csrr t1, scause
    csrr t2, stval
    li t3, 1
    jal t5, log_trap
    li t3, 1
    beq t1, t3, 2f
    li t3, 12
    beq t1, t3, 2f
    li t3, 1 << 18
    csrrs t4, sstatus, t3
    lhu t3, 0(t0)
    csrw sstatus, t4
    andi t3, t3, 3
    li t4, 3
    addi t0, t0, 2
    bne t3, t4, 1f
    addi t0, t0, 2
1:  csrw sepc, t0
    j 3f
2:  csrw sepc, ra
3:  ld t0, CTX_HS+0(tp)
    ld t1, CTX_HS+8(tp)
    ld t2, CTX_HS+16(tp)
    ld t3, CTX_HS+24(tp)
    ld t4, CTX_HS+32(tp)
    ld t5, CTX_HS+40(tp)
    sret

# log_trap (link t5): t3 = handler (3 M, 1 S), t1 = cause, t0 = epc,
# t2 = tval. Keeps the first LOGMAX records and hashes all of them.
# Clobbers t4, and t2 for a breakpoint (t5 is saved and restored).
log_trap:
    /* xtval of a breakpoint may be 0 or the pc (privileged spec 3.1.16):
       QEMU 7.2 writes 0, xv6emu the pc, like Spike and Sail. Recorded as 0,
       and the handlers zero the CSR too, so later reads agree. */
    li t4, 3
    bne t1, t4, 1f
    li t2, 0
    li t4, 3
    bne t3, t4, 3f
    csrw mtval, zero
    j 1f
3:  csrw stval, zero
1:  ld t4, CTX_LOGN(tp)
    addi t4, t4, 1
    sd t4, CTX_LOGN(tp)
    addi t4, t4, -1
    sd t5, CTX_SAVE(tp)          /* x0's slot: a spare dword */
    li t5, LOGMAX
    bgeu t4, t5, 2f
    slli t4, t4, 5
    la t5, diff_log
    add t4, t4, t5
    sd t3, 0(t4)
    sd t1, 8(t4)
    sd t0, 16(t4)
    sd t2, 24(t4)
2:  ld t4, CTX_HASH(tp)
    li t5, FNV_PRIME
    xor t4, t4, t3
    mul t4, t4, t5
    xor t4, t4, t1
    mul t4, t4, t5
    xor t4, t4, t0
    mul t4, t4, t5
    xor t4, t4, t2
    mul t4, t4, t5
    sd t4, CTX_HASH(tp)
    ld t5, CTX_SAVE(tp)
    jr t5

.macro DUMPCSR num
    csrr a0, \num
    /* "c" and three digits: every CSR dumped has a number without a-f */
    li a1, 'c' | ((((\num >> 8) & 15) + '0') << 8) | ((((\num >> 4) & 15) + '0') << 16) | (((\num & 15) + '0') << 24)
    jal ra, putkv
.endm

# segment_done: the closing ecall. Save every register, print the state,
# go on with the next segment.
segment_done:
    ld t0, CTX_HM+0(tp)
    ld t1, CTX_HM+8(tp)
    ld t2, CTX_HM+16(tp)
    ld t3, CTX_HM+24(tp)
    ld t4, CTX_HM+32(tp)
    ld t5, CTX_HM+40(tp)
    .irp n, 1,2,3,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, 8*\n(tp)
    .endr
    csrr t1, minstret
    csrr t0, mstatus
    sd t0, CTX_MSTATUS(tp)
    ld t0, CTX_I0(tp)
    sub s8, t1, t0
    li t1, 3 << 13               /* FS on to read the FP state */
    csrs mstatus, t1

    ld a0, CTX_SEGIDX(tp)
    li a1, 'S'
    jal ra, putkv
    mv a0, s8
    li a1, 'i'
    jal ra, putkv
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsd f\n, CTX_FREGS+8*\n(tp)
    .endr
    /* Every register after the last segment; after the others only their
       hashes (cheaper: the minimizer cuts a failing program after the
       segment that differs, so its last dump is the full one). */
    ld t0, CTX_SEGIDX(tp)
    ld t1, diff_nsegs
    addi t1, t1, -1
    bne t0, t1, 3f
    li s1, 1
1:  slli t0, s1, 3
    add t0, t0, tp
    ld a0, 0(t0)
    li a1, 'x'
    mv a2, s1
    jal ra, putkidx
    addi s1, s1, 1
    li t0, 32
    bltu s1, t0, 1b
    li s1, 0
2:  slli t0, s1, 3
    add t0, t0, tp
    ld a0, CTX_FREGS(t0)
    li a1, 'f'
    mv a2, s1
    jal ra, putkidx
    addi s1, s1, 1
    li t0, 32
    bltu s1, t0, 2b
    j 4f
3:  addi a0, tp, 8
    li a1, 31
    jal ra, fnv
    li a1, 'r'
    jal ra, putkv
    addi a0, tp, CTX_FREGS
    li a1, 32
    jal ra, fnv
    li a1, 'f'
    jal ra, putkv
4:
    DUMPCSR 0x003                 /* fcsr */
    ld a0, CTX_MSTATUS(tp)
    li a1, 'c' | '3' << 8 | '0' << 16 | '0' << 24
    jal ra, putkv
    DUMPCSR 0x100                 /* sstatus */
    DUMPCSR 0x104                 /* sie */
    DUMPCSR 0x106                 /* scounteren */
    DUMPCSR 0x140                 /* sscratch */
    DUMPCSR 0x141                 /* sepc */
    DUMPCSR 0x142                 /* scause */
    DUMPCSR 0x143                 /* stval */
    DUMPCSR 0x144                 /* sip */
    DUMPCSR 0x180                 /* satp */
    DUMPCSR 0x302                 /* medeleg */
    DUMPCSR 0x303                 /* mideleg */
    DUMPCSR 0x304                 /* mie */
    DUMPCSR 0x306                 /* mcounteren */
    DUMPCSR 0x340                 /* mscratch */
    DUMPCSR 0x344                 /* mip */

    /* The trap log. */
    la s2, diff_log
    ld s3, CTX_LOGN(tp)
    li t0, LOGMAX
    bleu s3, t0, 1f
    mv s3, t0
1:  beqz s3, 2f
    li a1, 'T'
    jal ra, putkey
    .irp off, 0, 8, 16, 24
    li a0, ' '
    jal t6, putc
    ld a0, \off(s2)
    jal ra, puthex
    .endr
    jal ra, putnl
    addi s2, s2, 32
    addi s3, s3, -1
    j 1b
2:  ld a0, CTX_LOGN(tp)
    li a1, 'n'
    jal ra, putkv
    ld a0, CTX_HASH(tp)
    li a1, 'h'
    jal ra, putkv

    /* FNV-1a over the scratch region and over both level-0 tables. */
    la a0, diff_scratch
    li a1, SCRATCH_PAGES * 4096 / 8
    jal ra, fnv
    li a1, 'm'
    jal ra, putkv
    la s7, _end                   /* the level-0 entries of the program's pages */
    li t0, 0x80000fff
    sub s7, s7, t0
    srli s7, s7, 12
    addi s7, s7, 1
    la a0, pt_s + 8192
    mv a1, s7
    jal ra, fnv
    mv s4, a0
    la a0, pt_u + 8192
    mv a1, s7
    jal ra, fnv
    xor s4, a0, s4
    la a0, pt_s                   /* and the roots' first entries (the 1 GiB leaf) */
    li a1, 4
    jal ra, fnv
    xor s4, a0, s4
    la a0, pt_u
    li a1, 4
    jal ra, fnv
    xor a0, a0, s4
    li a1, 'p'
    jal ra, putkv

    ld t0, CTX_MSTATUS(tp)
    csrw mstatus, t0
    ld t0, CTX_SEGIDX(tp)
    addi t0, t0, 1
    sd t0, CTX_SEGIDX(tp)
    sd zero, CTX_LOGN(tp)
    li t0, FNV_BASIS
    sd t0, CTX_HASH(tp)
    j enter_segment

# fnv: a0 = address, a1 = dwords; returns the hash in a0. Link ra.
fnv:
    li t0, FNV_BASIS
    li t1, FNV_PRIME
1:  ld t2, 0(a0)
    xor t0, t0, t2
    mul t0, t0, t1
    addi a0, a0, 8
    addi a1, a1, -1
    bnez a1, 1b
    mv a0, t0
    ret

# Printing, all through the UART's transmit register (QEMU and xv6emu both
# accept a byte at any time). Link ra; the inner putc calls link t6.
putc:                             /* a0 = byte; link ra or t6 */
    li t0, UART
    sb a0, 0(t0)
    jr t6
putkey:                           /* a1 = up to 8 packed characters */
    mv t3, ra
1:  andi a0, a1, 0xff
    beqz a0, 2f
    jal t6, putc
    srli a1, a1, 8
    bnez a1, 1b
2:  jr t3
putnl:
    mv t3, ra
    li a0, '\n'
    jal t6, putc
    jr t3
puthex:                           /* a0 = value, 16 digits */
    mv t3, ra
    mv t4, a0
    li t5, 60
1:  srl a0, t4, t5
    andi a0, a0, 15
    addi a0, a0, '0'
    li t1, '9'
    bleu a0, t1, 2f
    addi a0, a0, 'a' - '9' - 1
2:  jal t6, putc
    addi t5, t5, -4
    bgez t5, 1b
    jr t3
putkv:                            /* a1 = key, a0 = value: "key value\n" */
    mv s5, ra
    mv s6, a0
    jal ra, putkey
    li a0, ' '
    jal t6, putc
    mv a0, s6
    jal ra, puthex
    jal ra, putnl
    jr s5
putkidx:                          /* a1 = key letter, a2 = index (2 hex digits), a0 = value */
    srli t0, a2, 4
    addi t0, t0, '0'
    slli t0, t0, 8
    or a1, a1, t0
    andi t0, a2, 15
    addi t0, t0, '0'
    li t1, '9'
    bleu t0, t1, 1f
    addi t0, t0, 'a' - '9' - 1
1:  slli t0, t0, 16
    or a1, a1, t0
    j putkv

    .bss
    .align 12
pt_s: .space 3 * 4096
pt_u: .space 3 * 4096
    .globl diff_scratch
diff_scratch: .space SCRATCH_PAGES * 4096
ctx: .space 1024
diff_log: .space LOGMAX * 32
