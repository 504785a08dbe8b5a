// GDBSession.swift — the remote protocol's commands: one packet in, zero or
// more replies out, through a DebugTarget. No sockets here (the server in
// GDBServer.swift moves the bytes), so every command is testable by feeding
// packet strings.
//
// All-stop mode: while the target runs, the only packet that matters is the
// 0x03 interrupt; the stop reply goes out when the host reports the stop.

import Machine
import RISCV

public final class GDBSession {
    public enum State: Equatable, Sendable { case stopped, running }

    public let target: DebugTarget
    public private(set) var state = State.stopped
    /// After QStartNoAckMode, no `+` acknowledgements either way.
    public private(set) var noAck = false
    /// `Qqemu.PhyMemMode`: memory packets use physical addresses.
    public private(set) var physicalMemory = false
    /// Threads chosen by `Hg` (registers, memory) and `Hc` (legacy c/s); 0-based.
    var generalThread = 0
    var continueThread: Int? = nil
    /// The last stop, for `?`.
    var lastStopReply = "T05thread:p01.01;"
    /// Set by `k` or `D`: the server should close the connection.
    public private(set) var wantsClose = false
    public private(set) var killRequested = false
    var decoder = PacketDecoder(maxPacketSize: GDBSession.packetSize)
    static let packetSize = 0x4000

    public init(target: DebugTarget) {
        self.target = target
    }

    // MARK: Bytes in, bytes out

    /// Feeds raw bytes from the client; returns bytes to send back.
    public func receive(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for event in decoder.feed(bytes) {
            switch event {
            case .ack, .nack:
                break   // we never resend: the transport is reliable TCP
            case .interrupt:
                if state == .running { target.requestHalt() }
            case .badChecksum:
                if !noAck { out.append(UInt8(ascii: "-")) }
            case .tooLong:
                if !noAck { out.append(UInt8(ascii: "+")) }
                out += PacketEncoder.frame("E01")
            case .packet(let payload):
                if !noAck { out.append(UInt8(ascii: "+")) }
                for reply in handle(packet: payload) {
                    out += PacketEncoder.frame(reply)
                }
            }
        }
        return out
    }

    /// The host saw the board stop (breakpoint, step, watchpoint, halt):
    /// returns the framed stop reply to send.
    public func boardStopped(hart: Int, reason: DebugStop) -> [UInt8] {
        guard state == .running else { return [] }
        state = .stopped
        generalThread = hart
        var reply = "T05thread:\(threadID(hart));"
        switch reason {
        case .watchpoint(let hit):
            let key = switch hit.watchpoint.kind {
            case .write: "watch"
            case .read: "rwatch"
            case .access: "awatch"
            }
            reply += "\(key):\(String(hit.address, radix: 16));"
        case .interrupted:
            reply = "T02thread:\(threadID(hart));"
        case .breakpoint:
            reply += "swbreak:;"
        case .step:
            break
        }
        lastStopReply = reply
        return PacketEncoder.frame(reply)
    }

    /// The guest exited: the `W` reply.
    public func boardExited(status: Int32) -> [UInt8] {
        state = .stopped
        return PacketEncoder.frame("W" + String(format2(UInt8(truncatingIfNeeded: status))))
    }

    // MARK: Commands

    /// Handles one packet as it came off the wire. `X` carries raw binary
    /// data, which must not pass through a String: UTF-8 decoding turned
    /// every byte ≥ 0x80 into U+FFFD, so gdb's memory writes failed.
    public func handle(packet: [UInt8]) -> [String] {
        guard packet.first == UInt8(ascii: "X") else { return handle(String(decoding: packet, as: UTF8.self)) }
        guard let colon = packet.firstIndex(of: UInt8(ascii: ":")) else { return ["E01"] }
        let data = Array(packet[(colon + 1)...])
        guard let (addr, len) = addressLength(String(decoding: packet[1..<colon], as: UTF8.self)), data.count == len else {
            return ["E01"]
        }
        if len == 0 { return ["OK"] }
        return [target.writeMemory(thread: generalThread, address: addr, bytes: data, physical: physicalMemory) ? "OK" : "E14"]
    }

    /// Handles one packet; returns the replies (usually one).
    public func handle(_ p: String) -> [String] {
        guard let first = p.first else { return [""] }
        let rest = p.dropFirst()
        switch first {
        case "?":
            return [lastStopReply]
        case "g":
            var s = ""
            for n in 0...GDBRegister.pc { s += hexLE64(target.readRegister(thread: generalThread, n) ?? 0) }
            return [s]
        case "G":
            guard let bytes = hexDecode(rest), bytes.count >= 33 * 8 else { return ["E01"] }
            for n in 0...GDBRegister.pc {
                _ = target.writeRegister(thread: generalThread, n, le64(bytes, at: n * 8))
            }
            return ["OK"]
        case "p":
            guard let n = Int(rest, radix: 16), let v = target.readRegister(thread: generalThread, n) else { return ["E14"] }
            return [hexLE64(v)]
        case "P":
            let parts = rest.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let n = Int(parts[0], radix: 16), let bytes = hexDecode(parts[1]), bytes.count == 8,
                  target.writeRegister(thread: generalThread, n, le64(bytes, at: 0)) else { return ["E14"] }
            return ["OK"]
        case "m":
            guard let (addr, len) = addressLength(rest), len <= GDBSession.packetSize / 2 else { return ["E01"] }
            guard let bytes = target.readMemory(thread: generalThread, address: addr, count: len, physical: physicalMemory) else {
                return ["E14"]
            }
            return [hexEncode(bytes)]
        case "M":
            let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let (addr, len) = addressLength(parts[0]), let bytes = hexDecode(parts[1]),
                  bytes.count == len else { return ["E01"] }
            return [target.writeMemory(thread: generalThread, address: addr, bytes: bytes, physical: physicalMemory) ? "OK" : "E14"]
        case "X":
            return handle(packet: Array(p.utf8))
        case "Z", "z":
            return [breakpointCommand(insert: first == "Z", rest)]
        case "H":
            guard let op = rest.first else { return ["E01"] }
            let id = String(rest.dropFirst())
            guard let t = parseThread(id) else { return ["E01"] }
            if op == "g" {
                if let t = t.thread { generalThread = t }
            } else {
                continueThread = t.thread
            }
            return ["OK"]
        case "T":
            guard let t = parseThread(String(rest)), let id = t.thread, id < target.threadCount else { return ["E01"] }
            return ["OK"]
        case "c", "C":
            return resume(default: .run, only: continueThread)
        case "s", "S":
            return resume(default: .stay, only: nil, step: continueThread ?? generalThread)
        case "v":
            return vCommand(String(p))
        case "q":
            return query(String(p))
        case "Q":
            return set(String(p))
        case "D":
            target.removeAllDebugPoints()
            state = .running
            target.resume(Array(repeating: .run, count: target.threadCount))
            wantsClose = true
            return ["OK"]
        case "k":
            killRequested = true
            wantsClose = true
            return []
        default:
            return [""]
        }
    }

    func resume(default action: HartAction, only: Int?, step: Int? = nil) -> [String] {
        var actions = [HartAction](repeating: only == nil ? action : .stay, count: target.threadCount)
        if let only, only < actions.count { actions[only] = action }
        if let step, step < actions.count { actions[step] = .step }
        state = .running
        target.resume(actions)
        return []
    }

    func vCommand(_ p: String) -> [String] {
        if p == "vCont?" { return ["vCont;c;C;s;S;t"] }
        if p.hasPrefix("vCont;") {
            // Actions apply to the threads they name; one without a thread
            // applies to every thread not named earlier.
            var actions = [HartAction?](repeating: nil, count: target.threadCount)
            for item in p.dropFirst(6).split(separator: ";") {
                let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let action: HartAction
                // `omittingEmptySubsequences: false` keeps parts[0] in range
                // for an item such as ":" (fuzzer: "vCont;:" crashed here);
                // its empty action is then rejected below.
                switch parts[0].first {
                case "c", "C": action = .run
                case "s", "S": action = .step
                case "t": action = .stay
                default: return ["E01"]
                }
                if parts.count == 2 {
                    guard let t = parseThread(String(parts[1])) else { return ["E01"] }
                    if let id = t.thread {
                        if id < actions.count && actions[id] == nil { actions[id] = action }
                    } else {
                        for i in actions.indices where actions[i] == nil { actions[i] = action }
                    }
                } else {
                    for i in actions.indices where actions[i] == nil { actions[i] = action }
                }
            }
            state = .running
            target.resume(actions.map { $0 ?? .stay })
            return []
        }
        if p.hasPrefix("vMustReplyEmpty") { return [""] }
        if p.hasPrefix("vKill") {
            killRequested = true
            wantsClose = true
            return ["OK"]
        }
        return [""]
    }

    func query(_ p: String) -> [String] {
        if p.hasPrefix("qSupported") {
            return ["PacketSize=\(String(GDBSession.packetSize, radix: 16));qXfer:features:read+;vContSupported+;multiprocess+;QStartNoAckMode+;swbreak+"]
        }
        if p == "qAttached" || p.hasPrefix("qAttached:") { return ["1"] }
        if p == "qC" { return ["QC" + threadID(generalThread)] }
        if p == "qfThreadInfo" {
            return ["m" + (0..<target.threadCount).map(threadID).joined(separator: ",")]
        }
        if p == "qsThreadInfo" { return ["l"] }
        if p.hasPrefix("qThreadExtraInfo,") {
            guard let t = parseThread(String(p.dropFirst(17))), let id = t.thread, id < target.threadCount else { return ["E01"] }
            return [hexEncode(Array(target.threadDescription(id).utf8))]
        }
        if p.hasPrefix("qXfer:features:read:target.xml:") {
            let range = p.dropFirst("qXfer:features:read:target.xml:".count).split(separator: ",")
            // Offsets and lengths are unsigned in the protocol: a "-1" must be
            // an error, not a negative index, and a huge length must clamp
            // rather than overflow `offset + length` (both crashed).
            guard range.count == 2, let offset = Int(range[0], radix: 16), let length = Int(range[1], radix: 16),
                  offset >= 0, length >= 0 else {
                return ["E01"]
            }
            let xml = Array(target.targetDescription.utf8)
            guard offset <= xml.count else { return ["E01"] }
            let end = offset + min(xml.count - offset, length)
            let chunk = String(decoding: xml[offset..<end], as: UTF8.self)
            return [(end == xml.count ? "l" : "m") + chunk]
        }
        if p.hasPrefix("qXfer:") { return [""] }
        if p.hasPrefix("qRcmd,") {
            guard let bytes = hexDecode(p.dropFirst(6)) else { return ["E01"] }
            let output = target.monitor(String(decoding: bytes, as: UTF8.self), thread: generalThread)
            var replies: [String] = []
            // Output as `O` packets, chunked to fit the packet size.
            var text = Array(output.utf8)[...]
            while !text.isEmpty {
                let chunk = text.prefix(2000)
                replies.append("O" + hexEncode(chunk))
                text = text.dropFirst(chunk.count)
            }
            replies.append("OK")
            return replies
        }
        if p == "qqemu.PhyMemMode" { return [physicalMemory ? "1" : "0"] }
        if p == "qqemu.sstepbits" { return ["ENABLE=1,NOIRQ=2,NOTIMER=4"] }
        if p == "qqemu.sstep" { return [target.steppingTakesInterrupts ? "1" : "7"] }
        if p.hasPrefix("qSymbol") { return ["OK"] }
        return [""]
    }

    func set(_ p: String) -> [String] {
        if p == "QStartNoAckMode" {
            noAck = true
            return ["OK"]
        }
        if p.hasPrefix("Qqemu.PhyMemMode:") {
            switch p.dropFirst(17) {
            case "1": physicalMemory = true
            case "0": physicalMemory = false
            default: return ["E01"]
            }
            return ["OK"]
        }
        if p.hasPrefix("Qqemu.sstep=") {
            guard let bits = Int(p.dropFirst(12), radix: 16) else { return ["E01"] }
            // Bit 1 (NOIRQ) masks interrupts during single-step.
            target.steppingTakesInterrupts = bits & 2 == 0
            return ["OK"]
        }
        return [""]
    }

    func breakpointCommand(insert: Bool, _ rest: Substring) -> String {
        let parts = rest.split(separator: ",")
        // The kind may carry `;cond` lists after it; `prefix(while:)` rather
        // than split()[0], which was out of range for a kind of just ";"
        // (fuzzer: "Z0,1,;").
        guard parts.count >= 3, let type = Int(parts[0]), let addr = UInt64(parts[1], radix: 16),
              let kind = UInt64(parts[2].prefix { $0 != ";" }, radix: 16) else { return "E01" }
        switch type {
        case 0, 1:
            if insert { target.insertBreakpoint(addr) } else { target.removeBreakpoint(addr) }
        case 2, 3, 4:
            let w = Watchpoint(address: addr, length: kind, kind: type == 2 ? .write : type == 3 ? .read : .access)
            if insert { target.insertWatchpoint(w) } else { target.removeWatchpoint(w) }
        default:
            return ""
        }
        return "OK"
    }

    // MARK: Helpers

    /// `p01.02`-style id of a 0-based hart (gdb thread ids start at 1).
    func threadID(_ hart: Int) -> String { "p01.\(format2(UInt8(truncatingIfNeeded: hart + 1)))" }

    /// Parses `p1.2`, `p1.-1`, `2`, `-1`, `0`: nil thread means all/any.
    func parseThread(_ s: String) -> (thread: Int?, all: Bool)? {
        var tid = Substring(s)
        if tid.hasPrefix("p") {
            guard let dot = tid.firstIndex(of: ".") else { return (nil, true) }
            tid = tid[tid.index(after: dot)...]
        }
        if tid == "-1" { return (nil, true) }
        guard let n = Int(tid, radix: 16) else { return nil }
        if n == 0 { return (nil, false) }   // "any thread"
        guard n >= 1 && n <= target.threadCount else { return nil }
        return (n - 1, false)
    }

    func addressLength<S: StringProtocol>(_ s: S) -> (UInt64, Int)? {
        let parts = s.split(separator: ",")
        guard parts.count == 2, let a = UInt64(parts[0], radix: 16), let l = Int(parts[1], radix: 16), l >= 0 else { return nil }
        return (a, l)
    }

    func le64(_ b: [UInt8], at i: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<8 where i + k < b.count { v |= UInt64(b[i + k]) << (8 * UInt64(k)) }
        return v
    }
}

/// Two lowercase hex digits.
func format2(_ b: UInt8) -> String { String(decoding: hexByte(b), as: UTF8.self) }
