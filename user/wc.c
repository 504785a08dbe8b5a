// wc: counts lines, words and bytes in each file, or in standard input.
// A word is a run of characters other than blanks, tabs and newlines.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

static char buf[1024];

static void wc(int fd, const char *name)
{
  int lines = 0, words = 0, bytes = 0, inword = 0, n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    bytes += n;
    for (int i = 0; i < n; i++) {
      char c = buf[i];
      if (c == '\n')
        lines++;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
          c == '\f') {
        inword = 0;
      } else if (!inword) {
        inword = 1;
        words++;
      }
    }
  }
  if (n < 0) {
    fprintf(2, "wc: read error\n");
    exit(1);
  }
  printf("%d %d %d %s\n", lines, words, bytes, name);
}

int main(int argc, char *argv[])
{
  if (argc < 2) {
    wc(0, "");
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "wc: cannot open %s\n", argv[i]);
      exit(1);
    }
    wc(fd, argv[i]);
    close(fd);
  }
  return 0;
}
