// CrossCompiler.swift — builds the test programs in Tests/Programs with the
// real riscv64-unknown-elf-gcc at test time. A missing compiler is a test
// failure with a clear message, never a skip.

import Foundation

public enum CrossCompiler {
    public static let gcc = "riscv64-unknown-elf-gcc"
    public static let programs = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Programs")

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Compiles `Programs/<name>.S`, or `Programs/<name>.c` with crt.S, into
    /// a temporary ELF (`defines` become -D flags); returns its path.
    public static func build(_ name: String, defines: [String] = []) throws -> String {
        let isC = FileManager.default.fileExists(atPath: programs.appendingPathComponent("\(name).c").path)
        let sources = (isC ? ["crt.S", "\(name).c"] : ["\(name).S"]).map { programs.appendingPathComponent($0).path }
        return try build(sources: sources, name: ([name] + defines).joined(separator: "-"), defines: defines)
    }

    /// Compiles and links `sources` (absolute paths) with link.ld into a
    /// temporary ELF named after `name`; returns its path.
    public static func build(sources: [String], name: String, defines: [String] = []) throws -> String {
        let out = FileManager.default.temporaryDirectory
            .appendingPathComponent("xv6emu-tests-\(getpid())", isDirectory: true)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // A fresh file per call: tests run in parallel and may build the same program.
        let elf = out.appendingPathComponent(name + "-\(UUID().uuidString).elf").path
        let args = ["-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany", "-O2", "-g", "-fno-omit-frame-pointer", "-ffreestanding", "-nostdlib", "-nostartfiles",
                    "-T", programs.appendingPathComponent("link.ld").path, "-I", programs.path]
            + defines.map { "-D" + $0 } + sources + ["-o", elf]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [gcc] + args
        let err = Pipe()
        p.standardError = err
        do {
            try p.run()
        } catch {
            throw Failure(description: "cannot run \(gcc): \(error) — install gcc-riscv64-unknown-elf (tools/install-deps.sh)")
        }
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard p.terminationStatus == 0 else {
            throw Failure(description: "\(gcc) failed on \(name) (status \(p.terminationStatus)): \(message)"
                + (p.terminationStatus == 127 ? " — install gcc-riscv64-unknown-elf" : ""))
        }
        return elf
    }
}
