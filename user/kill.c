// kill PID...: asks the kernel to kill each process. Carries on past a
// failure, but the exit status reports it.
#include "kernel/types.h"
#include "user/user.h"

int main(int argc, char *argv[])
{
  int bad = 0;
  if (argc < 2) {
    fprintf(2, "usage: kill PID...\n");
    exit(1);
  }
  for (int i = 1; i < argc; i++) {
    if (kill(atoi(argv[i])) < 0) {
      fprintf(2, "kill: no process %s\n", argv[i]);
      bad = 1;
    }
  }
  return bad;
}
