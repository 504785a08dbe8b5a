#pragma once
#include "types.h"

// A lock held by one hart at a time, with interrupts off on that hart so an
// interrupt handler can never spin on a lock its own hart holds.
struct spinlock {
  u32 locked;
  const char *name;   // for panics and debugging
  struct cpu *cpu;    // holder
};
