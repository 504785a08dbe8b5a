// VirtioFuzz.swift — fuzz target: the virtio-blk device (legacy and modern)
// driven by a hostile driver.
//
// The input is a little program of driver actions: set the queue up (with
// sizes of 0, non-powers of two, more than the maximum; rings at good,
// unaligned, out-of-RAM and near-2^64 addresses), write registers of any
// width at any offset, write descriptors (loops, indices past the queue,
// addresses outside RAM, huge lengths, indirect flags), request headers
// (any type, sectors past the end and near 2^64), available-ring entries
// and indices far ahead, and notify. The disk is a real 64-sector image
// file, opened per input with `snapshot` (so every input sees the same
// disk and runs are reproducible).
//
// Invariants: no crash; no hang (libFuzzer's -timeout, and the property
// test's clock); the interrupt line is high exactly while InterruptStatus
// is non-zero; one notify serves at most QueueNum requests.

import Machine
import RISCV
#if canImport(Glibc)
import Glibc
#endif

public enum VirtioFuzz {
    static let ram: UInt64 = 0x8000_0000
    static let ramSize: UInt64 = 1 << 20
    /// Where the harness's rings go when the input asks for the normal layout.
    static let ring: UInt64 = ram + 0x1_0000
    static let header: UInt64 = ram + 0x2_0000, buffer: UInt64 = ram + 0x2_1000, status: UInt64 = ram + 0x2_0100
    static let sectors = 64

    /// The image file: made once per process, removed at exit.
    nonisolated(unsafe) static var imagePath: String = {
        var template = Array("/tmp/xv6emu-fuzz-disk-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(fd >= 0, "mkstemp failed")
        var bytes = [UInt8](repeating: 0, count: sectors * 512)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i / 512) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        atexit { unlink(VirtioFuzz.imagePath) }
        return path
    }()

    final class Line: InterruptSink {
        var level = false
        func setLevel(source: Int, _ high: Bool) { level = high }
    }

    final class NoDevices: MMIOBus {
        func load(_ address: UInt64, width: Int) -> UInt64? { nil }
        func store(_ address: UInt64, width: Int, value: UInt64) -> Bool { false }
    }

    public static func run(_ data: [UInt8]) -> FuzzFailure? { execute(data).failure }

    /// The broken invariant if any, and how many requests the device served.
    public static func execute(_ data: [UInt8]) -> (failure: FuzzFailure?, served: Int) {
        var input = FuzzInput(data)
        let legacy = input.byte() & 1 == 0
        let bus = NoDevices()
        let memory = MemorySystem(ramBase: ram, ramSize: ramSize, bus: bus)
        let line = Line()
        guard let disk = try? DiskImage(path: imagePath, snapshot: true) else {
            return (FuzzFailure("cannot open the image \(imagePath)"), 0)
        }
        let dev = VirtioBlock(memory: memory, disk: disk, legacy: legacy, irq: line)
        var desc = ring, avail = ring + 0x1000, queueNum: UInt64 = 8

        func w32(_ off: UInt64, _ v: UInt64) { _ = dev.write(off, width: 4, v) }
        func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        func address(_ good: UInt64) -> UInt64 {
            input.pick([good, good, good, good &+ 1, ram &+ ramSize &- 8, ram &+ ramSize, ram &- 16, 0, 0x1000_1000,
                        .max &- 7, .max, input.u64(), ram &+ input.u64() % ramSize])
        }

        var ops = 0
        while !input.isEmpty && ops < 512 {
            ops += 1
            switch input.byte() % 9 {
            case 0:
                // Queue setup, as a driver does it, with hostile choices.
                w32(0x070, 0); w32(0x070, 1 | 2)
                w32(0x020, input.pick([0, 0, 1 << 9, 0xffff_ffff])); w32(0x070, 1 | 2 | 8)
                w32(0x030, input.pick([0, 0, 0, 1, 0xffff_ffff]))
                queueNum = input.pick([8, 8, 0, 1, 3, 7, 16, 255, 1000, 1024, 1025, 0xffff, 0xffff_ffff])
                w32(0x038, queueNum)
                if legacy {
                    let pageSize = input.pick([4096, 4096, 0, 1, 512, 0x1_0000, 0xffff_ffff] as [UInt64])
                    let pfn = input.pick([ring >> 12, ring >> 12, ring >> 12, 0, (ram + ramSize - 0x1000) >> 12, 0xffff_ffff, input.u64() & 0xffff_ffff])
                    w32(0x028, pageSize)
                    w32(0x03c, input.pick([4096, 4096, 0, 1, 3, 0xffff_ffff]))
                    w32(0x040, pfn)
                    desc = pfn &* pageSize
                    avail = desc &+ 16 &* min(queueNum, 1024)
                } else {
                    desc = address(ring); avail = address(ring + 0x1000)
                    let used = address(ring + 0x2000)
                    w32(0x080, desc & 0xffff_ffff); w32(0x084, desc >> 32)
                    w32(0x090, avail & 0xffff_ffff); w32(0x094, avail >> 32)
                    w32(0x0a0, used & 0xffff_ffff); w32(0x0a4, used >> 32)
                    w32(0x044, input.pick([1, 1, 0, 3]))
                }
                w32(0x070, 1 | 2 | 8 | 4)
            case 1:
                let off = input.pick([0x014, 0x020, 0x024, 0x028, 0x030, 0x038, 0x03c, 0x040, 0x044, 0x050, 0x064, 0x070,
                                      0x080, 0x084, 0x090, 0x094, 0x0a0, 0x0a4, 0x100, UInt64(input.u16())])
                _ = dev.write(off, width: input.pick([4, 4, 4, 1, 2, 8]), input.pick(edgeValues + [input.u64()]))
            case 2:
                _ = dev.read(UInt64(input.u16()), width: input.pick([4, 1, 2, 8, 0, 3, 16]))
            case 3:
                // A descriptor: loops, out-of-range next, hostile address and length.
                let i = UInt64(input.byte() % 32)
                let addr = address(input.pick([header, buffer, buffer + 512, status]))
                let len = input.pick([16, 512, 1024, 1, 0, 15, 1 << 22, 1 << 22 + 1, 0xffff_ffff, UInt64(input.u32() & 0xffff)] as [UInt64])
                let flags = UInt64(input.byte() & 7)
                let next = input.pick([(i + 1) % 8, (i + 1) % 8, i, 0, 8, 1023, 1024, 0xffff, UInt64(input.u16())])
                memory.writeRAM(desc &+ 16 &* i, le(addr, 8) + le(len, 4) + le(flags, 2) + le(next, 2))
            case 4:
                let type = input.pick([0, 1, 4, 8, 0, 1, 2, 0xffff_ffff] as [UInt64])
                let sector = input.pick([0, 1, 63, 64, 65, 0x7fff_ffff_ffff_ffff, .max, .max - 1, UInt64(input.u32())])
                memory.writeRAM(header, le(type, 4) + le(0, 4) + le(sector, 8))
            case 5:
                let slot = UInt64(input.u16()) % max(min(queueNum, 1024), 1)
                memory.writeRAM(avail &+ 4 &+ 2 &* slot, le(UInt64(input.byte() % 12), 2))
            case 6:
                memory.writeRAM(avail &+ 2, le(UInt64(input.u16()), 2))
            case 7:
                // A well-formed 3-descriptor request at the head of the ring, made available.
                let type = input.pick([0, 1, 4, 8] as [UInt64])
                memory.writeRAM(header, le(type, 4) + le(0, 4) + le(UInt64(input.byte() % 70), 8))
                memory.writeRAM(desc, le(header, 8) + le(16, 4) + le(1, 2) + le(1, 2))
                memory.writeRAM(desc &+ 16, le(buffer, 8) + le(input.pick([512, 1024, 0, 513] as [UInt64]), 4) + le(type == 0 ? UInt64(3) : 1, 2) + le(2, 2))
                memory.writeRAM(desc &+ 32, le(status, 8) + le(1, 4) + le(2, 2) + le(0, 2))
                let idx = UInt64(input.u16())
                memory.writeRAM(avail &+ 4 &+ 2 &* (idx % max(min(queueNum, 1024), 1)), le(0, 2))
                memory.writeRAM(avail &+ 2, le(idx &+ 1, 2))
                fallthrough
            default:
                // The device's own QueueNum: the driver may have rewritten it
                // since the setup (a harness that trusted its own copy
                // reported a false violation).
                let num = dev.read(0x038, width: 4) ?? 0
                let before = dev.requests
                w32(0x050, input.pick([0, 0, 0, 1]))
                let served = dev.requests - before
                if served > Int(num) {
                    return (FuzzFailure("one notify served \(served) requests with a queue of \(num)"), dev.requests)
                }
            }
            let pending = (dev.read(0x060, width: 4) ?? 0) != 0
            if pending != line.level {
                return (FuzzFailure("interrupt line \(line.level) but InterruptStatus \(pending ? "set" : "clear")"), dev.requests)
            }
        }
        return (nil, dev.requests)
    }
}
