#pragma once
#include "param.h"
#include "spinlock.h"

// Callee-saved registers of a kernel thread, saved by swtch().
struct context {
  u64 ra;
  u64 sp;
  u64 s[12];
};

// Per-hart state.
struct cpu {
  struct proc *proc;      // running process, or 0
  struct context context; // swtch() here to enter scheduler()
  int noff;               // depth of push_off() nesting
  int intena;             // were interrupts on before the first push_off()?
};
extern struct cpu cpus[NCPU];

// Saved user state, one page per process, mapped at TRAPFRAME in the user
// page table (and reachable through the direct map in the kernel).
// Register xN lives at regs[N], so the trampoline saves them in a plain
// sequence; regs[0] is unused. The kernel_* fields are what uservec needs to
// get into the kernel; they are written by usertrapret() before each return
// to user mode.
struct trapframe {
  u64 regs[32];       //   0: x0 (unused) .. x31
  u64 kernel_satp;    // 256
  u64 kernel_sp;      // 264: top of this process's kernel stack
  u64 kernel_trap;    // 272: usertrap()
  u64 kernel_hartid;  // 280
  u64 epc;            // 288: user pc
};
#define TF_RA 1
#define TF_SP 2
#define TF_A0 10
#define TF_A1 11
#define TF_A7 17

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
  struct spinlock lock;

  // Protected by p->lock.
  enum procstate state;
  void *chan;             // sleeping on this
  int killed;
  int xstate;             // exit status for wait()
  int pid;

  // Protected by wait_lock.
  struct proc *parent;

  // Private to the process (or its creator before it runs).
  u64 kstack;             // kernel stack's virtual address
  u64 sz;                 // bytes of user memory, from 0
  pagetable_t pagetable;
  struct trapframe *trapframe;
  struct context context;
  struct file *ofile[NOFILE];
  struct inode *cwd;
  char name[16];
};
