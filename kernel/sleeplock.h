#pragma once
#include "spinlock.h"

// A lock that may be held across sleeps (disk I/O): waiters give up the hart.
struct sleeplock {
  u32 locked;
  u32 waiters;         // sleeping in acquiresleep: release wakes only if any
  struct spinlock lk;  // protects this structure
  const char *name;
  int pid;             // holder
};
