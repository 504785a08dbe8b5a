// init: the first user process. Sets up the console as fds 0, 1 and 2,
// then keeps a shell running forever. Orphaned processes are handed to
// init by the kernel; reaping them is the other half of its job.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define CONSOLE 1   // device major number of the console

int main(void)
{
  char *argv[] = { "sh", 0 };

  if (open("console", O_RDWR) < 0) {
    // First boot on a fresh disk: create the device file.
    mknod("console", CONSOLE, 0);
    if (open("console", O_RDWR) < 0)
      exit(1);          // nowhere to report it
  }
  dup(0);               // stdout
  dup(0);               // stderr

  for (;;) {
    printf("init: starting sh\n");
    int pid = fork();
    if (pid < 0) {
      fprintf(2, "init: fork failed\n");
      exit(1);
    }
    if (pid == 0) {
      exec("sh", argv);
      fprintf(2, "init: exec sh failed\n");
      exit(1);
    }

    // Reap until the shell itself is gone; anything else is an orphan.
    for (;;) {
      int w = wait(0);
      if (w == pid)
        break;
      if (w < 0) {
        fprintf(2, "init: wait failed\n");
        exit(1);
      }
    }
  }
}
