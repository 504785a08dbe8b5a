// XV6Emu.swift — the command: parse QEMU-style flags, build the board, run
// it, and turn the outcome into a process exit status.

#if canImport(Glibc)
import Glibc
#endif
import GDBServer
import Machine
import Monitor

public enum XV6Emu {
    public static let version = "0.1.0"

    /// Runs the emulator; returns the process exit status.
    public static func main(_ argv: [String]) -> Int32 {
        let program = "xv6emu"
        let settings: Settings
        do {
            settings = try Settings.from(OptionParser.parse(Array(argv.dropFirst())))
        } catch {
            printError("\(program): \(error.description)")
            return 1
        }
        if settings.showHelp {
            writeStdout(QEMUOptions.helpText(program: program))
            return 0
        }
        if settings.showVersion {
            writeStdout("xv6emu version \(version) (QEMU-compatible RISC-V virt board for xv6)\n")
            return 0
        }
        var configuration = settings.machine
        configuration.diskPath = settings.diskPath
        configuration.snapshot = settings.snapshot
        if configuration.kernelPath == nil {
            // No -kernel: boot the bundled teaching kernel, on its own file
            // system unless a disk was given, never writing the committed image.
            guard let bundle = BundledKernel.locate() else {
                printError("\(program): no -kernel given and the bundled kernel was not found "
                    + "(looked for kernel-images/ beside the executable and in the source tree; "
                    + "set XV6EMU_IMAGES to its directory)")
                return 1
            }
            configuration.kernelPath = bundle.kernel
            if configuration.diskPath == nil {
                configuration.diskPath = bundle.fileSystem
                configuration.snapshot = true
            }
            if !settings.hartCountGiven { configuration.hartCount = 3 }
        }
        configuration.legacyVirtio = settings.forceLegacyVirtio
        let machine: Machine
        do {
            machine = try Machine(configuration: configuration)
        } catch {
            printError("\(program): \(error.description)")
            return 1
        }
        if let warning = machine.disk?.warning { printError("\(program): warning: \(warning)") }
        machine.disk?.onError = { printError("\(program): \($0)") }
        let out = OutputBuffer()
        machine.consoleSink = { out.append($0) }
        let monitor = Monitor(machine: machine, cowBit: settings.cowBit)
        // Lens reports (bad frees, traces) interleave with the console.
        monitor.lens.output = { text in out.append(text.replacingNewlines()) }
        if settings.lens { writeStdout(monitor.lens.start(sinceBoot: true).replacingNewlines()) }
        var gdb: GDBServer?
        if let port = settings.gdbPort {
            do {
                let server = try GDBServer(host: settings.gdbHost ?? "127.0.0.1", port: port) {
                    let target = MachineDebugTarget(machine: machine)
                    target.monitorHandler = { monitor.run($0, hart: $1) }
                    return target
                }
                server.onKill = { machine.powerOff(status: 0) }
                server.onAttach = { attached in
                    if attached {
                        // Like QEMU: a debugger attaching stops the guest.
                        machine.debugging = true
                        machine.debugHalt()
                    } else {
                        // The debugger left (detach or disconnect): let the guest run on.
                        machine.removeAllDebugPoints()
                        machine.debugResume(Array(repeating: .run, count: machine.harts.count))
                        machine.debugging = false
                    }
                }
                gdb = server
            } catch {
                printError("\(program): \(error.description)")
                return 1
            }
        }
        if settings.haltAtStart {
            machine.debugging = true
            machine.debugHalt()
        }
        if settings.profile { machine.pcSamples = [:] }
        let console = Console()
        console.start()
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let status = runInteractive(machine, console: console, output: out, gdb: gdb, monitor: monitor)
        // The rest of the output, for as long as stdout keeps taking it: a
        // reader that took nothing for a while (a pipe nobody reads) is given
        // up on, at once when the user asked to stop.
        let userStopped = console.receivedSignal != nil || console.quitTaken
        out.drain(stallSeconds: userStopped ? 1 : 5, giveUp: { !userStopped && console.receivedSignal != nil })
        if console.droppedInput > 0 {
            printError("\(program): \(console.droppedInput) bytes typed while the guest was not reading were dropped")
        }
        restoreTerminal()
        if settings.statistics {
            var end = timespec()
            clock_gettime(CLOCK_MONOTONIC, &end)
            let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
            printError(Statistics.report(machine, wallSeconds: seconds))
        }
        if settings.profile { printError(Statistics.profile(machine)) }
        return status
    }

    /// The host loop: run the board in slices, doing console I/O between
    /// them; when every hart sleeps, wait on the host clock (so guest
    /// `sleep` takes real time) until the next timer or new input.
    static func runInteractive(_ machine: Machine, console: Console, output: OutputBuffer, gdb: GDBServer?,
                               monitor: Monitor) -> Int32 {
        machine.hasAsyncWakeSources = true
        // Rounds per slice: fewer when a slice takes long (every instruction
        // an MMIO access, a debug build), so that Ctrl-A x, signals and gdb
        // never wait long for the slice to end.
        var rounds = maxRounds
        while true {
            gdb?.service()
            if let uart = machine.uart, uart.receiveRoom > 0, console.hasInput {
                uart.receive(console.takeInput(max: uart.receiveRoom))
            }
            if machine.debugHalted {
                // Halted for the debugger (or -S): wait for packets or keys.
                output.flush()
                // A halt requested from outside the run loop (gdb's 0x03,
                // handled in service() above) still owes gdb its stop reply;
                // the session sends it only while gdb waits for one.
                if let stop = machine.lastStop { gdb?.boardStopped(hart: stop.hart, reason: stop.reason) }
                _ = console.wait(microseconds: 200_000, also: gdb?.pollDescriptors ?? [])
                if let status = hostCommands(machine, console: console, output: output, monitor: monitor) { return status }
                continue
            }
            if output.isBacklogged {
                output.flush()
                if output.isBacklogged {
                    // Stdout takes nothing (a full pipe nobody reads, a
                    // stopped terminal): hold the guest, as a UART with flow
                    // control would, but keep answering gdb, Ctrl-A and
                    // signals. (Blocking in write() here once wedged the
                    // emulator: SIGTERM and Ctrl-A x went unheard.)
                    _ = console.wait(microseconds: 100_000, also: gdb?.pollDescriptors ?? [], writable: [output.fd])
                    if let status = hostCommands(machine, console: console, output: output, monitor: monitor) { return status }
                    if let status = machine.exitStatus {   // gdb's kill
                        gdb?.boardExited(status: status)
                        return status
                    }
                    continue
                }
            }
            let sliceStart = monotonicMicroseconds()
            let event = machine.advance(rounds: rounds)
            let took = monotonicMicroseconds() - sliceStart
            if took > sliceMicroseconds {
                rounds = max(1, rounds / 2)
            } else if took < sliceMicroseconds / 4 && rounds < maxRounds {
                rounds *= 2
            }
            output.flush()   // a prompt has no newline: never leave it buffered
            if event == .stopped, machine.debugHalted, let stop = machine.lastStop {
                output.flush()
                gdb?.boardStopped(hart: stop.hart, reason: stop.reason)
            }
            if let status = hostCommands(machine, console: console, output: output, monitor: monitor) { return status }
            switch event {
            case .exited(let status):
                gdb?.boardExited(status: status)
                return status
            case .idle(let deadline):
                output.flush()
                let now = machine.clock.ticks
                let wantTicks = deadline.map { $0 > now ? $0 - now : 0 }
                // 10 ticks per microsecond; wake at least once a second.
                let micros = min(wantTicks.map { Int(clamping: $0 / 10) } ?? 1_000_000, 1_000_000)
                let slept = micros == 0 ? 0 : console.wait(microseconds: micros, also: gdb?.pollDescriptors ?? [])
                machine.passIdleTime(ticks: UInt64(max(slept, 0)) * 10)
            case .running, .stopped:
                break
            }
        }
    }

    static let maxRounds = 32
    /// A slice of emulation between two looks at the host (input, Ctrl-A,
    /// signals, gdb) should take about this long at most.
    static let sliceMicroseconds = 20_000

    static func monotonicMicroseconds() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return t.tv_sec * 1_000_000 + t.tv_nsec / 1000
    }

    /// Ctrl-A commands and signals; a status when the run must end.
    static func hostCommands(_ machine: Machine, console: Console, output: OutputBuffer, monitor: Monitor) -> Int32? {
        for command in console.takeCommands() {
            output.flush()
            switch command {
            case .quit:
                output.append("\r\nxv6emu: terminated by Ctrl-A x\r\n")
                return 0
            case .help:
                output.append(Console.helpText)
            case .monitor, .monitorLine, .echo:
                output.append(monitorConsole(command, monitor: monitor))
            }
        }
        if let signal = console.receivedSignal {
            output.flush()
            restoreTerminal()
            printError("xv6emu: terminating on signal \(signal)")
            return 128 + signal
        }
        return nil
    }

    static let monitorPrompt = "(xv6emu) "

    /// What the console shows for a monitor-mode command (Ctrl-A c): the
    /// prompt, the echo, a command's output. The guest runs on meanwhile.
    public static func monitorConsole(_ command: Console.Command, monitor: Monitor) -> String {
        switch command {
        case .monitor(true):
            return "\r\nxv6emu monitor: type help; Ctrl-A c returns to the console\r\n" + monitorPrompt
        case .monitor(false):
            return "\r\n"
        case .echo(let bytes):
            return String(decoding: bytes, as: UTF8.self)
        case .monitorLine(let line):
            return monitor.run(line, hart: 0).replacingNewlines() + monitorPrompt
        case .quit, .help:
            return ""
        }
    }

    static func printError(_ s: String) {
        let line = s.hasSuffix("\n") ? s : s + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    static func writeStdout(_ s: String) {
        _ = s.withCString { write(1, $0, strlen($0)) }
    }
}

/// Console output, written to stdout in chunks (flushed at newlines, every
/// 4 KiB, and whenever the guest goes idle or the run ends). Never blocks:
/// what stdout does not take now stays here, and past `backlogLimit` the
/// host loop holds the guest until stdout drains. A stdout nobody will ever
/// read (closed pipe, hung-up terminal) gets nothing more.
final class OutputBuffer {
    private var bytes: [UInt8] = []
    /// Unwritten output at which the guest is held.
    static let backlogLimit = 1 << 20
    var isBacklogged: Bool { bytes.count >= Self.backlogLimit }

    /// Where the bytes go: stdout, or the same terminal or pipe opened
    /// anew without blocking. POLLOUT is no promise that a 4096-byte write
    /// fits: a terminal reports it with a single byte of room, and a
    /// blocking write() to a terminal nobody reads never returned (SIGTERM
    /// and Ctrl-A x then went unheard). O_NONBLOCK on fd 1 itself would
    /// change the open file the shell shares with us; a second open of
    /// /proc/self/fd/1 is our own. Anything else (a file, a socket) stays
    /// fd 1, and poll() alone keeps writes short.
    let fd: Int32

    init() {
        bytes.reserveCapacity(4096)
        var st = stat()
        let kind = fstat(1, &st) == 0 ? st.st_mode & S_IFMT : 0
        if kind == S_IFCHR || kind == S_IFIFO {
            let own = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
            fd = own >= 0 ? own : 1
        } else {
            fd = 1
        }
    }

    func append(_ b: UInt8) {
        bytes.append(b)
        if b == 10 || bytes.count & 4095 == 0 { flush() }
    }

    func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        flush()
    }

    /// Writes what stdout takes now.
    func flush() {
        var done = 0
        while done < bytes.count {
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&p, 1, 0)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }   // full: keep the rest for later
            guard p.revents & Int16(POLLOUT) != 0 else {
                done = bytes.count   // error or hang-up: no reader, ever
                break
            }
            let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, min($0.count, 4096)) }
            if n > 0 {
                done += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && errno == EAGAIN {
                break
            } else {
                done = bytes.count
            }
        }
        if done == bytes.count {
            bytes.removeAll(keepingCapacity: true)
        } else if done > 0 {
            bytes.removeFirst(done)
        }
    }

    /// At the end of the run: waits for stdout to take everything, unless
    /// it takes nothing for `stallSeconds` or `giveUp` says stop.
    func drain(stallSeconds: Int, giveUp: () -> Bool) {
        var lastProgress = XV6Emu.monotonicMicroseconds()
        while true {
            let before = bytes.count
            flush()
            if bytes.isEmpty || giveUp() { return }
            let now = XV6Emu.monotonicMicroseconds()
            if bytes.count < before { lastProgress = now }
            if now - lastProgress > stallSeconds * 1_000_000 { return }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&p, 1, 50)
        }
    }
}


extension String {
    /// `\n` → `\r\n`: the terminal is raw while the emulator runs.
    func replacingNewlines() -> String {
        var out = ""
        for c in self { if c == "\n" { out += "\r\n" } else { out.append(c) } }
        return out
    }
}
