// uart_echo.c — interrupt-driven echo: the UART's RX interrupt comes
// through the PLIC to M-mode; each received byte is echoed upper-cased.
// A '.' ends the run (exit 0). Drives: UART RX + IER, PLIC priority,
// enable, threshold, claim/complete, MEIP, mtvec, wfi.
#include "lib.h"

static volatile int done;

void trap(void) __attribute__((interrupt("machine"), aligned(4)));
void trap(void) {
    u32 irq = REG32(PLIC + 0x200004);            // claim (hart 0, M context 0)
    if (irq == 10) {
        while (REG8(UART + 5) & 1) {
            char c = REG8(UART);
            if (c == '.') done = 1;
            else putc(c >= 'a' && c <= 'z' ? c - 32 : c);
        }
    }
    REG32(PLIC + 0x200004) = irq;                // complete
}

int main(u64 hart) {
    if (hart != 0) for (;;) asm volatile("wfi");
    asm volatile("csrw mtvec, %0" :: "r"(trap));
    REG32(PLIC + 4 * 10) = 1;                    // priority
    REG32(PLIC + 0x2000) = 1 << 10;              // enable for context 0
    REG32(PLIC + 0x200000) = 0;                  // threshold
    REG8(UART + 1) = 1;                          // IER: RX
    asm volatile("csrs mie, %0" :: "r"(1 << 11)); // MEIE
    asm volatile("csrs mstatus, %0" :: "r"(1 << 3));
    puts("ready\n");
    while (!done) asm volatile("wfi");
    puts("\nbye\n");
    return 0;
}
