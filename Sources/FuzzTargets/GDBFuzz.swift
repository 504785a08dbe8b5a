// GDBFuzz.swift — fuzz target: the GDB remote protocol, from raw wire bytes
// through the packet codec and the session's handler to a real board.
//
// The board is the one gdb would see: two harts running a small loop,
// devices attached, halted, with the monitor (and its COW lens commands)
// behind `qRcmd`. The input is either raw bytes from the wire (framing,
// escapes, checksums, junk, interrupts) or — so that the fuzzer need not
// learn checksums — newline-separated packet payloads that are framed
// correctly before they are fed in. When a packet resumes the board, it
// runs a few short rounds and the stop is reported as the host loop does.
//
// Invariants: no crash; no hang (every resume runs a bounded number of
// rounds); every byte the stub sends back decodes as acknowledgements and
// well-framed packets with good checksums.

import GDBServer
import Machine
import Monitor
import RISCV

public enum GDBFuzz {
    /// The program the harts run: a loop that counts, stores, loads and
    /// branches, so breakpoints and watchpoints have something to hit.
    static let program: [UInt32] = [
        Enc.i(0x13, 0, 10, 0, 5),        // li a0, 5
        Enc.i(0x13, 0, 11, 0, 1),        // li a1, 1
        Enc.i(0x13, 1, 11, 11, 31),      // slli a1, a1, 31   (RAM base)
        Enc.i(0x13, 0, 10, 10, 1),       // loop: addi a0, a0, 1
        Enc.s(0x23, 3, 11, 10, 256),     // sd a0, 256(a1)
        Enc.i(0x03, 3, 12, 11, 256),     // ld a2, 256(a1)
        Enc.j(0, -12),                   // j loop
    ]

    public static func run(_ data: [UInt8]) -> FuzzFailure? { execute(data).failure }

    /// What one input did: the broken invariant if any, how many replies
    /// the stub sent and how many times the board ran (so a test can tell
    /// the packets got past the codec).
    public struct Outcome: Sendable {
        public var failure: FuzzFailure?
        /// Packets sent to the stub (framed by us, or `$` starts on the wire).
        public var packets = 0
        public var replies = 0
        public var resumes = 0
    }

    public static func execute(_ data: [UInt8]) -> Outcome {
        var outcome = Outcome()
        var input = FuzzInput(data)
        let mode = input.byte()
        var config = MachineConfiguration()
        config.hartCount = 2
        config.ramSize = 1 << 20
        config.quantum = 64
        guard let machine = try? Machine(configuration: config) else {
            outcome.failure = FuzzFailure("board did not build")
            return outcome
        }
        machine.memory.writeRAM(0x8000_0000, program.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } })
        for h in machine.harts { h.reset(pc: 0x8000_0000) }
        machine.debugging = true
        machine.debugHalt()
        _ = machine.advance(rounds: 1)
        let target = MachineDebugTarget(machine: machine)
        let monitor = Monitor(machine: machine)
        // Everything but `--svg FILE`, which writes a host file the fuzzer
        // would get to name.
        target.monitorHandler = { $0.contains("--svg") ? "refused by the fuzz harness\n" : monitor.run($0, hart: $1) }
        let session = GDBSession(target: target)

        var chunks: [[UInt8]]
        if mode & 1 == 0 {
            // Wire bytes, delivered in pieces the input chooses.
            chunks = []
            while !input.isEmpty { chunks.append(input.take(Int(input.byte()) + 1)) }
        } else {
            chunks = input.rest().split(separator: 0x0a, omittingEmptySubsequences: false).map { PacketEncoder.frame(Array($0)) }
        }
        if mode & 2 != 0 { chunks.insert(PacketEncoder.frame("QStartNoAckMode"), at: 0) }
        outcome.packets = chunks.reduce(0) { $0 + $1.count { $0 == UInt8(ascii: "$") } }

        for chunk in chunks {
            let out = session.receive(chunk)
            outcome.replies += out.count { $0 == UInt8(ascii: "$") }
            if let f = checkFraming(out, after: chunk) {
                outcome.failure = f
                return outcome
            }
            if session.wantsClose { break }
            if session.state == .running {
                outcome.resumes += 1
                // Run briefly, as the host loop would between polls; then
                // stop the board if it is still going, and report.
                var event = machine.advance(rounds: 4)
                if event == .running {
                    machine.debugHalt()
                    event = machine.advance(rounds: 1)
                }
                let reply: [UInt8]
                switch event {
                case .exited(let status): reply = session.boardExited(status: status)
                default:
                    let stop = machine.lastStop ?? (hart: 0, reason: .interrupted)
                    reply = session.boardStopped(hart: stop.hart, reason: stop.reason)
                }
                if let f = checkFraming(reply, after: chunk) {
                    outcome.failure = f
                    return outcome
                }
                if case .exited = event { break }
            }
        }
        return outcome
    }

    /// Everything the stub sends must be `+`, `-` or a well-framed packet,
    /// and nothing may be left half-sent (a `+` after it must decode as an
    /// ack, not vanish into an unfinished packet that leaves gdb waiting).
    static func checkFraming(_ out: [UInt8], after input: [UInt8]) -> FuzzFailure? {
        var decoder = PacketDecoder(maxPacketSize: 1 << 20)
        let events = decoder.feed(out + [UInt8(ascii: "+")])
        for event in events.dropLast() {
            switch event {
            case .packet, .ack, .nack: continue
            default:
                return FuzzFailure("reply to \(String(decoding: input.prefix(80), as: UTF8.self)) is not well framed (\(event)): "
                    + String(decoding: out.prefix(120), as: UTF8.self))
            }
        }
        if events.last != .ack {
            return FuzzFailure("reply ends inside a packet: " + String(decoding: out.suffix(80), as: UTF8.self))
        }
        return nil
    }
}
