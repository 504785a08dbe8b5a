// ls: lists directories and files, one "name type inum size" line each.
// Types are the numbers from fs.h: 1 directory, 2 file, 3 device.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "user/user.h"

static void show(const char *name, struct stat *st)
{
  printf("%-14s %d %4u %8lu\n", name, st->type, st->ino, st->size);
}

// Returns 0, or -1 after reporting a problem.
static int ls(const char *path)
{
  struct stat st;
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    fprintf(2, "ls: cannot open %s\n", path);
    return -1;
  }
  if (fstat(fd, &st) < 0) {
    fprintf(2, "ls: cannot stat %s\n", path);
    close(fd);
    return -1;
  }
  if (st.type != T_DIR) {
    show(path, &st);
    close(fd);
    return 0;
  }

  // Each entry is looked up as "path/name"; name may use all DIRSIZ bytes
  // without a terminator, so it is copied out before use.
  char full[MAXPATH + DIRSIZ + 2], name[DIRSIZ + 1];
  usize plen = strlen(path);
  if (plen + 1 + DIRSIZ + 1 > sizeof full) {
    fprintf(2, "ls: path too long: %s\n", path);
    close(fd);
    return -1;
  }
  memmove(full, path, plen);
  full[plen] = '/';

  struct dirent de;
  int bad = 0;
  while (read(fd, &de, sizeof de) == sizeof de) {
    if (de.inum == 0)
      continue;
    memmove(name, de.name, DIRSIZ);
    name[DIRSIZ] = 0;
    strcpy(full + plen + 1, name);
    if (stat(full, &st) < 0) {
      fprintf(2, "ls: cannot stat %s\n", full);
      bad = -1;
      continue;
    }
    show(name, &st);
  }
  close(fd);
  return bad;
}

int main(int argc, char *argv[])
{
  int bad = 0;
  if (argc < 2)
    return ls(".") < 0;
  for (int i = 1; i < argc; i++)
    if (ls(argv[i]) < 0)
      bad = 1;
  return bad;
}
