// exec: replace the current process's memory with a program from the file
// system. The new image is built in a fresh page table and swapped in only
// when everything succeeded, so a failing exec returns -1 to an intact
// caller.
#include "defs.h"
#include "elf.h"
#include "file.h"

static int flags2perm(u32 flags) {
  int perm = 0;
  if (flags & PF_X) perm |= PTE_X;
  if (flags & PF_W) perm |= PTE_W;
  return perm;
}

// Load a segment's file bytes into pages already mapped at va.
static int loadseg(pagetable_t pt, u64 va, struct inode *ip, u32 off, u32 sz) {
  for (u32 i = 0; i < sz; i += PGSIZE) {
    u64 pa = walkaddr(pt, va + i);
    if (pa == 0)
      panic("loadseg: page %p not mapped", va + i);
    // va is page aligned for the first page (checked by exec), so each
    // chunk fills from the start of its page.
    u32 n = sz - i < PGSIZE ? sz - i : PGSIZE;
    if (readi(ip, 0, pa, off + i, n) != (int)n)
      return -1;
  }
  return 0;
}

int exec(char *path, char **argv) {
  struct proc *p = myproc();
  pagetable_t pt = 0;
  u64 sz = 0;
  struct elfhdr elf;
  struct proghdr ph;

  struct inode *ip = namei(path);
  if (ip == 0)
    return -1;
  ilock(ip);

  if (readi(ip, 0, (u64)&elf, 0, sizeof(elf)) != sizeof(elf) || elf.magic != ELF_MAGIC)
    goto bad;
  if (elf.phoff > ip->size || elf.phnum > 64)   // readi offsets are 32 bits
    goto bad;
  if ((pt = proc_pagetable(p)) == 0)
    goto bad;

  for (int i = 0; i < elf.phnum; i++) {
    u32 off = elf.phoff + i * sizeof(ph);
    if (readi(ip, 0, (u64)&ph, off, sizeof(ph)) != sizeof(ph))
      goto bad;
    if (ph.type != PT_LOAD)
      continue;
    if (ph.memsz < ph.filesz || ph.vaddr + ph.memsz < ph.vaddr ||
        ph.vaddr % PGSIZE != 0 || ph.vaddr + ph.memsz > TRAPFRAME)
      goto bad;
    // readi takes 32-bit offsets: the file range must really be in the file.
    if (ph.off + ph.filesz < ph.off || ph.off + ph.filesz > ip->size)
      goto bad;
    u64 newsz = uvmalloc(pt, sz, ph.vaddr + ph.memsz, flags2perm(ph.flags));
    if (newsz == 0)
      goto bad;
    sz = newsz;
    if (loadseg(pt, ph.vaddr, ip, ph.off, ph.filesz) < 0)
      goto bad;
  }
  iunlockput(ip);
  ip = 0;

  // The stack: a guard page that user mode cannot touch, then the stack.
  sz = PGROUNDUP(sz);
  u64 newsz = uvmalloc(pt, sz, sz + (USTACKPAGES + 1) * PGSIZE, PTE_W);
  if (newsz == 0)
    goto bad;
  sz = newsz;
  uvmclear(pt, sz - (USTACKPAGES + 1) * PGSIZE);
  u64 sp = sz, stackbase = sp - USTACKPAGES * PGSIZE;

  // Argument strings, then the argv[] array pointing at them.
  u64 ustack[MAXARG + 1];
  int argc;
  for (argc = 0; argv[argc]; argc++) {
    if (argc >= MAXARG)
      goto bad;
    sp -= strlen(argv[argc]) + 1;
    sp -= sp % 16;   // the RISC-V ABI keeps sp 16-byte aligned
    if (sp < stackbase || copyout(pt, sp, argv[argc], strlen(argv[argc]) + 1) < 0)
      goto bad;
    ustack[argc] = sp;
  }
  ustack[argc] = 0;
  sp -= (argc + 1) * sizeof(u64);
  sp -= sp % 16;
  if (sp < stackbase || copyout(pt, sp, (char *)ustack, (argc + 1) * sizeof(u64)) < 0)
    goto bad;

  // main(argc, argv) via _start.
  p->trapframe->regs[TF_A0] = argc;
  p->trapframe->regs[TF_A1] = sp;

  const char *last = path, *s;
  for (s = path; *s; s++)
    if (*s == '/')
      last = s + 1;
  safestrcpy(p->name, last, sizeof(p->name));

  pagetable_t oldpt = p->pagetable;
  u64 oldsz = p->sz;
  p->pagetable = pt;
  p->sz = sz;
  p->trapframe->epc = elf.entry;
  p->trapframe->regs[TF_SP] = sp;
  proc_freepagetable(oldpt, oldsz);
  return argc;   // lands in a0, which is argc anyway

bad:
  if (pt)
    proc_freepagetable(pt, sz);
  if (ip)
    iunlockput(ip);
  return -1;
}
