// DifferentialRunner.swift — one generated program under both emulators:
// assemble it with diffharness.S, run it on xv6emu in-process and under
// qemu-system-riscv64 -machine virt -bios none, and compare the states the
// harness prints after every segment. Knows nothing about how programs are
// generated or minimized.

import Foundation
import Machine
import TestSupport

/// The first difference between the two outputs.
struct Mismatch: CustomStringConvertible {
    var segment: Int
    /// The line's key ("x0a", "c300", "T", "m", …); "length" when one output ends early.
    var key: String
    var ours: String
    var theirs: String
    /// Every differing line of that segment, for the report.
    var allDifferences: [String]

    var description: String {
        "segment \(segment), first difference at \(key):\n  xv6emu: \(ours)\n  QEMU:   \(theirs)"
            + (allDifferences.count > 1 ? "\n  all differing lines of the segment:\n" + allDifferences.map { "    " + $0 }.joined(separator: "\n") : "")
    }
}

struct RunResult {
    var ours: String
    var theirs: String
    var retired: UInt64
    var mismatch: Mismatch?
}

enum DifferentialRunner {
    static let harness = CrossCompiler.programs.appendingPathComponent("diffharness.S").path

    /// Assembles `source` (a generated program) with the harness.
    static func assemble(_ source: String, name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xv6emu-difftest-\(getpid())", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // .s, not .S: the generated text needs no preprocessor, and its # comments would confuse one.
        let path = dir.appendingPathComponent("\(name)-\(UUID().uuidString).s").path
        try source.write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let elf = try CrossCompiler.build(sources: [harness, path], name: name)
        // XV6EMU_DIFF_KEEP=dir keeps each program's source and ELF there, to rerun by hand.
        if let keep = ProcessInfo.processInfo.environment["XV6EMU_DIFF_KEEP"] {
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: keep + "/\(name).s")
            try? FileManager.default.removeItem(atPath: keep + "/\(name).elf")
            try? FileManager.default.copyItem(atPath: path, toPath: keep + "/\(name).s")
            try? FileManager.default.copyItem(atPath: elf, toPath: keep + "/\(name).elf")
        }
        return elf
    }

    /// The program on xv6emu, in this process: its console output and the
    /// instructions it retired.
    static func runOurs(_ elf: String, limit: UInt64 = 100_000_000) throws -> (String, UInt64, MachineOutcome) {
        var config = MachineConfiguration()
        config.kernelPath = elf
        let machine = try Machine(configuration: config)
        var out: [UInt8] = []
        machine.consoleSink = { out.append($0) }
        let outcome = machine.run(instructionLimit: limit)
        return (String(decoding: out, as: UTF8.self), machine.retiredInstructions, outcome)
    }

    /// The program under QEMU: its console output ("" and a note if it
    /// did not finish in time).
    static func runQEMU(_ elf: String, timeout: TimeInterval = 60) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["qemu-system-riscv64", "-machine", "virt", "-bios", "none", "-m", "128M", "-smp", "1",
                       "-nographic", "-kernel", elf]
        p.standardInput = FileHandle.nullDevice
        // The output can exceed a pipe's buffer: read it while QEMU runs; a
        // timer ends a program that never powers off.
        // SIGKILL, not terminate(): QEMU inherits the test runner's blocked
        // signals (see withDefaultSignals) and would never see a SIGTERM.
        let timer = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        defer { timer.cancel() }
        return try runCollectingOutput(p)
    }

    /// Both emulators on one ELF.
    static func run(_ elf: String) throws -> RunResult {
        let (ours, retired, outcome) = try runOurs(elf)
        let theirs = try runQEMU(elf)
        var result = RunResult(ours: ours, theirs: theirs, retired: retired, mismatch: compare(ours, theirs))
        if outcome != .exited(status: 0) && result.mismatch == nil {
            result.mismatch = Mismatch(segment: -1, key: "outcome", ours: "\(outcome)", theirs: "exited(status: 0)", allDifferences: [])
        }
        return result
    }

    /// Where the two emulators may legitimately differ, the line is
    /// normalized before comparing; each rule says why.
    static func normalize(_ line: Substring) -> String {
        // mideleg: QEMU 7.2 implements the H extension and shows its
        // VS-level interrupts (bits 2, 6, 10) and SGEIP (12) as delegated;
        // xv6emu has no H, so those bits are 0 there.
        if line.hasPrefix("c303 "), let v = UInt64(line.dropFirst(5), radix: 16) {
            return "c303 " + String(format: "%016lx", v & ~0x1444)
        }
        return String(line)
    }

    /// The instructions each segment took on xv6emu (the harness's "i" lines).
    static func segmentInstructions(_ output: String) -> [UInt64] {
        output.split(separator: "\n").filter { $0.hasPrefix("i ") }.map { UInt64($0.dropFirst(2), radix: 16) ?? 0 }
    }

    static func compare(_ ours: String, _ theirs: String) -> Mismatch? {
        // "i" lines count instructions with minstret, which QEMU derives from time: not compared.
        let a = ours.split(separator: "\n").filter { !$0.hasPrefix("i ") }.map(normalize)
        let b = theirs.split(separator: "\n").filter { !$0.hasPrefix("i ") }.map(normalize)
        var segment = 0
        var first: Mismatch?
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : "(end of output)", y = i < b.count ? b[i] : "(end of output)"
            if x.hasPrefix("S ") { segment = Int(x.dropFirst(2), radix: 16) ?? segment }
            if let f = first {
                if segment != f.segment || x.hasPrefix("S ") || y.hasPrefix("S ") { break }
                if x != y && first!.allDifferences.count < 12 { first!.allDifferences.append("xv6emu \(x)  |  QEMU \(y)") }
                continue
            }
            if x != y {
                let key = x.split(separator: " ").first.map(String.init) ?? "length"
                first = Mismatch(segment: segment, key: i < a.count && i < b.count ? key : "length", ours: x, theirs: y,
                                 allDifferences: ["xv6emu \(x)  |  QEMU \(y)"])
            }
        }
        if first == nil && !(a.last == "E") { return Mismatch(segment: -1, key: "end", ours: a.last ?? "", theirs: b.last ?? "", allDifferences: []) }
        return first
    }

    /// The generated code of an ELF, disassembled (text and encodings).
    static func disassemble(_ elf: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["riscv64-unknown-elf-objdump", "-d", "-j", ".text", elf]
        let text = (try? runCollectingOutput(p)) ?? ""
        let lines = text.split(separator: "\n")
        let start = lines.firstIndex { $0.hasSuffix("<diff_gen_start>:") } ?? lines.startIndex
        // Without the nops that pad the code to its last page.
        return lines[start...].filter { ($0.hasPrefix(" ") || $0.hasSuffix(">:")) && !$0.hasSuffix("\tnop") }.joined(separator: "\n")
    }
}
