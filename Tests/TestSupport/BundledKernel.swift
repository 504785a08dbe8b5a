// BundledKernel.swift — builds the bundled teaching kernel (kernel/, user/)
// from source with the real cross compiler, and drives a booted guest
// through its console, under xv6emu or under QEMU (the reference).

import Foundation

public enum KernelBuild {
    /// The checkout's root directory.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    nonisolated(unsafe) private static var built: [String: (kernel: String, image: String)] = [:]
    private static let lock = NSLock()

    /// `make TIMER=timer` into a build directory private to this test process
    /// (built once per variant, whatever the number of tests asking).
    public static func variant(timer: String = "clint", extraCFLAGS: String = "") throws -> (kernel: String, image: String) {
        lock.lock()
        defer { lock.unlock() }
        let key = timer + extraCFLAGS
        if let b = built[key] { return b }
        let dir = NSTemporaryDirectory() + "xv6emu-kernel-\(getpid())/\(key.filter { $0.isLetter || $0.isNumber || $0 == "_" })"
        var args = ["make", "-s", "-C", root.path, "TIMER=\(timer)", "B=\(dir)", "all"]
        if !extraCFLAGS.isEmpty { args.append("XCFLAGS=\(extraCFLAGS)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let text = try runCollectingOutput(p)
        guard p.terminationStatus == 0 else {
            throw CrossCompiler.Failure(description: "make TIMER=\(timer) failed:\n\(text)")
        }
        let b = (kernel: dir + "/kernel/kernel", image: dir + "/fs.img")
        built[key] = b
        return b
    }
}

/// A guest booted on the bundled kernel, driven through its console.
public final class GuestConsole {
    public let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    public private(set) var transcript = ""
    private let imageCopy: String

    /// Boots `kernel` with a scratch copy of `image` under `emulator`
    /// (xv6emu's path, or "qemu-system-riscv64").
    public init(emulator: String, kernel: String, image: String, harts: Int,
                modernVirtio: Bool = false, extra: [String] = []) throws {
        imageCopy = NSTemporaryDirectory() + "xv6emu-guest-\(getpid())-\(UUID().uuidString).img"
        try FileManager.default.copyItem(atPath: image, toPath: imageCopy)
        var args = ["-machine", "virt", "-bios", "none", "-kernel", kernel, "-m", "128M",
                    "-smp", "\(harts)", "-nographic"]
        if modernVirtio { args += ["-global", "virtio-mmio.force-legacy=false"] }
        args += ["-drive", "file=\(imageCopy),if=none,format=raw,id=x0",
                 "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"] + extra
        process.executableURL = emulator.hasPrefix("/") ? URL(fileURLWithPath: emulator) : URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = emulator.hasPrefix("/") ? args : [emulator] + args
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: imageCopy)
    }

    /// The bundled kernel (clint variant) on 3 harts under the release
    /// xv6emu, halted at the first instruction with its GDB stub on `port`.
    public static func haltedForDebugger(port: Int) throws -> (guest: GuestConsole, kernel: String, image: String) {
        let build = try KernelBuild.variant(timer: "clint")
        let guest = try GuestConsole(emulator: releaseEmulatorURL.path, kernel: build.kernel, image: build.image,
                                     harts: 3, extra: ["-S", "-gdb", "tcp::\(port)"])
        return (guest, build.kernel, build.image)
    }

    /// Reads console output until one of `needles` appears (returns the
    /// one that appears first) or the time runs out (nil). Output up to the
    /// match is consumed: the next wait only sees what follows it.
    @discardableResult
    public func wait(for needles: [String], timeout: TimeInterval) -> String? {
        let fd = output.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let hits = needles.compactMap { n in pending.range(of: n).map { (n, $0) } }
            if let first = hits.min(by: { $0.1.lowerBound < $1.1.lowerBound }) {
                pending = String(pending[first.1.upperBound...])
                return first.0
            }
            if Date() >= deadline { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            let text = String(decoding: buffer[0..<n], as: UTF8.self)
            transcript += text
            pending += text
        }
    }
    private var pending = ""

    public func type(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Types `command` at the shell prompt and waits for one of `outcomes`.
    public func run(_ command: String, until outcomes: [String], timeout: TimeInterval) -> String? {
        guard wait(for: ["$ "], timeout: 30) != nil else { return nil }
        type(command)
        return wait(for: outcomes, timeout: timeout)
    }

    /// `halt` and the process's exit status (nil if it did not exit).
    public func halt(timeout: TimeInterval = 20) -> Int32? {
        _ = wait(for: ["$ "], timeout: 10)
        type("halt")
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }
}
