#!/bin/sh
# The project's one test command: installs what is missing, builds, and runs
# every test (Swift Testing suites, which also build and run the RISC-V
# programs and kernels they need with the real cross compiler).
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh test
swift build --build-tests
# Guest operating systems run their whole test suites in the tests: on the
# release build of the emulator, as users run it.
swift build -c release --omit-frame-pointers --product xv6emu
swift test --skip-build
