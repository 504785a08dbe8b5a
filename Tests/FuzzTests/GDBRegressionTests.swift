// GDBRegressionTests.swift — packets the fuzzer (or reading the code while
// writing the fuzzer) found to crash the stub, each exactly as found, each
// with the answer it must get now. A crash here kills the test process.

import Testing
import Machine
import RISCV
@testable import GDBServer

@Suite("fuzz regressions: GDB")
struct GDBRegressionTests {
    /// A halted two-hart board, as GDBFuzz builds it.
    func session() throws -> GDBSession {
        var config = MachineConfiguration()
        config.hartCount = 2
        config.ramSize = 1 << 20
        let m = try Machine(configuration: config)
        for h in m.harts { h.reset(pc: 0x8000_0000) }
        m.debugging = true
        m.debugHalt()
        _ = m.advance(rounds: 1)
        return GDBSession(target: MachineDebugTarget(machine: m))
    }

    @Test("vCont with an empty action before ':' (split gave no parts: index out of range)")
    func vContEmptyAction() throws {
        let s = try session()
        #expect(s.handle("vCont;:") == ["E01"])
        #expect(s.handle("vCont;:p1.1") == ["E01"])
        #expect(s.state == .stopped, "a rejected vCont resumes nothing")
    }
}

extension GDBRegressionTests {
    @Test("Z packet whose kind is only ';' (split gave no parts: index out of range)")
    func breakpointKindOnlySemicolon() throws {
        let s = try session()
        #expect(s.handle("Z0,1,;") == ["E01"])
        #expect(s.handle("z1,;,") == ["E01"])
    }

    @Test("qXfer with a negative offset or a length that overflows offset + length")
    func qXferBadRange() throws {
        let s = try session()
        #expect(s.handle("qXfer:features:read:target.xml:-1,10") == ["E01"])
        #expect(s.handle("qXfer:features:read:target.xml:0,-10") == ["E01"])
        let all = s.handle("qXfer:features:read:target.xml:10,7fffffffffffffff")[0]
        #expect(all.hasPrefix("l") && all.count > 1000, "a huge length reads to the end")
    }
}

extension GDBRegressionTests {
    /// Found reading the session while writing the GDB target: packets were
    /// turned into Strings before dispatch, so the binary data of an `X`
    /// packet (gdb probes `X` and then uses it for every memory write) lost
    /// each byte ≥ 0x80 to U+FFFD, and the length check failed.
    @Test("X packet with binary data ≥ 0x80 (and escaped `}` `#`) writes exactly those bytes")
    func binaryWrite() throws {
        let s = try session()
        // frame() escapes the `}` and `#` among them, as gdb does.
        let data: [UInt8] = [0xff, 0x80, 0x7d, 0x00, 0xc8, 0x23]
        let payload = Array("X80000100,6:".utf8) + data
        let reply = s.receive(PacketEncoder.frame(payload))
        #expect(reply == Array("+".utf8) + PacketEncoder.frame("OK"))
        #expect(s.handle("m80000100,6") == [hexEncode(data)])
    }
}
