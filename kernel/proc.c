// Processes: creation (fork), ending (exit, wait, kill), and the per-hart
// scheduler with sleep/wakeup.
//
// Locking: p->lock protects a process's state, chan, killed, xstate and
// pid; wait_lock protects every p->parent and is taken before any p->lock,
// so a parent and child never deadlock on each other's locks.
#include "defs.h"
#include "file.h"

struct cpu cpus[NCPU];
struct proc proc[NPROC];
struct proc *initproc;

static int nextpid = 1;
static struct spinlock pid_lock;
static struct spinlock wait_lock;

extern char trampoline[], uservec[], userret[];
static void forkret(void);
static void freeproc(struct proc *p);

// Map a kernel stack for every process slot, each below a guard page.
void proc_mapstacks(pagetable_t kpt) {
  for (int i = 0; i < NPROC; i++) {
    char *pa = kalloc();
    if (pa == 0)
      panic("proc_mapstacks: out of memory");
    if (mappages(kpt, KSTACK(i), PGSIZE, (u64)pa, PTE_R | PTE_W) != 0)
      panic("proc_mapstacks: map");
  }
}

void procinit(void) {
  initlock(&pid_lock, "nextpid");
  initlock(&wait_lock, "wait_lock");
  for (int i = 0; i < NPROC; i++) {
    initlock(&proc[i].lock, "proc");
    proc[i].state = UNUSED;
    proc[i].kstack = KSTACK(i);
  }
}

// The hart id; interrupts must be off so the process cannot move harts
// between reading tp and using the answer.
int cpuid(void) { return r_tp(); }

struct cpu *mycpu(void) { return &cpus[cpuid()]; }

struct proc *myproc(void) {
  push_off();
  struct proc *p = mycpu()->proc;
  pop_off();
  return p;
}

static int allocpid(void) {
  acquire(&pid_lock);
  int pid = nextpid++;
  release(&pid_lock);
  return pid;
}

// A user page table with nothing but the trampoline and trap frame.
pagetable_t proc_pagetable(struct proc *p) {
  pagetable_t pt = uvmcreate();
  if (pt == 0)
    return 0;
  // Not PTE_U: only the supervisor-mode trap path runs it.
  if (mappages(pt, TRAMPOLINE, PGSIZE, (u64)trampoline, PTE_R | PTE_X) != 0) {
    uvmfree(pt, 0);
    return 0;
  }
  if (mappages(pt, TRAPFRAME, PGSIZE, (u64)p->trapframe, PTE_R | PTE_W) != 0) {
    uvmunmap(pt, TRAMPOLINE, 1, 0);
    uvmfree(pt, 0);
    return 0;
  }
  return pt;
}

void proc_freepagetable(pagetable_t pt, u64 sz) {
  uvmunmap(pt, TRAMPOLINE, 1, 0);
  uvmunmap(pt, TRAPFRAME, 1, 0);
  uvmfree(pt, sz);
}

// Claim an UNUSED slot: a pid, a trap frame, an empty page table, and a
// context that starts in forkret(). Returns it locked, or 0.
static struct proc *allocproc(void) {
  struct proc *p;
  for (p = proc; p < &proc[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state == UNUSED)
      goto found;
    release(&p->lock);
  }
  return 0;

found:
  p->pid = allocpid();
  p->state = USED;
  if ((p->trapframe = kalloc()) == 0) {
    freeproc(p);
    release(&p->lock);
    return 0;
  }
  memset(p->trapframe, 0, PGSIZE);
  if ((p->pagetable = proc_pagetable(p)) == 0) {
    freeproc(p);
    release(&p->lock);
    return 0;
  }
  memset(&p->context, 0, sizeof(p->context));
  p->context.ra = (u64)forkret;
  p->context.sp = p->kstack + PGSIZE;
  return p;
}

// Release everything a slot holds. p->lock must be held.
static void freeproc(struct proc *p) {
  if (p->trapframe)
    kfree(p->trapframe);
  p->trapframe = 0;
  if (p->pagetable)
    proc_freepagetable(p->pagetable, p->sz);
  p->pagetable = 0;
  p->sz = 0;
  p->pid = 0;
  p->parent = 0;
  p->name[0] = 0;
  p->chan = 0;
  p->killed = 0;
  p->xstate = 0;
  p->state = UNUSED;
}

// The first process runs /init, by way of a tiny program that calls
// exec("/init", ...). Its machine code, assembled from initcode.S, is
// linked into the kernel as initcode[].
extern char initcode_start[], initcode_end[];

void userinit(void) {
  struct proc *p = allocproc();
  if (p == 0)
    panic("userinit");
  initproc = p;
  u64 n = initcode_end - initcode_start;
  if (n > PGSIZE)
    panic("userinit: initcode too big");
  char *mem = kalloc();
  memset(mem, 0, PGSIZE);
  memmove(mem, initcode_start, n);
  if (mappages(p->pagetable, 0, PGSIZE, (u64)mem, PTE_R | PTE_W | PTE_X | PTE_U) != 0)
    panic("userinit: map");
  p->sz = PGSIZE;
  p->trapframe->epc = 0;
  p->trapframe->regs[TF_SP] = PGSIZE;
  safestrcpy(p->name, "initcode", sizeof(p->name));
  p->cwd = namei("/");
  p->state = RUNNABLE;
  release(&p->lock);
}

// Grow (n > 0) or shrink user memory by n bytes. 0, or -1.
int growproc(int n) {
  struct proc *p = myproc();
  u64 sz = p->sz;
  if (n > 0) {
    if (sz + n > TRAPFRAME || (sz = uvmalloc(p->pagetable, sz, sz + n, PTE_W)) == 0)
      return -1;
  } else if (n < 0) {
    if ((u64)(-n) > sz)
      return -1;
    sz = uvmdealloc(p->pagetable, sz, sz + n);
  }
  p->sz = sz;
  return 0;
}

// Create a child that shares the parent's memory copy-on-write.
int fork(void) {
  struct proc *p = myproc();
  struct proc *np = allocproc();
  if (np == 0)
    return -1;
  if (uvmcopy(p->pagetable, np->pagetable, p->sz) < 0) {
    freeproc(np);
    release(&np->lock);
    return -1;
  }
  np->sz = p->sz;
  *np->trapframe = *p->trapframe;
  np->trapframe->regs[TF_A0] = 0;   // fork returns 0 in the child
  for (int i = 0; i < NOFILE; i++)
    if (p->ofile[i])
      np->ofile[i] = filedup(p->ofile[i]);
  np->cwd = idup(p->cwd);
  safestrcpy(np->name, p->name, sizeof(p->name));
  int pid = np->pid;
  release(&np->lock);

  acquire(&wait_lock);
  np->parent = p;
  release(&wait_lock);

  acquire(&np->lock);
  np->state = RUNNABLE;
  release(&np->lock);
  return pid;
}

// Give p's children to init. wait_lock must be held.
static void reparent(struct proc *p) {
  for (struct proc *pp = proc; pp < &proc[NPROC]; pp++) {
    if (pp->parent == p) {
#ifndef BUG_ORPHAN_LEAK   // injected bug: orphans keep a dead parent, nobody reaps them
      pp->parent = initproc;
      wakeup(initproc);   // it may already be a zombie for init to reap
#endif
    }
  }
}

// End the current process. It stays a ZOMBIE, holding its memory, until
// its parent's wait() frees the slot.
void exit(int status) {
  struct proc *p = myproc();
  if (p == initproc)
    panic("init exiting");

  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd]) {
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }
  iput(p->cwd);
  p->cwd = 0;

  acquire(&wait_lock);
  reparent(p);
  wakeup(p->parent);
  acquire(&p->lock);
  p->xstate = status;
  p->state = ZOMBIE;
  release(&wait_lock);

  sched();
  panic("zombie exit");
}

// Wait for a child to exit; its pid, or -1 with no children. The exit
// status is copied to user address addr unless it is 0.
int wait(u64 addr) {
  struct proc *p = myproc();
  acquire(&wait_lock);
  for (;;) {
    int havekids = 0;
    for (struct proc *pp = proc; pp < &proc[NPROC]; pp++) {
      if (pp->parent != p)
        continue;
      acquire(&pp->lock);
      havekids = 1;
      if (pp->state == ZOMBIE) {
        int pid = pp->pid;
        if (addr != 0 && copyout(p->pagetable, addr, (char *)&pp->xstate, sizeof(pp->xstate)) < 0) {
          release(&pp->lock);
          release(&wait_lock);
          return -1;
        }
        freeproc(pp);
        release(&pp->lock);
        release(&wait_lock);
        return pid;
      }
      release(&pp->lock);
    }
    if (!havekids || killed(p)) {
      release(&wait_lock);
      return -1;
    }
    sleep(p, &wait_lock);
  }
}

// Each hart's scheduler loop: run every RUNNABLE process in turn. With
// nothing to run, wait for an interrupt with wfi instead of spinning, so
// an idle hart costs (almost) nothing on an emulator.
void scheduler(void) {
  struct cpu *c = mycpu();
  c->proc = 0;
  for (;;) {
    // Interrupts on, so a device can wake a process even if every
    // process is asleep; then off again before touching the table.
    intr_on();
    intr_off();
    int found = 0;
    for (struct proc *p = proc; p < &proc[NPROC]; p++) {
      acquire(&p->lock);
      if (p->state == RUNNABLE) {
        p->state = RUNNING;
        c->proc = p;
        swtch(&c->context, &p->context);
        c->proc = 0;   // the process is back, sleeping or runnable or dead
        found = 1;
      }
      release(&p->lock);
    }
    if (!found) {
      // A pending interrupt makes wfi return at once, even with SIE clear;
      // intr_on() at the top of the loop then takes it.
      asm volatile("wfi");
    }
  }
}

// Switch to this hart's scheduler. The caller holds p->lock (and nothing
// else) and has already changed p->state.
void sched(void) {
  struct proc *p = myproc();
  if (!holding(&p->lock))
    panic("sched: p->lock not held");
  if (mycpu()->noff != 1)
    panic("sched: other locks held");
  if (p->state == RUNNING)
    panic("sched: still running");
  if (intr_get())
    panic("sched: interrupts on");
  // intena belongs to this kernel thread, not to the hart.
  int intena = mycpu()->intena;
  swtch(&p->context, &mycpu()->context);
  mycpu()->intena = intena;
}

void yield(void) {
  struct proc *p = myproc();
  acquire(&p->lock);
  p->state = RUNNABLE;
  sched();
  release(&p->lock);
}

// A new process's first switch lands here, still holding p->lock from
// the scheduler.
static void forkret(void) {
  static int fs_ready;
  release(&myproc()->lock);
  if (!fs_ready) {
    // The file system sleeps on disk reads, so it is started here, in
    // the first process, rather than in main().
    fs_ready = 1;
    fsinit(ROOTDEV);
  }
  usertrapret();
}

// Atomically release lk and sleep on chan; reacquire lk when woken.
// Holding p->lock across the switch means a wakeup() between releasing lk
// and sleeping cannot be missed: wakeup needs p->lock to see us.
void sleep(void *chan, struct spinlock *lk) {
  struct proc *p = myproc();
  acquire(&p->lock);
  release(lk);
  p->chan = chan;
  p->state = SLEEPING;
  sched();
  p->chan = 0;
  release(&p->lock);
  acquire(lk);
}

// Wake every process sleeping on chan. Called without any p->lock.
// Callers hold the lock that guards the condition slept on, so no process
// can be between checking it and sleeping: a slot seen UNUSED without its
// lock cannot hold a sleeper on chan, and skipping those slots saves most
// of the lock traffic (this runs on every buffer and inode release).
void wakeup(void *chan) {
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p == myproc() || __atomic_load_n(&p->state, __ATOMIC_RELAXED) == UNUSED)
      continue;
    acquire(&p->lock);
    if (p->state == SLEEPING && p->chan == chan)
      p->state = RUNNABLE;
    release(&p->lock);
  }
}

// Mark pid killed; it exits the next time it heads for user mode.
int kill(int pid) {
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    acquire(&p->lock);
    if (p->pid == pid && p->state != UNUSED) {
      p->killed = 1;
      if (p->state == SLEEPING)
        p->state = RUNNABLE;   // wake it so it notices
      release(&p->lock);
      return 0;
    }
    release(&p->lock);
  }
  return -1;
}

void setkilled(struct proc *p) {
  acquire(&p->lock);
  p->killed = 1;
  release(&p->lock);
}

int killed(struct proc *p) {
  acquire(&p->lock);
  int k = p->killed;
  release(&p->lock);
  return k;
}

// Copy to a user address (user_dst) or a kernel address.
int either_copyout(int user_dst, u64 dst, void *src, u64 len) {
  if (user_dst)
    return copyout(myproc()->pagetable, dst, src, len);
  memmove((char *)dst, src, len);
  return 0;
}

int either_copyin(void *dst, int user_src, u64 src, u64 len) {
  if (user_src)
    return copyin(myproc()->pagetable, dst, src, len);
  memmove(dst, (char *)src, len);
  return 0;
}

// ^P on the console: list processes. No locks, so a wedged kernel can
// still show its state.
void procdump(void) {
  static const char *names[] = {
    [UNUSED] "unused", [USED] "used", [SLEEPING] "sleep",
    [RUNNABLE] "runble", [RUNNING] "run", [ZOMBIE] "zombie",
  };
  printf("\n");
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p->state == UNUSED)
      continue;
    printf("%d %s %s sz=%lu\n", p->pid, names[p->state], p->name, p->sz);
  }
}
