#!/bin/sh
# tools/fuzz.sh TARGET [libFuzzer options…] — builds and runs one libFuzzer
# driver on xv6emu (local use only; CI runs the same entry points as
# seeded property tests in Tests/FuzzTests). TARGET is one of
#   instructions  decode + execute, threaded run vs single step
#   gdb           remote protocol: codec, session, board, monitor
#   elf           ELF loader and board placement on mutated executables
#   virtio        virtio-blk (legacy and modern) with a hostile driver
#
# The drivers live in Fuzz/ (their own package, since libFuzzer supplies
# the process's fuzzing loop) and are built with Swift's runtime checks
# ON (a debug build at -O: the release build's -Ounchecked would turn an
# out-of-range index into silent memory corruption instead of a crash)
# plus AddressSanitizer (FUZZ_ASAN=0 leaves it out, about twice as fast).
#
# The corpus is kept in Fuzz/.build/corpus/TARGET (not committed), seeded
# on first use from the structure-aware generators and, for elf, from
# programs built with riscv64-unknown-elf-gcc. Crashes are written to
# Fuzz/.build/artifacts/; turn each into a regression test in
# Tests/FuzzTests before fixing it.
#
# Examples:
#   sh tools/fuzz.sh instructions -max_total_time=600
#   sh tools/fuzz.sh gdb -runs=200000
#   sh tools/fuzz.sh elf -max_total_time=300
#   sh tools/fuzz.sh virtio crash-file        # re-run one input
set -eu
cd "$(dirname "$0")/.."
target=${1:-}
case "$target" in
    instructions) product=FuzzInstructions; maxlen=8201 ;;
    gdb) product=FuzzGDB; maxlen=4096 ;;
    elf) product=FuzzELF; maxlen=32768 ;;
    virtio) product=FuzzVirtio; maxlen=2048 ;;
    *) echo "usage: sh tools/fuzz.sh instructions|gdb|elf|virtio [libFuzzer options...]" >&2; exit 2 ;;
esac
shift

sanitizers=fuzzer,address
[ "${FUZZ_ASAN:-1}" = 0 ] && sanitizers=fuzzer
scratch=Fuzz/.build
[ "$sanitizers" = fuzzer ] && scratch=Fuzz/.build-noasan
swift build --package-path Fuzz --scratch-path "$scratch" -c debug \
    -Xswiftc -O -Xswiftc -sanitize="$sanitizers" --product "$product" 2>&1 \
    | grep -v "ld.gold: warning: Cannot export local symbol" >&2
binary="$scratch/debug/$product"

corpus=Fuzz/.build/corpus/$target
artifacts=Fuzz/.build/artifacts/$target
mkdir -p "$corpus" "$artifacts"
if [ -z "$(ls -A "$corpus")" ]; then
    if [ "$target" = elf ]; then
        # Real executables from the cross compiler: the seed program made
        # for this (symbols the board reads) and a few test programs.
        for p in Tests/Programs/fuzzseed.S Tests/Programs/traps.S Tests/Programs/amo.S; do
            riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -mcmodel=medany -nostdlib -nostartfiles \
                -T Tests/Programs/link.ld -I Tests/Programs "$p" -o "$corpus/$(basename "$p" .S).elf"
        done
        riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -ffreestanding -nostdlib -nostartfiles \
            -T Tests/Programs/link.ld -I Tests/Programs Tests/Programs/crt.S Tests/Programs/multi.c -o "$corpus/multi.elf"
    else
        XV6EMU_FUZZ_SEEDS="$corpus" "$binary" -runs=0 "$corpus" >/dev/null 2>&1 || true
    fi
fi

# Files or directories named on the command line replace the corpus (to
# re-run a crash, or fuzz from another corpus).
for a in "$@"; do case "$a" in -*) ;; *) corpus= ;; esac; done

# The Swift runtime's backtracer would stop for every crash the fuzzer
# provokes on purpose; libFuzzer's own report is enough.
# A single process (the machine is shared): no -jobs/-workers.
exec env SWIFT_BACKTRACE=enable=no "$binary" -max_len=$maxlen -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" ${corpus:+"$corpus"}
