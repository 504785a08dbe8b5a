// libFuzzer driver for FuzzTarget.instructions (see Sources/FuzzTargets and tools/fuzz.sh).
import FuzzerDriver
import FuzzTargets
import Glibc

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let failure = FuzzTarget.instructions.run(bytes) { fatalError("invariant broken: \(failure)") }
    return 0
}

// XV6EMU_FUZZ_SEEDS=DIR: write a generated seed corpus into DIR first.
if let dir = getenv("XV6EMU_FUZZ_SEEDS") { FuzzTarget.instructions.writeSeeds(200, to: String(cString: dir)) }
atexit { print(FuzzTarget.instructions.report) }
exit(fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv))
