// halt: powers the machine off.
#include "kernel/types.h"
#include "user/user.h"

int main(void)
{
  halt(0);
}
