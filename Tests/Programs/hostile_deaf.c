// hostile_deaf.c — a guest that never reads its console: it turns on the
// receive interrupt (so the UART takes input) and then sleeps for ever
// with every interrupt masked. Whatever the host is given stays unread.
#include "hostile.h"

int main(u64 hart) {
    if (hart == 0) {
        REG8(UART + 2) = 0x07;          // FIFO on, reset
        REG8(UART + 1) = 0x01;          // IER: receive interrupt
        puts("deaf: not listening\n");
    }
    asm volatile("csrw mie, zero");
    for (;;) asm volatile("wfi");
}
