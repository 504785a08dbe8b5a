// Open files: the system-wide table that file descriptors point into.
#include "defs.h"
#include "file.h"
#include "stat.h"

struct devsw devsw[NDEV];

static struct {
  struct spinlock lock;
  struct file file[NFILE];
} ftable;

void fileinit(void) {
  initlock(&ftable.lock, "ftable");
}

struct file *filealloc(void) {
  acquire(&ftable.lock);
  for (struct file *f = ftable.file; f < ftable.file + NFILE; f++) {
    if (f->ref == 0) {
      f->ref = 1;
      release(&ftable.lock);
      return f;
    }
  }
  release(&ftable.lock);
  return 0;
}

struct file *filedup(struct file *f) {
  acquire(&ftable.lock);
  if (f->ref < 1)
    panic("filedup");
  f->ref++;
  release(&ftable.lock);
  return f;
}

void fileclose(struct file *f) {
  acquire(&ftable.lock);
  if (f->ref < 1)
    panic("fileclose");
  if (--f->ref > 0) {
    release(&ftable.lock);
    return;
  }
  struct file copy = *f;
  f->ref = 0;
  f->type = FD_NONE;
  release(&ftable.lock);

  // Outside the table lock: these may sleep.
  if (copy.type == FD_PIPE)
    pipeclose(copy.pipe, copy.writable);
  else if (copy.type == FD_INODE || copy.type == FD_DEVICE)
    iput(copy.ip);
}

// Copy the file's metadata to user address addr.
int filestat(struct file *f, u64 addr) {
  if (f->type != FD_INODE && f->type != FD_DEVICE)
    return -1;
  struct stat st;
  ilock(f->ip);
  stati(f->ip, &st);
  iunlock(f->ip);
  return copyout(myproc()->pagetable, addr, (char *)&st, sizeof(st));
}

int fileread(struct file *f, u64 addr, int n) {
  if (!f->readable)
    return -1;
  switch (f->type) {
  case FD_PIPE:
    return piperead(f->pipe, addr, n);
  case FD_DEVICE:
    if (f->major < 0 || f->major >= NDEV || !devsw[f->major].read)
      return -1;
    return devsw[f->major].read(1, addr, n);
  case FD_INODE: {
    ilock(f->ip);
    int r = readi(f->ip, 1, addr, f->off, n);
    if (r > 0)
      f->off += r;
    iunlock(f->ip);
    return r;
  }
  default:
    panic("fileread");
  }
}

int filewrite(struct file *f, u64 addr, int n) {
  if (!f->writable)
    return -1;
  switch (f->type) {
  case FD_PIPE:
    return pipewrite(f->pipe, addr, n);
  case FD_DEVICE:
    if (f->major < 0 || f->major >= NDEV || !devsw[f->major].write)
      return -1;
    return devsw[f->major].write(1, addr, n);
  case FD_INODE: {
    int done = 0;
    while (done < n) {
      // Bounded chunks keep one write from holding the inode for long.
      int chunk = n - done > 8 * BSIZE ? 8 * BSIZE : n - done;
      ilock(f->ip);
      int r = writei(f->ip, 1, addr + done, f->off, chunk);
      if (r > 0)
        f->off += r;
      iunlock(f->ip);
      if (r != chunk)
        break;
      done += r;
    }
    return done == n ? n : -1;
  }
  default:
    panic("filewrite");
  }
}
