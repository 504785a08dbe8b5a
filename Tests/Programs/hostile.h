// hostile.h — what the hostile guests share (Tests/XV6EmuCLITests/
// HostileGuestTests.swift runs them): a fixed-seed generator, so a run is
// the same run every time, and a barrier for the harts. Each guest prints
// a marker line once its hostile work is under way, then never stops: the
// test ends it with Ctrl-A x, SIGTERM or gdb.
#pragma once
#include "lib.h"

// Another seed gives another run (for soaking by hand: -DSEED=n).
#ifndef SEED
#define SEED 0
#endif

#define RAM_BASE 0x80000000UL
#define RAM_END (RAM_BASE + (128UL << 20))   // the tests run with -m 128M

extern char _end[];

// xorshift64*: per-hart state, seeded from the hart number.
static inline u64 next_random(u64 *s) {
    u64 x = *s;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dUL;
}

// Sense-reversing barrier over `harts` harts.
static volatile u32 barrier_count, barrier_sense;
static inline void barrier(u32 harts, u32 *local_sense) {
    *local_sense ^= 1;
    if (__atomic_add_fetch(&barrier_count, 1, __ATOMIC_SEQ_CST) == harts) {
        barrier_count = 0;
        __atomic_store_n(&barrier_sense, *local_sense, __ATOMIC_SEQ_CST);
    } else {
        while (__atomic_load_n(&barrier_sense, __ATOMIC_SEQ_CST) != *local_sense) {}
    }
}

// The UART back to 8N1, DLAB off, no interrupts: a guest that scribbled on
// its registers can print again.
static inline void uart_reset(void) {
    REG8(UART + 3) = 0x03;
    REG8(UART + 1) = 0x00;
    REG8(UART + 2) = 0x07;
}
