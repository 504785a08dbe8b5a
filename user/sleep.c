// sleep N: waits N clock ticks (a tick is 100 ms).
#include "kernel/types.h"
#include "user/user.h"

int main(int argc, char *argv[])
{
  if (argc != 2 || argv[1][0] == 0) {
    fprintf(2, "usage: sleep TICKS\n");
    exit(1);
  }
  for (const char *p = argv[1]; *p; p++) {
    if (*p < '0' || *p > '9') {
      fprintf(2, "sleep: not a number: %s\n", argv[1]);
      exit(1);
    }
  }
  if (sleep(atoi(argv[1])) < 0) {
    fprintf(2, "sleep: interrupted\n");
    exit(1);
  }
  return 0;
}
