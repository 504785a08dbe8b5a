// Spin locks, and the interrupt-disable nesting they rely on.
#include "defs.h"

void initlock(struct spinlock *lk, const char *name) {
  lk->name = name;
  lk->locked = 0;
  lk->cpu = 0;
}

void acquire(struct spinlock *lk) {
  push_off();   // an interrupt handler on this hart must not deadlock on lk
  if (holding(lk))
    panic("acquire: %s already held by this hart", lk->name);
  // amoswap.w.aq: the loads and stores of the critical section stay after it.
  while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0)
    ;
  lk->cpu = mycpu();
}

void release(struct spinlock *lk) {
  if (!holding(lk))
    panic("release: %s not held", lk->name);
  lk->cpu = 0;
  __atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
  pop_off();
}

// Whether this hart holds lk. Interrupts must be off.
int holding(struct spinlock *lk) {
  return lk->locked && lk->cpu == mycpu();
}

// push_off/pop_off are intr_off/intr_on that nest: interrupts come back on
// only at the outermost pop_off, and only if they were on at the first
// push_off.
void push_off(void) {
  int old = intr_get();
  intr_off();
  struct cpu *c = mycpu();
  if (c->noff == 0)
    c->intena = old;
  c->noff++;
}

void pop_off(void) {
  struct cpu *c = mycpu();
  if (intr_get())
    panic("pop_off: interrupts on");
  if (c->noff < 1)
    panic("pop_off: unbalanced");
  c->noff--;
  if (c->noff == 0 && c->intena)
    intr_on();
}
