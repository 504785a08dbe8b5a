// Console.swift — the host side of the guest console, like QEMU's
// `-nographic`: stdin in raw mode when it is a terminal (restored on every
// exit path), Ctrl-A escapes, a reader thread, and a wake-up pipe that lets
// input and signals end the board's idle waits.
//
// Threads: the emulation thread owns the machine; the reader thread only
// fills `pending` under `lock` and pokes the wake pipe. Signal handlers only
// set a flag and write one byte to the wake pipe (async-signal-safe).
//
// Ctrl-A escapes work on pipes too, as QEMU's `-nographic` mux does:
// `printf '\001x' | xv6emu` quits. Input the guest does not take is held
// up to `inputLimit` bytes; past that a pipe is left unread (it pushes back,
// nothing is lost) and a terminal is still read, for Ctrl-A, with the guest's
// share dropped (a person typing into a guest that stopped listening).

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
    /// Signalled when the guest takes input (a reader held back by a full
    /// `pending` may go on).
    private var drained = pthread_cond_t()
    /// Input for the guest: `pending[pendingStart...]`.
    private var pending: [UInt8] = []
    private var pendingStart = 0
    /// How much guest input is held at most. QEMU's mux holds 32 bytes and
    /// then stops reading stdin, Ctrl-A included; a megabyte covers any paste.
    public static let inputLimit = 1 << 20
    /// Guest input thrown away (terminal only), reported once at exit.
    public var droppedInput: Int { withLock { dropped } }
    private var dropped = 0
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
        pthread_cond_init(&drained, nil)
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
        // A full disk under a file-size limit (ulimit -f) must be a failed
        // write the guest hears about (EFBIG, virtio IOERR), not SIGXFSZ's
        // default action killing the emulator with the guest's data in flight.
        signal(SIGXFSZ, SIG_IGN)
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
        var buffer = [UInt8](repeating: 0, count: 4096)
        var escapes = ConsoleEscapes()
        while true {
            if !isTerminal {
                // A pipe or file pushes back: read no more until the guest
                // has taken some (nothing is lost, memory stays bounded).
                pthread_mutex_lock(&lock)
                while pending.count - pendingStart >= Self.inputLimit { pthread_cond_wait(&drained, &lock) }
                pthread_mutex_unlock(&lock)
            }
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                withLock { inputClosed = true }
                return
            }
            let (bytes, cmds) = escapes.feed(buffer[0..<n])
            withLock {
                // Only a terminal gets here with `pending` full.
                let room = max(0, Self.inputLimit - (pending.count - pendingStart))
                pending.append(contentsOf: bytes.prefix(room))
                dropped += bytes.count - min(room, bytes.count)
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
            let n = min(max, pending.count - pendingStart)
            let out = Array(pending[pendingStart..<pendingStart + n])
            pendingStart += n
            // The guest takes 16 bytes at a time: move the rest down only
            // now and then, not on every take.
            if pendingStart >= 65536 || pendingStart == pending.count {
                pending.removeFirst(pendingStart)
                pendingStart = 0
            }
            pthread_cond_signal(&drained)
            return out
        }
    }

    public var hasInput: Bool { withLock { pending.count > pendingStart } }

    public func takeCommands() -> [Command] {
        withLock {
            let out = commands
            commands.removeAll()
            if out.contains(.quit) { quitTaken = true }
            return out
        }
    }

    /// Ctrl-A x was acted on: the run ends at the user's request.
    public private(set) var quitTaken = false

    /// Sleeps until woken, `also` becomes readable, `writable` writable, or
    /// `microseconds` pass (nil: no limit). Returns the microseconds slept.
    public func wait(microseconds: Int?, also: [Int32] = [], writable: [Int32] = []) -> Int {
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        fds += also.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        fds += writable.map { pollfd(fd: $0, events: Int16(POLLOUT), revents: 0) }
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

    var sawPrefix = false
    public private(set) var inMonitor = false
    var line: [UInt8] = []
    /// A monitor line longer than any command is cut here: megabytes with no
    /// newline after Ctrl-A c (a pipe can send them) must not grow memory.
    static let maxLine = 4096

    public init() {}

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
            } else if b == 0x01 {
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
                    guard line.count < Self.maxLine else { break }
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
