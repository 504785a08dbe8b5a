// cowtest: exercises copy-on-write fork. Each part checks that the free
// page count returns to where it started, so a leaked or double-counted
// page fails the test rather than going unnoticed.
//
//   bigfork   fork while holding more than half of free memory (only
//             possible if fork copies nothing), several times over
//   three     three processes share pages; each writes in turn and sees
//             only its own writes
//   parent    the parent writes after fork; the child must not see it
//   pipe      the kernel writes into a COW page (copyout) from a pipe
//   file      ... and from a file read
// Each part runs in a child of its own, so everything it allocated,
// page-table pages included, is gone when the parent counts again.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define PAGE 4096
static int baseline;

static void fail(const char *part, const char *why) {
  printf("cowtest %s: FAILED: %s\n", part, why);
  exit(1);
}

// Wait (up to ~2 s) for the free count to return to the baseline:
// exited children are reaped by wait, but orphans by init, later.
static void check_free(const char *part) {
  int n = 0;
  for (int i = 0; i < 200 && (n = freepages()) != baseline; i++)
    sleep(1);
  if (n != baseline) {
    printf("cowtest %s: FAILED: %d free pages, expected %d (%d leaked)\n",
           part, n, baseline, baseline - n);
    exit(1);
  }
  printf("cowtest %s: OK\n", part);
}

static int waitok(void) {
  int st = -99;
  if (wait(&st) < 0)
    return 0;
  return st == 0;
}

static void bigfork(void) {
  int npages = freepages() * 2 / 3;   // more than half: a copying fork fails
  char *p = sbrk(npages * PAGE);
  if (p == (char *)-1)
    fail("bigfork", "sbrk");
  for (int i = 0; i < npages; i++)
    p[i * PAGE] = i;
  for (int round = 0; round < 3; round++) {
    int pid = fork();
    if (pid < 0)
      fail("bigfork", "fork failed: not sharing pages?");
    if (pid == 0) {
      // Touch only a few pages: most stay shared.
      for (int i = 0; i < npages; i += npages / 8)
        p[i * PAGE] = -1;
      exit(0);
    }
    if (!waitok())
      fail("bigfork", "child failed");
    for (int i = 0; i < npages; i++)
      if (p[i * PAGE] != (char)i)
        fail("bigfork", "parent saw the child's write");
  }
  sbrk(-npages * PAGE);
  exit(0);
}

static void three(void) {
  int npages = 64;
  int *p = (int *)sbrk(npages * PAGE);
  if (p == (int *)-1)
    fail("three", "sbrk");
  int words = npages * PAGE / sizeof(int);
  for (int i = 0; i < words; i++)
    p[i] = i;
  int fds[2];
  if (pipe(fds) < 0)
    fail("three", "pipe");
  // Child 1 and its own child share with us: three holders per page.
  for (int k = 1; k <= 2; k++) {
    if (fork() == 0) {
      if (k == 1 && fork() == 0) {
        for (int i = 0; i < words; i++)
          if (p[i] != i)
            exit(1);
        for (int i = 0; i < words; i += 97)
          p[i] = -3;
        for (int i = 0; i < words; i++)
          if (p[i] != (i % 97 == 0 ? -3 : i))
            exit(1);
        exit(0);
      }
      for (int i = 0; i < words; i += 53)
        p[i] = -k;
      for (int i = 0; i < words; i++)
        if (p[i] != (i % 53 == 0 ? -k : i))
          exit(1);
      int ok = 1;
      if (k == 1)
        ok = waitok();
      exit(ok ? 0 : 1);
    }
  }
  if (!waitok() || !waitok())
    fail("three", "a sharer saw wrong data");
  for (int i = 0; i < words; i++)
    if (p[i] != i)
      fail("three", "the parent saw a child's write");
  close(fds[0]);
  close(fds[1]);
  sbrk(-npages * PAGE);
  exit(0);
}

// The parent's stores after fork must not reach the child: catches a
// uvmcopy that marks only the child's PTEs read-only.
static void parentpart(void) {
  int npages = 32;
  char *p = sbrk(npages * PAGE);
  if (p == (char *)-1)
    fail("parent", "sbrk");
  for (int i = 0; i < npages; i++)
    p[i * PAGE] = 'a';
  int go[2], done[2];
  if (pipe(go) < 0 || pipe(done) < 0)
    fail("parent", "pipe");
  int pid = fork();
  if (pid == 0) {
    char c;
    if (read(go[0], &c, 1) != 1)   // wait until the parent has written
      exit(2);
    for (int i = 0; i < npages; i++)
      if (p[i * PAGE] != 'a')
        exit(3);
    exit(0);
  }
  for (int i = 0; i < npages; i++)
    p[i * PAGE] = 'b';
  write(go[1], "x", 1);
  if (!waitok())
    fail("parent", "the child saw the parent's writes after fork");
  for (int i = 0; i < npages; i++)
    if (p[i * PAGE] != 'b')
      fail("parent", "the parent lost its own writes");
  exit(0);
}

// Page-aligned global data: fork makes these pages COW.
static char buf[4 * PAGE] __attribute__((aligned(PAGE)));

static void pipepart(void) {
  memset(buf, 'p', sizeof(buf));
  int fds[2];
  if (pipe(fds) < 0)
    fail("pipe", "pipe");
  int pid = fork();
  if (pid == 0) {
    // read() is the kernel's copyout into our COW-shared buf.
    close(fds[1]);
    int got = 0, n;
    while ((n = read(fds[0], buf + got, sizeof(buf) - got)) > 0)
      got += n;
    if (got != PAGE + 100)
      exit(2);
    for (int i = 0; i < got; i++)
      if (buf[i] != 'c')
        exit(3);
    exit(0);
  }
  close(fds[0]);
  char *src = malloc(PAGE + 100);
  memset(src, 'c', PAGE + 100);
  if (write(fds[1], src, PAGE + 100) != PAGE + 100)
    fail("pipe", "write");
  close(fds[1]);
  free(src);
  if (!waitok())
    fail("pipe", "the child did not read what was written");
  for (int i = 0; i < (int)sizeof(buf); i++)
    if (buf[i] != 'p')
      fail("pipe", "copyout into the child changed the parent");
  exit(0);
}

static void filepart(void) {
  const char *name = "cowtest.tmp";
  int fd = open(name, O_CREATE | O_WRONLY | O_TRUNC);
  if (fd < 0)
    fail("file", "create");
  memset(buf, 'f', sizeof(buf));
  if (write(fd, buf, sizeof(buf)) != sizeof(buf))
    fail("file", "write");
  close(fd);
  memset(buf, 'q', sizeof(buf));
  int pid = fork();
  if (pid == 0) {
    int fd = open(name, O_RDONLY);
    if (fd < 0 || read(fd, buf + 10, sizeof(buf) - 10) != sizeof(buf) - 10)
      exit(2);
    for (int i = 10; i < (int)sizeof(buf); i++)
      if (buf[i] != 'f')
        exit(3);
    exit(0);
  }
  if (!waitok())
    fail("file", "the child's read was wrong");
  for (int i = 0; i < (int)sizeof(buf); i++)
    if (buf[i] != 'q')
      fail("file", "copyout into the child changed the parent");
  unlink(name);
  exit(0);
}

int main(int argc, char **argv) {
  // The first check_free must not count malloc's arena or the pipe
  // buffers' page against us: warm them up first.
  free(malloc(PAGE + 100));
  baseline = freepages();
  printf("cowtest: %d free pages\n", baseline);
  struct { const char *name; void (*fn)(void); } parts[] = {
    {"bigfork", bigfork}, {"three", three}, {"parent", parentpart},
    {"pipe", pipepart}, {"file", filepart},
  };
  for (int i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
    int pid = fork();
    if (pid < 0)
      fail(parts[i].name, "fork");
    if (pid == 0)
      parts[i].fn();   // exits 0 or fails
    if (!waitok())
      exit(1);         // the part printed why
    check_free(parts[i].name);
  }
  printf("ALL COW TESTS PASSED\n");
  exit(0);
}
