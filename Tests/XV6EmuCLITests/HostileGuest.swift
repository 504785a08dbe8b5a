// HostileGuest.swift — the hostile guests of Tests/Programs/hostile_*.c and
// the ways a user ends a run, driven against the real xv6emu executable:
// over pipes (Process), over a pseudo-terminal (a Python pty helper, since
// Ctrl-A must also work on a terminal) and through gdb-multiarch.

import Foundation
import Testing
import TestSupport

/// A guest that misbehaves for ever, and how to start it.
enum HostileGuest: String, CaseIterable, CustomStringConvertible {
    case writes, jumps, flood, deaf, spin

    var description: String { "hostile_\(rawValue)" }

    var harts: Int {
        switch self {
        case .writes: 3
        case .jumps, .flood: 2
        case .deaf: 1
        case .spin: 8
        }
    }

    /// Printed once the hostile work has really been done (a whole sweep,
    /// thousands of wild jumps) or is under way for good.
    var marker: String {
        switch self {
        case .writes: "writes: pass 1\n"
        case .jumps: "jumps: 16384\n"
        case .flood: "flood: under way\n"
        case .deaf: "deaf: not listening\n"
        case .spin: "spin: every hart spinning\n"
        }
    }

    /// Builds the program; returns it and the emulator arguments (with a
    /// scratch disk for the guest that scribbles on the virtio registers).
    func build() throws -> (elf: String, args: [String]) {
        let elf = try CrossCompiler.build(description)
        var args = ["-machine", "virt", "-bios", "none", "-kernel", elf, "-m", "128M", "-smp", "\(harts)", "-nographic"]
        if self == .writes {
            let image = scratchFile("hostile-disk", bytes: Data(repeating: 0x5a, count: 1 << 20))
            args += ["-drive", "file=\(image),if=none,format=raw,id=x0",
                     "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"]
        }
        return (elf, args)
    }
}

/// A scratch file with `bytes` in the temporary directory.
func scratchFile(_ name: String, bytes: Data) -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("xv6emu-\(name)-\(getpid())-\(UUID().uuidString).img").path
    _ = FileManager.default.createFile(atPath: path, contents: bytes)
    return path
}

/// Reads a pipe on its own thread for as long as it stays open, keeping
/// the last 256 KiB and noting when each awaited string first appeared (a
/// flooding guest writes faster than a test could look).
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var window = ""
    private var seen: [String: Date] = [:]
    private let needles: [String]
    private(set) var total = 0

    /// No pipe: collects nothing (a reader that never reads).
    init(_ pipe: Pipe?, needles: [String]) {
        self.needles = needles
        guard let pipe else { return }
        let fd = pipe.fileHandleForReading.fileDescriptor
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                let text = String(decoding: buffer[0..<n], as: UTF8.self)
                lock.lock()
                total += n
                // Search across the chunk boundary: keep some of the old window.
                window = String(window.suffix(4096)) + text
                for needle in needles where seen[needle] == nil && window.contains(needle) { seen[needle] = Date() }
                if window.count > 262_144 { window = String(window.suffix(131_072)) }
                lock.unlock()
            }
        }
    }

    var text: String { lock.lock(); defer { lock.unlock() }; return window }

    func sawAt(_ needle: String) -> Date? { lock.lock(); defer { lock.unlock() }; return seen[needle] }

    /// Waits until `needle` (one of those given at init) has appeared.
    @discardableResult
    func wait(for needle: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while sawAt(needle) == nil {
            if Date() >= deadline { return false }
            usleep(20_000)
        }
        return true
    }
}

/// The emulator started over pipes with a hostile guest.
final class PipedRun {
    let process = Process()
    let input = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    let out: OutputCollector
    let err: OutputCollector

    init(_ args: [String], needles: [String], executable: URL = emulatorURL, readOutput: Bool = true) throws {
        process.executableURL = executable
        process.arguments = args
        process.standardInput = input
        process.standardOutput = stdout
        process.standardError = stderr
        out = OutputCollector(readOutput ? stdout : nil, needles: needles)
        err = OutputCollector(stderr, needles: ["terminating on signal"])
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    /// Sends raw bytes to the emulator's stdin.
    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { write(input.fileHandleForWriting.fileDescriptor, $0.baseAddress, $0.count) }
    }

    /// Seconds until the process exits (nil: still running after `timeout`).
    func secondsToExit(timeout: TimeInterval) -> TimeInterval? {
        let start = Date()
        while process.isRunning {
            if Date().timeIntervalSince(start) > timeout { return nil }
            usleep(5_000)
        }
        process.waitUntilExit()
        return Date().timeIntervalSince(start)
    }

    /// The exit status, nil while running or when a signal ended it (a
    /// Swift runtime trap, say).
    var exitStatus: Int32? {
        process.isRunning || process.terminationReason != .exit ? nil : process.terminationStatus
    }

    /// The peak resident set (VmHWM) in KiB, while the process runs.
    var peakResidentKiB: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first.map(String.init) ?? "")
    }
}

/// How long a quit request may take. Answering one is a matter of
/// milliseconds; the margin is for a loaded two-core CI machine.
let promptly: TimeInterval = 5
/// How long a hostile guest may take to reach its marker on a debug build
/// of the emulator on a loaded machine.
let markerTimeout: TimeInterval = 90

/// A free TCP port on the loopback interface (the kernel picks it).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
    }
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Runs the emulator on a pseudo-terminal (Python's pty module): waits for
/// `marker`, optionally pushes `floodInput` bytes of keyboard input at a
/// guest that never reads them, or (`stopReading`) stops reading the
/// terminal for 1.5 s so that its buffer fills, then types Ctrl-A x. Prints lines the test
/// reads back: `MARKER`, `HWM0 kib` (before the push), `PUSHED n`,
/// `HWM kib`, `EXIT status seconds`, `SAW-TERMINATED True|False`.
let ptyDriver = """
    import os, pty, select, sys, time
    marker, flood, noread, argv = sys.argv[1].encode(), int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    buf = b""
    def pump(timeout):
        global buf
        r, _, _ = select.select([fd], [], [], timeout)
        if r:
            try: buf = (buf + os.read(fd, 65536))[-262144:]
            except OSError: return False
        return True
    end = time.time() + float(os.environ.get("MARKER_TIMEOUT", "90"))
    while marker not in buf:
        if time.time() > end:
            print("TIMEOUT waiting for marker; output:", buf[-2000:]); sys.exit(1)
        pump(0.2)
    print("MARKER", flush=True)
    def hwm(key):
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmHWM:"): print(key, line.split()[1], flush=True)
    if flood:
        hwm("HWM0")
        os.set_blocking(fd, False)
        pushed, chunk, end = 0, b"y" * 4096, time.time() + 20
        while pushed < flood and time.time() < end:
            _, w, _ = select.select([], [fd], [], 0.05)
            if w:
                try: pushed += os.write(fd, chunk)
                except BlockingIOError: pass
            pump(0)
        os.set_blocking(fd, True)
        print("PUSHED", pushed, flush=True)
        hwm("HWM")
    time.sleep(1.5 if noread else 0.2)
    start = time.time()
    os.write(fd, b"\\x01x")
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.time() - start > 30:
            print("STILL RUNNING after Ctrl-A x"); os.kill(pid, 9); os.waitpid(pid, 0); sys.exit(1)
        if noread: time.sleep(0.01)
        else: pump(0.01)
    while pump(0.05) and select.select([fd], [], [], 0)[0]: pass
    print("EXIT", os.waitstatus_to_exitcode(status), "%.3f" % (time.time() - start))
    print("SAW-TERMINATED", b"terminated by Ctrl-A x" in buf)
    """

struct PtyOutcome {
    let text: String
    var exitStatus: Int32? { value("EXIT").flatMap { Int32($0.split(separator: " ")[0]) } }
    var seconds: Double? { value("EXIT").flatMap { Double($0.split(separator: " ")[1]) } }
    var pushed: Int? { value("PUSHED").flatMap { Int($0) } }
    var peakKiB: Int? { value("HWM").flatMap { Int($0) } }
    func value(_ key: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(key + " ") }.map { String($0.dropFirst(key.count + 1)) }
    }
}

func runOnPty(_ args: [String], marker: String, floodInput: Int = 0, stopReading: Bool = false) throws -> PtyOutcome {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    // The terminal's output processing turns the guest's "\n" into "\r\n".
    let onTerminal = marker.replacingOccurrences(of: "\n", with: "\r\n")
    p.arguments = ["python3", "-c", ptyDriver, onTerminal, "\(floodInput)", stopReading ? "1" : "0", emulatorURL.path] + args
    return PtyOutcome(text: try runCollectingOutput(p))
}

/// gdb-multiarch attaches to the running guest, continues it, is sent the
/// SIGINT of a Ctrl-C (it forwards 0x03 to the stub), then reads registers
/// and kills the target. Returns gdb's transcript and the seconds from the
/// SIGINT to the stop.
func interruptWithGDB(port: Int, elf: String) throws -> (text: String, seconds: TimeInterval?) {
    let gdb = Process()
    gdb.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    gdb.arguments = withDefaultSignals + ["gdb-multiarch", "-q", "-batch", "-nx",
        "-ex", "set pagination off",
        "-ex", "target remote 127.0.0.1:\(port)",
        "-ex", "echo ATTACHED\\n",
        "-ex", "continue",
        "-ex", "echo INTERRUPTED\\n",
        "-ex", "info registers pc",
        "-ex", "p/x $mcause",
        "-ex", "info threads",
        "-ex", "kill",
        elf]
    let out = Pipe()
    gdb.standardOutput = out
    gdb.standardError = out
    gdb.standardInput = Pipe()
    let collector = OutputCollector(out, needles: ["ATTACHED", "INTERRUPTED", "[Inferior 1 (process 1) killed]"])
    try gdb.run()
    defer { if gdb.isRunning { kill(gdb.processIdentifier, SIGKILL) } }
    guard collector.wait(for: "ATTACHED", timeout: 30) else { return (collector.text, nil) }
    usleep(500_000)   // the guest runs on under gdb
    let sent = Date()
    kill(gdb.processIdentifier, SIGINT)
    let stopped = collector.wait(for: "INTERRUPTED", timeout: 30)
    let seconds = stopped ? collector.sawAt("INTERRUPTED")!.timeIntervalSince(sent) : nil
    let deadline = Date().addingTimeInterval(20)
    while gdb.isRunning && Date() < deadline { usleep(10_000) }
    return (collector.text, seconds)
}
