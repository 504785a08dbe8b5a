// grep PATTERN [FILE...]: prints the lines that contain a match for
// PATTERN. With more than one file each line is prefixed by "file:".
//
// Patterns: ordinary characters match themselves, '.' matches any one
// character, 'x*' matches any number of x (or of anything, for '.*'),
// a leading '^' anchors at the start of the line and a trailing '$' at
// the end. The pattern is compiled into a list of items first; matching
// then walks items and text together, backtracking only at starred items.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define MAXITEM 128

struct item {
  char ch;      // the character to match, unless any
  char any;     // '.': any character
  char star;    // followed by '*': zero or more
};

static struct item pat[MAXITEM];
static int npat;
static int at_start, at_end;   // '^' and '$' anchors

static int compile(const char *re)
{
  if (*re == '^') {
    at_start = 1;
    re++;
  }
  while (*re) {
    if (re[0] == '$' && re[1] == 0) {
      at_end = 1;
      break;
    }
    if (npat == MAXITEM)
      return -1;
    struct item *it = &pat[npat++];
    it->ch = *re;
    it->any = *re == '.';
    re++;
    if (*re == '*') {
      it->star = 1;
      re++;
    }
  }
  return 0;
}

static int one(const struct item *it, char c)
{
  return c != 0 && (it->any || it->ch == c);
}

// Do items i.. match the text starting at s?
static int match_from(int i, const char *s)
{
  for (; i < npat; i++) {
    if (pat[i].star) {
      // Take as many as possible, then give them back one at a time.
      const char *t = s;
      while (one(&pat[i], *t))
        t++;
      for (;;) {
        if (match_from(i + 1, t))
          return 1;
        if (t == s)
          return 0;
        t--;
      }
    }
    if (!one(&pat[i], *s))
      return 0;
    s++;
  }
  return !at_end || *s == 0;
}

static int matches(const char *line)
{
  if (at_start)
    return match_from(0, line);
  for (const char *s = line; ; s++) {
    if (match_from(0, s))
      return 1;
    if (*s == 0)
      return 0;
  }
}

static char buf[1024];

static void report(const char *line, const char *prefix)
{
  if (matches(line))
    printf("%s%s%s\n", prefix ? prefix : "", prefix ? ":" : "", line);
}

// Reads fd to the end, testing each line. A line longer than the buffer
// is tested in buffer-sized pieces.
static void grep(int fd, const char *prefix)
{
  int have = 0, n;
  for (;;) {
    n = read(fd, buf + have, sizeof buf - 1 - have);
    if (n < 0) {
      fprintf(2, "grep: read error\n");
      exit(1);
    }
    have += n;
    char *start = buf, *end = buf + have;
    for (char *p = buf; p < end; p++) {
      if (*p == '\n') {
        *p = 0;
        report(start, prefix);
        start = p + 1;
      }
    }
    int rest = end - start;
    if (rest > 0 && (n == 0 || rest == sizeof buf - 1)) {
      *end = 0;
      report(start, prefix);
      rest = 0;
    }
    memmove(buf, start, rest);
    have = rest;
    if (n == 0)
      return;
  }
}

int main(int argc, char *argv[])
{
  if (argc < 2) {
    fprintf(2, "usage: grep PATTERN [FILE...]\n");
    exit(1);
  }
  if (compile(argv[1]) < 0) {
    fprintf(2, "grep: pattern too long\n");
    exit(1);
  }
  if (argc == 2) {
    grep(0, 0);
    return 0;
  }
  for (int i = 2; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "grep: cannot open %s\n", argv[i]);
      exit(1);
    }
    grep(fd, argc > 3 ? argv[i] : 0);
    close(fd);
  }
  return 0;
}
