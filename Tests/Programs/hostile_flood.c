// hostile_flood.c — a guest that floods the UART for ever, on every hart:
// hart 0 in lines, polling LSR as a driver would; the others byte after
// byte with no newline and no LSR check at all.
#include "hostile.h"

int main(u64 hart) {
    if (hart == 0) puts("flood: under way\n");
    for (u64 i = 0;; i++) {
        if (hart == 0) {
            putc('a' + i % 26);
            if (i % 64 == 63) putc('\n');
        } else {
            REG8(UART) = '0' + hart;
        }
    }
}
