// Virtual memory: the kernel's page table, user page tables, copying
// between them, and the copy-on-write fault handler.
#include "defs.h"
#include "elf.h"

pagetable_t kernel_pagetable;

extern char etext[];        // end of kernel code (kernel.ld)
extern char trampoline[];   // trampoline.S

// Map [va, va+size) to [pa, ...) in the kernel page table, or panic.
static void kvmmap(pagetable_t kpt, u64 va, u64 pa, u64 size, int perm) {
  if (mappages(kpt, va, size, pa, perm) != 0)
    panic("kvmmap %p", va);
}

// The kernel's page table: devices and RAM at their physical addresses,
// kernel text read-only and executable, the rest read-write, and the
// trampoline at the top of the address space.
void kvminit(void) {
  pagetable_t kpt = kalloc();
  memset(kpt, 0, PGSIZE);
  kvmmap(kpt, FINISHER, FINISHER, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpt, UART0, UART0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpt, VIRTIO0, VIRTIO0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpt, PLIC, PLIC, 0x400000, PTE_R | PTE_W);
  kvmmap(kpt, KERNBASE, KERNBASE, (u64)etext - KERNBASE, PTE_R | PTE_X);
  kvmmap(kpt, (u64)etext, (u64)etext, PHYSTOP - (u64)etext, PTE_R | PTE_W);
  kvmmap(kpt, TRAMPOLINE, (u64)trampoline, PGSIZE, PTE_R | PTE_X);
  proc_mapstacks(kpt);
  kernel_pagetable = kpt;
}

// Turn paging on for this hart.
void kvminithart(void) {
  sfence_vma();   // earlier page-table writes are visible to the walker
  csrw(satp, MAKE_SATP(kernel_pagetable));
  sfence_vma();
}

// The PTE for va at the leaf level, creating page-table pages on the way
// when alloc is set. 0 if it is missing and could not (or may not) be made.
pte_t *walk(pagetable_t pt, u64 va, int alloc) {
  if (va >= MAXVA)
    panic("walk: va %p out of range", va);
  for (int level = 2; level > 0; level--) {
    pte_t *pte = &pt[PX(level, va)];
    if (*pte & PTE_V) {
      pt = (pagetable_t)PTE2PA(*pte);
    } else {
      if (!alloc || (pt = kalloc()) == 0)
        return 0;
      memset(pt, 0, PGSIZE);
      *pte = PA2PTE(pt) | PTE_V;
    }
  }
  return &pt[PX(0, va)];
}

// The physical address user address va maps to, if user-accessible.
u64 walkaddr(pagetable_t pt, u64 va) {
  if (va >= MAXVA)
    return 0;
  pte_t *pte = walk(pt, va, 0);
  if (pte == 0 || !(*pte & PTE_V) || !(*pte & PTE_U))
    return 0;
  return PTE2PA(*pte);
}

// Map pages for [va, va+size) to physical addresses from pa. 0 on
// success, -1 if a page-table page could not be allocated.
int mappages(pagetable_t pt, u64 va, u64 size, u64 pa, int perm) {
  if (size == 0)
    panic("mappages: size 0");
  u64 a = PGROUNDDOWN(va), last = PGROUNDDOWN(va + size - 1);
  for (;; a += PGSIZE, pa += PGSIZE) {
    pte_t *pte = walk(pt, a, 1);
    if (pte == 0)
      return -1;
    if (*pte & PTE_V)
      panic("mappages: %p already mapped", a);
    *pte = PA2PTE(pa) | perm | PTE_V;
    if (a == last)
      return 0;
  }
}

// Remove npages mappings starting at page-aligned va, dropping a reference
// to each physical page when do_free is set. Missing pages are skipped.
void uvmunmap(pagetable_t pt, u64 va, u64 npages, int do_free) {
  if (va % PGSIZE)
    panic("uvmunmap: unaligned %p", va);
  for (u64 a = va; a < va + npages * PGSIZE; a += PGSIZE) {
    pte_t *pte = walk(pt, a, 0);
    if (pte == 0 || !(*pte & PTE_V))
      continue;
    if (PTE_FLAGS(*pte) == PTE_V)
      panic("uvmunmap: %p is not a leaf", a);
    if (do_free)
      kfree((void *)PTE2PA(*pte));
    *pte = 0;
  }
}

// An empty user page table, or 0.
pagetable_t uvmcreate(void) {
  pagetable_t pt = kalloc();
  if (pt)
    memset(pt, 0, PGSIZE);
  return pt;
}

// Grow the user memory from oldsz to newsz with zeroed pages. Returns the
// new size, or 0 (with nothing changed) if memory ran out.
u64 uvmalloc(pagetable_t pt, u64 oldsz, u64 newsz, int xperm) {
  if (newsz < oldsz)
    return oldsz;
  for (u64 a = PGROUNDUP(oldsz); a < newsz; a += PGSIZE) {
    char *mem = kalloc();
    if (mem == 0) {
      uvmdealloc(pt, a, oldsz);
      return 0;
    }
    memset(mem, 0, PGSIZE);
    if (mappages(pt, a, PGSIZE, (u64)mem, PTE_R | PTE_U | xperm) != 0) {
      kfree(mem);
      uvmdealloc(pt, a, oldsz);
      return 0;
    }
  }
  return newsz;
}

// Shrink user memory from oldsz to newsz. Returns the new size.
u64 uvmdealloc(pagetable_t pt, u64 oldsz, u64 newsz) {
  if (newsz >= oldsz)
    return oldsz;
  if (PGROUNDUP(newsz) < PGROUNDUP(oldsz)) {
    u64 n = (PGROUNDUP(oldsz) - PGROUNDUP(newsz)) / PGSIZE;
    uvmunmap(pt, PGROUNDUP(newsz), n, 1);
  }
  return newsz;
}

// Free the page-table pages themselves; the leaves must be gone already.
static void freewalk(pagetable_t pt) {
  for (int i = 0; i < 512; i++) {
    pte_t pte = pt[i];
    if ((pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X)) == 0) {
      freewalk((pagetable_t)PTE2PA(pte));
      pt[i] = 0;
    } else if (pte & PTE_V) {
      panic("freewalk: leaf left at index %d", i);
    }
  }
  kfree(pt);
}

// Free user memory [0, sz) and the page table.
void uvmfree(pagetable_t pt, u64 sz) {
  if (sz > 0)
    uvmunmap(pt, 0, PGROUNDUP(sz) / PGSIZE, 1);
  freewalk(pt);
}

// fork's copy of the parent's memory [0, sz) into the child's page table,
// copy-on-write: no page is copied. Every writable page becomes read-only
// and COW in both page tables, and both map the same physical page, which
// gains a reference. Read-only pages (text) are simply shared.
// Returns 0, or -1 after undoing the child's mappings if a page-table page
// could not be allocated.
int uvmcopy(pagetable_t old, pagetable_t new, u64 sz) {
  u64 va;
  for (va = 0; va < sz; va += PGSIZE) {
    pte_t *pte = walk(old, va, 0);
    if (pte == 0 || !(*pte & PTE_V))
      panic("uvmcopy: page %p not present", va);
    int flags = PTE_FLAGS(*pte) & ~PTE_V;
    if (flags & PTE_W) {
      flags = (flags & ~PTE_W) | PTE_COW;
#ifndef BUG_PARENT_WRITABLE   // injected bug (tests must catch it): parent keeps PTE_W
      *pte = (*pte & ~PTE_W) | PTE_COW;
#endif
    }
    u64 pa = PTE2PA(*pte);
    if (mappages(new, va, PGSIZE, pa, flags) != 0)
      goto fail;
    kref_inc((void *)pa);
  }
  // The parent's PTEs lost PTE_W: its stale TLB entries must go. The
  // parent is this hart's current process; the trampoline flushes on the
  // way back to user mode, but flush here too so the rule is local.
  sfence_vma();
  return 0;

fail:
  uvmunmap(new, 0, va / PGSIZE, 1);
  return -1;
}

// Resolve a store to a copy-on-write page at user address va: give the
// page table its own writable copy, or, when it holds the only reference,
// simply make the page writable again. Returns 0 if the store may be
// retried, -1 if va is not a COW page or no memory is left.
int cow_fault(pagetable_t pt, u64 va) {
  if (va >= MAXVA)
    return -1;
  va = PGROUNDDOWN(va);
  pte_t *pte = walk(pt, va, 0);
  if (pte == 0 || !(*pte & PTE_V) || !(*pte & PTE_U) || !(*pte & PTE_COW))
    return -1;
  u64 pa = PTE2PA(*pte);
  int flags = (PTE_FLAGS(*pte) | PTE_W) & ~PTE_COW;
  if (kref_count((void *)pa) == 1) {
    // Every other sharer has already copied or exited.
    *pte = PA2PTE(pa) | flags;
  } else {
    char *mem = kalloc();
    if (mem == 0)
      return -1;
    memmove(mem, (void *)pa, PGSIZE);
    *pte = PA2PTE(mem) | flags;
    kfree((void *)pa);   // drop this page table's reference to the original
  }
  sfence_vma();
  return 0;
}

// Make a page inaccessible to user mode (the stack guard).
void uvmclear(pagetable_t pt, u64 va) {
  pte_t *pte = walk(pt, va, 0);
  if (pte == 0)
    panic("uvmclear");
  *pte &= ~PTE_U;
}

// Whether every byte of [va, va+len) is user memory the kernel may read
// (or, with write set, write: writable or copy-on-write). read() and
// write() check their whole buffer first, so a bad buffer fails before
// any byte moves rather than halfway through.
int uvmcheck(pagetable_t pt, u64 va, u64 len, int write) {
  if (len == 0)
    return 0;
  if (va + len < va || va + len > MAXVA)
    return -1;
  for (u64 a = PGROUNDDOWN(va); a < va + len; a += PGSIZE) {
    pte_t *pte = walk(pt, a, 0);
    if (pte == 0 || !(*pte & PTE_V) || !(*pte & PTE_U))
      return -1;
    if (write && !(*pte & (PTE_W | PTE_COW)))
      return -1;
  }
  return 0;
}

// The kernel's pointer to user address va, and in *n how many bytes from
// there lie on the same page (at most left); 0 if va is not user memory.
// Every user copy below walks its buffer a page-piece at a time with this.
static char *userpiece(pagetable_t pt, u64 va, u64 left, u64 *n) {
  u64 va0 = PGROUNDDOWN(va);
  u64 pa0 = walkaddr(pt, va0);
  if (pa0 == 0)
    return 0;
  *n = PGSIZE - (va - va0);
  if (*n > left)
    *n = left;
  return (char *)(pa0 + (va - va0));
}

// Copy len bytes from kernel src to user dstva. Stores into COW pages get
// their own copy first, exactly as a store from user mode would.
// 0 on success, -1 on a bad address.
int copyout(pagetable_t pt, u64 dstva, const char *src, u64 len) {
  while (len > 0) {
    u64 va0 = PGROUNDDOWN(dstva);
    if (va0 >= MAXVA)
      return -1;
    pte_t *pte = walk(pt, va0, 0);
    if (pte == 0 || !(*pte & PTE_V) || !(*pte & PTE_U))
      return -1;
    if (!(*pte & PTE_W)) {
#ifdef BUG_COPYOUT_NO_COW   // injected bug: write straight into the shared page
      if (!(*pte & PTE_COW))
#else
      if (!(*pte & PTE_COW) || cow_fault(pt, va0) != 0)
#endif
        return -1;
    }
    u64 n = 0;
    char *p = userpiece(pt, dstva, len, &n);   // valid: checked just above
    memmove(p, src, n);
    len -= n;
    src += n;
    dstva += n;
  }
  return 0;
}

// Copy len bytes from user srcva to kernel dst. 0, or -1 on a bad address.
int copyin(pagetable_t pt, char *dst, u64 srcva, u64 len) {
  while (len > 0) {
    u64 n = 0;
    char *p = userpiece(pt, srcva, len, &n);
    if (p == 0)
      return -1;
    memmove(dst, p, n);
    len -= n;
    dst += n;
    srcva += n;
  }
  return 0;
}

// Copy a NUL-terminated string of at most max bytes (NUL included) from
// user srcva. 0, or -1 on a bad address or a string too long.
int copyinstr(pagetable_t pt, char *dst, u64 srcva, u64 max) {
  while (max > 0) {
    u64 n = 0;
    char *p = userpiece(pt, srcva, max, &n);
    if (p == 0)
      return -1;
    for (u64 i = 0; i < n; i++) {
      if ((*dst++ = p[i]) == 0)
        return 0;
    }
    max -= n;
    srcva += n;
  }
  return -1;
}
