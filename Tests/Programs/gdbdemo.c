// gdbdemo.c — a target for the gdb end-to-end test: a call chain to
// break in, a global to watch, three harts to list.
#include "lib.h"

volatile u64 watched;
volatile u64 ready;

__attribute__((noinline)) u64 leaf(u64 v) {
    watched = v * 2;
    return watched + 1;
}

__attribute__((noinline)) u64 middle(u64 v) { return leaf(v + 1) + 1; }

int main(u64 hart) {
    if (hart != 0) {
        while (!ready) {}
        for (;;) asm volatile("wfi");
    }
    u64 total = 0;
    for (u64 i = 0; i < 3; i++) total += middle(i);
    ready = 1;
    puts("gdbdemo done\n");
    return total == 15 ? 0 : 1;
}
