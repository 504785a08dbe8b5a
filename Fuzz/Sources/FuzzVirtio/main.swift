// libFuzzer driver: VirtioFuzz (virtio-blk registers and hostile rings).
import FuzzTargets
import FuzzerDriver
import Glibc

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let failure = VirtioFuzz.run(bytes) { fatalError("invariant broken: \(failure)") }
    return 0
}

exit(fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv))
