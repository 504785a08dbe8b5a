# System-call stubs. Each one puts its number in a7 and traps with ecall;
# the arguments are already in a0..a5 where the C caller left them, and the
# kernel's result comes back in a0, which is the C return register.
#include "kernel/syscall.h"

# The number is a separate argument because the preprocessor runs before
# the assembler: SYS_\name would never be expanded to a constant.
.macro syscall name, num
  .global \name
  .type \name, @function
\name:
  li a7, \num
  ecall
  ret
  .size \name, . - \name
.endm

.text
syscall fork,      SYS_fork
syscall exit,      SYS_exit
syscall wait,      SYS_wait
syscall pipe,      SYS_pipe
syscall read,      SYS_read
syscall write,     SYS_write
syscall close,     SYS_close
syscall kill,      SYS_kill
syscall exec,      SYS_exec
syscall open,      SYS_open
syscall mknod,     SYS_mknod
syscall unlink,    SYS_unlink
syscall fstat,     SYS_fstat
syscall link,      SYS_link
syscall mkdir,     SYS_mkdir
syscall chdir,     SYS_chdir
syscall dup,       SYS_dup
syscall getpid,    SYS_getpid
syscall sbrk,      SYS_sbrk
syscall sleep,     SYS_sleep
syscall uptime,    SYS_uptime
syscall freepages, SYS_freepages
syscall halt,      SYS_halt
