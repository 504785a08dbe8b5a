// System call dispatch and argument fetching.
#include "defs.h"
#include "syscall.h"

// Fetch the u64 at user address addr.
int fetchaddr(u64 addr, u64 *ip) {
  struct proc *p = myproc();
  if (addr >= p->sz || addr + sizeof(u64) > p->sz)
    return -1;
  return copyin(p->pagetable, (char *)ip, addr, sizeof(*ip));
}

// Fetch the NUL-terminated string at user address addr. Its length, or -1.
int fetchstr(u64 addr, char *buf, int max) {
  if (copyinstr(myproc()->pagetable, buf, addr, max) < 0)
    return -1;
  return strlen(buf);
}

static u64 argraw(int n) {
  return myproc()->trapframe->regs[TF_A0 + n];
}

void argint(int n, int *ip) { *ip = argraw(n); }

// Pointers are not checked here: copyin/copyout check them when used.
void argaddr(int n, u64 *ip) { *ip = argraw(n); }

int argstr(int n, char *buf, int max) {
  return fetchstr(argraw(n), buf, max);
}

#define SYSCALLS(X) \
  X(fork) X(exit) X(wait) X(pipe) X(read) X(kill) X(exec) X(fstat) \
  X(chdir) X(dup) X(getpid) X(sbrk) X(sleep) X(uptime) X(open) X(write) \
  X(mknod) X(unlink) X(link) X(mkdir) X(close) X(freepages) X(halt)

#define DECLARE(name) u64 sys_##name(void);
SYSCALLS(DECLARE)

static u64 (*const syscalls[])(void) = {
#define ENTRY(name) [SYS_##name] = sys_##name,
  SYSCALLS(ENTRY)
};

void syscall(void) {
  struct proc *p = myproc();
  u64 num = p->trapframe->regs[TF_A7];
  if (num > 0 && num < sizeof(syscalls) / sizeof(syscalls[0]) && syscalls[num]) {
    p->trapframe->regs[TF_A0] = syscalls[num]();
  } else {
    printf("pid %d %s: unknown system call %ld\n", p->pid, p->name, num);
    p->trapframe->regs[TF_A0] = -1;
  }
}
