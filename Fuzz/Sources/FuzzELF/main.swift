// libFuzzer driver for FuzzTarget.elf (see Sources/FuzzTargets and tools/fuzz.sh).
import FuzzerDriver
import FuzzTargets
import Glibc

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let failure = FuzzTarget.elf.run(bytes) { fatalError("invariant broken: \(failure)") }
    return 0
}

/// Half the time a structural mutation (an ELF header, program header,
/// section header or symbol field set to a boundary or nearby value:
/// ELFMutator), half the time libFuzzer's byte-level ones. Byte mutations
/// alone rarely hit a symbol's size or a segment's offset just right.
@_cdecl("LLVMFuzzerCustomMutator")
func mutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    guard let data, seed & 1 == 0 else { return LLVMFuzzerMutate(data, size, maxSize) }
    var m = ELFMutator(seed: UInt64(seed))
    let out = Array(m.mutate(Array(UnsafeBufferPointer(start: data, count: size))).prefix(maxSize))
    for (i, b) in out.enumerated() { data[i] = b }
    return out.count
}

if let dir = getenv("XV6EMU_FUZZ_SEEDS") { FuzzTarget.elf.writeSeeds(200, to: String(cString: dir)) }
atexit { print(FuzzTarget.elf.report) }
exit(fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv))
