// Physical memory map of QEMU's `virt` board, and the kernel's virtual layout.
//
// Physical (what the board wires up):
//   0x00100000  SiFive test finisher: poweroff / reboot
//   0x02000000  CLINT: msip, mtimecmp, mtime
//   0x0C000000  PLIC
//   0x10000000  NS16550A UART (irq 10)
//   0x10001000  virtio-mmio block device (irq 1)
//   0x80000000  RAM; the kernel is linked and loaded here
//
// Kernel virtual: RAM and devices mapped at their physical addresses
// ("direct map"), plus at the very top of the address space the trampoline
// page and, below it, each process's kernel stack with an unmapped guard page.
//
// User virtual: program text and data from 0, then a guard page and the
// stack, then the heap that sbrk grows; at the top the trampoline (shared
// with the kernel, not user-accessible) and the process's trap frame.
#pragma once

#define FINISHER    0x00100000L
#define CLINT       0x02000000L
#define CLINT_MTIMECMP(hart) (CLINT + 0x4000 + 8 * (hart))
#define CLINT_MTIME (CLINT + 0xBFF8)
#define PLIC        0x0C000000L
#define PLIC_PRIORITY(irq)    (PLIC + 4 * (irq))
#define PLIC_SENABLE(hart)    (PLIC + 0x2000 + 0x80 * (2 * (hart) + 1))
#define PLIC_STHRESHOLD(hart) (PLIC + 0x200000 + 0x1000 * (2 * (hart) + 1))
#define PLIC_SCLAIM(hart)     (PLIC + 0x200004 + 0x1000 * (2 * (hart) + 1))
#define UART0       0x10000000L
#define UART0_IRQ   10
#define VIRTIO0     0x10001000L
#define VIRTIO0_IRQ 1

#define KERNBASE    0x80000000L
#define RAMSIZE     (128L * 1024 * 1024)
#define PHYSTOP     (KERNBASE + RAMSIZE)

// One below the largest Sv39 address, so no address needs sign extension.
#define MAXVA       (1L << 38)
#define TRAMPOLINE  (MAXVA - PGSIZE)
#define TRAPFRAME   (TRAMPOLINE - PGSIZE)
// Kernel stack of process slot i: one page, with a guard page above it.
#define KSTACK(i)   (TRAMPOLINE - ((i) + 1) * 2 * PGSIZE)
