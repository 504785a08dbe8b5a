#!/bin/sh
# Installs, with apt-get, whatever this project needs that the machine lacks.
# Usage: tools/install-deps.sh [run|test]
#   run  — what booting the bundled kernel needs (libelf to build xv6emu)
#   test — also the RISC-V cross compiler, its C headers, gdb-multiarch and QEMU (the test oracle)
set -eu
need="libelf-dev pkg-config"
if [ "${1:-test}" = test ]; then
    need="$need gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf gdb-multiarch qemu-system-misc python3 make"
fi
missing=""
for p in $need; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
command -v swift >/dev/null || { echo "swift (6.x) is required: https://swift.org/install" >&2; exit 1; }
