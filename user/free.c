// free: shows how much physical memory the kernel has not handed out.
#include "kernel/types.h"
#include "user/user.h"

int main(void)
{
  int n = freepages();
  if (n < 0) {
    fprintf(2, "free: freepages failed\n");
    exit(1);
  }
  printf("free pages: %d (%d KiB)\n", n, n * 4);   // 4 KiB pages
  return 0;
}
