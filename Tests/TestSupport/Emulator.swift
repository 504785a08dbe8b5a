// Emulator.swift — runs the built xv6emu executable as a user would.

import Foundation
@_exported import struct FuzzTargets.FuzzRandom

/// Runs the built xv6emu binary (next to the test bundle) and captures its output.
/// The built xv6emu executable (next to the test bundle).
public var emulatorURL: URL {
    let exe = Bundle.main.bundleURL.appendingPathComponent("xv6emu")
    return FileManager.default.fileExists(atPath: exe.path)
        ? exe : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/xv6emu")
}

public func runEmulator(_ args: [String], stdin: String? = nil, timeout: TimeInterval = 20,
                        executable: URL = emulatorURL) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = executable
    p.arguments = args
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = input
    try p.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(10_000) }
    if p.isRunning { p.terminate() }
    p.waitUntilExit()
    return (p.terminationStatus,
            String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
}

/// Runs `p` to completion with stdout and stderr merged into one pipe, and
/// returns what it printed (read before waiting, so a full pipe can't stall it).
public func runCollectingOutput(_ p: Process) throws -> String {
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return text
}

/// splitmix64, a fixed-seed generator for reproducible test inputs: the
/// one the fuzz targets' generators use (Sources/FuzzTargets/Generators.swift).
public typealias SplitMix = FuzzRandom

/// Reads from `pipe` until the text contains `needle` or `timeout` passes.
public func readUntil(_ pipe: Pipe, contains needle: String, timeout: TimeInterval) -> String {
    let fd = pipe.fileHandleForReading.fileDescriptor
    var seen = ""
    let deadline = Date().addingTimeInterval(timeout)
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !seen.contains(needle) && Date() < deadline {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 100) > 0 else { continue }
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        seen += String(decoding: buffer[0..<n], as: UTF8.self)
    }
    return seen
}

/// The release build of xv6emu when there is one (tools/test-all.sh makes it):
/// whole guest operating systems run their test suites on it, which a debug
/// build of the interpreter would take many minutes over.
public var releaseEmulatorURL: URL {
    let release = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/release/xv6emu")
    return FileManager.default.fileExists(atPath: release.path) ? release : emulatorURL
}

/// A command prefix that runs a program with every signal unblocked and at
/// its default disposition. Processes started by the test runner inherit
/// its blocked signals (Foundation's Process does not reset them), so gdb
/// would never see the SIGINT that means "interrupt the target".
public let withDefaultSignals: [String] = [
    "python3", "-c",
    "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
        + "signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
]
