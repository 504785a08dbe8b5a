// Pipes: a 512-byte ring between a write end and a read end.
#include "defs.h"
#include "file.h"

#define PIPESIZE 512

struct pipe {
  struct spinlock lock;
  char data[PIPESIZE];
  u32 nread;      // bytes read so far (free-running)
  u32 nwrite;     // bytes written so far
  int readopen;
  int writeopen;
};

int pipealloc(struct file **f0, struct file **f1) {
  struct pipe *pi = 0;
  *f0 = *f1 = 0;
  if ((*f0 = filealloc()) == 0 || (*f1 = filealloc()) == 0)
    goto bad;
  if ((pi = kalloc()) == 0)
    goto bad;
  initlock(&pi->lock, "pipe");
  pi->nread = pi->nwrite = 0;
  pi->readopen = pi->writeopen = 1;
  (*f0)->type = FD_PIPE;
  (*f0)->readable = 1;
  (*f0)->writable = 0;
  (*f0)->pipe = pi;
  (*f1)->type = FD_PIPE;
  (*f1)->readable = 0;
  (*f1)->writable = 1;
  (*f1)->pipe = pi;
  return 0;

bad:
  if (*f0)
    fileclose(*f0);
  if (*f1)
    fileclose(*f1);
  return -1;
}

void pipeclose(struct pipe *pi, int writable) {
  acquire(&pi->lock);
  if (writable) {
    pi->writeopen = 0;
    wakeup(&pi->nread);
  } else {
    pi->readopen = 0;
    wakeup(&pi->nwrite);
  }
  int gone = !pi->readopen && !pi->writeopen;
  release(&pi->lock);
  if (gone)
    kfree(pi);
}

int pipewrite(struct pipe *pi, u64 addr, int n) {
  struct proc *p = myproc();
  int i = 0;
  acquire(&pi->lock);
  while (i < n) {
    if (!pi->readopen || killed(p)) {
      release(&pi->lock);
      return -1;
    }
    if (pi->nwrite == pi->nread + PIPESIZE) {
      wakeup(&pi->nread);
      sleep(&pi->nwrite, &pi->lock);
      continue;
    }
    // Copy as much as fits contiguously in the ring in one go.
    u32 at = pi->nwrite % PIPESIZE;
    u32 room = PIPESIZE - (pi->nwrite - pi->nread);
    u32 m = n - i;
    if (m > room) m = room;
    if (m > PIPESIZE - at) m = PIPESIZE - at;
    if (copyin(p->pagetable, &pi->data[at], addr + i, m) == -1) {
      if (i == 0) i = -1;   // a bad buffer is an error, not a short write
      break;
    }
    pi->nwrite += m;
    i += m;
  }
  wakeup(&pi->nread);
  release(&pi->lock);
  return i;
}

int piperead(struct pipe *pi, u64 addr, int n) {
  struct proc *p = myproc();
  acquire(&pi->lock);
  while (pi->nread == pi->nwrite && pi->writeopen) {
    if (killed(p)) {
      release(&pi->lock);
      return -1;
    }
    sleep(&pi->nread, &pi->lock);
  }
  int i = 0;
  while (i < n && pi->nread != pi->nwrite) {
    u32 at = pi->nread % PIPESIZE;
    u32 m = pi->nwrite - pi->nread;
    if (m > (u32)(n - i)) m = n - i;
    if (m > PIPESIZE - at) m = PIPESIZE - at;
    if (copyout(p->pagetable, addr + i, &pi->data[at], m) == -1) {
      if (i == 0) i = -1;
      break;
    }
    pi->nread += m;
    i += m;
  }
  wakeup(&pi->nwrite);
  release(&pi->lock);
  return i;
}
