// Console.swift — the host side of the guest console, like QEMU's
// `-nographic`: stdin in raw mode when it is a terminal (restored on every
// exit path), Ctrl-A escapes, a reader thread, and a wake-up pipe that lets
// input and signals end the board's idle waits.
//
// Threads: the emulation thread owns the machine; the reader thread only
// fills `pending` under `lock` and pokes the wake pipe. Signal handlers only
// set a flag and write one byte to the wake pipe (async-signal-safe).

#if canImport(Glibc)
import Glibc
#endif

/// Terminal state saved at startup; restored by `restoreTerminal()`.
nonisolated(unsafe) private var savedTermios = termios()
nonisolated(unsafe) private var terminalIsRaw = false
/// Wake pipe write end, used from signal handlers.
nonisolated(unsafe) private var wakeWriteFD: Int32 = -1
/// The signal that asked us to stop (0 = none).
nonisolated(unsafe) private var stopSignal: Int32 = 0

/// Restores the terminal mode saved by `Console.start`. Safe to call twice.
func restoreTerminal() {
    if terminalIsRaw {
        tcsetattr(0, TCSANOW, &savedTermios)
        terminalIsRaw = false
    }
}

public final class Console: @unchecked Sendable {
    /// What the Ctrl-A prefix (and the monitor prompt) asked for.
    public typealias Command = ConsoleEscapes.Command

    private var lock = pthread_mutex_t()
    private var pending: [UInt8] = []
    private var commands: [Command] = []
    private var readerStarted = false
    private let wakeRead: Int32
    private let wakeWrite: Int32
    public let isTerminal: Bool
    /// Set by the reader thread when stdin reaches end of file.
    private var inputClosed = false

    public init() {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        wakeWriteFD = wakeWrite
        isTerminal = isatty(0) == 1
        pthread_mutex_init(&lock, nil)
    }

    /// Puts the terminal in raw mode (if it is one), installs signal
    /// handlers and starts the stdin reader.
    public func start() {
        if isTerminal {
            tcgetattr(0, &savedTermios)
            var raw = savedTermios
            // Like QEMU's stdio chardev: no echo, no line editing, no
            // signals from keys (Ctrl-C goes to the guest), but keep output
            // post-processing so '\n' still returns the carriage.
            raw.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON)
            raw.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
            raw.c_cflag &= ~tcflag_t(CSIZE | PARENB)
            raw.c_cflag |= tcflag_t(CS8)
            tcsetattr(0, TCSANOW, &raw)
            terminalIsRaw = true
            atexit { restoreTerminal() }
        }
        // A parent may have started us with these signals blocked (a test
        // runner's thread, say); Ctrl-A x aside, they must always work.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&unblock, sig) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { s in
                stopSignal = s
                var b: UInt8 = 1
                _ = write(wakeWriteFD, &b, 1)
            }
        }
        signal(SIGPIPE, SIG_IGN)
        startReader()
    }

    /// The signal that asked us to stop, if any.
    public var receivedSignal: Int32? { stopSignal == 0 ? nil : stopSignal }

    private func startReader() {
        guard !readerStarted else { return }
        readerStarted = true
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { ctx in
            let console = Unmanaged<Console>.fromOpaque(ctx!).takeRetainedValue()
            console.readLoop()
            return nil
        }, context)
        pthread_detach(thread)
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 1024)
        var escapes = ConsoleEscapes(enabled: isTerminal)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                withLock { inputClosed = true }
                return
            }
            let (bytes, cmds) = escapes.feed(buffer[0..<n])
            withLock {
                pending.append(contentsOf: bytes)
                commands.append(contentsOf: cmds)
            }
            wake()
        }
    }

    private func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return body()
    }

    /// Ends a `wait`: new input, a command, or a signal.
    public func wake() {
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    /// Takes up to `max` bytes of guest input.
    public func takeInput(max: Int) -> [UInt8] {
        withLock {
            let n = min(max, pending.count)
            let out = Array(pending.prefix(n))
            pending.removeFirst(n)
            return out
        }
    }

    public var hasInput: Bool { withLock { !pending.isEmpty } }

    public func takeCommands() -> [Command] {
        withLock {
            let out = commands
            commands.removeAll()
            return out
        }
    }

    /// Sleeps until woken, `also` becomes readable, or `microseconds` pass
    /// (nil: no limit). Returns the microseconds actually slept.
    public func wait(microseconds: Int?, also: [Int32] = []) -> Int {
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        fds += also.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let timeout = microseconds.map { Int32(clamping: ($0 + 999) / 1000) } ?? -1
        _ = poll(&fds, nfds_t(fds.count), timeout)
        var drain = [UInt8](repeating: 0, count: 64)
        while drain.withUnsafeMutableBytes({ read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        return Int((end.tv_sec - start.tv_sec) * 1_000_000 + (end.tv_nsec - start.tv_nsec) / 1000)
    }

    public static let helpText = """
        \r
        C-a h    print this help\r
        C-a x    exit emulator\r
        C-a c    switch between console and monitor (pagetable, refs, leaks, ps, …; type help)\r
        C-a C-a  sends C-a\r

        """
}

/// The Ctrl-A escapes as a state machine over input bytes, apart from the
/// terminal so that tests can feed it. After Ctrl-A c (as in QEMU) input
/// is a monitor command line, echoed and edited here (the terminal is raw),
/// until Ctrl-A c again; the guest keeps running meanwhile.
public struct ConsoleEscapes: Sendable {
    public enum Command: Sendable, Equatable {
        case quit, help
        /// Entered (true) or left the monitor.
        case monitor(Bool)
        /// A complete monitor command line.
        case monitorLine(String)
        /// Bytes to show the user (the monitor prompt's echo).
        case echo([UInt8])
    }

    /// Escapes are recognised only on a terminal: piped input is the
    /// guest's, byte for byte.
    let enabled: Bool
    var sawPrefix = false
    public private(set) var inMonitor = false
    var line: [UInt8] = []

    public init(enabled: Bool) { self.enabled = enabled }

    /// Splits input into guest bytes and commands, in order of arrival
    /// (commands are acted on between emulation slices).
    public mutating func feed<S: Sequence<UInt8>>(_ input: S) -> (guest: [UInt8], commands: [Command]) {
        var bytes: [UInt8] = []
        var cmds: [Command] = []
        for b in input {
            if sawPrefix {
                sawPrefix = false
                switch b {
                case UInt8(ascii: "x"), UInt8(ascii: "X"): cmds.append(.quit)
                case UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "?"): cmds.append(.help)
                case UInt8(ascii: "c"), UInt8(ascii: "C"):
                    inMonitor.toggle()
                    line = []
                    cmds.append(.monitor(inMonitor))
                case 0x01: if !inMonitor { bytes.append(0x01) }
                default: break
                }
            } else if b == 0x01 && enabled {
                sawPrefix = true
            } else if inMonitor {
                switch b {
                case 13, 10:
                    cmds.append(.echo([13, 10]))
                    cmds.append(.monitorLine(String(decoding: line, as: UTF8.self)))
                    line = []
                case 8, 127:
                    if !line.isEmpty {
                        line.removeLast()
                        cmds.append(.echo([8, 32, 8]))
                    }
                case 32..<127:
                    line.append(b)
                    cmds.append(.echo([b]))
                default: break
                }
            } else {
                bytes.append(b)
            }
        }
        return (bytes, cmds)
    }
}
