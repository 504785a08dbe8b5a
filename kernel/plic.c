// The platform-level interrupt controller: routes the UART and disk
// interrupts to every hart's supervisor context; whichever hart claims
// an interrupt first handles it.
#include "defs.h"

#define W32(a) (*(volatile u32 *)(a))

void plicinit(void) {
  W32(PLIC_PRIORITY(UART0_IRQ)) = 1;   // 0 would mean "never"
  W32(PLIC_PRIORITY(VIRTIO0_IRQ)) = 1;
}

void plicinithart(void) {
  int hart = cpuid();
  W32(PLIC_SENABLE(hart)) = (1 << UART0_IRQ) | (1 << VIRTIO0_IRQ);
  W32(PLIC_STHRESHOLD(hart)) = 0;
}

int plic_claim(void) {
  return W32(PLIC_SCLAIM(cpuid()));
}

void plic_complete(int irq) {
  W32(PLIC_SCLAIM(cpuid())) = irq;
}
