// Physical page allocator, with a reference count per page for
// copy-on-write fork.
//
// Every 4 KiB page of RAM above the kernel image is either on the free
// list (count 0) or in use (count >= 1). kalloc() hands out a page with
// count 1; uvmcopy() adds one for every extra page table that maps it
// (kref_inc); kfree() drops one, and the page goes back on the free list
// only when the last reference goes.
#include "defs.h"

extern char end[];   // first address after the kernel image (kernel.ld)

struct run { struct run *next; };

static struct {
  struct spinlock lock;
  struct run *freelist;
  int nfree;
  // References per physical page, indexed by (pa - KERNBASE) / PGSIZE.
  // Kept under the same lock as the free list so that "drop the last
  // reference" and "put it on the free list" are one atomic step.
  u16 refs[RAMSIZE / PGSIZE];
} kmem;

#define PAGEINDEX(pa) (((u64)(pa) - KERNBASE) / PGSIZE)

static void check_pa(void *pa, const char *who) {
  if ((u64)pa % PGSIZE || (char *)pa < end || (u64)pa >= PHYSTOP)
    panic("%s: bad physical address %p", who, pa);
}

void kinit(void) {
  initlock(&kmem.lock, "kmem");
  // Straight onto the free list: no junk fill at boot (128 MiB of stores
  // would be most of the boot time); kalloc fills every page it hands out.
  for (u64 p = PGROUNDUP((u64)end); p + PGSIZE <= PHYSTOP; p += PGSIZE) {
    struct run *run = (struct run *)p;
    run->next = kmem.freelist;
    kmem.freelist = run;
    kmem.nfree++;
  }
}

// Drop one reference to the page at pa; free it when none remain.
void kfree(void *pa) {
  check_pa(pa, "kfree");
  acquire(&kmem.lock);
  u16 *r = &kmem.refs[PAGEINDEX(pa)];
  if (*r == 0)
    panic("kfree: page %p is already free", pa);
#ifdef BUG_KFREE_IGNORES_COUNT   // injected bug: the first kfree frees a shared page
  *r = 1;
#endif
  if (--*r > 0) {
    release(&kmem.lock);
    return;
  }
  release(&kmem.lock);

  // Fill with junk so a use after free shows up as garbage, not as stale
  // data that happens to work. Nobody else can reach the page now.
  memset(pa, 0x5a, PGSIZE);

  acquire(&kmem.lock);
  struct run *run = pa;
  run->next = kmem.freelist;
  kmem.freelist = run;
  kmem.nfree++;
  release(&kmem.lock);
}

// A fresh page with one reference, or 0 when memory is exhausted.
void *kalloc(void) {
  acquire(&kmem.lock);
  struct run *run = kmem.freelist;
  if (run) {
    kmem.freelist = run->next;
    kmem.nfree--;
    kmem.refs[PAGEINDEX(run)] = 1;
  }
  release(&kmem.lock);
  if (run)
    memset(run, 0x6b, PGSIZE);   // junk: callers must initialize
  return run;
}

// One more page table maps the page at pa.
void kref_inc(void *pa) {
  check_pa(pa, "kref_inc");
  acquire(&kmem.lock);
  u16 *r = &kmem.refs[PAGEINDEX(pa)];
  if (*r == 0)
    panic("kref_inc: page %p is free", pa);
  ++*r;
  release(&kmem.lock);
}

int kref_count(void *pa) {
  check_pa(pa, "kref_count");
  acquire(&kmem.lock);
  int n = kmem.refs[PAGEINDEX(pa)];
  release(&kmem.lock);
  return n;
}

int kfreepages(void) {
  acquire(&kmem.lock);
  int n = kmem.nfree;
  release(&kmem.lock);
  return n;
}
