// ELFRegressionTests.swift — executables the ELF fuzzer found to crash the
// loader or the board, rebuilt exactly: the seed program with one field
// patched, written to a real file and loaded the way the CLI does.

import Foundation
import Testing
import TestSupport
import ELFLoader
import Machine

@Suite("fuzz regressions: ELF")
struct ELFRegressionTests {
    /// Offset of symbol `name`'s Elf64_Sym in `b` (found through the section headers).
    static func symbolEntry(_ b: [UInt8], _ name: String) -> Int? {
        func get(_ at: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }
        let shoff = get(40, 8), shnum = get(60, 2)
        for i in 0..<shnum where get(shoff + 64 * i + 4, 4) == 2 {   // SHT_SYMTAB
            let sh = shoff + 64 * i
            let off = get(sh + 24, 8), size = get(sh + 32, 8), strtab = shoff + 64 * get(sh + 40, 4)
            let strOff = get(strtab + 24, 8)
            for k in 0..<size / 24 {
                let e = off + 24 * k, n = strOff + get(e, 4)
                let end = b[n...].firstIndex(of: 0)!
                if String(decoding: b[n..<end], as: UTF8.self) == name { return e }
            }
        }
        return nil
    }

    static func patched(_ symbol: String, size: UInt64? = nil, value: UInt64? = nil) throws -> String {
        var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try CrossCompiler.build("fuzzseed"))))
        let e = try #require(symbolEntry(b, symbol))
        for i in 0..<8 {
            if let value { b[e + 8 + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            if let size { b[e + 16 + i] = UInt8(truncatingIfNeeded: size >> (8 * UInt64(i))) }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xv6emu-fuzz-\(UUID().uuidString).elf").path
        FileManager.default.createFile(atPath: path, contents: Data(b))
        return path
    }

    @Test("a `scheduler` symbol whose address + size wraps past 2^64 (Range with lowerBound > upperBound)")
    func schedulerSizeWraps() throws {
        let path = try Self.patched("scheduler", size: .max)
        var config = MachineConfiguration()
        config.ramSize = 1 << 20
        config.kernelPath = path
        let m = try Machine(configuration: config)
        #expect(m.run(instructionLimit: 100_000) == .exited(status: 0), "the program still runs and passes")
    }
}
