// The few C library string functions the kernel uses. Plain loops: the
// kernel is built with -fno-builtin, so none of these calls itself.
#include "types.h"

// Eight bytes at a time where alignment allows: the kernel clears and
// junk-fills whole pages often, and a byte loop would be most of its work.
void *memset(void *dst, int c, usize n) {
  u8 *d = dst;
  if (((u64)d & 7) == 0) {
    u64 word = (u8)c * 0x0101010101010101UL;
    for (; n >= 8; n -= 8, d += 8)
      *(u64 *)d = word;
  }
  while (n--) *d++ = c;
  return dst;
}

int memcmp(const void *a, const void *b, usize n) {
  const u8 *x = a, *y = b;
  for (; n; n--, x++, y++)
    if (*x != *y) return *x - *y;
  return 0;
}

void *memmove(void *dst, const void *src, usize n) {
  u8 *d = dst;
  const u8 *s = src;
  if (s < d && s + n > d) {     // overlapping, destination above: copy down
    while (n--) d[n] = s[n];
  } else {
    if ((((u64)d | (u64)s) & 7) == 0)   // page copies (COW) go by words
      for (; n >= 8; n -= 8, d += 8, s += 8)
        *(u64 *)d = *(const u64 *)s;
    while (n--) *d++ = *s++;
  }
  return dst;
}

void *memcpy(void *dst, const void *src, usize n) { return memmove(dst, src, n); }

int strncmp(const char *a, const char *b, usize n) {
  for (; n && *a && *a == *b; n--, a++, b++)
    ;
  return n ? (u8)*a - (u8)*b : 0;
}

// Copies at most n bytes and always terminates (unlike the C library's).
char *safestrcpy(char *dst, const char *src, int n) {
  char *d = dst;
  if (n <= 0) return dst;
  while (--n > 0 && (*d = *src++)) d++;
  *d = 0;
  return dst;
}

int strlen(const char *s) {
  int n = 0;
  while (s[n]) n++;
  return n;
}
