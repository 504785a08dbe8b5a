// Supervisor-mode entry, on every hart, from start() via mret.
// Hart 0 brings the kernel up; the others wait for it, then switch on
// paging and interrupts for themselves. Every hart ends in scheduler().
#include "defs.h"

static volatile int started;

void main(void) {
  if (cpuid() == 0) {
    consoleinit();
    printfinit();
    printf("\nxv6emu teaching kernel: %d MiB RAM, copy-on-write fork, "
#ifdef TIMER_SSTC
           "timer: sstc"
#else
           "timer: clint"
#endif
           "\n", (int)(RAMSIZE >> 20));
    kinit();           // physical pages
    kvminit();         // kernel page table
    kvminithart();     // paging on
    procinit();        // process table
    trapinit();
    trapinithart();    // stvec
    plicinit();
    plicinithart();
    binit();           // block cache
    iinit();           // inode cache
    fileinit();        // open-file table
    virtio_disk_init();
    userinit();        // the first process
    printf("hart 0 ready, %d free pages\n", kfreepages());
    __sync_synchronize();
    started = 1;
  } else {
    while (!started)
      ;
    __sync_synchronize();
    kvminithart();
    trapinithart();
    plicinithart();
  }
  scheduler();
}
