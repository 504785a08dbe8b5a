// Process-related system calls.
#include "defs.h"

extern struct spinlock tickslock;
extern u32 ticks;

u64 sys_exit(void) {
  int n;
  argint(0, &n);
  exit(n);
  return 0;   // not reached
}

u64 sys_getpid(void) { return myproc()->pid; }

u64 sys_fork(void) { return fork(); }

u64 sys_wait(void) {
  u64 p;
  argaddr(0, &p);
  return wait(p);
}

u64 sys_sbrk(void) {
  int n;
  argint(0, &n);
  u64 addr = myproc()->sz;
  if (growproc(n) < 0)
    return -1;
  return addr;
}

u64 sys_sleep(void) {
  int n;
  argint(0, &n);
  if (n < 0)
    n = 0;
  acquire(&tickslock);
  u32 start = ticks;
  while (ticks - start < (u32)n) {
    if (killed(myproc())) {
      release(&tickslock);
      return -1;
    }
    sleep(&ticks, &tickslock);
  }
  release(&tickslock);
  return 0;
}

u64 sys_kill(void) {
  int pid;
  argint(0, &pid);
  return kill(pid);
}

u64 sys_uptime(void) {
  acquire(&tickslock);
  u32 t = ticks;
  release(&tickslock);
  return t;
}

u64 sys_freepages(void) { return kfreepages(); }

// Power off through the SiFive test finisher: 0x5555 means pass (exit 0),
// (code << 16) | 0x3333 means fail with that code.
u64 sys_halt(void) {
  int status;
  argint(0, &status);
  volatile u32 *finisher = (u32 *)FINISHER;
  *finisher = status == 0 ? 0x5555 : ((u32)status << 16) | 0x3333;
  for (;;) ;
}
