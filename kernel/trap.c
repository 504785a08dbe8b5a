// Traps: from user mode (system calls, page faults, interrupts) and from
// supervisor mode (interrupts only; anything else is a kernel bug).
#include "defs.h"

struct spinlock tickslock;
u32 ticks;

extern char trampoline[], uservec[], userret[];
void kernelvec(void);

_Static_assert(TRAPFRAME == 0x4000000000 - 2 * 4096, "trampoline.S hard-codes TRAPFRAME");
_Static_assert(sizeof(struct trapframe) == 296, "trampoline.S hard-codes the trap frame layout");

static const char *cause_names[] = {
  "instruction misaligned", "instruction access fault", "illegal instruction",
  "breakpoint", "load misaligned", "load access fault", "store misaligned",
  "store access fault", "ecall from U", "ecall from S", "?", "ecall from M",
  "instruction page fault", "load page fault", "?", "store page fault",
};

static const char *cause_name(u64 scause) {
  if (scause < sizeof(cause_names) / sizeof(cause_names[0]))
    return cause_names[scause];
  return "?";
}

void trapinit(void) {
  initlock(&tickslock, "time");
}

// While in the kernel, traps go to kernelvec.
void trapinithart(void) {
  csrw(stvec, (u64)kernelvec);
}

static void clockintr(void) {
  if (cpuid() == 0) {
    acquire(&tickslock);
    ticks++;
    wakeup(&ticks);
    release(&tickslock);
  }
#ifdef TIMER_SSTC
  asm volatile("csrw 0x14d, %0" : : "r"(r_time() + TICK_CYCLES));
#endif
}

// Handle an interrupt, if scause is one. Returns 2 for a timer tick (the
// caller should yield), 1 for another interrupt, 0 if not an interrupt.
int devintr(u64 scause) {
  if (scause == SCAUSE_SEI) {
    int irq = plic_claim();
    if (irq == UART0_IRQ)
      uartintr();
    else if (irq == VIRTIO0_IRQ)
      virtio_disk_intr();
    else if (irq)
      printf("unexpected interrupt irq=%d\n", irq);
    if (irq)
      plic_complete(irq);
    return 1;
  }
#ifdef TIMER_SSTC
  if (scause == SCAUSE_STI) {
    clockintr();
    return 2;
  }
#else
  if (scause == SCAUSE_SSI) {
    // The machine-mode timervec forwarded a CLINT tick.
    csrc(sip, IE_SSI);
    clockintr();
    return 2;
  }
#endif
  return 0;
}

// A trap from user mode, entered from uservec in the trampoline.
void usertrap(void) {
  if (csrr(sstatus) & SSTATUS_SPP)
    panic("usertrap: not from user mode");
  csrw(stvec, (u64)kernelvec);   // we are in the kernel now

  struct proc *p = myproc();
  p->trapframe->epc = csrr(sepc);
  u64 scause = csrr(scause);
  int which = 0;

  if (scause == SCAUSE_ECALL_U) {
    if (killed(p))
      exit(-1);
    p->trapframe->epc += 4;   // return past the ecall
    intr_on();                // sepc/scause are saved; allow interrupts
    syscall();
  } else if (scause == SCAUSE_STORE_PF && cow_fault(p->pagetable, csrr(stval)) == 0) {
    // A store to a copy-on-write page: it now has its own writable copy;
    // return and let the store run again.
  } else if ((which = devintr(scause)) != 0) {
    // handled
  } else {
    u64 stval = csrr(stval);
    pte_t *pte = stval < MAXVA ? walk(p->pagetable, stval, 0) : 0;
    if (scause == SCAUSE_STORE_PF && pte && (*pte & PTE_V) && (*pte & PTE_U) && (*pte & PTE_COW))
      printf("pid %d %s: out of memory in a copy-on-write fault at %p\n", p->pid, p->name, stval);
    else
      printf("pid %d %s: %s (scause %p) at pc %p, stval %p\n", p->pid, p->name,
             cause_name(scause), scause, p->trapframe->epc, stval);
    setkilled(p);
  }

  if (killed(p))
    exit(-1);
  if (which == 2)
    yield();
  usertrapret();
}

// Return to user mode through userret in the trampoline.
void usertrapret(void) {
  struct proc *p = myproc();

  // From here until sret, a trap would go to uservec with kernel state in
  // the registers: keep interrupts off.
  intr_off();
  csrw(stvec, TRAMPOLINE + (uservec - trampoline));

  p->trapframe->kernel_satp = csrr(satp);
  p->trapframe->kernel_sp = p->kstack + PGSIZE;
  p->trapframe->kernel_trap = (u64)usertrap;
  p->trapframe->kernel_hartid = r_tp();

  u64 x = csrr(sstatus);
  x &= ~SSTATUS_SPP;   // sret goes to user mode
  x |= SSTATUS_SPIE;   // with interrupts enabled
  csrw(sstatus, x);
  csrw(sepc, p->trapframe->epc);

  u64 satp = MAKE_SATP(p->pagetable);
  u64 fn = TRAMPOLINE + (userret - trampoline);
  ((void (*)(u64))fn)(satp);
}

// An interrupt or exception while in the kernel, via kernelvec.
void kerneltrap(void) {
  u64 sepc = csrr(sepc);
  u64 sstatus = csrr(sstatus);
  u64 scause = csrr(scause);

  if (!(sstatus & SSTATUS_SPP))
    panic("kerneltrap: not from supervisor mode");
  if (intr_get())
    panic("kerneltrap: interrupts enabled");

  int which = devintr(scause);
  if (which == 0)
    panic("kernel trap: %s (scause %p) at sepc %p, stval %p",
          cause_name(scause), scause, sepc, csrr(stval));

  if (which == 2 && myproc() != 0)
    yield();

  // yield() may have run other code that trapped: restore what sret needs.
  csrw(sepc, sepc);
  csrw(sstatus, sstatus);
}
