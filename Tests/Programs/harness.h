// harness.h — macros for the bare-metal test programs. A program checks
// machine state step by step; gp holds the number of the current check.
// It reports through HTIF: tohost = 1 on success, (check << 1) | 1 on the
// first failed check (so the exit status names the check).
#define CHECK_NUM(n)   li gp, n
#define EXPECT(reg, value) li t6, value; bne reg, t6, fail
#define PASS_AND_HALT  j pass

#define TRAP_HANDLER(name)                                                 \
    /* Records the trap in s2..s5 and resumes at s1, in M-mode. */       \
    .align 6;                                                             \
name:                                                                      \
    csrr s2, mcause;                                                      \
    csrr s3, mepc;                                                        \
    csrr s4, mtval;                                                       \
    csrr s5, mstatus;                                                     \
    li t6, 0x1800;                                                        \
    csrs mstatus, t6;                                                     \
    csrw mepc, s1;                                                        \
    mret

#define EPILOGUE                                                           \
pass:                                                                      \
    li t6, 1;                                                             \
    la t5, tohost;                                                        \
    sd t6, 0(t5);                                                         \
1:  j 1b;                                                                 \
fail:                                                                      \
    slli t6, gp, 1;                                                       \
    ori t6, t6, 1;                                                        \
    la t5, tohost;                                                        \
    sd t6, 0(t5);                                                         \
2:  j 2b;                                                                 \
    .section .tohost, "aw", @progbits;                                    \
    .align 6;                                                             \
    .globl tohost;                                                        \
tohost: .dword 0; .size tohost, 8;                                          \
    .align 6;                                                             \
    .globl fromhost;                                                      \
fromhost: .dword 0; .size fromhost, 8;                                      \
    .text

/* Enter `mode` (0 U, 1 S) at `label`. */
#define ENTER(mode, label)                                                 \
    li t6, 0x1800;                                                        \
    csrc mstatus, t6;                                                     \
    li t6, (mode) << 11;                                                  \
    csrs mstatus, t6;                                                     \
    la t6, label;                                                         \
    csrw mepc, t6;                                                        \
    mret

/* Let S and U reach all memory. QEMU enforces PMP (no entry = no access
   below M); xv6emu stores PMP but never enforces it. */
#define PMP_ALLOW_ALL                                                      \
    li t6, -1;                                                            \
    csrw pmpaddr0, t6;                                                    \
    li t6, 0x1f;                                                          \
    csrw pmpcfg0, t6
