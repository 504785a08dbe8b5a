// hostile_spin.c — every hart spins with interrupts off: even harts on a
// jump to itself, odd harts counting in a loop that never ends (so the
// board is never idle), hart 0 after printing its marker.
#include "hostile.h"

static volatile u64 counters[8];

int main(u64 hart) {
    asm volatile("csrw mie, zero");
    asm volatile("csrci mstatus, 8");
    if (hart == 0) puts("spin: every hart spinning\n");
    if (hart % 2 == 0) for (;;) asm volatile("j .");
    for (;;) counters[hart]++;
}
