# The first user program, copied into process 1 by userinit():
#   exec("/init", {"/init", 0}); and if that fails, exit(1).
# It runs at address 0, so everything here is position-independent.
#include "syscall.h"

        .option norelax
        .section .rodata.initcode, "a"
        .globl initcode_start
        .globl initcode_end
        .balign 8
initcode_start:
        lla a0, path
        lla a1, argv
        li a7, SYS_exec
        ecall
        li a0, 1
        li a7, SYS_exit
        ecall
1:      j 1b
        .balign 8
argv:   .dword path - initcode_start, 0
path:   .string "/init"
initcode_end:
