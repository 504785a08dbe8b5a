// Machine-mode setup: runs once on every hart, on its boot stack, then
// enters the supervisor-mode kernel at main(). Everything a supervisor
// kernel cannot do for itself happens here: delegating traps, opening
// physical memory through PMP, and (for the CLINT timer) arming mtimecmp.
#include "defs.h"

void main(void);
void timervec(void);

__attribute__((aligned(16))) char boot_stacks[4096 * NCPU];

#ifndef TIMER_SSTC
// Per-hart scratch area for timervec (see mtrap.S for the layout).
struct mscratch { u64 save[3]; u64 mtimecmp; u64 interval; };
static struct mscratch mscratch[NCPU];

static void timer_init_clint(int hart) {
  struct mscratch *m = &mscratch[hart];
  m->mtimecmp = CLINT_MTIMECMP(hart);
  m->interval = TICK_CYCLES;
  *(volatile u64 *)CLINT_MTIMECMP(hart) = *(volatile u64 *)CLINT_MTIME + TICK_CYCLES;
  csrw(mscratch, (u64)m);
  csrw(mtvec, (u64)timervec);
  csrs(mstatus, MSTATUS_MIE);
  csrs(mie, IE_MTI);
}
#else
// Sstc: let the supervisor kernel program its own timer through stimecmp
// and read `time` directly.
static void timer_init_sstc(void) {
  asm volatile("csrs 0x30a, %0" : : "r"(1UL << 63));   // menvcfg.STCE
  csrs(mcounteren, 2);                                 // let S read time
  asm volatile("csrw 0x14d, %0" : : "r"(r_time() + TICK_CYCLES));
}
#endif

void start(void) {
  int hart = csrr(mhartid);

  // mret will "return" to supervisor mode at main().
  u64 x = csrr(mstatus);
  x = (x & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S;
  csrw(mstatus, x);
  csrw(mepc, (u64)main);
  csrw(satp, 0);

  // Every exception and interrupt a supervisor kernel can handle goes
  // straight to it.
  csrw(medeleg, 0xffff);
  csrw(mideleg, 0xffff);
  csrs(sie, IE_SEI | IE_STI | IE_SSI);

  // Without a PMP entry, supervisor mode may touch no memory at all.
  // One top-of-range entry covering every address: read, write, execute.
  csrw(pmpaddr0, 0x3fffffffffffffUL);
  csrw(pmpcfg0, 0xf);

#ifdef TIMER_SSTC
  timer_init_sstc();
#else
  timer_init_clint(hart);
#endif

  // Let S and U mode read cycle, time and instret (user/bench.c counts
  // its instructions with rdinstret).
  csrs(mcounteren, 7);
  csrw(scounteren, 7);

  w_tp(hart);   // cpuid() reads the hart id from tp from now on
  asm volatile("mret");
}
