// hostile_jumps.c — a guest that jumps anywhere: every trap picks another
// random target and goes there. In M-mode: random 64-bit addresses, device
// windows, address 0, and the last halfword of RAM holding the first half of
// a 4-byte instruction (its second half would lie past the end of RAM). In
// U-mode, with every register random: anywhere in a 2 MiB megapage of
// random bytes (even offsets: the middle of instructions too), its last
// halfword (a 4-byte instruction straddling into an unmapped page), or a
// random virtual address. The random bytes run as code (U-mode can reach
// nothing but that megapage, which it also rewrites: code that changes
// under other harts), and a timer interrupt takes back a hart stuck in a
// loop. Hart 0 prints "jumps: N" every 16384 traps.
#include "hostile.h"

#define JUNK 0x80400000UL            // a 2 MiB megapage of random bytes
#define JUNK_SIZE (2UL << 20)
#define MTIMECMP(h) (CLINT + 0x4000 + 8 * (h))

static u64 root[512] __attribute__((aligned(4096)));
static u64 mid[512] __attribute__((aligned(4096)));
static u64 rng[8];
static u64 regs[8][32];
static u64 traps[8];
static volatile int ready;

// Trap entry: a fresh stack from mscratch (nothing is ever resumed), then C.
void jump_trap(void);
void on_trap(void) __attribute__((noreturn));
asm(".align 4\n"
    "jump_trap:\n"
    "  csrr sp, mscratch\n"
    "  j on_trap\n");

// Loads x1..x31 from the array at a0 (a0 itself last) and mrets.
void enter_user(u64 *r) __attribute__((noreturn));
asm(".align 2\n"
    "enter_user:\n"
    "  ld x1, 8(a0)\n  ld x2, 16(a0)\n  ld x3, 24(a0)\n  ld x4, 32(a0)\n"
    "  ld x5, 40(a0)\n  ld x6, 48(a0)\n  ld x7, 56(a0)\n  ld x8, 64(a0)\n"
    "  ld x9, 72(a0)\n  ld x11, 88(a0)\n  ld x12, 96(a0)\n  ld x13, 104(a0)\n"
    "  ld x14, 112(a0)\n  ld x15, 120(a0)\n  ld x16, 128(a0)\n  ld x17, 136(a0)\n"
    "  ld x18, 144(a0)\n  ld x19, 152(a0)\n  ld x20, 160(a0)\n  ld x21, 168(a0)\n"
    "  ld x22, 176(a0)\n  ld x23, 184(a0)\n  ld x24, 192(a0)\n  ld x25, 200(a0)\n"
    "  ld x26, 208(a0)\n  ld x27, 216(a0)\n  ld x28, 224(a0)\n  ld x29, 232(a0)\n"
    "  ld x30, 240(a0)\n  ld x31, 248(a0)\n  ld x10, 80(a0)\n"
    "  mret\n");

static void jump_machine(u64 target) __attribute__((noreturn));
static void jump_machine(u64 target) {
    asm volatile("jr %0" :: "r"(target));
    __builtin_unreachable();
}

static void jump_user(u64 hart, u64 target) __attribute__((noreturn));
static void jump_user(u64 hart, u64 target) {
    u64 *r = regs[hart];
    for (int i = 1; i < 32; i++) r[i] = next_random(&rng[hart]);
    REG64(MTIMECMP(hart)) = mtime() + 200;          // 20 µs of guest time at most
    asm volatile("csrw mepc, %0" :: "r"(target));
    asm volatile("csrc mstatus, %0" :: "r"(3UL << 11));   // MPP = U
    enter_user(r);
}

void on_trap(void) {
    u64 hart = r_mhartid();
    u64 cause;
    asm volatile("csrr %0, mcause" : "=r"(cause));
    if (cause == (1UL << 63 | 7)) REG64(MTIMECMP(hart)) = ~0UL;
    if (++traps[hart] % 16384 == 0 && hart == 0) {
        puts("jumps: ");
        putu(traps[0]);
        putc('\n');
    }
    u64 x = next_random(&rng[hart]);
    switch (x % 10) {
    case 0: jump_machine(next_random(&rng[hart]) & ~1UL);
    case 1: jump_machine(next_random(&rng[hart]) % 0x10010000UL & ~1UL);
    case 2: jump_machine(0);
    case 3: jump_machine(RAM_END - 2);
    case 4: jump_user(hart, JUNK + JUNK_SIZE - 2);
    case 5: jump_user(hart, next_random(&rng[hart]) & ~1UL);
    default: jump_user(hart, JUNK + (next_random(&rng[hart]) % JUNK_SIZE & ~1UL));
    }
}

int main(u64 hart) {
    static u64 stacks_top[8];
    if (hart >= 8) for (;;) asm volatile("wfi");
    rng[hart] = 0x9e3779b97f4a7c15UL * (hart + 7) + SEED;
    if (hart == 0) {
        if ((u64)_end > JUNK) poweroff(60);
        u64 s = 12345 + SEED;
        for (u64 a = JUNK; a < JUNK + JUNK_SIZE; a += 8) REG64(a) = next_random(&s);
        REG16(RAM_END - 2) = 0x0003;   // the low half of an `lb`: 4 bytes long
        REG16(JUNK + JUNK_SIZE - 2) = 0x0003;
        // Sv39: VA 0x80400000 → the megapage, user RWX; nothing else mapped.
        root[2] = ((u64)mid >> 12) << 10 | 1;
        mid[2] = (JUNK >> 12) << 10 | 0xdf;   // V R W X U A D
        __sync_synchronize();
        ready = 1;
    }
    while (!ready) {}
    u64 sp;
    asm volatile("mv %0, sp" : "=r"(sp));
    stacks_top[hart] = sp & ~15UL;
    asm volatile("csrw mscratch, %0" :: "r"(stacks_top[hart] - 256));
    asm volatile("csrw mtvec, %0" :: "r"(jump_trap));
    // PMP lets U reach everything (QEMU enforces PMP; with no entry U could
    // reach nothing); the page table is what confines it.
    asm volatile("csrw pmpaddr0, %0" :: "r"(-1L));
    asm volatile("csrw pmpcfg0, %0" :: "r"(0x1f));
    asm volatile("csrw satp, %0" :: "r"(8UL << 60 | (u64)root >> 12));
    asm volatile("sfence.vma");
    asm volatile("csrw mie, %0" :: "r"(1 << 7));      // MTIE: always on in U-mode
    asm volatile("csrs mstatus, %0" :: "r"(1UL << 13)); // FS = Initial: random FP code runs
    if (hart == 0) puts("jumps: under way\n");
    on_trap();
}
