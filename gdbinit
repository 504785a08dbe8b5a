# gdb setup for the bundled kernel:  gdb-multiarch -x gdbinit
# (or add "add-auto-load-safe-path /path/to/xv6emu/gdbinit" to ~/.gdbinit
# and run gdb-multiarch from this directory).
#
# In another terminal, start the emulator halted and waiting for gdb:
#     .build/release/xv6emu -s -S          (bundled kernel, port 1234)
# or  make run-gdb                         (your own build, port 26000:
#                                           change the port below)
#
# Then, for the COW lab:
#     break uvmcopy          stops in fork's copy of the address space
#     break cow_fault        stops at a store to a copy-on-write page
#     continue               ... and type `cowtest` at the $ prompt
#     monitor info mem       the current hart's page table, COW bits shown
#     info threads           one thread per hart
#
# A user program: its symbols live at low addresses in every process, so
# load them alongside the kernel's:
#     add-symbol-file build/clint/user/_cowtest
#     break bigfork
# The breakpoint fires in whichever process runs that code.
#
# A lab tree (xv6 of any year): run `make qemu-gdb QEMU=/path/to/xv6emu` in
# the tree; it writes its own .gdbinit that connects to the right port:
#     gdb-multiarch -x .gdbinit kernel/kernel

set confirm off
set architecture riscv:rv64
file kernel-images/kernel
set disassemble-next-line auto
target remote 127.0.0.1:1234
