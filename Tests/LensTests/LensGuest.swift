// LensGuest.swift — the bundled kernel (a bug-injected variant or the
// correct one) booted in-process, with the COW lens on from the first
// instruction: type at its console, run until some output or a debugger
// stop, and ask the monitor. In-process so the tests can stop the board at
// an exact kernel function and read the lens's state directly.

import Foundation
import Machine
@testable import Monitor
import RISCV
import TestSupport

final class LensGuest {
    let machine: Machine
    let monitor: Monitor
    var lens: Lens { monitor.lens }
    private(set) var console = ""
    /// Console text not yet consumed by `run(until:)`.
    private var unseen = ""
    private var typeahead: [UInt8] = []
    private let imageCopy: String

    init(bug: String?) throws {
        let build = try KernelBuild.variant(timer: "clint", extraCFLAGS: bug.map { "-D\($0)" } ?? "")
        imageCopy = NSTemporaryDirectory() + "xv6emu-lens-\(getpid())-\(UUID().uuidString).img"
        try FileManager.default.copyItem(atPath: build.image, toPath: imageCopy)
        var config = MachineConfiguration()
        config.kernelPath = build.kernel
        config.diskPath = imageCopy
        config.hartCount = 3
        machine = try Machine(configuration: config)
        monitor = Monitor(machine: machine)
        machine.consoleSink = { [unowned self] b in
            let s = String(decoding: [b], as: UTF8.self)
            console += s
            unseen += s
        }
        monitor.lens.start(sinceBoot: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: imageCopy) }

    func type(_ line: String) { typeahead += Array((line + "\n").utf8) }

    /// Runs until `needle` appears in new console output (consuming output
    /// up to it), the board halts for the debugger, or the budget runs out.
    @discardableResult
    func run(until needle: String? = nil, instructions: UInt64 = 4_000_000_000) -> Bool {
        let start = machine.retiredInstructions
        while machine.retiredInstructions - start < instructions {
            if let needle, let r = unseen.range(of: needle) {
                unseen = String(unseen[r.upperBound...])
                return true
            }
            if machine.debugHalted { return needle == nil }
            if let uart = machine.uart, uart.receiveRoom > 0, !typeahead.isEmpty {
                let n = uart.receive(typeahead.prefix(uart.receiveRoom))
                typeahead.removeFirst(n)
            }
            switch machine.advance(rounds: 16) {
            case .exited: return false
            case .idle(let deadline):
                let now = machine.clock.ticks
                machine.passIdleTime(ticks: deadline.map { $0 > now ? $0 - now : 1 } ?? 1000)
            case .running, .stopped: break
            }
        }
        return false
    }

    /// Boots to the shell prompt.
    func boot() throws {
        guard run(until: "$ ") else { throw Failure("no shell prompt:\n\(console)") }
    }

    /// Types `line` and runs until the next prompt.
    func shell(_ line: String, expect: String = "$ ") throws {
        type(line)
        guard run(until: expect) else { throw Failure("`\(line)`: no \(expect.debugDescription):\n\(console.suffix(2000))") }
    }

    /// Halts every hart at the next entry of kernel function `name` (a gdb
    /// breakpoint), after typing `line`.
    func stop(at name: String, after line: String) throws {
        guard let pc = lens.symbols.address(of: name) else { throw Failure("no symbol \(name)") }
        machine.debugging = true
        machine.insertBreakpoint(pc)
        machine.debugResume(Array(repeating: .run, count: machine.harts.count))
        type(line)
        run()
        guard machine.debugHalted, let stop = machine.lastStop, stop.reason == .breakpoint else {
            throw Failure("did not stop at \(name):\n\(console.suffix(2000))")
        }
        machine.removeBreakpoint(pc)
    }

    /// Lets the halted board go on, undebugged.
    func resume() {
        machine.removeAllDebugPoints()
        machine.debugResume(Array(repeating: .run, count: machine.harts.count))
        machine.debugging = false
    }

    func monitor(_ line: String) -> String { monitor.run(line, hart: machine.lastStop?.hart ?? 0) }

    /// The shadow's error reports so far.
    var shadowErrors: [String] { lens.events.filter { $0.hasPrefix("kalloc shadow:") } }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

/// The first `0x…` number after `marker` in `text`.
func firstHex(after marker: String, in text: String) -> UInt64? {
    guard let r = text.range(of: marker) else { return nil }
    let rest = text[r.upperBound...]
    guard let start = rest.range(of: "0x") else { return nil }
    let digits = rest[start.upperBound...].prefix { $0.isHexDigit }
    return UInt64(digits, radix: 16)
}
