// Kernel printf to the console, and panic.
// Output goes through consputc(), which polls the UART, so printf works
// from any context: interrupt handlers, with locks held, before the
// scheduler exists.
#include <stdarg.h>
#include "defs.h"

volatile int panicked;  // other harts freeze their output once set

static struct {
  struct spinlock lock;
  int locking;          // 0 while panicking: print even if the lock is stuck
} pr;

static const char digits[] = "0123456789abcdef";

static void printnum(u64 x, int base, int sign) {
  char buf[24];
  int i = 0, neg = 0;
  if (sign && (i64)x < 0) { neg = 1; x = -(i64)x; }
  do { buf[i++] = digits[x % base]; x /= base; } while (x);
  if (neg) buf[i++] = '-';
  while (--i >= 0) consputc(buf[i]);
}

static void vprint(const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') { consputc(*fmt); continue; }
    int longarg = 0;
    char c = *++fmt;
    while (c == 'l') { longarg = 1; c = *++fmt; }
    switch (c) {
    case 'd': printnum(longarg ? va_arg(ap, i64) : va_arg(ap, int), 10, 1); break;
    case 'u': printnum(longarg ? va_arg(ap, u64) : va_arg(ap, u32), 10, 0); break;
    case 'x': printnum(longarg ? va_arg(ap, u64) : va_arg(ap, u32), 16, 0); break;
    case 'p': consputc('0'); consputc('x'); printnum(va_arg(ap, u64), 16, 0); break;
    case 'c': consputc(va_arg(ap, int)); break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      for (s = s ? s : "(null)"; *s; s++) consputc(*s);
      break;
    }
    case '%': consputc('%'); break;
    case 0: return;
    default: consputc('%'); consputc(c); break;
    }
  }
}

void printf(const char *fmt, ...) {
  va_list ap;
  int locking = pr.locking;
  if (locking) acquire(&pr.lock);
  va_start(ap, fmt);
  vprint(fmt, ap);
  va_end(ap);
  if (locking) release(&pr.lock);
}

void panic(const char *fmt, ...) {
  va_list ap;
  pr.locking = 0;
  printf("panic: ");
  va_start(ap, fmt);
  vprint(fmt, ap);
  va_end(ap);
  printf("\n");
  panicked = 1;
  for (;;) asm volatile("wfi");
}

void printfinit(void) {
  initlock(&pr.lock, "pr");
  pr.locking = 1;
}
