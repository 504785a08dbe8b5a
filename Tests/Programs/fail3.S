# fail3.S — reports failure of check 3 through HTIF (exit status 3).
#include "harness.h"
    .section .text.init
    .globl _start
_start:
    CHECK_NUM(3)
    j fail
    EPILOGUE
