// Emulator.swift — runs the built xv6emu executable as a user would.

import Foundation

/// Runs the built xv6emu binary (next to the test bundle) and captures its output.
public func runEmulator(_ args: [String], stdin: String? = nil, timeout: TimeInterval = 20) throws -> (status: Int32, out: String, err: String) {
    let exe = Bundle.main.bundleURL.appendingPathComponent("xv6emu")
    let p = Process()
    p.executableURL = FileManager.default.fileExists(atPath: exe.path)
        ? exe : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/xv6emu")
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

