#!/bin/sh
# The differential test's long mode: N random RV64GC programs (default
# 2000) under xv6emu and qemu-system-riscv64, compared segment by segment.
# A mismatch is minimized and reported with its seed. Examples:
#   sh tools/difftest.sh 2000            # seeds 1..2000
#   sh tools/difftest.sh 500 100000      # seeds 100000..100499
# More knobs (see Tests/MachineTests/Differential/DifferentialTests.swift):
#   XV6EMU_DIFF_ITEMS (items per segment), XV6EMU_DIFF_SEGMENTS,
#   XV6EMU_DIFF_JOBS (programs at once), XV6EMU_DIFF_KEEP=dir (keep sources).
set -eu
cd "$(dirname "$0")/.."
swift build --build-tests
XV6EMU_DIFF_PROGRAMS="${1:-2000}" XV6EMU_DIFF_SEED="${2:-1}" \
    swift test --skip-build --filter DifferentialTests 2>&1 | grep -v '^      [0-9a-f]*:'
