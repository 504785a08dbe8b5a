// clint_harts.c — the CLINT timer on every hart: each hart arms its own
// mtimecmp a different distance ahead, sleeps in wfi until its machine
// timer interrupt, and checks that mtime really reached its deadline.
// Hart 0 waits for all of them and reports. Also checks MSIP: hart 0
// sends a software interrupt to every other hart.
#include "lib.h"

#define HARTS 3
static volatile int timerDone[HARTS], softDone[HARTS];
static volatile u64 deadline[HARTS];

void trap(void) __attribute__((interrupt("machine"), aligned(4)));
void trap(void) {
    u64 cause, h = r_mhartid();
    asm volatile("csrr %0, mcause" : "=r"(cause));
    if (cause == (1UL << 63 | 7)) {
        if (mtime() >= deadline[h]) timerDone[h] = 1;
        REG64(CLINT + 0x4000 + 8 * h) = ~0UL;    // quiet until re-armed
    } else if (cause == (1UL << 63 | 3)) {
        softDone[h] = 1;
        REG32(CLINT + 4 * h) = 0;
    } else {
        poweroff(90);
    }
}

int main(u64 h) {
    asm volatile("csrw mtvec, %0" :: "r"(trap));
    deadline[h] = mtime() + 1000 * (h + 1);
    REG64(CLINT + 0x4000 + 8 * h) = deadline[h];
    asm volatile("csrs mie, %0" :: "r"((1 << 7) | (1 << 3)));
    asm volatile("csrs mstatus, %0" :: "r"(1 << 3));
    while (!timerDone[h]) asm volatile("wfi");
    if (h != 0) {
        while (!softDone[h]) asm volatile("wfi");
        for (;;) asm volatile("wfi");
    }
    for (int i = 1; i < HARTS; i++) REG32(CLINT + 4 * i) = 1;
    for (int i = 1; i < HARTS; i++) {
        while (!timerDone[i] || !softDone[i]) {}
    }
    puts("all harts took their timer and software interrupts\n");
    return 0;
}
