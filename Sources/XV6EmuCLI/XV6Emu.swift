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
        let out = OutputBuffer()
        machine.consoleSink = { out.append($0) }
        let monitor = Monitor(machine: machine, cowBit: settings.cowBit)
        // Lens reports (bad frees, traces) interleave with the console.
        monitor.lens.output = { text in
            out.flush()
            writeStdout(text.replacingNewlines())
        }
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
        out.flush()
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
            let event = machine.advance(rounds: 32)
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

    /// Ctrl-A commands and signals; a status when the run must end.
    static func hostCommands(_ machine: Machine, console: Console, output: OutputBuffer, monitor: Monitor) -> Int32? {
        for command in console.takeCommands() {
            output.flush()
            switch command {
            case .quit:
                writeStdout("\r\nxv6emu: terminated by Ctrl-A x\r\n")
                return 0
            case .help:
                writeStdout(Console.helpText)
            case .monitor, .monitorLine, .echo:
                writeStdout(monitorConsole(command, monitor: monitor))
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

/// Console output, written to stdout in chunks (flushed at newlines, when
/// full, and whenever the guest goes idle or the run ends).
final class OutputBuffer {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(4096) }

    func append(_ b: UInt8) {
        bytes.append(b)
        if b == 10 || bytes.count >= 4096 { flush() }
    }

    func flush() {
        guard !bytes.isEmpty else { return }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            offset += n
        }
        bytes.removeAll(keepingCapacity: true)
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
