// multi.c — three harts race on shared counters with AMOs and LR/SC and
// print what each saw in an order that depends on the interleaving. The
// determinism test runs it twice and wants byte-identical output.
#include "lib.h"

#define HARTS 3
static volatile u64 counter, lrsc, finished, trace[HARTS][8];

int main(u64 h) {
    for (int i = 0; i < 20000; i++) {
        u64 v = __sync_fetch_and_add(&counter, 1);
        if (i % 2500 == 0) trace[h][i / 2500] = v;
        u64 old, fail;
        do {
            asm volatile("lr.d %0, (%2)\n sc.d %1, %3, (%2)" : "=&r"(old), "=&r"(fail) : "r"(&lrsc), "r"(0UL) : "memory");
            asm volatile("" ::: "memory");
            u64 t;
            asm volatile("lr.d %0, (%2)\n addi %0, %0, 1\n sc.d %1, %0, (%2)" : "=&r"(t), "=&r"(fail) : "r"(&lrsc) : "memory");
        } while (fail);
    }
    __sync_fetch_and_add(&finished, 1);
    if (h != 0) for (;;) asm volatile("wfi");
    while (finished != HARTS) {}
    for (int k = 0; k < HARTS; k++) {
        puts("hart "); putu(k); puts(":");
        for (int j = 0; j < 8; j++) { puts(" "); putu(trace[k][j]); }
        puts("\n");
    }
    puts("counter "); putu(counter); puts(" mtime "); putu(mtime()); puts("\n");
    return counter == HARTS * 20000 ? 0 : 1;
}
