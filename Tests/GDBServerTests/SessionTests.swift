// SessionTests.swift — the protocol's commands against a real board running
// a small program, through the same DebugTarget the server uses.

import Testing
import Machine
import RISCV
@testable import GDBServer

@Suite("GDB session")
struct SessionTests {
    /// A 2-hart board with a few instructions at 0x80000000.
    func session() throws -> (GDBSession, Machine) {
        var config = MachineConfiguration()
        config.hartCount = 2
        let m = try Machine(configuration: config)
        // li a0, 5 ; addi a0, a0, 1 ; j .-4
        let words: [UInt32] = [0x00500513, 0x00150513, 0xffdff06f]
        var bytes: [UInt8] = []
        for w in words { bytes += withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        m.memory.writeRAM(0x8000_0000, bytes)
        for h in m.harts { h.reset(pc: 0x8000_0000) }
        m.debugging = true
        m.debugHalt()
        _ = m.advance(rounds: 1)
        return (GDBSession(target: MachineDebugTarget(machine: m)), m)
    }

    @Test("qSupported, target.xml in chunks, thread list and extra info")
    func queries() throws {
        let (s, _) = try session()
        #expect(s.handle("qSupported:multiprocess+")[0].contains("qXfer:features:read+"))
        let first = s.handle("qXfer:features:read:target.xml:0,100")[0]
        #expect(first.hasPrefix("m<?xml"))
        var xml = ""
        var offset = 0
        while true {
            let r = s.handle("qXfer:features:read:target.xml:\(String(offset, radix: 16)),800")[0]
            xml += r.dropFirst()
            offset += r.count - 1
            if r.hasPrefix("l") { break }
        }
        #expect(xml.contains("org.gnu.gdb.riscv.csr") && xml.contains("name=\"satp\"") && xml.contains("name=\"priv\""))
        #expect(s.handle("qfThreadInfo") == ["mp01.01,p01.02"])
        #expect(s.handle("qsThreadInfo") == ["l"])
        let info = s.handle("qThreadExtraInfo,p01.02")[0]
        #expect(String(decoding: hexDecode(info)!, as: UTF8.self).contains("hart 1"))
    }

    @Test("registers: g, p for pc, priv and a CSR, P writes; unknown register is E14")
    func registers() throws {
        let (s, _) = try session()
        let g = s.handle("g")[0]
        #expect(g.count == 33 * 16)
        #expect(s.handle("p20") == [hexLE64(0x8000_0000)])          // pc = 32
        #expect(s.handle("p41") == [hexLE64(3)])                    // priv = 65: M
        #expect(s.handle("P2=\(hexLE64(0x1234))") == ["OK"])         // sp
        #expect(s.handle("p2") == [hexLE64(0x1234)])
        #expect(s.handle("p\(String(66 + 0xf14, radix: 16))") == [hexLE64(0)])   // mhartid
        #expect(s.handle("p\(String(66 + 0x7ff, radix: 16))") == ["E14"])
    }

    @Test("FP registers: the fpu feature in target.xml; p/P on f0–f31 (33–64) and fflags/frm/fcsr (67–69)")
    func floatRegisters() throws {
        let (s, m) = try session()
        var xml = "", offset = 0
        while true {
            let r = s.handle("qXfer:features:read:target.xml:\(String(offset, radix: 16)),800")[0]
            xml += r.dropFirst()
            offset += r.count - 1
            if r.hasPrefix("l") { break }
        }
        #expect(xml.contains("<feature name=\"org.gnu.gdb.riscv.fpu\">"))
        #expect(xml.contains("<reg name=\"f0\" bitsize=\"64\" type=\"ieee_double\" regnum=\"33\"/>"))
        #expect(xml.contains("<reg name=\"f31\" bitsize=\"64\" type=\"ieee_double\" regnum=\"64\"/>"))
        #expect(xml.contains("<reg name=\"fflags\" bitsize=\"64\" type=\"int\" regnum=\"67\"/>"))
        #expect(xml.contains("<reg name=\"fcsr\" bitsize=\"64\" type=\"int\" regnum=\"69\"/>"))
        // Each FP CSR once, in the fpu feature (before the csr feature).
        #expect(xml.ranges(of: "name=\"frm\"").count == 1)
        #expect(xml.firstRange(of: "name=\"fcsr\"")!.lowerBound < xml.firstRange(of: "org.gnu.gdb.riscv.csr")!.lowerBound)

        // Hart 0 computes fdiv.d fa0, fa1, fa2 = 1/3 (inexact), then gdb reads it.
        let h = m.harts[0]
        h.debugWriteCSR(CSRNumber.mstatus, 1 << 13)   // FS = Initial
        let fdiv = Enc.r(0x53, 0, 0x0d, 10, 11, 12)
        m.memory.writeRAM(0x8000_0100, withUnsafeBytes(of: fdiv.littleEndian) { Array($0) })
        h.pc = 0x8000_0100
        h.f[11] = 0x3ff0_0000_0000_0000
        h.f[12] = 0x4008_0000_0000_0000
        h.step()
        #expect(s.handle("p2b") == [hexLE64(0x3fd5_5555_5555_5555)])   // f10 = 33 + 10
        #expect(s.handle("p2c") == [hexLE64(0x3ff0_0000_0000_0000)])   // f11
        #expect(s.handle("p43") == [hexLE64(1)])                       // fflags: NX
        #expect(s.handle("p45") == [hexLE64(1)])                       // fcsr
        #expect(s.handle("P21=\(hexLE64(0x4009_21fb_5444_2d18))") == ["OK"])   // f0 = π
        #expect(h.f[0] == 0x4009_21fb_5444_2d18)
        #expect(s.handle("P44=\(hexLE64(3))") == ["OK"])              // frm = rup
        #expect(h.fcsr == 3 << 5 | 1)
        #expect(s.handle("p40") == [hexLE64(0)])                       // f31
    }

    @Test("memory: read, write, binary write, unmapped and device memory give errors")
    func memory() throws {
        let (s, m) = try session()
        #expect(s.handle("m80000000,4") == ["13055000"])
        #expect(s.handle("M80001000,2:abcd") == ["OK"])
        #expect(m.memory.readRAM(0x8000_1000, count: 2) == [0xab, 0xcd])
        #expect(s.handle("X80001000,1:z") == ["OK"])
        #expect(m.memory.readRAM(0x8000_1000, count: 1) == [UInt8(ascii: "z")])
        #expect(s.handle("m0,4") == ["E14"])
        #expect(s.handle("m10000000,1") == ["E14"], "UART: no side effects from the debugger")
        #expect(s.handle("mzz,4") == ["E01"])
    }

    @Test("breakpoint, continue one thread, stop reply names the thread")
    func breakpoint() throws {
        let (s, m) = try session()
        #expect(s.handle("Z0,80000004,2") == ["OK"])
        #expect(s.handle("vCont;c:p1.2") == [])
        #expect(s.state == .running)
        _ = m.advance(rounds: 4)
        let stop = try #require(m.lastStop)
        #expect(stop.hart == 1 && stop.reason == .breakpoint)
        let reply = String(decoding: s.boardStopped(hart: stop.hart, reason: stop.reason), as: UTF8.self)
        #expect(reply.contains("T05thread:p01.02;"))
        #expect(m.harts[0].pc == 0x8000_0000, "hart 0 stayed stopped")
        #expect(s.handle("z0,80000004,2") == ["OK"])
    }

    @Test("single step with vCont;s moves exactly one instruction")
    func step() throws {
        let (s, m) = try session()
        _ = s.handle("vCont;s:p1.1;t")
        _ = m.advance(rounds: 1)
        #expect(m.harts[0].pc == 0x8000_0004)
        #expect(m.harts[1].pc == 0x8000_0000)
        #expect(m.lastStop?.reason == .step)
    }

    @Test("write watchpoint stops after the store and names the address")
    func watchpoint() throws {
        let m = try Machine(configuration: MachineConfiguration())
        // nop ; sd a1, 8(a1) ; j .   with a1 = 0x80001000
        let words: [UInt32] = [0x00000013, 0x00b5b423, 0x0000006f]
        var bytes: [UInt8] = []
        for w in words { bytes += withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        m.memory.writeRAM(0x8000_0000, bytes)
        m.harts[0].reset(pc: 0x8000_0000)
        m.harts[0].setRegister(11, 0x8000_1000)
        m.debugging = true
        let s = GDBSession(target: MachineDebugTarget(machine: m))
        #expect(s.handle("Z2,80001008,8") == ["OK"])
        _ = s.handle("c")
        _ = m.advance(rounds: 2)
        guard case .watchpoint(let hit)? = m.lastStop?.reason else {
            Issue.record("no watchpoint stop: \(String(describing: m.lastStop))")
            return
        }
        #expect(hit.address == 0x8000_1008)
        #expect(m.harts[0].pc == 0x8000_0008, "stopped after the store")
        let reply = String(decoding: s.boardStopped(hart: 0, reason: .watchpoint(hit)), as: UTF8.self)
        #expect(reply.contains("watch:80001008;"))
    }

    @Test("hostile packets: unknown commands answer empty, garbage answers errors, nothing crashes")
    func hostile() throws {
        let (s, _) = try session()
        #expect(s.handle("jfoo") == [""])
        #expect(s.handle("Z9,0,0") == [""])
        #expect(s.handle("Z0,zz") == ["E01"])
        #expect(s.handle("Hgp9.9") == ["E01"])
        #expect(s.handle("P1=12") == ["E14"])
        #expect(s.handle("G00") == ["E01"])
        #expect(s.handle("qXfer:features:read:target.xml:ffffff,10") == ["E01"])
        #expect(s.handle("m80000000,ffffffffffff") == ["E01"])
        let bytes = s.receive(Array("$m0,4#fd$g#00\u{03}garbage".utf8))
        #expect(!bytes.isEmpty)
    }

    @Test("monitor commands come back as O packets then OK")
    func monitor() throws {
        let (s, _) = try session()
        let replies = s.handle("qRcmd," + hexEncode(Array("help".utf8)))
        #expect(replies.last == "OK")
        #expect(replies.first?.hasPrefix("O") == true)
    }

    @Test("PhyMemMode switches memory packets to physical addresses")
    func physicalMode() throws {
        let (s, _) = try session()
        #expect(s.handle("Qqemu.PhyMemMode:1") == ["OK"])
        #expect(s.handle("qqemu.PhyMemMode") == ["1"])
        #expect(s.handle("m80000000,4") == ["13055000"])
    }
}
