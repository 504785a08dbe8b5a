// The small C library every user program links with: the entry point and
// the string, memory and conversion helpers declared in user.h.
//
// Built with -fno-builtin; the memory loops are also marked so that GCC's
// loop-idiom pass cannot turn them back into calls to themselves.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define NO_IDIOM __attribute__((optimize("no-tree-loop-distribute-patterns")))

int main(int argc, char *argv[]);

// The kernel starts every program here with a0 = argc and a1 = argv.
// Returning from main is the same as calling exit with its value.
void _start(int argc, char *argv[]) __attribute__((noreturn));
void _start(int argc, char *argv[])
{
  exit(main(argc, argv));
}

int stat(const char *path, struct stat *st)
{
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  int r = fstat(fd, st);
  close(fd);
  return r;
}

char *strcpy(char *dst, const char *src)
{
  char *d = dst;
  while ((*d++ = *src++) != 0)
    ;
  return dst;
}

int strcmp(const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, usize n)
{
  for (; n > 0; n--, a++, b++)
    if (*a != *b || *a == 0)
      return (u8)*a - (u8)*b;
  return 0;
}

usize strlen(const char *s)
{
  usize n = 0;
  while (s[n])
    n++;
  return n;
}

// As in C: searching for 0 finds the terminator.
char *strchr(const char *s, int c)
{
  for (;; s++) {
    if (*s == (char)c)
      return (char *)s;
    if (*s == 0)
      return 0;
  }
}

NO_IDIOM void *memset(void *dst, int c, usize n)
{
  u8 *d = dst;
  while (n-- > 0)
    *d++ = (u8)c;
  return dst;
}

// Copies forward when the destination is below the source and backward
// otherwise, so overlapping ranges come out right either way.
NO_IDIOM void *memmove(void *dst, const void *src, usize n)
{
  u8 *d = dst;
  const u8 *s = src;
  if (d < s) {
    while (n-- > 0)
      *d++ = *s++;
  } else if (d > s) {
    d += n;
    s += n;
    while (n-- > 0)
      *--d = *--s;
  }
  return dst;
}

void *memcpy(void *dst, const void *src, usize n)
{
  return memmove(dst, src, n);
}

int memcmp(const void *a, const void *b, usize n)
{
  const u8 *p = a, *q = b;
  for (; n > 0; n--, p++, q++)
    if (*p != *q)
      return *p - *q;
  return 0;
}

// Reads one line from fd 0, a byte at a time so nothing past the line is
// consumed (a child may read the rest). Keeps the newline if it fits.
// End of input with nothing read gives "".
char *gets(char *buf, int max)
{
  int i = 0;
  if (max <= 0)
    return buf;
  while (i + 1 < max) {
    char c;
    if (read(0, &c, 1) < 1)
      break;
    buf[i++] = c;
    if (c == '\n' || c == '\r')
      break;
  }
  buf[i] = 0;
  return buf;
}

// Optional blanks, an optional sign, then decimal digits.
int atoi(const char *s)
{
  int neg = 0, n = 0;
  while (*s == ' ' || *s == '\t')
    s++;
  if (*s == '-' || *s == '+')
    neg = *s++ == '-';
  while (*s >= '0' && *s <= '9')
    n = n * 10 + (*s++ - '0');
  return neg ? -n : n;
}
