// DeviceTests.swift — each virt device at register level, with no CPU
// running: real harts' interrupt lines, a recording interrupt sink, and
// real image files for the block device.

import Foundation
import Testing
@testable import Machine
@testable import RISCV

/// Records the last level of each source.
final class LineRecorder: InterruptSink {
    var levels: [Int: Bool] = [:]
    func setLevel(source: Int, _ high: Bool) { levels[source] = high }
}

final class NoBus: MMIOBus {
    func load(_ address: UInt64, width: Int) -> UInt64? { nil }
    func store(_ address: UInt64, width: Int, value: UInt64) -> Bool { false }
}

@Suite("CLINT")
struct CLINTTests {
    let bus = NoBus()

    @Test("mtimecmp at reset is 0: MTIP pending, as on QEMU; a later mtimecmp clears it")
    func timer() {
        let mem = MemorySystem(ramSize: 1 << 20, bus: bus)
        let harts = [Hart(id: 0, memory: mem), Hart(id: 1, memory: mem)]
        let clock = VirtualClock(instructionsPerTick: 10)
        let clint = CLINT(harts: harts, clock: clock)
        #expect(harts[0].mip & Interrupt.mti != 0)
        _ = clint.write(0x4000, width: 8, 100)
        #expect(harts[0].mip & Interrupt.mti == 0)
        #expect(harts[1].mip & Interrupt.mti != 0, "hart 1 still has mtimecmp 0")
        #expect(clint.nextDeadline == 100)
        clock.advance(ticks: 100)
        clint.tick(now: clock.ticks)
        #expect(harts[0].mip & Interrupt.mti != 0)
    }

    @Test("32-bit halves of mtimecmp and mtime; mtime follows the clock")
    func halves() {
        let mem = MemorySystem(ramSize: 1 << 20, bus: bus)
        let clint = CLINT(harts: [Hart(id: 0, memory: mem)], clock: VirtualClock(instructionsPerTick: 10))
        _ = clint.write(0x4000, width: 4, 0x1234_5678)
        _ = clint.write(0x4004, width: 4, 0x9)
        #expect(clint.read(0x4000, width: 8) == 0x9_1234_5678)
        #expect(clint.read(0x4004, width: 4) == 0x9)
        _ = clint.write(0xbff8, width: 8, 5000)
        #expect(clint.read(0xbff8, width: 8) == 5000)
    }

    @Test("msip drives MSIP")
    func msip() {
        let mem = MemorySystem(ramSize: 1 << 20, bus: bus)
        let harts = [Hart(id: 0, memory: mem), Hart(id: 1, memory: mem)]
        let clint = CLINT(harts: harts, clock: VirtualClock(instructionsPerTick: 10))
        _ = clint.write(4, width: 4, 1)
        #expect(harts[1].mip & Interrupt.msi != 0 && harts[0].mip & Interrupt.msi == 0)
        #expect(clint.read(4, width: 4) == 1)
        _ = clint.write(4, width: 4, 0)
        #expect(harts[1].mip & Interrupt.msi == 0)
    }
}

@Suite("PLIC")
struct PLICTests {
    let bus = NoBus()

    func plic(harts n: Int = 2) -> (PLIC, [Hart]) {
        let mem = MemorySystem(ramSize: 1 << 20, bus: bus)
        let harts = (0..<n).map { Hart(id: $0, memory: mem) }
        return (PLIC(harts: harts), harts)
    }

    @Test("a source needs priority, enable and threshold to reach a context")
    func routing() {
        let (p, harts) = plic()
        p.setLevel(source: 10, true)
        #expect(harts[0].mip & Interrupt.sei == 0, "priority 0 never interrupts")
        _ = p.write(4 * 10, width: 4, 1)
        #expect(harts[0].mip & Interrupt.sei == 0, "not enabled")
        _ = p.write(0x2000 + 0x80 * 1, width: 4, 1 << 10)     // hart 0 S context
        #expect(harts[0].mip & Interrupt.sei != 0)
        #expect(harts[0].mip & Interrupt.mei == 0 && harts[1].mip & Interrupt.sei == 0)
        _ = p.write(0x20_0000 + 0x1000 * 1, width: 4, 1)      // threshold 1 ≥ priority 1
        #expect(harts[0].mip & Interrupt.sei == 0)
        #expect(p.read(0x1000, width: 4) == 1 << 10, "still pending")
    }

    @Test("claim returns the highest priority, clears pending; complete lets it in again")
    func claimComplete() {
        let (p, harts) = plic(harts: 1)
        _ = p.write(4 * 1, width: 4, 1)
        _ = p.write(4 * 10, width: 4, 3)
        _ = p.write(0x2000, width: 4, 1 << 1 | 1 << 10)       // hart 0 M context
        p.setLevel(source: 1, true)
        p.setLevel(source: 10, true)
        #expect(harts[0].mip & Interrupt.mei != 0)
        #expect(p.read(0x20_0004, width: 4) == 10)
        #expect(p.read(0x20_0004, width: 4) == 1)
        #expect(p.read(0x20_0004, width: 4) == 0, "nothing left")
        #expect(harts[0].mip & Interrupt.mei == 0)
        _ = p.write(0x20_0004, width: 4, 10)
        #expect(harts[0].mip & Interrupt.mei == 0, "completing does not re-raise (QEMU's gateway)")
        p.setLevel(source: 10, true)
        #expect(harts[0].mip & Interrupt.mei != 0, "a new device signal does")
    }

    @Test("ties go to the lowest source id; priorities are 3 bits")
    func ties() {
        let (p, _) = plic(harts: 1)
        for s in [5, 7] {
            _ = p.write(4 * UInt64(s), width: 4, 0xff)
            p.setLevel(source: s, true)
        }
        #expect(p.read(4 * 5, width: 4) == 7)
        _ = p.write(0x2000, width: 4, 1 << 5 | 1 << 7)
        #expect(p.read(0x20_0004, width: 4) == 5)
    }
}

@Suite("UART 16550")
struct UARTTests {
    @Test("transmit is instant; LSR always shows THR empty")
    func transmit() {
        var out: [UInt8] = []
        let u = UART16550(irq: nil) { out.append($0) }
        _ = u.write(0, width: 1, 0x41)
        #expect(out == [0x41])
        #expect(u.read(5, width: 1)! & 0x60 == 0x60)
    }

    @Test("receive: data ready, RX interrupt through IIR and the line, FIFO of 16")
    func receive() {
        let irq = LineRecorder()
        let u = UART16550(irq: irq)
        _ = u.write(1, width: 1, 1)                 // IER: RX
        #expect(u.receive(Array(repeating: 0x61, count: 20)) == 16)
        #expect(irq.levels[10] == true)
        #expect(u.read(2, width: 1)! & 0x0f == 0x04)
        #expect(u.read(5, width: 1)! & 1 == 1)
        for _ in 0..<16 { #expect(u.read(0, width: 1) == 0x61) }
        #expect(u.read(5, width: 1)! & 1 == 0)
        #expect(irq.levels[10] == false)
    }

    @Test("THR-empty interrupt: raised when enabled or after a write, cleared by reading IIR")
    func thrEmpty() {
        let irq = LineRecorder()
        let u = UART16550(irq: irq)
        _ = u.write(1, width: 1, 2)                 // IER: TX
        #expect(irq.levels[10] == true)
        #expect(u.read(2, width: 1)! & 0x0f == 0x02)
        #expect(irq.levels[10] == false)
        #expect(u.read(2, width: 1)! & 0x0f == 0x01)
        _ = u.write(0, width: 1, 0x42)
        #expect(irq.levels[10] == true)
    }

    @Test("DLAB exposes the divisor latches; scratch register holds a byte")
    func registers() {
        let u = UART16550(irq: nil)
        _ = u.write(3, width: 1, 0x80)
        _ = u.write(0, width: 1, 0x03)
        _ = u.write(1, width: 1, 0x00)
        #expect(u.read(0, width: 1) == 3)
        _ = u.write(3, width: 1, 0x03)
        _ = u.write(7, width: 1, 0x5a)
        #expect(u.read(7, width: 1) == 0x5a && u.read(3, width: 1) == 3)
    }
}

@Suite("Test finisher")
struct FinisherTests {
    @Test("power off, fail with a code, reset")
    func requests() {
        var got: [TestFinisher.Request] = []
        let f = TestFinisher { got.append($0) }
        _ = f.write(0, width: 4, 0x5555)
        _ = f.write(0, width: 4, 3 << 16 | 0x3333)
        _ = f.write(0, width: 4, 0x7777)
        _ = f.write(0, width: 4, 0x1234)
        #expect(got == [.powerOff(status: 0), .powerOff(status: 3), .reset])
    }
}
