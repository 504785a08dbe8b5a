// FuzzerDriver.h — libFuzzer's driver, callable from a Swift main.swift.
//
// SwiftPM gives every executable its own `main` (renamed per target and
// aliased at link time), so each driver's main.swift starts libFuzzer
// through `LLVMFuzzerRunDriver`. The driver also defines
// `LLVMFuzzerTestOneInput` with `@_cdecl`, because the runtime archive that
// `-sanitize=fuzzer` links references it from its own (unused) `main`.
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer with the command line's options on `LLVMFuzzerTestOneInput`.
int fuzzer_main(int argc, char **argv);

/// libFuzzer's own mutator, for drivers with a custom mutator that fall back to it.
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);
