// PrivilegedTests.swift — traps, delegation, xRET, CSR access rules,
// counters, interrupts and wfi (privileged spec 1.12).

import Testing
@testable import RISCV

private let a0: UInt32 = 10, a1: UInt32 = 11

@Suite("Traps and CSRs")
struct PrivilegedTests {
    @Test("ecall from each mode: cause, mepc, MPP", arguments: [
        (PrivilegeMode.user, UInt64(8)), (.supervisor, 9), (.machine, 11),
    ])
    func ecall(_ mode: PrivilegeMode, _ cause: UInt64) {
        let b = Bench()
        b.program([I.ecall])
        b.setCSR(CSRNumber.mtvec, Bench.base + 0x100)
        b.hart.debugSetMode(mode)
        b.step()
        #expect(b.csr(CSRNumber.mcause) == cause)
        #expect(b.csr(CSRNumber.mepc) == Bench.base)
        #expect(b.hart.pc == Bench.base + 0x100)
        #expect(b.hart.mode == .machine)
        #expect((b.csr(CSRNumber.mstatus) >> 11) & 3 == UInt64(mode.rawValue))
    }

    @Test("ebreak: cause 3, mtval = pc")
    func ebreak() {
        let b = Bench.run(I.ebreak)
        #expect(b.csr(CSRNumber.mcause) == 3)
        #expect(b.csr(CSRNumber.mtval) == Bench.base)
    }

    @Test("illegal instruction: mtval holds the bits, 32- and 16-bit")
    func illegal() {
        var b = Bench.run(0xffff_ffff)
        #expect(b.csr(CSRNumber.mcause) == 2 && b.csr(CSRNumber.mtval) == 0xffff_ffff)
        b = Bench()
        b.half([0x0000])
        b.step()
        #expect(b.csr(CSRNumber.mcause) == 2 && b.csr(CSRNumber.mtval) == 0)
        b = Bench()
        b.half([0x8000])   // reserved quadrant-0 encoding
        b.step()
        #expect(b.csr(CSRNumber.mtval) == 0x8000)
    }

    @Test("load and store access faults outside RAM")
    func accessFaults() {
        var b = Bench.run(I.load(3, a0, a1, 0), [11: 0x1000])
        #expect(b.csr(CSRNumber.mcause) == 5 && b.csr(CSRNumber.mtval) == 0x1000)
        b = Bench.run(I.store(3, a0, a1, 0), [11: 0x1000])
        #expect(b.csr(CSRNumber.mcause) == 7)
        b = Bench.run(Enc.i(0x67, 0, 0, a1, 0), [11: 0x2000])   // jump outside RAM
        b.step()
        #expect(b.csr(CSRNumber.mcause) == 1 && b.csr(CSRNumber.mtval) == 0x2000)
    }

    @Test("delegated ecall from U goes to S: scause, sepc, SPP, SPIE; sret returns")
    func delegation() {
        let b = Bench()
        b.program([I.ecall])
        b.program([I.sret], at: Bench.base + 0x200)
        b.setCSR(CSRNumber.medeleg, 1 << 8)
        b.setCSR(CSRNumber.stvec, Bench.base + 0x200)
        b.setCSR(CSRNumber.sstatus, CSRBits.sie)
        b.hart.debugSetMode(.user)
        b.step()
        #expect(b.hart.mode == .supervisor)
        #expect(b.csr(CSRNumber.scause) == 8 && b.csr(CSRNumber.sepc) == Bench.base)
        let s = b.csr(CSRNumber.sstatus)
        #expect(s & CSRBits.spp == 0 && s & CSRBits.spie != 0 && s & CSRBits.sie == 0)
        b.setCSR(CSRNumber.sepc, Bench.base + 4)
        b.step()
        #expect(b.hart.mode == .user && b.hart.pc == Bench.base + 4)
        #expect(b.csr(CSRNumber.sstatus) & CSRBits.sie != 0)
    }

    @Test("a delegated exception in M-mode still goes to M")
    func noDelegationInM() {
        let b = Bench()
        b.program([I.ecall])
        b.setCSR(CSRNumber.medeleg, 1 << 11)   // not delegable: stays 0
        #expect(b.csr(CSRNumber.medeleg) == 0)
        b.setCSR(CSRNumber.medeleg, 1 << 2)
        b.program([0xffff_ffff])
        b.step()
        #expect(b.csr(CSRNumber.mcause) == 2 && b.hart.mode == .machine)
    }

    @Test("mret: MIE = MPIE, MPIE = 1, MPP = U, MPRV cleared below M")
    func mret() {
        let b = Bench()
        b.program([I.mret])
        b.setCSR(CSRNumber.mepc, Bench.base + 0x40)
        b.setCSR(CSRNumber.mstatus, CSRBits.mpie | (1 << 11) | CSRBits.mprv)
        b.step()
        let s = b.csr(CSRNumber.mstatus)
        #expect(b.hart.mode == .supervisor && b.hart.pc == Bench.base + 0x40)
        #expect(s & CSRBits.mie != 0 && s & CSRBits.mpie != 0 && s & CSRBits.mpp == 0 && s & CSRBits.mprv == 0)
    }

    @Test("mret and M CSRs are illegal in S; sret illegal in U and under TSR")
    func privilegeChecks() {
        var b = Bench()
        b.program([I.mret])
        b.hart.debugSetMode(.supervisor)
        b.step()
        #expect(b.csr(CSRNumber.mcause) == 2)
        b = Bench()
        b.program([I.csr(2, a0, CSRNumber.mstatus, 0)])
        b.hart.debugSetMode(.supervisor)
        b.step()
        #expect(b.csr(CSRNumber.mcause) == 2)
        b = Bench()
        b.program([I.sret])
        b.hart.debugSetMode(.user)
        b.step()
        #expect(b.csr(CSRNumber.mcause) == 2)
        b = Bench()
        b.program([I.sret])
        b.setCSR(CSRNumber.mstatus, CSRBits.tsr)
        b.hart.debugSetMode(.supervisor)
        b.step()
        #expect(b.csr(CSRNumber.mcause) == 2)
    }

    @Test("TVM makes satp and sfence.vma illegal in S; TW makes wfi illegal in S")
    func trapVirtualMemoryAndWait() {
        for word in [I.csr(2, a0, CSRNumber.satp, 0), 0x1200_0073 as UInt32] {
            let b = Bench()
            b.program([word])
            b.setCSR(CSRNumber.mstatus, CSRBits.tvm)
            b.hart.debugSetMode(.supervisor)
            b.step()
            #expect(b.csr(CSRNumber.mcause) == 2)
        }
        let b = Bench()
        b.program([I.wfi])
        b.setCSR(CSRNumber.mstatus, CSRBits.tw)
        b.hart.debugSetMode(.supervisor)
        b.step()
        #expect(b.csr(CSRNumber.mcause) == 2)
    }

    @Test("CSR instruction forms")
    func csrForms() {
        var b = Bench.run(I.csr(1, 0, CSRNumber.mscratch, a1), [11: 42])          // csrrw x0
        #expect(b.csr(CSRNumber.mscratch) == 42)
        b = Bench()
        b.setCSR(CSRNumber.mscratch, 0xf0)
        b.program([I.csr(2, a0, CSRNumber.mscratch, 0), I.csr(6, 0, CSRNumber.mscratch, 3), I.csr(7, a1, CSRNumber.mscratch, 0x10),
                   I.csr(5, 0, CSRNumber.mscratch, 31)])
        b.step()
        #expect(b[10] == 0xf0)                             // csrrs rs1=x0: read only
        b.step()
        #expect(b.csr(CSRNumber.mscratch) == 0xf3)         // csrrsi
        b.step()
        #expect(b[11] == 0xf3 && b.csr(CSRNumber.mscratch) == 0xe3)   // csrrci
        b.step()
        #expect(b.csr(CSRNumber.mscratch) == 31)           // csrrwi
    }

    @Test("unknown CSRs and writes to read-only CSRs are illegal", arguments: [
        I.csr(2, a0, 0x744, 0),                 // mnstatus: not implemented
        I.csr(1, a0, CSRNumber.mhartid, a1),    // read-only
        I.csr(6, a0, 0xc00, 1),                 // cycle is read-only
    ])
    func illegalCSR(_ word: UInt32) {
        let b = Bench.run(word)
        #expect(b.csr(CSRNumber.mcause) == 2)
        #expect(b.csr(CSRNumber.mtval) == UInt64(word))
    }

    @Test("minstret written then read back exactly")
    func minstret() {
        let b = Bench()
        b.program([I.nop, I.nop, I.csr(1, 0, CSRNumber.minstret, a1), I.csr(2, a0, CSRNumber.minstret, 0)])
        b[11] = 1000
        b.hart.run(budget: 4)
        #expect(b[10] == 1000)
    }

    @Test("counters from U need mcounteren and scounteren")
    func counterEnable() {
        for (m, s, allowed) in [(UInt64(0), UInt64(0), false), (4, 0, false), (4, 4, true)] {
            let b = Bench()
            b.program([I.csr(2, a0, 0xc02, 0)])   // rdinstret
            b.setCSR(CSRNumber.mcounteren, m)
            b.setCSR(CSRNumber.scounteren, s)
            b.hart.debugSetMode(.user)
            b.step()
            #expect((b.csr(CSRNumber.mcause) == 2) == !allowed)
        }
    }

    @Test("misa: RV64 IMAFDC + S + U")
    func misa() {
        let v = Bench().csr(CSRNumber.misa)
        #expect(v >> 62 == 2)
        for c in "ACDFIMSU" { #expect(v >> UInt64(c.asciiValue! - 65) & 1 == 1) }
        #expect(v >> 16 & 1 == 0, "no Q")
    }

    @Test("the CSR table has unique numbers and names")
    func csrTable() {
        #expect(Set(CSRTable.all.map(\.number)).count == CSRTable.all.count)
        #expect(Set(CSRTable.all.map(\.name)).count == CSRTable.all.count)
    }
}

@Suite("Interrupts")
struct InterruptTests {
    @Test("pending and enabled in S-mode: taken before the next instruction")
    func takenInS() {
        let b = Bench()
        b.program([I.nop, I.nop])
        b.setCSR(CSRNumber.mtvec, Bench.base + 0x100)
        b.setCSR(CSRNumber.mie, Interrupt.mti)
        b.hart.debugSetMode(.supervisor)
        b.hart.setInterruptLine(Interrupt.mti, true)
        b.step()
        #expect(b.csr(CSRNumber.mcause) == UInt64(1) << 63 | 7)
        #expect(b.csr(CSRNumber.mepc) == Bench.base)
        #expect(b.hart.mode == .machine)
    }

    @Test("M-mode interrupts need MIE in M")
    func maskedInM() {
        let b = Bench()
        b.program([I.nop, I.nop])
        b.setCSR(CSRNumber.mtvec, Bench.base + 0x100)
        b.setCSR(CSRNumber.mie, Interrupt.mti)
        b.hart.setInterruptLine(Interrupt.mti, true)
        b.step()
        #expect(b.hart.pc == Bench.base + 4, "not taken with MIE = 0")
        b.setCSR(CSRNumber.mstatus, CSRBits.mie)
        b.step()
        #expect(b.hart.pc == Bench.base + 0x100)
    }

    @Test("delegated SSIP: masked by SIE in S, never taken in M, always in U")
    func delegatedSoftware() {
        let b = Bench()
        b.program([I.nop, I.nop, I.nop])
        b.setCSR(CSRNumber.stvec, Bench.base + 0x200)
        b.setCSR(CSRNumber.mideleg, Interrupt.ssi)
        b.setCSR(CSRNumber.mie, Interrupt.ssi)
        b.setCSR(CSRNumber.mip, Interrupt.ssi)
        b.setCSR(CSRNumber.mstatus, CSRBits.mie | CSRBits.sie)
        b.step()
        #expect(b.hart.pc == Bench.base + 4, "not in M")
        b.hart.debugSetMode(.supervisor)
        b.setCSR(CSRNumber.mstatus, 0)
        b.step()
        #expect(b.hart.pc == Bench.base + 8, "S with SIE = 0")
        b.hart.debugSetMode(.user)
        b.step()
        #expect(b.hart.pc == Bench.base + 0x200 && b.csr(CSRNumber.scause) == UInt64(1) << 63 | 1)
    }

    @Test("priority: MEI > MSI > MTI > SEI > SSI > STI")
    func priority() {
        let order: [(UInt64, UInt64)] = [(Interrupt.mei, 11), (Interrupt.msi, 3), (Interrupt.mti, 7),
                                         (Interrupt.sei, 9), (Interrupt.ssi, 1), (Interrupt.sti, 5)]
        for k in order.indices {
            let b = Bench()
            b.program([I.nop])
            b.setCSR(CSRNumber.mtvec, Bench.base + 0x100)
            b.setCSR(CSRNumber.mie, CSRBits.mieWritable)
            b.hart.debugSetMode(.user)
            for (bit, _) in order[k...] { b.hart.setInterruptLine(bit, true) }
            b.step()
            #expect(b.csr(CSRNumber.mcause) == UInt64(1) << 63 | order[k].1)
        }
    }

    @Test("vectored mtvec: interrupts at base + 4·cause, exceptions at base")
    func vectored() {
        let b = Bench()
        b.program([I.ecall])
        b.setCSR(CSRNumber.mtvec, (Bench.base + 0x100) | 1)
        b.step()
        #expect(b.hart.pc == Bench.base + 0x100)
        let c = Bench()
        c.program([I.nop])
        c.setCSR(CSRNumber.mtvec, (Bench.base + 0x100) | 1)
        c.setCSR(CSRNumber.mie, Interrupt.mti)
        c.hart.debugSetMode(.supervisor)
        c.hart.setInterruptLine(Interrupt.mti, true)
        c.step()
        #expect(c.hart.pc == Bench.base + 0x100 + 4 * 7)
    }

    @Test("wfi sleeps with nothing pending and wakes when an enabled interrupt is pending")
    func wfi() {
        let b = Bench()
        b.program([I.wfi, I.nop])
        b.setCSR(CSRNumber.mie, Interrupt.mti)
        #expect(b.hart.run(budget: 100) == .waitingForInterrupt)
        #expect(b.hart.isWaitingForInterrupt && b.hart.pc == Bench.base + 4)
        b.hart.setInterruptLine(Interrupt.mti, true)
        #expect(b.hart.wakeIfPending())
        // MIE = 0 in M: woken but not trapped; continues after wfi.
        _ = b.hart.run(budget: 1)
        #expect(b.hart.pc == Bench.base + 8)
    }

    @Test("wfi with an interrupt pending but globally disabled does not sleep")
    func wfiPending() {
        let b = Bench()
        b.program([I.wfi, I.nop])
        b.setCSR(CSRNumber.mie, Interrupt.mti)
        b.hart.setInterruptLine(Interrupt.mti, true)
        b.step()
        #expect(!b.hart.isWaitingForInterrupt)
    }

    @Test("Sstc: stimecmp needs STCE, drives STIP from time")
    func sstc() {
        var now: UInt64 = 100
        let b = Bench()
        b.hart.timeSource = { now }
        b.program([I.csr(1, 0, CSRNumber.stimecmp, a1)])
        b[11] = 150
        b.step()
        #expect(b.csr(CSRNumber.mcause) == 2, "STCE = 0: illegal")
        let c = Bench()
        c.hart.timeSource = { now }
        c.setCSR(CSRNumber.menvcfg, 1 << 63)
        c.program([I.csr(1, 0, CSRNumber.stimecmp, a1)])
        c[11] = 150
        c.step()
        #expect(c.hart.mip & Interrupt.sti == 0)
        now = 150
        c.hart.updateSstc(time: now)
        #expect(c.hart.mip & Interrupt.sti != 0)
    }
}
