// lib.h — the little a C test program needs: MMIO access, the UART, the
// CLINT, the PLIC, and a way to stop (the SiFive test finisher).
#pragma once
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;

#define REG8(a) (*(volatile u8 *)(a))
#define REG16(a) (*(volatile u16 *)(a))
#define REG32(a) (*(volatile u32 *)(a))
#define REG64(a) (*(volatile u64 *)(a))

#define UART 0x10000000UL
#define CLINT 0x2000000UL
#define PLIC 0x0c000000UL
#define FINISHER 0x100000UL

static inline void putc(char c) {
    while ((REG8(UART + 5) & 0x20) == 0) {}
    REG8(UART) = c;
}
static inline void puts(const char *s) { while (*s) putc(*s++); }
static inline void putu(u64 v) {
    char b[21]; int i = 20; b[i] = 0;
    do { b[--i] = '0' + v % 10; v /= 10; } while (v);
    puts(&b[i]);
}
static inline void poweroff(int code) {
    REG32(FINISHER) = code == 0 ? 0x5555 : ((u32)code << 16) | 0x3333;
    for (;;) {}
}
static inline u64 r_mhartid(void) { u64 x; asm volatile("csrr %0, mhartid" : "=r"(x)); return x; }
static inline u64 mtime(void) { return REG64(CLINT + 0xbff8); }
