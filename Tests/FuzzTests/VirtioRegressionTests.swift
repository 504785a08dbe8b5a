// VirtioRegressionTests.swift — rings the virtio fuzzer (or reading the
// device while writing it) found to crash the host, each rebuilt exactly:
// ring addresses whose offsets overflow 64 bits. Each must now end in
// NEEDS_RESET or be ignored, never a trap.

import Foundation
import Testing
@testable import Machine
import RISCV

@Suite("fuzz regressions: virtio block")
struct VirtioRegressionTests {
    final class NoDevices: MMIOBus {
        func load(_ address: UInt64, width: Int) -> UInt64? { nil }
        func store(_ address: UInt64, width: Int, value: UInt64) -> Bool { false }
    }

    static let ring: UInt64 = 0x8001_0000, header: UInt64 = 0x8002_0000, buffer: UInt64 = 0x8002_1000, status: UInt64 = 0x8002_0100

    /// A modern device over a real 64-sector image (snapshot: the file is never written).
    static func device(desc: UInt64 = ring, avail: UInt64 = ring + 0x1000, used: UInt64 = ring + 0x2000)
        throws -> (VirtioBlock, MemorySystem, NoDevices) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xv6emu-fuzzreg-\(UUID().uuidString).img").path
        FileManager.default.createFile(atPath: path, contents: Data(count: 64 * 512))
        let bus = NoDevices()
        let memory = MemorySystem(ramSize: 1 << 20, bus: bus)
        let dev = VirtioBlock(memory: memory, disk: try DiskImage(path: path, snapshot: true), legacy: false, irq: nil)
        func w32(_ off: UInt64, _ v: UInt64) { _ = dev.write(off, width: 4, v) }
        w32(0x070, 0); w32(0x070, 1 | 2); w32(0x020, 0); w32(0x070, 1 | 2 | 8)
        w32(0x030, 0); w32(0x038, 8)
        w32(0x080, desc & 0xffff_ffff); w32(0x084, desc >> 32)
        w32(0x090, avail & 0xffff_ffff); w32(0x094, avail >> 32)
        w32(0x0a0, used & 0xffff_ffff); w32(0x0a4, used >> 32)
        w32(0x044, 1); w32(0x070, 1 | 2 | 8 | 4)
        return (dev, memory, bus)
    }

    static func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    static func descriptor(_ m: MemorySystem, _ i: UInt64, _ addr: UInt64, _ len: UInt64, _ flags: UInt64, _ next: UInt64, base: UInt64 = ring) {
        m.writeRAM(base + 16 * i, le(addr, 8) + le(len, 4) + le(flags, 2) + le(next, 2))
    }

    @Test("available ring at 2^64-1: reading its index overflowed `availAddress + 2`")
    func availAtTop() throws {
        let (dev, _, _) = try Self.device(avail: .max)
        _ = dev.write(0x050, width: 4, 0)
        #expect(dev.requests == 0)
    }

    @Test("descriptor table at 2^64-16: descriptor 1's address overflowed `descAddress + 16 * i`")
    func descriptorsAtTop() throws {
        let (dev, memory, _) = try Self.device(desc: .max - 15)
        memory.writeRAM(Self.ring + 0x1000, Self.le(0, 2) + Self.le(1, 2) + Self.le(1, 2))   // avail: idx 1, head 1
        _ = dev.write(0x050, width: 4, 0)
        #expect(dev.read(0x070, width: 4)! & 0x40 != 0, "NEEDS_RESET: the ring cannot be read")
    }

    @Test("used ring at 2^64-2: the used element's address overflowed `usedAddress + 4 + 8 * i`")
    func usedAtTop() throws {
        let (dev, memory, _) = try Self.device(used: .max - 1)
        Self.descriptor(memory, 0, Self.header, 16, 1, 1)
        Self.descriptor(memory, 1, Self.status, 1, 2, 0)
        memory.writeRAM(Self.header, Self.le(4, 4) + Self.le(0, 12))                           // FLUSH
        memory.writeRAM(Self.ring + 0x1000, Self.le(0, 2) + Self.le(1, 2) + Self.le(0, 2))
        _ = dev.write(0x050, width: 4, 0)
        #expect(dev.read(0x070, width: 4)! & 0x40 != 0, "NEEDS_RESET: the used ring cannot be written")
    }
}
