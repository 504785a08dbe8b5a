// usertests: exercises the kernel through its system calls.
//
//   usertests          run every test
//   usertests NAME...  run only the named tests
//
// Each test runs in its own child process, so a test that crashes or is
// killed is reported as a failure instead of taking the suite down, and a
// watchdog process turns a hang into a failure. Around every test (and
// after the whole run) the number of free physical pages must come back to
// what it was: anything missing is memory the kernel leaked.
//
// A passing test prints "NAME: OK"; a failing one "NAME: FAILED ...".
// The last line is "ALL TESTS PASSED" (exit 0) or "SOME TESTS FAILED"
// (exit 1). Some tests kill children on purpose, so the kernel's
// "pid N usertests: ..." fault lines in between are expected.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "kernel/elf.h"
#include "user/user.h"

#define PGSIZE    4096
#define MAXVA     (1L << 38)            // kernel/memlayout.h
#define TRAMPOLINE (MAXVA - PGSIZE)
#define TRAPFRAME (MAXVA - 2 * PGSIZE)
#define KERNBASE  0x80000000L
#define TIMEOUT   6000                  // ticks a single test may take
#define SETTLE    200                   // ticks to wait for memory to come back

static const char *tname;               // the running test, for messages
static char *stacktop;                  // sbrk(0) when main started: the stack's top
static char buf[8192];

// A failure: NOTE reports it and lets the test go on (to fail at its
// end); FAIL ends the test at once.
static int noted;
#define NOTE(...) do { \
    printf("%s: FAILED (line %d) ", tname, __LINE__); \
    printf(__VA_ARGS__); \
    printf("\n"); \
    noted = 1; \
  } while (0)
#define FAIL(...) do { NOTE(__VA_ARGS__); exit(1); } while (0)
#define CHECK(c) do { if (!(c)) FAIL("%s", #c); } while (0)

static int xfork(void) {
  int pid = fork();
  if (pid < 0)
    FAIL("fork failed");
  return pid;
}

// Wait for a child, which must be pid, and check its exit status.
static void expect(int pid, int want) {
  int st = 0x5eed;
  int w = wait(&st);
  if (w != pid)
    FAIL("wait returned %d, expected child %d", w, pid);
  if (st != want)
    FAIL("child %d exited with %d, expected %d", pid, st, want);
}

// Wait for n children, in any order; each must exit with 0.
static void waitall(int n) {
  for (int st; n > 0; n--)
    if (wait(&st) < 0 || st != 0)
      FAIL("a child exited with %d", st);
}

// A child that loads from (or stores to) addr must be killed.
static void touch(char *addr, int store) {
  int pid = xfork();
  if (pid == 0) {
    volatile char *q = addr;
    if (store)
      *q = 1;
    else
      printf("%d", *q);   // reached only if the load worked
    exit(0);
  }
  int st, w = wait(&st);
  if (w != pid || st != -1)
    FAIL("%s %p: child exited with %d", store ? "store to" : "load from", addr, st);
}

// The byte at position i of the test patterns: varies within a block and
// from block to block, so misplaced or stale data shows.
static char pat(u32 i) { return (char)(i * 31 + (i >> 10) + (i >> 17)); }

// Wait (up to ticks) until at least want pages are free; the shortfall,
// 0 if none. Orphans are reaped by init a little later.
static int settle(int want, int ticks) {
  for (int i = 0; i < ticks && freepages() < want; i++)
    sleep(1);
  int f = freepages();
  return f < want ? want - f : 0;
}

// Store to every stack page so this process owns them: after a fork they
// are copy-on-write, and a test that is about to exhaust memory must not
// need a fresh page for its own stack later. Rewriting a byte with its own
// value is harmless even where the stack is live.
static void own_stack(void) {
  for (int i = 1; i <= USTACKPAGES; i++) {
    volatile char *p = stacktop - i * PGSIZE;
    *p = *p;
  }
}

static char *name4(char *s, char c, int i) {
  s[0] = c;
  s[1] = '0' + i / 100 % 10;
  s[2] = '0' + i / 10 % 10;
  s[3] = '0' + i % 10;
  s[4] = 0;
  return s;
}

// ---- processes

// Many short-lived children, some of which exec: every exit status must
// reach the parent exactly, including negative ones.
static void forkexec(void) {
  enum { ROUNDS = 60, N = 8 };
  char *args[] = { "echo", "forkexec", 0 };
  int pids[N], want[N], nexec = 0;
  unlink("fe.out");
  int fd = open("fe.out", O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < N; i++) {
      int code = i & 1 ? -(r * N + i) : r * N + i;
      want[i] = i % 4 == 0 ? 0 : code;
      nexec += i % 4 == 0;
      if ((pids[i] = xfork()) == 0) {
        if (i % 4 == 0) {          // echo, its output into the shared file
          close(1);
          dup(fd);
          exec("echo", args);
          exit(99);
        }
        if (i % 4 == 1 && exec("no-such-program", args) != -1)
          exit(98);                // a failed exec must return
        exit(code);
      }
    }
    for (int k = 0; k < N; k++) {
      int st, pid = wait(&st), i;
      for (i = 0; i < N && pids[i] != pid; i++)
        ;
      if (i == N)
        FAIL("wait returned %d, not a child", pid);
      if (st != want[i])
        FAIL("child %d exited with %d, expected %d", i, st, want[i]);
      pids[i] = 0;
    }
  }
  CHECK(wait(0) == -1);
  // Every echo appended "forkexec\n" through the one shared offset.
  struct stat s;
  CHECK(fstat(fd, &s) == 0);
  if (s.size != nexec * 9)
    FAIL("fe.out has %d bytes, expected %d", (int)s.size, nexec * 9);
  close(fd);
  CHECK(unlink("fe.out") == 0);
}

// Fill the process table; all children exit; then do it again.
static void forkfull(void) {
  for (int round = 0; round < 2; round++) {
    int p[2], n = 0, f0 = freepages();
    CHECK(pipe(p) == 0);
    for (;;) {
      int pid = fork();
      if (pid < 0)
        break;
      if (pid == 0) {              // wait for the parent's end of the pipe
        char c;
        close(p[1]);
        exit(read(p[0], &c, 1));
      }
      if (++n > NPROC)
        FAIL("more than NPROC children");
    }
    // init, sh, usertests, its watchdog and this test use slots too.
    if (n < NPROC - 8)
      FAIL("only %d children before fork failed", n);
    close(p[1]);
    waitall(n);
    CHECK(wait(0) == -1);
    close(p[0]);
    if (freepages() != f0)
      FAIL("round %d: %d pages missing", round, f0 - freepages());
  }
  int pid = xfork();
  if (pid == 0)
    exit(7);
  expect(pid, 7);
}

static void sbrktest(void) {
  enum { N = 1000 };
  char *a = sbrk(0);
  // Grow and shrink once first so the page-table pages exist; after that
  // the free count must come back exactly.
  CHECK(sbrk(N * PGSIZE) == a && sbrk(-N * PGSIZE) == a + N * PGSIZE);
  int f0 = freepages();
  for (int round = 0; round < 2; round++) {
    char *p = sbrk(N * PGSIZE);
    CHECK(p == a && sbrk(0) == a + N * PGSIZE);
    CHECK(f0 - freepages() == N);
    for (int i = 0; i < N; i++) {  // fresh pages are zero, even reused ones
      char *q = p + i * PGSIZE;
      if (q[0] || q[PGSIZE / 2] || q[PGSIZE - 1])
        FAIL("page %d of new memory is not zeroed", i);
      q[0] = pat(i);
      q[PGSIZE - 1] = pat(i + 1);
    }
    for (int i = 0; i < N; i++)
      if (p[i * PGSIZE] != pat(i) || p[i * PGSIZE + PGSIZE - 1] != pat(i + 1))
        FAIL("page %d lost its contents", i);
    CHECK(sbrk(-N * PGSIZE) == a + N * PGSIZE && sbrk(0) == a);
    CHECK(freepages() == f0);
  }
  touch(a + 10 * PGSIZE, 0);        // memory given back is gone
  touch(a + 10 * PGSIZE, 1);
  // Sizes that are not whole pages.
  CHECK(sbrk(1) == a && sbrk(0) == a + 1);
  a[0] = 1;
  CHECK(sbrk(5000) == a + 1);
  a[5000] = 2;                     // in the second page
  CHECK(sbrk(-5001) == a + 5001 && sbrk(0) == a && freepages() == f0);
  // Impossible requests fail and change nothing.
  CHECK(sbrk(1 << 30) == (char *)-1);              // more than RAM
  CHECK(sbrk(-(int)(u64)a - PGSIZE) == (char *)-1); // below address 0
  CHECK(sbrk(0) == a);
  // The failed 1 GiB attempt may keep page-table pages (freed at exit),
  // but not the memory it had allocated.
  int lost = f0 - freepages();
  if (lost > (1 << 30) / (512 * PGSIZE) + 2)
    FAIL("failed sbrk kept %d pages", lost);
  CHECK(sbrk(PGSIZE) == a);        // and sbrk still works
  a[PGSIZE - 1] = 3;
}

// A child that is spinning, sleeping, or blocked on a pipe dies (status
// -1) soon after kill().
static void killtest(void) {
  int p[2];
  CHECK(pipe(p) == 0);
  for (int how = 0; how < 5; how++) {
    int pid = xfork();
    if (pid == 0) {
      if (how == 0)
        for (;;)
          ;
      if (how == 1)
        sleep(100000);
      if (how == 2)
        read(p[0], buf, 1);                   // empty pipe
      if (how == 3)
        write(p[1], buf, sizeof(buf));        // fills the pipe
      if (how == 4)
        for (kill(getpid());;)                // itself
          getpid();
      exit(0);
    }
    sleep(2);
    int t0 = uptime();
    CHECK(how == 4 || kill(pid) == 0);
    expect(pid, -1);
    if (uptime() - t0 > 50)
      FAIL("case %d: the child took %d ticks to die", how, uptime() - t0);
  }
  close(p[0]);
  close(p[1]);
  CHECK(kill(-1) == -1 && kill(0) == -1 && kill(1000000) == -1);
  int t0 = uptime();
  CHECK(sleep(5) == 0 && uptime() - t0 >= 5);
}

// ---- pipes

static void pipes(void) {
  enum { TOTAL = 100000 };
  int p[2];
  CHECK(pipe(p) == 0);
  int pid = xfork();
  if (pid == 0) {                  // writes in varying sizes
    close(p[0]);
    for (int sent = 0, m = 1; sent < TOTAL; sent += m, m = m * 7 % 1501 + 1) {
      if (m > TOTAL - sent)
        m = TOTAL - sent;
      for (int i = 0; i < m; i++)
        buf[i] = pat(sent + i);
      if (write(p[1], buf, m) != m)
        FAIL("pipe write failed");
    }
    exit(0);
  }
  close(p[1]);
  int got = 0, n, m = 3;
  while ((n = read(p[0], buf, m)) > 0) {    // reads in other sizes
    for (int i = 0; i < n; i++)
      if (buf[i] != pat(got + i))
        FAIL("byte %d through the pipe is wrong", got + i);
    got += n;
    m = m * 5 % 2003 + 1;
  }
  CHECK(n == 0 && got == TOTAL);
  expect(pid, 0);
  close(p[0]);

  // No reader: writing fails (no signals here, just -1).
  CHECK(pipe(p) == 0);
  close(p[0]);
  CHECK(write(p[1], "x", 1) == -1);
  close(p[1]);

  // No writer: the data left, then end of file.
  CHECK(pipe(p) == 0);
  CHECK(write(p[1], "ab", 2) == 2);
  close(p[1]);
  CHECK(read(p[0], buf, 10) == 2 && read(p[0], buf, 10) == 0);
  close(p[0]);

  // A writer blocked on a full pipe gets -1 when the reader goes away.
  CHECK(pipe(p) == 0);
  pid = xfork();
  if (pid == 0) {
    close(p[0]);
    exit(write(p[1], buf, sizeof(buf)) == -1 ? 0 : 1);
  }
  close(p[1]);
  sleep(2);
  CHECK(read(p[0], buf, 100) == 100);
  close(p[0]);
  expect(pid, 0);

  // Several writers at once: every byte arrives once.
  CHECK(pipe(p) == 0);
  for (int k = 0; k < 4; k++) {
    if (xfork() == 0) {
      close(p[0]);
      memset(buf, 'A' + k, 500);
      for (int i = 0; i < 10; i++)
        if (write(p[1], buf, 500) != 500)
          exit(1);
      exit(0);
    }
  }
  close(p[1]);
  int count[4] = {0};
  while ((n = read(p[0], buf, sizeof(buf))) > 0)
    for (int i = 0; i < n; i++) {
      CHECK(buf[i] >= 'A' && buf[i] < 'A' + 4);
      count[buf[i] - 'A']++;
    }
  close(p[0]);
  waitall(4);
  for (int k = 0; k < 4; k++)
    CHECK(count[k] == 5000);
}

// ---- file system

static void fs_files(void) {
  struct stat st;
  unlink("f1");
  CHECK(open("f1", O_RDONLY) < 0);            // missing
  int fd = open("f1", O_CREATE | O_RDWR);
  CHECK(fd >= 0 && write(fd, "hello world", 11) == 11);
  CHECK(fstat(fd, &st) == 0 && st.type == T_FILE && st.size == 11 && st.nlink == 1);
  close(fd);
  fd = open("f1", O_RDONLY);
  CHECK(read(fd, buf, 100) == 11 && memcmp(buf, "hello world", 11) == 0);
  CHECK(read(fd, buf, 100) == 0);             // end of file
  CHECK(write(fd, "x", 1) == -1);             // read-only descriptor
  close(fd);
  fd = open("f1", O_WRONLY);                  // overwrite in place
  CHECK(read(fd, buf, 1) == -1 && write(fd, "J", 1) == 1);
  close(fd);
  fd = open("f1", O_RDONLY);
  CHECK(read(fd, buf, 100) == 11 && memcmp(buf, "Jello world", 11) == 0);
  close(fd);
  fd = open("f1", O_WRONLY | O_TRUNC);
  CHECK(fstat(fd, &st) == 0 && st.size == 0 && write(fd, "ab", 2) == 2);
  close(fd);
  CHECK(stat("f1", &st) == 0 && st.size == 2);
  fd = open("f1", O_RDWR);                    // dup shares the offset
  int fd2 = dup(fd);
  CHECK(fd2 > fd && read(fd, buf, 1) == 1 && read(fd2, buf + 1, 1) == 1);
  CHECK(buf[0] == 'a' && buf[1] == 'b');
  close(fd2);
  // Unlinked while open: the data lives until the last close.
  CHECK(unlink("f1") == 0 && open("f1", O_RDONLY) < 0 && unlink("f1") < 0);
  CHECK(fstat(fd, &st) == 0 && st.nlink == 0);
  CHECK(write(fd, "cd", 2) == 2 && fstat(fd, &st) == 0 && st.size == 4);
  CHECK(close(fd) == 0 && close(fd) == -1);
  CHECK(read(fd, buf, 1) == -1 && read(NOFILE, buf, 1) == -1 && read(-1, buf, 1) == -1);
  memset(buf, 'a', MAXPATH + 10);             // a path longer than MAXPATH
  buf[MAXPATH + 10] = 0;
  CHECK(open(buf, O_CREATE | O_RDWR) < 0 && mkdir(buf) < 0);
}

// Past the direct and single-indirect blocks into the double-indirect
// ones; twice, the second time on the blocks the first one freed.
static void fs_bigfile(void) {
  enum { NB = 300 };               // NDIRECT + NINDIRECT = 267
  for (int round = 0; round < 2; round++) {
    int fd = open("big", O_CREATE | O_RDWR), n;
    CHECK(fd >= 0);
    for (u32 b = 0; b < NB; b++) {
      for (int i = 0; i < BSIZE; i++)
        buf[i] = pat(b * BSIZE + i + round);
      if (write(fd, buf, BSIZE) != BSIZE)
        FAIL("write of block %d failed", b);
    }
    close(fd);
    struct stat st;
    CHECK(stat("big", &st) == 0 && st.size == NB * BSIZE);
    fd = open("big", O_RDONLY);
    u32 off = 0;
    while ((n = read(fd, buf, 3000)) > 0) {   // not block aligned
      for (int i = 0; i < n; i++)
        if (buf[i] != pat(off + i + round))
          FAIL("round %d: byte %d of big is wrong", round, off + i);
      off += n;
    }
    CHECK(n == 0 && off == NB * BSIZE);
    close(fd);
    CHECK(unlink("big") == 0);
  }
}

// Two rounds of N files: more than NINODES in all (the image's programs
// use some too), so the first round's inodes must be reused. Mostly empty
// files: every block written costs a disk write.
static void fs_manyfiles(void) {
  enum { N = NINODES / 2 };
  char name[8];
  CHECK(mkdir("mf") == 0 && chdir("mf") == 0);
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < N; i++) {
      int fd = open(name4(name, 'a' + round, i), O_CREATE | O_RDWR);
      if (fd < 0)
        FAIL("round %d: cannot create file %d", round, i);
      CHECK(i % 10 || write(fd, name, 5) == 5);
      close(fd);
    }
    for (int i = 0; i < N; i++) {
      int fd = open(name4(name, 'a' + round, i), O_RDONLY);
      CHECK(fd >= 0 && read(fd, buf, 10) == (i % 10 ? 0 : 5));
      CHECK(i % 10 || strcmp(buf, name) == 0);
      close(fd);
      CHECK(unlink(name) == 0);
    }
  }
  CHECK(chdir("..") == 0 && unlink("mf") == 0);
}

static void fs_dirs(void) {
  struct stat st;
  int fd;
  CHECK(mkdir("dd") == 0 && mkdir("dd") < 0);
  CHECK(chdir("dd") == 0 && mkdir("sub") == 0 && chdir("sub") == 0);
  CHECK((fd = open("ff", O_CREATE | O_RDWR)) >= 0 && write(fd, "in sub", 6) == 6);
  close(fd);
  CHECK(chdir("..") == 0 && chdir("..") == 0);
  CHECK((fd = open("./dd/../dd/sub/ff", O_RDONLY)) >= 0 && read(fd, buf, 10) == 6);
  close(fd);
  CHECK(stat("dd", &st) == 0 && st.type == T_DIR && st.nlink == 2);
  CHECK(unlink("dd") < 0 && unlink("dd/sub") < 0);          // not empty
  CHECK(unlink("dd/.") < 0 && unlink("dd/..") < 0);
  CHECK(open("dd", O_RDWR) < 0 && open("dd", O_CREATE | O_RDWR) < 0);
  CHECK((fd = open("dd", O_RDONLY)) >= 0);                  // a directory reads as dirents
  struct dirent de;
  CHECK(read(fd, &de, sizeof(de)) == sizeof(de) && strcmp(de.name, ".") == 0);
  close(fd);
  CHECK(chdir("dd/sub/ff") < 0 && chdir("nowhere") < 0);
  CHECK(mkdir("dd/sub/ff/x") < 0 && open("dd/none/x", O_CREATE | O_RDWR) < 0);
  CHECK(unlink("dd/sub/ff") == 0 && unlink("dd/sub") == 0);
  CHECK(stat("dd", &st) == 0 && st.nlink == 1 && unlink("dd") == 0);
  CHECK(stat("dd", &st) < 0);
}

static void fs_links(void) {
  struct stat a, b;
  int fd;
  unlink("la");
  unlink("lb");
  CHECK((fd = open("la", O_CREATE | O_RDWR)) >= 0 && write(fd, "linked", 6) == 6);
  close(fd);
  CHECK(link("la", "lb") == 0 && link("la", "lb") < 0);
  CHECK(link("none", "lc") < 0 && link("la", "none/lc") < 0 && link(".", "dot") < 0);
  CHECK(stat("la", &a) == 0 && stat("lb", &b) == 0 && a.ino == b.ino && b.nlink == 2);
  CHECK(unlink("la") == 0 && open("la", O_RDONLY) < 0);
  CHECK((fd = open("lb", O_RDONLY)) >= 0 && read(fd, buf, 10) == 6 && memcmp(buf, "linked", 6) == 0);
  CHECK(fstat(fd, &b) == 0 && b.nlink == 1);
  close(fd);
  CHECK(link("lb", "la") == 0 && (fd = open("la", O_WRONLY)) >= 0 && write(fd, "L", 1) == 1);
  close(fd);
  CHECK((fd = open("lb", O_RDONLY)) >= 0 && read(fd, buf, 10) == 6 && buf[0] == 'L');
  close(fd);
  CHECK(unlink("la") == 0 && unlink("lb") == 0);
}

// A directory removed while it is still some process's cwd must not take
// new entries: nothing would ever free their inodes and blocks.
static void fs_deaddir(void) {
  CHECK(mkdir("rd") == 0 && chdir("rd") == 0);
  if (unlink("../rd") == 0) {
    if (open("f", O_CREATE | O_RDWR) >= 0 || mkdir("d") == 0)
      FAIL("created an entry in a removed directory: its inode is lost for good");
  }
  CHECK(chdir("/") == 0);
  unlink("rd");
}

static void fstest(void) {
  fs_files();
  fs_bigfile();
  fs_manyfiles();
  fs_dirs();
  fs_links();
  fs_deaddir();                    // last: fails on a known kernel bug
}

// The per-process descriptor table and the system-wide file table.
static void fdlimit(void) {
  int fds[NOFILE], n = 0, fd, p[2];
  unlink("fdl");
  CHECK((fd = open("fdl", O_CREATE | O_RDWR)) == 3);
  close(fd);
  while ((fd = open("fdl", O_RDONLY)) >= 0)
    fds[n++] = fd;
  CHECK(n == NOFILE - 3 && dup(0) < 0 && pipe(p) < 0);
  close(fds[--n]);
  CHECK(pipe(p) < 0);              // room for one end only: no half pipe left
  CHECK((fd = dup(0)) == fds[n]);
  close(fd);
  while (n > 0)
    close(fds[--n]);

  // Ten children each try to hold 11 files (all their free descriptors):
  // 110 > NFILE.
  int ready[2], go[2], total = 0;
  CHECK(pipe(ready) == 0 && pipe(go) == 0);
  for (int k = 0; k < 10; k++) {
    if (xfork() == 0) {
      close(ready[0]);
      close(go[1]);
      int i;
      for (i = 0; i < NOFILE - 5 && open("fdl", O_RDONLY) >= 0; i++)
        ;
      write(ready[1], "r", 1);
      char c;
      read(go[0], &c, 1);          // hold them until the parent is done
      exit(i);
    }
  }
  for (int k = 0; k < 10; k++)
    CHECK(read(ready[0], buf, 1) == 1);
  CHECK(open("fdl", O_RDONLY) < 0);          // the table is full
  close(go[1]);
  for (int k = 0; k < 10; k++) {
    int st;
    CHECK(wait(&st) > 0);
    total += st;
  }
  // The table also holds the console, the two pipes' four ends and
  // whatever the shell has open.
  if (total < NFILE - 10 || total > NFILE - 5)
    FAIL("children held %d files together", total);
  close(ready[0]);
  close(ready[1]);
  close(go[0]);
  CHECK((fd = open("fdl", O_RDONLY)) >= 0);
  close(fd);
  CHECK(unlink("fdl") == 0);
}

static void execargs(void) {
  char *av[MAXARG + 2];
  static char big[3000];
  int pid, fd;
  unlink("ea.out");
  // MAXARG arguments (argv[0] included) are fine...
  for (int i = 0; i < MAXARG; i++)
    av[i] = i == 0 ? "echo" : "ab";
  av[MAXARG] = 0;
  if ((pid = xfork()) == 0) {
    close(1);
    open("ea.out", O_CREATE | O_WRONLY);
    exec("echo", av);
    exit(99);
  }
  expect(pid, 0);
  CHECK((fd = open("ea.out", O_RDONLY)) >= 0 && read(fd, buf, 200) == (MAXARG - 1) * 3);
  close(fd);
  CHECK(unlink("ea.out") == 0);
  // ...one more is not, nor strings that do not fit on the stack, nor
  // files that are not programs. Each failure returns to the caller.
  av[MAXARG] = "ab";
  av[MAXARG + 1] = 0;
  CHECK(exec("echo", av) == -1);
  memset(big, 'x', sizeof(big) - 1);
  for (int i = 1; i < 4; i++)
    av[i] = big;                   // 9 KB of strings, 8 KB of stack
  av[4] = 0;
  CHECK(exec("echo", av) == -1);
  CHECK(exec(".", av) == -1 && exec("console", av) == -1 && exec("", av) == -1);
  CHECK((fd = open("ea.txt", O_CREATE | O_RDWR)) >= 0 && write(fd, "#!/bin/echo\n", 12) == 12);
  close(fd);
  CHECK(exec("ea.txt", av) == -1 && unlink("ea.txt") == 0);
}

// Broken variants of a real program (the start of echo: headers and
// text) must make exec fail cleanly; a wild entry point must only kill.
static void badelf(void) {
  struct elfhdr *eh = (struct elfhdr *)buf;
  int fd = open("echo", O_RDONLY), n = 0, pid;
  CHECK(fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0);
  close(fd);
  CHECK(eh->magic == ELF_MAGIC && eh->phoff + eh->phnum * sizeof(struct proghdr) <= n);
  struct proghdr *ph = (struct proghdr *)(buf + eh->phoff);
  while (ph->type != PT_LOAD)
    ph++;
  CHECK(ph->off + ph->filesz <= n);
  struct elfhdr e0 = *eh;
  struct proghdr p0 = *ph;
  char *av[] = { "be", "x", 0 };
  for (int k = 0; k <= 11; k++) {
    *eh = e0;
    *ph = p0;
    switch (k) {
    case 1: eh->magic ^= 1; break;
    case 2: ph->vaddr += 8; break;                     // not page aligned
    case 3: ph->memsz = ph->filesz - 1; break;
    case 4: ph->vaddr = -PGSIZE; break;                // vaddr + memsz wraps
    case 5: ph->vaddr = TRAPFRAME; break;              // over the trap frame
    case 6: ph->off = 1 << 20; break;                  // beyond the file
    case 7: ph->filesz = ph->memsz = 1 << 20; break;   // more than the file has
    case 8: eh->phoff = n - 8; break;                  // headers cut off
    case 9: eh->phnum = 0; break;                      // nothing to load
    case 10: eh->entry = 1L << 37; break;              // loads, then faults
    case 11: ph->off += 1L << 32; break;               // its high 32 bits count too
    }
    unlink("be");
    CHECK((fd = open("be", O_CREATE | O_WRONLY)) >= 0 && write(fd, buf, n) == n);
    close(fd);
    if ((pid = xfork()) == 0) {
      close(1);
      open("be.out", O_CREATE | O_WRONLY | O_TRUNC);
      exit(exec("be", av) == -1 ? 77 : 78);
    }
    int st, want = k == 0 ? 0 : k == 9 || k == 10 ? -1 : 77;
    CHECK(wait(&st) == pid);
    if (st != want)
      FAIL("variant %d: exit status %d, expected %d", k, st, want);
    if (k == 0) {                                    // the real thing ran
      char out[4];
      CHECK((fd = open("be.out", O_RDONLY)) >= 0 && read(fd, out, 4) == 2);
      CHECK(out[0] == 'x' && out[1] == '\n');
      close(fd);
    }
  }
  CHECK(unlink("be") == 0 && unlink("be.out") == 0);
}

// Several processes creating, writing, reading and deleting the same few
// names at once. Each write is one block at offset 0, which must read
// back whole: one writer's bytes, never a mix.
static void fsconc(void) {
  CHECK(mkdir("cc") == 0);
  for (int k = 0; k < 4; k++) {
    if (xfork() == 0) {
      char name[] = "cc/x";
      for (int i = 0; i < 30; i++) {
        name[3] = 'a' + (i * 7 + k) % 6;
        int fd = open(name, O_CREATE | O_RDWR);
        if (fd < 0)
          FAIL("child %d: cannot create %s", k, name);
        if (i % 3 == 0) {
          memset(buf, 'A' + k, BSIZE);
          CHECK(write(fd, buf, BSIZE) == BSIZE);
        }
        int fd2 = open(name, O_RDONLY), m;
        if (fd2 >= 0) {                  // someone may have unlinked it
          if ((m = read(fd2, buf, BSIZE)) > 0) {
            CHECK(m == BSIZE);
            for (int j = 1; j < BSIZE; j++)
              if (buf[j] != buf[0])
                FAIL("%s: writes mixed at byte %d", name, j);
          }
          close(fd2);
        }
        close(fd);
        if (i % 2)
          unlink(name);                  // may lose the race: fine
      }
      exit(0);
    }
  }
  waitall(4);
  char name[] = "cc/x";
  for (int c = 0; c < 6; c++) {
    name[3] = 'a' + c;
    unlink(name);
  }
  CHECK(unlink("cc") == 0);
}

// ---- bad addresses

// Deeper than the stack: 100 frames of more than 512 bytes.
static int recurse(int n) {
  volatile char frame[512];
  frame[n % 512] = n;
  return n == 0 ? 0 : recurse(n - 1) + frame[n % 512];
}

static void badaddr(void) {
  char *top = sbrk(PGSIZE) + PGSIZE;          // the page below top is ours
  char *bad[] = {
    top, top + 100 * PGSIZE, (char *)KERNBASE, (char *)TRAPFRAME,
    (char *)TRAMPOLINE, (char *)MAXVA - 1, (char *)MAXVA, (char *)(1L << 63),
    (char *)-1L, (char *)-PGSIZE, stacktop - (USTACKPAGES + 1) * PGSIZE,  // stack guard
  };
  int nbad = sizeof(bad) / sizeof(bad[0]);
  int fd = open("ba.tmp", O_CREATE | O_RDWR), p[2];
  CHECK(fd == 3 && write(fd, "0123456789abcdef", 16) == 16);
  close(fd);
  fd = open("ba.tmp", O_RDWR);
  CHECK(pipe(p) == 0 && write(p[1], "abc", 3) == 3);
  char *av[] = { "echo", 0, 0 };
  for (int i = 0; i < nbad; i++) {
    char *b = bad[i];
    if (read(fd, b, 10) != -1 || write(fd, b, 10) != -1 || fstat(fd, (struct stat *)b) != -1)
      FAIL("read/write/fstat with buffer %p did not fail", b);
    if (pipe((int *)b) != -1 || open(b, O_RDONLY) != -1 || open(b, O_CREATE | O_RDWR) != -1 ||
        mkdir(b) != -1 || unlink(b) != -1 || link(b, "x") != -1 || chdir(b) != -1)
      FAIL("system call with pointer %p did not fail", b);
    av[1] = b;
    if (exec(b, av) != -1 || exec("echo", (char **)b) != -1 || exec("echo", av) != -1)
      FAIL("exec with pointer %p did not fail", b);
    touch(b, 0);                                // the process itself touching b
    touch(b, 1);                                // is killed
  }
  // None of that consumed a descriptor or moved the offset.
  CHECK(dup(0) == 6 && close(6) == 0);
  CHECK(read(fd, buf, 16) == 16 && memcmp(buf, "0123456789abcdef", 16) == 0);

  // Buffers that start in our memory and run off its end. A write that
  // fails must leave the file as it was (reported at the end).
  CHECK(close(fd) == 0 && (fd = open("ba.tmp", O_RDWR)) == 3);
  CHECK(read(fd, top - 5, 10) == -1);
  memset(top - 5, 'Z', 5);
  CHECK(write(fd, top - 5, 10) == -1);
  int fd2 = open("ba.tmp", O_RDONLY);
  int intact = read(fd2, buf, 16) == 16 && memcmp(buf, "0123456789abcdef", 16) == 0;
  close(fd2);
  CHECK(read(fd, buf, -1) == -1 && write(fd, buf, -1) == -1);
  // Text is read-only and not copy-on-write: no system call may write it.
  char *text = (char *)badaddr;
  memmove(buf, text, 16);
  CHECK(read(fd, text, 10) == -1 && read(fd, 0, 10) == -1 && pipe((int *)text) == -1);
  CHECK(fstat(fd, (struct stat *)text) == -1);
  CHECK(memcmp(buf, text, 16) == 0);
  CHECK(write(fd, text, 16) == 16);          // reading it is fine
  touch(text, 1);                             // and a store kills
  // Running off the bottom of the stack hits the guard page.
  int pid = xfork();
  if (pid == 0)
    exit(recurse(100));
  expect(pid, -1);
  // Strings and argv arrays that run off the end of memory.
  memmove(top - 4, "echo", 4);                // no terminator
  CHECK(open(top - 4, O_RDONLY) == -1 && exec(top - 4, av) == -1);
  char **avend = (char **)(top - sizeof(char *));
  avend[0] = "echo";                          // no null pointer after it
  CHECK(exec("echo", avend) == -1);
  // wait with a bad status pointer fails and leaves the child to reap.
  if ((pid = xfork()) == 0)
    exit(5);
  CHECK(wait((int *)TRAPFRAME) == -1 && wait((int *)text) == -1);
  expect(pid, 5);
  close(fd);
  CHECK(unlink("ba.tmp") == 0);
  if (!intact)
    NOTE("a write() that returned -1 changed the file");
  // A pipe with data in it: a bad buffer is an error, not end of file,
  // and the data stays.
  for (int i = 0; i < nbad; i++) {
    int r = read(p[0], bad[i], 3), w = write(p[1], bad[i], 3);
    if (r != -1 || w != -1) {
      NOTE("pipe read/write with buffer %p returned %d/%d, not -1", bad[i], r, w);
      break;
    }
  }
  CHECK(read(p[0], buf, 10) == 3 && memcmp(buf, "abc", 3) == 0);
}

// ---- copy-on-write

static void cowbasic(void) {
  enum { N = 2000 };               // 8 MiB
  char *p = sbrk(N * PGSIZE);
  CHECK(p != (char *)-1);
  for (int i = 0; i < N; i++)
    ((int *)(p + i * PGSIZE))[7] = i;
  int f0 = freepages();
  int pid = xfork();
  if (pid == 0) {
    // fork copied page tables, not pages.
    int f1 = freepages();
    if (f0 - f1 > 64)
      FAIL("fork used %d pages for %d pages of memory", f0 - f1, N);
    for (int i = 0; i < N; i++)
      CHECK(((int *)(p + i * PGSIZE))[7] == i);
    for (int i = 0; i < N; i++)
      ((int *)(p + i * PGSIZE))[7] = -i;
    if (f1 - freepages() < N)
      FAIL("writing %d shared pages used only %d pages", N, f1 - freepages());
    for (int i = 0; i < N; i++)
      CHECK(((int *)(p + i * PGSIZE))[7] == -i);
    exit(0);
  }
  expect(pid, 0);
  for (int i = 0; i < N; i++)
    if (((int *)(p + i * PGSIZE))[7] != i)
      FAIL("the child's store showed through in page %d", i);
  CHECK(freepages() == f0);
  // Only we map the pages now: writing them should not copy.
  for (int i = 0; i < N; i++)
    ((int *)(p + i * PGSIZE))[7] = i + 1;
  CHECK(freepages() == f0);

  // Three children and a grandchild write at once, maybe on several harts.
  for (int k = 1; k <= 3; k++) {
    if (xfork() == 0) {
      if (k == 3 && xfork() == 0)
        k = 4;
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++)
          ((int *)(p + i * PGSIZE))[7] += k;
        for (int i = 0; i < N; i++)
          CHECK(((int *)(p + i * PGSIZE))[7] == i + 1 + (round + 1) * k);
      }
      if (k == 3)
        waitall(1);
      exit(0);
    }
  }
  waitall(3);
  for (int i = 0; i < N; i++)
    CHECK(((int *)(p + i * PGSIZE))[7] == i + 1);
  CHECK(sbrk(-N * PGSIZE) != (char *)-1);
}

// The kernel writing into copy-on-write pages (copyout) must copy first,
// just as a store from user mode would.
static void copyoutcow(void) {
  enum { N = 4 };
  static int gfds[2] = { -7, -7 }, gstatus = -7;   // in the data segment
  char *b = sbrk(N * PGSIZE);
  memset(b, 'P', N * PGSIZE);
  int fd = open("co.tmp", O_CREATE | O_RDWR), p[2];
  CHECK(fd >= 0);
  memset(buf, 'F', sizeof(buf));
  CHECK(write(fd, buf, 2 * PGSIZE) == 2 * PGSIZE);
  close(fd);
  CHECK(pipe(p) == 0);

  // The child reads into memory it shares with us.
  int pid = xfork();
  if (pid == 0) {
    int got = 0, n;
    while (got < 3000 && (n = read(p[0], b + 100 + got, 3000 - got)) > 0)
      got += n;
    CHECK(got == 3000);
    for (int i = 0; i < 3000; i++)
      CHECK(b[100 + i] == 'Q');
    CHECK((fd = open("co.tmp", O_RDONLY)) >= 0);
    CHECK(read(fd, b + PGSIZE + 7, 2 * PGSIZE) == 2 * PGSIZE);   // three pages
    for (int i = 0; i < 2 * PGSIZE; i++)
      CHECK(b[PGSIZE + 7 + i] == 'F');
    exit(0);
  }
  memset(buf, 'Q', 3000);
  CHECK(write(p[1], buf, 3000) == 3000);
  expect(pid, 0);
  for (int i = 0; i < N * PGSIZE; i++)
    if (b[i] != 'P')
      FAIL("the child's read() showed through at byte %d", i);

  // We read into memory a live child shares; it must not see the data,
  // nor the descriptors pipe() and the status wait() store.
  pid = xfork();
  if (pid == 0) {
    char c;
    CHECK(read(p[0], &c, 1) == 1);
    for (int i = 0; i < N * PGSIZE; i++)
      if (b[i] != 'P')
        FAIL("the parent's read() showed through at byte %d", i);
    CHECK(gfds[0] == -7 && gfds[1] == -7 && gstatus == -7);
    exit(0);
  }
  CHECK((fd = open("co.tmp", O_RDONLY)) >= 0 && read(fd, b + 5, 2 * PGSIZE) == 2 * PGSIZE);
  close(fd);
  CHECK(b[5] == 'F' && b[2 * PGSIZE + 4] == 'F' && b[2 * PGSIZE + 5] == 'P');
  CHECK(pipe(gfds) == 0);
  int pid2 = xfork();
  if (pid2 == 0)
    exit(42);
  CHECK(wait(&gstatus) == pid2 && gstatus == 42);
  CHECK(write(p[1], "g", 1) == 1);
  expect(pid, 0);
  close(gfds[0]);
  close(gfds[1]);
  close(p[0]);
  close(p[1]);
  CHECK(unlink("co.tmp") == 0);
}

// A child runs out of memory in a copy-on-write fault: it alone is
// killed, and every page comes back.
static void cowoom(void) {
  int f = freepages(), n = f / 5 * 3;
  char *p = sbrk(n * PGSIZE);
  CHECK(p != (char *)-1);
  for (int i = 0; i < n; i++)
    p[i * PGSIZE] = pat(i);
  int fd = open("oom.tmp", O_CREATE | O_RDWR), go[2], res[2];
  CHECK(fd >= 0 && write(fd, "z", 1) == 1 && close(fd) == 0);
  fd = open("oom.tmp", O_RDONLY);
  CHECK(pipe(go) == 0 && pipe(res) == 0);
  int pid = xfork();
  if (pid == 0) {
    char c[2];
    own_stack();
    read(go[0], c, 1);
    int i = 0;
    // Copy pages until a few are left: too few for fork's page tables,
    // so fork fails half way and must give back what it took.
    for (; freepages() > 16 && i < n; i++)
      p[i * PGSIZE] = ~pat(i);
    int f1 = freepages(), pid2 = fork();
    if (pid2 == 0)
      exit(0);
    c[0] = pid2 < 0 && freepages() == f1 ? 'y' : 'n';
    if (pid2 > 0)
      wait(0);
    for (; freepages() > 0 && i < n; i++)     // now until none are left
      p[i * PGSIZE] = ~pat(i);
    // With no memory, copyout into a shared page must fail, not kill.
    c[1] = i < n && read(fd, p + i * PGSIZE, 1) == -1 ? 'y' : 'n';
    write(res[1], c, 2);
    for (; i < n; i++)                        // killed here
      p[i * PGSIZE] = ~pat(i);
    exit(0);
  }
  own_stack();                     // before the child takes every page
  CHECK(write(go[1], "g", 1) == 1);
  int st;
  CHECK(wait(&st) == pid);
  if (st != -1)
    FAIL("child ran out of memory but exited with %d", st);
  char c[2] = {0};
  CHECK(read(res[0], c, 2) == 2);
  if (c[0] != 'y')
    FAIL("fork with too little memory did not fail cleanly");
  if (c[1] != 'y')
    FAIL("read() into a shared page with no memory left did not return -1");
  for (int i = 0; i < n; i++)
    if (p[i * PGSIZE] != pat(i))
      FAIL("page %d changed", i);
  CHECK(sbrk(-n * PGSIZE) != (char *)-1);
  close(fd);
  CHECK(unlink("oom.tmp") == 0);
  // Page-table pages stay until exit; everything else is back.
  if (freepages() < f - n / 256 - 8)
    FAIL("%d pages missing", f - freepages());
}

// Children that outlive their parent are reaped by init, and their memory
// (shared copy-on-write with ours) comes back.
static void orphans(void) {
  enum { N = 50 };
  char *p = sbrk(N * PGSIZE);
  for (int i = 0; i < N; i++)
    p[i * PGSIZE] = i;
  int f0 = freepages();
  for (int zombie = 0; zombie < 2; zombie++) {
    int pid = xfork();
    if (pid == 0) {
      for (int k = 0; k < 4; k++) {
        if (xfork() == 0) {
          if (!zombie)
            sleep(3);              // run on after the parent has gone
          for (int i = 0; i < N; i++)
            p[i * PGSIZE] = -i;
          if (!zombie)
            sleep(2);
          exit(0);
        }
      }
      if (zombie)
        sleep(5);                  // the children are zombies when we exit
      exit(0);
    }
    expect(pid, 0);
  }
  int lost = settle(f0, 300);
  if (lost)
    FAIL("orphans' memory not freed: %d pages missing", lost);
  for (int i = 0; i < N; i++)
    CHECK(p[i * PGSIZE] == i);
  CHECK(sbrk(-N * PGSIZE) != (char *)-1);
}

// ---- driver

static struct test {
  void (*fn)(void);
  const char *name;
} tests[] = {
  { forkexec, "forkexec" },
  { forkfull, "forkfull" },
  { sbrktest, "sbrk" },
  { pipes, "pipes" },
  { fstest, "fs" },
  { fsconc, "fsconc" },
  { fdlimit, "fdlimit" },
  { execargs, "execargs" },
  { badelf, "badelf" },
  { badaddr, "badaddr" },
  { cowbasic, "cowbasic" },
  { copyoutcow, "copyout-cow" },
  { cowoom, "cowoom" },
  { orphans, "orphans" },
  { killtest, "kill" },
};

// Run one test in a child, with a watchdog child; 1 if it passed.
static int run(struct test *t) {
  int before = freepages();
  int ready[2];
  if (pipe(ready) < 0) {
    printf("%s: FAILED pipe\n", t->name);
    return 0;
  }
  int dog = fork();                // first, while there is surely a slot
  if (dog == 0) {
    // Tell the parent once this process has done its own copy-on-write
    // faults (its stack), so they cannot land in the middle of a test
    // that counts free pages.
    write(ready[1], "r", 1);
    sleep(TIMEOUT);
    exit(0);
  }
  if (dog > 0) {
    char c;
    read(ready[0], &c, 1);
  }
  close(ready[0]);
  close(ready[1]);
  int pid = dog < 0 ? -1 : fork();
  if (pid == 0) {
    tname = t->name;
    t->fn();
    exit(noted);
  }
  if (pid < 0) {
    printf("%s: FAILED fork failed\n", t->name);
    if (dog > 0 && kill(dog) == 0)
      wait(0);
    return 0;
  }
  int st = 0, timedout = 0;
  for (int left = 2; left > 0; left--) {
    int s, w = wait(&s);
    if (w == pid) {
      st = s;
      kill(dog);
    } else if (w == dog && s == 0) {
      timedout = 1;
      kill(pid);
    } else if (w < 0) {
      break;
    }
  }
  if (timedout) {
    printf("%s: FAILED timed out after %d ticks\n", t->name, TIMEOUT);
    return 0;
  }
  if (st != 0) {
    if (st != 1)                   // 1: the test has said why already
      printf("%s: FAILED exit status %d\n", t->name, st);
    return 0;
  }
  int lost = settle(before, SETTLE);
  if (lost) {
    printf("%s: FAILED leaked %d pages\n", t->name, lost);
    return 0;
  }
  printf("%s: OK\n", t->name);
  return 1;
}

int main(int argc, char *argv[]) {
  stacktop = sbrk(0);
  int baseline = freepages(), failed = 0, n = sizeof(tests) / sizeof(tests[0]);
  for (int a = 1; a < argc; a++) {            // a misspelt name runs nothing
    int i = 0;
    while (i < n && strcmp(argv[a], tests[i].name) != 0)
      i++;
    if (i == n) {
      printf("usertests: no test named %s\n", argv[a]);
      exit(1);
    }
  }
  for (int i = 0; i < n; i++) {
    int want = argc == 1;
    for (int a = 1; a < argc; a++)
      want |= strcmp(argv[a], tests[i].name) == 0;
    if (want)
      failed += !run(&tests[i]);
  }
  int lost = settle(baseline, SETTLE);
  if (lost) {
    printf("usertests: FAILED leaked %d pages in all\n", lost);
    failed++;
  }
  if (failed) {
    printf("SOME TESTS FAILED\n");
    exit(1);
  }
  printf("ALL TESTS PASSED\n");
  exit(0);
}
