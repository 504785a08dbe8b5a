// Formatted output to a file descriptor.
//
// Conversions: %d %u %x (int), %ld %lu %lx (long), %p, %s, %c, %%.
// Optional flags and width in front of any of them: '-' (left-justify),
// '0' (pad numbers with zeros), then a decimal width, as in "%-14s" or
// "%08x". Output collects in a buffer and goes out in a few large writes
// rather than one system call per character.
#include <stdarg.h>
#include "kernel/types.h"
#include "user/user.h"

struct out {
  int fd;
  int n;           // bytes waiting in buf
  char buf[256];
};

static void flush(struct out *o)
{
  if (o->n > 0)
    write(o->fd, o->buf, o->n);
  o->n = 0;
}

static void put(struct out *o, char c)
{
  o->buf[o->n++] = c;
  if (o->n == sizeof o->buf)
    flush(o);
}

static void pad(struct out *o, char c, int k)
{
  while (k-- > 0)
    put(o, c);
}

// len bytes of s in a field at least width wide, padded with blanks.
static void field(struct out *o, const char *s, int len, int width, int left)
{
  if (!left)
    pad(o, ' ', width - len);
  for (int i = 0; i < len; i++)
    put(o, s[i]);
  if (left)
    pad(o, ' ', width - len);
}

// The magnitude v in the given base, with a '-' in front if neg.
// Zero padding goes between the sign and the digits.
static void number(struct out *o, u64 v, int base, int neg, int width,
                   int left, int zero)
{
  char d[24];
  int n = 0;
  do {
    d[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v != 0);
  int len = n + neg;
  if (!left && !zero)
    pad(o, ' ', width - len);
  if (neg)
    put(o, '-');
  if (!left && zero)
    pad(o, '0', width - len);
  while (n > 0)
    put(o, d[--n]);
  if (left)
    pad(o, ' ', width - len);
}

static void vprint(int fd, const char *fmt, va_list ap)
{
  struct out o;            // no initializer: that would clear buf every call
  o.fd = fd;
  o.n = 0;

  while (*fmt) {
    if (*fmt != '%') {
      put(&o, *fmt++);
      continue;
    }
    fmt++;
    int left = 0, zero = 0, width = 0, lng = 0;
    for (;; fmt++) {
      if (*fmt == '-')
        left = 1;
      else if (*fmt == '0')
        zero = 1;
      else
        break;
    }
    while (*fmt >= '0' && *fmt <= '9')
      width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') {
      lng = 1;
      fmt++;
    }

    switch (*fmt) {
    case 'd': {
      i64 v = lng ? va_arg(ap, long) : va_arg(ap, int);
      // Negate as unsigned so the most negative value survives.
      number(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, left, zero);
      break;
    }
    case 'u':
    case 'x': {
      u64 v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
      number(&o, v, *fmt == 'u' ? 10 : 16, 0, width, left, zero);
      break;
    }
    case 'p':
      put(&o, '0');
      put(&o, 'x');
      number(&o, (u64)va_arg(ap, void *), 16, 0, 16, 0, 1);
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (s == 0)
        s = "(null)";
      field(&o, s, strlen(s), width, left);
      break;
    }
    case 'c': {
      char c = (char)va_arg(ap, int);
      field(&o, &c, 1, width, left);
      break;
    }
    case '%':
      put(&o, '%');
      break;
    case 0:
      // A lone '%' at the end of the format: show it and stop.
      put(&o, '%');
      continue;
    default:
      // Unknown conversion: show it as written so the mistake is visible.
      put(&o, '%');
      put(&o, *fmt);
      break;
    }
    fmt++;
  }
  flush(&o);
}

void fprintf(int fd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprint(fd, fmt, ap);
  va_end(ap);
}

void printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprint(1, fmt, ap);
  va_end(ap);
}
