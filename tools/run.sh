#!/bin/sh
# The project's one run command: installs what is missing, builds a release
# xv6emu, and runs it with the given arguments (none: the bundled kernel).
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh run
swift build -c release --omit-frame-pointers --product xv6emu >&2
exec .build/release/xv6emu "$@"
