#!/bin/sh
# Prints kernel-images/MANIFEST: what the prebuilt images are and how they
# were made, so anyone can check them against a rebuild (make images).
set -eu
cd "$(dirname "$0")/.."
echo "# Prebuilt bundled kernel for xv6emu (rebuild: make images)"
echo "variant: TIMER=clint (CLINT mtimecmp + M-mode handler); virtio driver speaks legacy and modern"
echo "source-commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
echo "compiler: $(riscv64-unknown-elf-gcc --version | head -1)"
echo "linker: $(riscv64-unknown-elf-ld --version | head -1)"
echo "cflags: $(make -s TIMER=clint print-cflags)"
echo "sha256:"
(cd kernel-images && sha256sum kernel fs.img | sed 's/^/  /')
