// MonitorTests.swift — monitor commands on a board with hand-built state:
// the page-table listing (merged ranges, RSW bits shown), decoded
// registers, physical memory dumps, help and unknown commands.

import Testing
import Machine
@testable import Monitor
@testable import RISCV

@Suite("Monitor")
struct MonitorTests {
    func board() throws -> (Monitor, Machine) {
        var config = MachineConfiguration()
        config.devices = false
        let m = try Machine(configuration: config)
        return (Monitor(machine: m), m)
    }

    func put64(_ m: Machine, _ a: UInt64, _ v: UInt64) {
        m.memory.writeRAM(a, (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) })
    }

    @Test("info mem lists merged leaf ranges with flags and the RSW (COW) bits")
    func infoMem() throws {
        let (mon, m) = try board()
        let root: UInt64 = 0x8010_0000, l1: UInt64 = 0x8010_1000, l0: UInt64 = 0x8010_2000
        put64(m, root, (l1 >> 12) << 10 | PTE.v)
        put64(m, l1, (l0 >> 12) << 10 | PTE.v)
        // VA 0x0000 and 0x1000 → PA 0x80200000, 0x80201000, RW U; VA 0x2000 → read-only with RSW bit 8.
        put64(m, l0, (0x8020_0000 >> 12) << 10 | PTE.v | PTE.r | PTE.w | PTE.u)
        put64(m, l0 + 8, (0x8020_1000 >> 12) << 10 | PTE.v | PTE.r | PTE.w | PTE.u)
        put64(m, l0 + 16, (0x8030_0000 >> 12) << 10 | PTE.v | PTE.r | PTE.u | 1 << 8)
        m.harts[0].debugWriteCSR(CSRNumber.satp, 8 << 60 | root >> 12)
        let ranges = PageTableWalker(memory: m.memory).ranges(root: root)
        #expect(ranges.count == 2)
        #expect(ranges[0].virtualStart == 0 && ranges[0].virtualEnd == 0x1fff && ranges[0].physicalStart == 0x8020_0000)
        let out = mon.run("info mem", hart: 0)
        #expect(out.contains("rw-u---") && out.contains("rsw=1"), "\(out)")
        #expect(PageTableWalker.flagString(PTE.r | 1 << 8, cowBit: 1 << 8).hasSuffix("COW"))
    }

    @Test("info registers decodes sstatus and names scause")
    func infoRegisters() throws {
        let (mon, m) = try board()
        m.harts[0].debugWriteCSR(CSRNumber.sstatus, CSRBits.sie | CSRBits.sum)
        m.harts[0].debugWriteCSR(CSRNumber.scause, 15)
        let out = mon.run("info registers", hart: 0)
        #expect(out.contains("SIE") && out.contains("SUM"))
        #expect(out.contains("store/AMO page fault"))
        #expect(out.contains("satp: mode Bare"))
    }

    @Test("info registers shows f0–f31 with ABI names, fcsr decoded, FS by name and SD")
    func infoFloatRegisters() throws {
        let (mon, m) = try board()
        let h = m.harts[0]
        h.f[10] = 0x3ff0_0000_0000_0000
        h.debugWriteCSR(CSRNumber.fcsr, 3 << 5 | 0x11)   // rup, NV|NX — a write, so FS becomes Dirty
        let out = mon.run("info registers", hart: 0)
        #expect(out.contains("f10/fa0  0x3ff0000000000000"), "\(out)")
        #expect(out.contains("f31/ft11"))
        #expect(out.contains("frm=rup fflags=NV,NX"))
        #expect(out.contains("FS=Dirty SD"))
    }

    @Test("xp dumps physical memory; outside RAM says so")
    func xp() throws {
        let (mon, m) = try board()
        put64(m, 0x8000_0000, 0x1122_3344_5566_7788)
        #expect(mon.run("xp /2xw 0x80000000", hart: 0).contains("0x55667788 0x11223344"))
        #expect(mon.run("xp /1xg 0x10", hart: 0).contains("not RAM"))
    }

    @Test("help lists every command; unknown commands are reported")
    func help() throws {
        let (mon, _) = try board()
        let out = mon.run("help", hart: 0)
        for c in Monitor.commands { #expect(out.contains(c.usage)) }
        #expect(mon.run("frobnicate", hart: 0).contains("unknown command"))
    }
}

@Suite("COW lens: bad input and non-xv6 kernels")
struct LensInputTests {
    func board() throws -> Monitor {
        var config = MachineConfiguration()
        config.devices = false
        return Monitor(machine: try Machine(configuration: config))
    }

    @Test("each command explains what is wrong instead of failing", arguments: [
        ("refs 0x10", "is not in RAM"),
        ("refs zz", "usage: refs PA"),
        ("pte", "usage: pte VA"),
        ("pte 0x8000000000000000 root 0x80000000", "not a canonical Sv39 address"),
        ("pagetable root 0x123", "not a page-aligned RAM address"),
        ("pagetable pid 1", "process table can't be read"),
        ("pagetable", "paging is off"),
        ("pagetable hart 9", "no hart 9"),
        ("ps", "no `proc` symbol"),
        ("freepages", "no `kmem` symbol"),
        ("leaks", "needs the kalloc shadow"),
        ("trace traps bogus", "unknown cause 'bogus'"),
        ("trace cow on", "the COW bit is unknown"),
        ("watch-phys 0x0 8", "is not RAM"),
        ("break-scope pid 1", "needs the process table"),
        ("backtrace", "no kernel frames"),
        ("lens on", "no kalloc/kfree symbols"),
    ])
    func badInput(_ c: (String, String)) throws {
        let out = try board().run(c.0, hart: 0)
        #expect(out.contains(c.1), "\(c.0): \(out)")
    }

    @Test("pte walks a hand-built table level by level")
    func pteWalk() throws {
        var config = MachineConfiguration()
        config.devices = false
        let m = try Machine(configuration: config)
        let mon = Monitor(machine: m, cowBit: 8)
        func put64(_ a: UInt64, _ v: UInt64) { m.memory.writeRAM(a, (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }) }
        let root: UInt64 = 0x8010_0000, l1: UInt64 = 0x8010_1000, l0: UInt64 = 0x8010_2000
        put64(root, (l1 >> 12) << 10 | PTE.v)
        put64(l1, (l0 >> 12) << 10 | PTE.v)
        put64(l0 + 16, (0x8030_0000 >> 12) << 10 | PTE.v | PTE.r | PTE.u | 1 << 8)
        let out = mon.run("pte 0x2010 root 0x80100000", hart: 0)
        #expect(out.contains("L2[0]") && out.contains("→ table 0x80101000") && out.contains("L0[2]"), "\(out)")
        #expect(out.contains("leaf r--u--- COW → page 0x80300000") && out.contains("physical address 0x80300010"), "\(out)")
        #expect(mon.run("pte 0x5000 root 0x80100000", hart: 0).contains("not valid: unmapped"))
    }
}
