// VirtioBlockTests.swift — the block device driven by hand: rings built in
// guest RAM, a real image file on disk, both transport versions, the disk
// image's locking, snapshot and durability, and hostile rings.

import Foundation
import Testing
@testable import Machine
@testable import RISCV

/// A temporary raw image of `sectors` sectors, sector i filled with byte i.
func makeImage(sectors: Int, extra: Int = 0) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("xv6emu-disk-\(UUID().uuidString).img").path
    var bytes: [UInt8] = []
    for s in 0..<sectors { bytes += [UInt8](repeating: UInt8(truncatingIfNeeded: s), count: 512) }
    bytes += [UInt8](repeating: 0xee, count: extra)
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

func fileBytes(_ path: String) -> [UInt8] { [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()) }

/// A driver written out by hand, as small as possible: queue of 8 at a
/// fixed place in RAM, one request at a time.
struct Driver {
    let memory: MemorySystem
    let dev: VirtioBlock
    let legacy: Bool
    static let ring: UInt64 = 0x8001_0000, header: UInt64 = 0x8002_0000, data: UInt64 = 0x8002_1000, status: UInt64 = 0x8002_0100
    let num: UInt64 = 8
    var avail: UInt64 { legacy ? Driver.ring + 16 * num : Driver.ring + 0x1000 }
    var used: UInt64 { legacy ? Driver.ring + 0x1000 : Driver.ring + 0x2000 }

    func w32(_ off: UInt64, _ v: UInt64) { _ = dev.write(off, width: 4, v) }
    func put(_ a: UInt64, _ bytes: [UInt8]) { memory.writeRAM(a, bytes) }
    func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    func setUp() {
        w32(0x070, 0); w32(0x070, 1 | 2)                // reset, ACKNOWLEDGE, DRIVER
        w32(0x020, 0); w32(0x070, 1 | 2 | 8)            // no features, FEATURES_OK
        w32(0x030, 0)
        w32(0x038, num)
        if legacy {
            w32(0x028, 4096)
            w32(0x03c, 4096)
            w32(0x040, Driver.ring >> 12)
        } else {
            w32(0x080, Driver.ring); w32(0x084, 0)
            w32(0x090, avail); w32(0x094, 0)
            w32(0x0a0, used); w32(0x0a4, 0)
            w32(0x044, 1)
        }
        w32(0x070, 1 | 2 | 8 | 4)                       // DRIVER_OK
    }

    /// Descriptor i → (addr, len, flags, next).
    func desc(_ i: UInt64, _ addr: UInt64, _ len: UInt64, _ flags: UInt64, _ next: UInt64) {
        put(Driver.ring + 16 * i, le(addr, 8) + le(len, 4) + le(flags, 2) + le(next, 2))
    }

    /// Submits a 3-descriptor request; returns the status byte.
    func request(type: UInt64, sector: UInt64, length: UInt64, availIndex: UInt64) -> UInt8 {
        put(Driver.header, le(type, 4) + le(0, 4) + le(sector, 8))
        put(Driver.status, [0xff])
        desc(0, Driver.header, 16, 1, 1)
        desc(1, Driver.data, length, type == 0 ? 1 | 2 : 1, 2)
        desc(2, Driver.status, 1, 2, 0)
        submit(head: 0, availIndex: availIndex)
        return memory.readRAM(Driver.status, count: 1)![0]
    }

    func submit(head: UInt64, availIndex: UInt64) {
        put(avail + 4 + 2 * (availIndex % num), le(head, 2))
        put(avail + 2, le(availIndex + 1, 2))
        w32(0x050, 0)
    }

    var usedIndex: UInt64 { memory.loadPhysical(used + 2, width: 2)! }
}

@Suite("virtio block")
struct VirtioBlockTests {
    func rig(legacy: Bool, image: String, snapshot: Bool = false) throws -> (Driver, LineRecorder) {
        let memory = MemorySystem(ramSize: 1 << 20, bus: NoBus())
        let irq = LineRecorder()
        let dev = VirtioBlock(memory: memory, disk: try DiskImage(path: image, snapshot: snapshot), legacy: legacy, irq: irq)
        let d = Driver(memory: memory, dev: dev, legacy: legacy)
        d.setUp()
        return (d, irq)
    }

    @Test("identity registers and config space", arguments: [true, false])
    func identity(legacy: Bool) throws {
        let (d, _) = try rig(legacy: legacy, image: makeImage(sectors: 8, extra: 100))
        #expect(d.dev.read(0, width: 4) == 0x7472_6976)
        #expect(d.dev.read(4, width: 4) == (legacy ? 1 : 2))
        #expect(d.dev.read(8, width: 4) == 2)
        #expect(d.dev.read(0xc, width: 4) == 0x554d_4551)
        #expect(d.dev.read(0x100, width: 8) == 8, "capacity in sectors, the partial tail ignored")
        #expect(d.dev.read(0x34, width: 4) == 1024)
        _ = d.dev.write(0x14, width: 4, 1)
        #expect(d.dev.read(0x10, width: 4) == (legacy ? 0 : 1), "VIRTIO_F_VERSION_1 only in modern")
    }

    @Test("read and write sectors of a real image file", arguments: [true, false])
    func readWrite(legacy: Bool) throws {
        let image = makeImage(sectors: 16)
        let (d, irq) = try rig(legacy: legacy, image: image)
        #expect(d.request(type: 0, sector: 3, length: 1024, availIndex: 0) == 0)
        #expect(d.memory.readRAM(Driver.data, count: 1024)! == [UInt8](repeating: 3, count: 512) + [UInt8](repeating: 4, count: 512))
        #expect(d.usedIndex == 1)
        #expect(irq.levels[1] == true)
        #expect(d.dev.read(0x60, width: 4) == 1)
        _ = d.dev.write(0x64, width: 4, 1)
        #expect(irq.levels[1] == false)
        d.put(Driver.data, [UInt8](repeating: 0xab, count: 512))
        #expect(d.request(type: 1, sector: 9, length: 512, availIndex: 1) == 0)
        // The write is in the file already, with the device still open.
        #expect(Array(fileBytes(image)[9 * 512..<10 * 512]) == [UInt8](repeating: 0xab, count: 512))
        #expect(d.request(type: 4, sector: 0, length: 0, availIndex: 2) == 0, "flush")
        #expect(d.request(type: 0, sector: 16, length: 512, availIndex: 3) == 1, "past the end: IOERR")
        #expect(d.request(type: 99, sector: 0, length: 512, availIndex: 4) == 2, "unknown type: UNSUPP")
    }

    @Test("-snapshot: the guest sees its writes, the file never changes")
    func snapshot() throws {
        let image = makeImage(sectors: 4)
        let before = fileBytes(image)
        let (d, _) = try rig(legacy: true, image: image, snapshot: true)
        d.put(Driver.data, [UInt8](repeating: 0x5a, count: 512))
        #expect(d.request(type: 1, sector: 1, length: 512, availIndex: 0) == 0)
        #expect(d.request(type: 0, sector: 1, length: 512, availIndex: 1) == 0)
        #expect(d.memory.readRAM(Driver.data, count: 512)! == [UInt8](repeating: 0x5a, count: 512))
        #expect(fileBytes(image) == before)
    }

    @Test("hostile rings: a descriptor loop, an out-of-range index, an address outside RAM, a huge length")
    func hostile() throws {
        let (d, _) = try rig(legacy: false, image: makeImage(sectors: 4))
        // A loop: 0 → 1 → 0 …
        d.desc(0, Driver.header, 16, 1, 1)
        d.desc(1, Driver.data, 512, 1, 0)
        d.submit(head: 0, availIndex: 0)
        #expect(d.dev.read(0x70, width: 4)! & 0x40 != 0, "NEEDS_RESET")
        // Reset and try the other cases; each fails cleanly.
        d.setUp()
        d.desc(0, 0x1_0000_0000, 16, 1, 1)
        d.desc(1, Driver.status, 1, 2, 0)
        d.submit(head: 0, availIndex: 0)
        #expect(d.memory.readRAM(Driver.status, count: 1) == [1], "header outside RAM: IOERR")
        d.put(Driver.header, d.le(0, 4) + d.le(0, 4) + d.le(0, 8))
        d.desc(0, Driver.header, 16, 1, 1)
        d.desc(1, Driver.data, 0xffff_ffff, 1 | 2, 2)
        d.desc(2, Driver.status, 1, 2, 0)
        d.submit(head: 0, availIndex: 1)
        #expect(d.memory.readRAM(Driver.status, count: 1) == [1], "huge length: IOERR")
        d.submit(head: 77, availIndex: 2)
        #expect(d.dev.read(0x70, width: 4)! & 0x40 != 0, "head out of range: NEEDS_RESET")
        d.setUp()
        d.put(d.avail + 2, d.le(500, 2))
        d.dev.processQueue()
        #expect(d.dev.read(0x70, width: 4)! & 0x40 != 0, "avail index far ahead: NEEDS_RESET")
    }
}

@Suite("Disk image")
struct DiskImageTests {
    @Test("missing, directory and non-multiple-of-512 images")
    func errors() throws {
        #expect(throws: DiskError.self) { try DiskImage(path: "/nonexistent/fs.img") }
        #expect(throws: DiskError.self) { try DiskImage(path: "/tmp") }
        let odd = try DiskImage(path: makeImage(sectors: 2, extra: 7))
        #expect(odd.sectors == 2 && odd.warning?.contains("not a multiple of 512") == true)
    }

    @Test("an image in use is locked against a second opener")
    func locking() throws {
        let image = makeImage(sectors: 2)
        let first = try DiskImage(path: image)
        do {
            _ = try DiskImage(path: image)
            Issue.record("opened a locked image")
        } catch {
            #expect(error.description.contains("locked"))
        }
        #expect(throws: DiskError.self) { try DiskImage(path: image, snapshot: true) }
        _ = first
    }

    @Test("snapshot openers can share an image; the lock goes with the device")
    func shared() throws {
        let image = makeImage(sectors: 2)
        do {
            let a = try DiskImage(path: image, snapshot: true)
            let b = try DiskImage(path: image, snapshot: true)
            _ = (a, b)
        }
        _ = try DiskImage(path: image)
    }
}
