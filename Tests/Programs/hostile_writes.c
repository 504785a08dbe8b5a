// hostile_writes.c — a guest that writes (and reads, and swaps) every
// address: on every hart, sweeps of the whole 64-bit physical space in
// large strides with the edges spelled out (0, 2^k and 2^k - 1 each way,
// the top of the space, accesses straddling the end of RAM and of every
// device window), every word of each device's first page, every page of
// each device window (the test finisher only with values that are not one
// of its commands), every PLIC context's enables, threshold and claim, a
// page in every 64 KiB of RAM beyond the program (a different offset each
// pass), and the program's own code rewritten with the values it already
// holds while the other harts run it; and HTIF's tohost (this program has
// one, as riscv-tests do) with syscall blocks at wild addresses and in RAM
// with wild arguments. Widths 1, 2, 4 and 8, aligned and not, AMOs and LR/SC. A trap handler skips whatever faults. After every
// sweep hart 0 puts the UART back together and prints "writes: pass N".
#include "hostile.h"

#define HARTS_MAX 8
static volatile u64 harts;   // how many harts -smp gave; counted at run time below

// The trap handler: skip the faulting instruction (2 or 4 bytes long).
// Interrupts are never enabled, so every trap is an exception raised by a
// sweep access in this file's code.
void skip_trap(void);
asm(".align 4\n"
    "skip_trap:\n"
    "  csrw mscratch, t0\n"
    "  csrw sscratch, t1\n"
    "  csrr t0, mepc\n"
    "  lhu t1, 0(t0)\n"
    "  andi t1, t1, 3\n"
    "  addi t0, t0, 2\n"
    "  addi t1, t1, -3\n"
    "  bnez t1, 1f\n"
    "  addi t0, t0, 2\n"
    "1: csrw mepc, t0\n"
    "  csrr t1, sscratch\n"
    "  csrr t0, mscratch\n"
    "  mret\n");

static volatile u64 sink;

// One access of kind k (0..11) at a: stores of each width, loads of each
// width, two AMOs, a load-reserved/store-conditional pair.
static void poke(u64 a, u64 v, u32 k) {
    switch (k % 12) {
    case 0: asm volatile("sb %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
    case 1: asm volatile("sh %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
    case 2: asm volatile("sw %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
    case 3: asm volatile("sd %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
    case 4: { u64 x = 0; asm volatile("lbu %0, 0(%1)" : "+r"(x) : "r"(a) : "memory"); sink = x; break; }
    case 5: { u64 x = 0; asm volatile("lh %0, 0(%1)" : "+r"(x) : "r"(a) : "memory"); sink = x; break; }
    case 6: { u64 x = 0; asm volatile("lw %0, 0(%1)" : "+r"(x) : "r"(a) : "memory"); sink = x; break; }
    case 7: { u64 x = 0; asm volatile("ld %0, 0(%1)" : "+r"(x) : "r"(a) : "memory"); sink = x; break; }
    case 8: { u64 x = 0; asm volatile("amoswap.w %0, %1, (%2)" : "+r"(x) : "r"(v), "r"(a) : "memory"); sink = x; break; }
    case 9: { u64 x = 0; asm volatile("amoadd.d %0, %1, (%2)" : "+r"(x) : "r"(v), "r"(a) : "memory"); sink = x; break; }
    case 10: { u64 x = 0; asm volatile("lr.d %0, (%1)" : "+r"(x) : "r"(a) : "memory"); sink = x; break; }
    default: { u64 x = 0; asm volatile("sc.d %0, %1, (%2)" : "+r"(x) : "r"(v), "r"(a) : "memory"); sink = x; break; }
    }
}

// Never one of the test finisher's commands (0x3333 fail, 0x5555 power
// off, 0x7777 reset, in the low half): the run must end only when the test
// says so.
static u64 harmless(u64 a, u64 v) {
    if ((a & ~7UL) == FINISHER) {
        v = (v & ~0xffffUL) | 0x1234;
    }
    return v;
}

static void sweep_device(u64 base, u64 size, u64 *rng, u32 *kind) {
    // Every word of the first register page...
    u64 dense = size < 0x1000 ? size : 0x1000;
    for (u64 off = 0; off < dense; off += 4) {
        u64 a = base + off;
        poke(a, harmless(a, next_random(rng)), (*kind)++);
    }
    // ...and every page of the window, at a few offsets, and its edges.
    for (u64 off = 0; off < size; off += 0x1000) {
        u64 a = base + off + (*kind * 4 & 0xffc);
        poke(a, harmless(a, next_random(rng)), (*kind)++);
    }
    for (u64 d = 1; d <= 8; d++) {
        poke(base + size - d, next_random(rng), 3);      // straddles the window's end
        poke(base + size - d, next_random(rng), 7);
    }
}

static void sweep(u64 hart, u64 pass, u64 *rng) {
    u32 kind = (u32)(hart + pass);
    // The whole space in strides, and its edges.
    for (u64 a = 0x1000; a < (1UL << 40); a += (1UL << 30) + 0x1238) {
        if (a >= RAM_BASE && a < RAM_END) continue;
        poke(a, next_random(rng), kind++);
    }
    for (int k = 0; k < 64; k++) {
        u64 p = 1UL << k;
        u64 edges[] = { p, p - 1, p + 1, -p, -p - 1, ~0UL - (u64)k };
        for (int e = 0; e < 6; e++) {
            u64 a = edges[e];
            if ((a >= RAM_BASE && a < RAM_END) || (a & ~0xfffUL) == FINISHER) continue;
            poke(a, next_random(rng), kind++);
        }
    }
    for (u64 d = 1; d <= 8; d++) {
        poke(RAM_END - d, next_random(rng), 3);         // half in RAM, half past its end
        poke(RAM_END - d, next_random(rng), 9);
        poke(RAM_BASE - d, next_random(rng), 3);
    }
    // Every device window.
    sweep_device(FINISHER, 0x1000, rng, &kind);
    sweep_device(CLINT, 0x10000, rng, &kind);
    sweep_device(PLIC, 0x600000, rng, &kind);
    for (u64 ctx = 0; ctx < 2 * HARTS_MAX; ctx++) {
        for (u64 w = 0; w < 16; w += 4) poke(PLIC + 0x2000 + 0x80 * ctx + w, next_random(rng), kind++);
        for (u64 w = 0; w < 8; w += 4) poke(PLIC + 0x200000 + 0x1000 * ctx + w, next_random(rng), kind++);
    }
    sweep_device(UART, 0x1000, rng, &kind);
    sweep_device(0x10001000UL, 8 * 0x1000, rng, &kind);  // the virtio-mmio slots
    sweep_device(0x1000, 0xf000, rng, &kind);            // where QEMU has its boot ROM
    // RAM beyond the program: one random access per 64 KiB.
    u64 start = ((u64)_end + 0xfff) & ~0xfffUL;
    for (u64 a = start + hart * 8 + (pass % 8192) * 8; a < RAM_END; a += 0x10000) {
        poke(a, next_random(rng), kind++ % 4);
    }
    // HTIF: a syscall block anywhere, and a write(2) from anywhere, of any
    // length (never device 0 with an odd payload: that is "exit").
    if (hart == 0) {
        extern volatile u64 tohost;
        static u64 block[8] __attribute__((aligned(64)));
        for (int i = 0; i < 8; i++) {
            tohost = next_random(rng) & 0xfffffffffffeUL;
            block[0] = i & 1 ? 64 : next_random(rng) % 92;     // write, or anything but exit (93)
            block[1] = next_random(rng);
            block[2] = i & 2 ? next_random(rng) : RAM_END - 8;   // a buffer running off RAM's end
            block[3] = next_random(rng) % 64;
            tohost = (u64)block;
        }
    }
    // The program's own code, rewritten with what it holds (other harts
    // are running it).
    extern char _start[], etext[];
    for (u64 a = (u64)_start; a + 4 <= (u64)etext; a += 4) {
        u32 w = REG32(a);
        REG32(a) = w;
    }
}

int main(u64 hart) {
    asm volatile("csrw mtvec, %0" :: "r"(skip_trap));
    asm volatile("csrw mie, zero");
    static volatile u32 arrived;
    u32 sense = 0;
    __atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
    if (hart == 0) {
        // Count the harts that arrive within a while: the test picks -smp.
        for (volatile int i = 0; i < 200000; i++) {}
        harts = arrived;
        puts("writes: ");
        putu(harts);
        puts(" harts sweeping\n");
    }
    while (harts == 0) {}
    u64 rng = 0x9e3779b97f4a7c15UL * (hart + 1) + SEED;
    for (u64 pass = 1;; pass++) {
        sweep(hart, pass, &rng);
        barrier((u32)harts, &sense);
        if (hart == 0) {
            uart_reset();
            puts("writes: pass ");
            putu(pass);
            putc('\n');
        }
        barrier((u32)harts, &sense);
    }
}
