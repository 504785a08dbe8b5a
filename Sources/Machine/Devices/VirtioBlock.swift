// VirtioBlock.swift — a virtio-mmio block device, in both transport
// versions QEMU offers: legacy (version 1: GuestPageSize + QueuePFN, one
// page-aligned ring area) by default, modern (version 2: separate
// descriptor/driver/device ring addresses, QueueReady) with
// `-global virtio-mmio.force-legacy=false`. One request queue.
//
// Requests are served synchronously when the driver notifies: every
// available chain is read, the disk accessed, the status written, the used
// ring advanced, and the interrupt raised — so completion is deterministic
// in guest time. The driver is untrusted: every index is checked against
// the queue size, every address against RAM, every chain's length bounded;
// a request that cannot be parsed gets status IOERR, and a ring that cannot
// be trusted at all puts the device in NEEDS_RESET.

import RISCV

public final class VirtioBlock: Device {
    public let legacy: Bool
    let memory: MemorySystem
    let disk: DiskImage?
    weak var irq: InterruptSink?
    let irqSource: Int

    // Transport registers
    private var deviceFeaturesSel: UInt32 = 0
    private var driverFeaturesSel: UInt32 = 0
    private(set) var driverFeatures: UInt64 = 0
    private var guestPageSize: UInt32 = 4096
    private var queueSel: UInt32 = 0
    private(set) var queueNum: UInt32 = 0
    private var queueAlign: UInt32 = 4096
    private var queuePFN: UInt32 = 0
    private var queueReady = false
    private var descAddress: UInt64 = 0, availAddress: UInt64 = 0, usedAddress: UInt64 = 0
    private(set) var interruptStatus: UInt32 = 0
    private(set) var status: UInt32 = 0
    private var lastAvail: UInt16 = 0
    private var usedIndex: UInt16 = 0

    public static let queueNumMax: UInt32 = 1024
    static let magic: UInt32 = 0x7472_6976, vendor: UInt32 = 0x554d_4551, deviceID: UInt32 = 2
    static let statusFeaturesOK: UInt32 = 8, statusNeedsReset: UInt32 = 0x40
    // Feature bits (virtio spec §5.2.3, §6)
    static let segMax: UInt64 = 1 << 2, blkSize: UInt64 = 1 << 6, flush: UInt64 = 1 << 9
    static let version1: UInt64 = 1 << 32
    var deviceFeatures: UInt64 { Self.segMax | Self.blkSize | Self.flush | (legacy ? 0 : Self.version1) }

    // Request types and statuses (§5.2.6)
    static let typeIn: UInt32 = 0, typeOut: UInt32 = 1, typeFlush: UInt32 = 4, typeGetID: UInt32 = 8
    static let ok: UInt8 = 0, ioError: UInt8 = 1, unsupported: UInt8 = 2
    static let descNext: UInt16 = 1, descWrite: UInt16 = 2, descIndirect: UInt16 = 4
    /// Largest single data buffer we accept (a hostile length must not make us allocate gigabytes).
    static let maxBuffer: UInt32 = 1 << 22

    /// Requests served so far (for statistics and tests).
    public private(set) var requests = 0

    public init(memory: MemorySystem, disk: DiskImage?, legacy: Bool, irq: InterruptSink?, source: Int = VirtMap.virtio.irq) {
        self.memory = memory
        self.disk = disk
        self.legacy = legacy
        self.irq = irq
        irqSource = source
    }

    // MARK: Registers

    public func read(_ offset: UInt64, width: Int) -> UInt64? {
        if offset >= 0x100 { return readConfig(offset - 0x100, width: width) }
        guard width == 4 else { return 0 }
        let v: UInt32
        switch offset {
        case 0x000: v = Self.magic
        case 0x004: v = legacy ? 1 : 2
        case 0x008: v = disk == nil ? 0 : Self.deviceID
        case 0x00c: v = Self.vendor
        case 0x010: v = deviceFeaturesSel == 0 ? UInt32(truncatingIfNeeded: deviceFeatures)
                        : deviceFeaturesSel == 1 ? UInt32(truncatingIfNeeded: deviceFeatures >> 32) : 0
        case 0x034: v = queueSel == 0 ? Self.queueNumMax : 0
        case 0x038: v = queueNum
        case 0x040: v = legacy ? queuePFN : 0
        case 0x044: v = legacy ? 0 : (queueReady ? 1 : 0)
        case 0x060: v = interruptStatus
        case 0x070: v = status
        case 0x080: v = UInt32(truncatingIfNeeded: descAddress)
        case 0x084: v = UInt32(truncatingIfNeeded: descAddress >> 32)
        case 0x090: v = UInt32(truncatingIfNeeded: availAddress)
        case 0x094: v = UInt32(truncatingIfNeeded: availAddress >> 32)
        case 0x0a0: v = UInt32(truncatingIfNeeded: usedAddress)
        case 0x0a4: v = UInt32(truncatingIfNeeded: usedAddress >> 32)
        case 0x0fc: v = 0   // config generation: the config never changes
        default: v = 0
        }
        return UInt64(v)
    }

    public func write(_ offset: UInt64, width: Int, _ value: UInt64) -> Bool {
        guard offset < 0x100, width == 4 else { return true }   // config space is read-only
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x014: deviceFeaturesSel = v
        case 0x020:
            if driverFeaturesSel == 0 { driverFeatures = (driverFeatures & ~0xffff_ffff) | UInt64(v) }
            if driverFeaturesSel == 1 { driverFeatures = (driverFeatures & 0xffff_ffff) | UInt64(v) << 32 }
        case 0x024: driverFeaturesSel = v
        case 0x028 where legacy: guestPageSize = v
        case 0x030: queueSel = v
        case 0x038 where queueSel == 0: queueNum = min(v, Self.queueNumMax)
        case 0x03c where legacy: queueAlign = v
        case 0x040 where legacy && queueSel == 0:
            queuePFN = v
            if v == 0 { resetQueue() } else { layOutLegacyQueue() }
        case 0x044 where !legacy && queueSel == 0:
            queueReady = v & 1 != 0
        case 0x050:
            if v == 0 { processQueue() }
        case 0x064:
            interruptStatus &= ~v
            updateIRQ()
        case 0x070:
            if v == 0 {
                reset()
            } else {
                var s = v
                // FEATURES_OK only if the driver asked for nothing we lack.
                if s & Self.statusFeaturesOK != 0 && driverFeatures & ~deviceFeatures != 0 { s &= ~Self.statusFeaturesOK }
                status = s | (status & Self.statusNeedsReset)
            }
        case 0x080 where !legacy: descAddress = (descAddress & ~0xffff_ffff) | UInt64(v)
        case 0x084 where !legacy: descAddress = (descAddress & 0xffff_ffff) | UInt64(v) << 32
        case 0x090 where !legacy: availAddress = (availAddress & ~0xffff_ffff) | UInt64(v)
        case 0x094 where !legacy: availAddress = (availAddress & 0xffff_ffff) | UInt64(v) << 32
        case 0x0a0 where !legacy: usedAddress = (usedAddress & ~0xffff_ffff) | UInt64(v)
        case 0x0a4 where !legacy: usedAddress = (usedAddress & 0xffff_ffff) | UInt64(v) << 32
        default: break
        }
        return true
    }

    /// virtio_blk_config: capacity, size_max, seg_max, geometry, blk_size.
    func readConfig(_ offset: UInt64, width: Int) -> UInt64 {
        var config = [UInt8](repeating: 0, count: 0x40)
        func put(_ at: Int, _ v: UInt64, _ n: Int) { for i in 0..<n { config[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }
        put(0, disk?.sectors ?? 0, 8)
        put(0x08, 0, 4)                     // size_max (not offered)
        put(0x0c, 128 - 2, 4)               // seg_max
        put(0x10, 0, 4)                     // geometry
        put(0x14, 512, 4)                   // blk_size
        var v: UInt64 = 0
        for i in 0..<width where Int(offset) + i < config.count { v |= UInt64(config[Int(offset) + i]) << (8 * UInt64(i)) }
        return v
    }

    func reset() {
        status = 0
        driverFeatures = 0
        interruptStatus = 0
        resetQueue()
        updateIRQ()
    }

    func resetQueue() {
        queueNum = 0
        queuePFN = 0
        queueReady = false
        descAddress = 0
        availAddress = 0
        usedAddress = 0
        lastAvail = 0
        usedIndex = 0
    }

    /// Legacy layout (virtio 0.9.5 §2.3): descriptors, then the available
    /// ring, then the used ring at the next `QueueAlign` boundary.
    func layOutLegacyQueue() {
        let base = UInt64(queuePFN) * UInt64(guestPageSize)
        let num = UInt64(queueNum)
        descAddress = base
        availAddress = base + 16 * num
        let align = UInt64(max(queueAlign, 1))
        usedAddress = (availAddress + 6 + 2 * num + align - 1) / align * align
        lastAvail = 0
        usedIndex = 0
    }

    /// Descriptor table, available ring (with used_event) and used ring
    /// (with avail_event) of `queueNum` entries, all in RAM (virtio 1.x §2.7).
    var ringsInRAM: Bool {
        let n = UInt64(queueNum)
        return memory.isRAM(descAddress, length: 16 * n) && memory.isRAM(availAddress, length: 6 + 2 * n)
            && memory.isRAM(usedAddress, length: 6 + 8 * n)
    }

    var queueLive: Bool { queueNum > 0 && (legacy ? queuePFN != 0 : queueReady) && status & Self.statusNeedsReset == 0 }

    func updateIRQ() {
        irq?.setLevel(source: irqSource, interruptStatus != 0)
    }

    // MARK: Guest memory, checked

    func read16(_ a: UInt64) -> UInt16? {
        guard memory.isRAM(a, length: 2), let v = memory.loadPhysical(a, width: 2) else { return nil }
        return UInt16(truncatingIfNeeded: v)
    }

    func write16(_ a: UInt64, _ v: UInt16) -> Bool {
        memory.writeRAM(a, [UInt8(v & 0xff), UInt8(v >> 8)])
    }

    func write32(_ a: UInt64, _ v: UInt32) -> Bool {
        memory.writeRAM(a, (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) })
    }

    func needsReset() {
        status |= Self.statusNeedsReset
        interruptStatus |= 2   // configuration change: tell the driver
        updateIRQ()
    }

    // MARK: Requests

    struct Descriptor {
        let address: UInt64
        let length: UInt32
        let flags: UInt16
        var writable: Bool { flags & VirtioBlock.descWrite != 0 }
    }

    /// Serves every chain the driver has made available.
    func processQueue() {
        guard queueLive else { return }
        // The rings must lie wholly in RAM. Checked once here, this also
        // keeps every `ring address + offset` below from overflowing: a
        // driver that put a ring at 2^64-2 trapped the host (fuzzer's find).
        guard ringsInRAM else {
            needsReset()
            return
        }
        guard let availIdx = read16(availAddress + 2) else { return }
        let num = UInt16(queueNum)
        // More new entries than the ring holds: the driver's index is garbage.
        guard availIdx &- lastAvail <= num else {
            needsReset()
            return
        }
        var served = 0
        while lastAvail != availIdx {
            guard let head = read16(availAddress + 4 + 2 * UInt64(lastAvail % num)),
                  let chain = readChain(head: head, num: num) else {
                needsReset()
                return
            }
            let written = serve(chain)
            let slot = usedAddress + 4 + 8 * UInt64(usedIndex % num)
            guard write32(slot, UInt32(head)), write32(slot + 4, written) else {
                needsReset()
                return
            }
            usedIndex &+= 1
            lastAvail &+= 1
            guard write16(usedAddress + 2, usedIndex) else {
                needsReset()
                return
            }
            served += 1
            requests += 1
        }
        if served > 0 {
            interruptStatus |= 1
            updateIRQ()
        }
    }

    /// The descriptors of a chain; nil if an index is out of range, the chain
    /// loops (longer than the queue), or a descriptor lies outside RAM.
    func readChain(head: UInt16, num: UInt16) -> [Descriptor]? {
        var out: [Descriptor] = []
        var i = head
        while true {
            guard i < num, out.count < Int(num) else { return nil }
            let at = descAddress + 16 * UInt64(i)
            guard memory.isRAM(at, length: 16), let bytes = memory.readRAM(at, count: 16) else { return nil }
            func le(_ from: Int, _ n: Int) -> UInt64 { (0..<n).reduce(0) { $0 | UInt64(bytes[from + $1]) << (8 * UInt64($1)) } }
            let d = Descriptor(address: le(0, 8), length: UInt32(le(8, 4)), flags: UInt16(le(12, 2)))
            out.append(d)
            guard d.flags & Self.descNext != 0 else { return out }
            i = UInt16(le(14, 2))
        }
    }

    /// Performs one request; returns the bytes written into guest memory.
    func serve(_ chain: [Descriptor]) -> UInt32 {
        guard let statusDesc = chain.last, statusDesc.writable, statusDesc.length >= 1,
              memory.isRAM(statusDesc.address) else { return 0 }
        func finish(_ s: UInt8, _ written: UInt32) -> UInt32 {
            memory.writeRAM(statusDesc.address, [s])
            return written + 1
        }
        guard chain.count >= 2, let header = memory.readRAM(chain[0].address, count: 16), chain[0].length >= 16,
              !chain[0].writable else {
            return finish(Self.ioError, 0)
        }
        guard chain.allSatisfy({ $0.flags & Self.descIndirect == 0 }) else { return finish(Self.unsupported, 0) }
        func le(_ from: Int, _ n: Int) -> UInt64 { (0..<n).reduce(0) { $0 | UInt64(header[from + $1]) << (8 * UInt64($1)) } }
        let type = UInt32(le(0, 4)), sector = le(8, 8)
        let data = chain[1..<chain.count - 1]
        guard let disk else { return finish(Self.ioError, 0) }
        switch type {
        case Self.typeIn:
            var offset: UInt64 = 0
            var written: UInt32 = 0
            for d in data {
                guard d.writable, d.length <= Self.maxBuffer, offset % 512 == 0,
                      let bytes = disk.read(sector: sector + offset / 512, count: Int(d.length)),
                      memory.writeRAM(d.address, bytes) else {
                    return finish(Self.ioError, written)
                }
                offset += UInt64(d.length)
                written += d.length
            }
            return finish(Self.ok, written)
        case Self.typeOut:
            var offset: UInt64 = 0
            for d in data {
                guard !d.writable, d.length <= Self.maxBuffer, offset % 512 == 0,
                      let bytes = memory.readRAM(d.address, count: Int(d.length)),
                      disk.write(sector: sector + offset / 512, bytes) else {
                    return finish(Self.ioError, 0)
                }
                offset += UInt64(d.length)
            }
            return finish(Self.ok, 0)
        case Self.typeFlush:
            return finish(disk.flush() ? Self.ok : Self.ioError, 0)
        case Self.typeGetID:
            guard let d = data.first, d.writable else { return finish(Self.ioError, 0) }
            var id = Array("xv6emu-virtio-blk".utf8)
            id += [UInt8](repeating: 0, count: 20 - id.count)
            let n = min(Int(d.length), 20)
            guard memory.writeRAM(d.address, Array(id.prefix(n))) else { return finish(Self.ioError, 0) }
            return finish(Self.ok, UInt32(n))
        default:
            return finish(Self.unsupported, 0)
        }
    }
}
