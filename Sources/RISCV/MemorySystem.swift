// MemorySystem.swift — physical memory as every hart sees it.
//
// Holds: the one RAM region (a host allocation the TLBs point straight into),
// per-page flags that force writes onto the slow path, the shared cache of
// decoded instructions (per physical page, so every hart and every address
// space mapping a page share one decode), and LR/SC reservations.
// Doesn't hold: devices. Anything outside RAM goes to the board through the
// `MMIOBus` protocol, on the slow path only.
//
// Why one object shared by all harts: harts run round-robin on one host
// thread (determinism, DESIGN.md §4), so shared state needs no locks, and a
// code write by one hart must invalidate the decode every hart uses.

#if canImport(Glibc)
import Glibc
#endif

/// The board's side of physical memory: devices, reached only on the slow path.
public protocol MMIOBus: AnyObject {
    /// Reads `width` (1, 2, 4, 8) bytes at physical `address`; nil = access fault.
    func load(_ address: UInt64, width: Int) -> UInt64?
    /// Writes `width` bytes; false = access fault.
    func store(_ address: UInt64, width: Int, value: UInt64) -> Bool
}

/// Why writes to a RAM page must take the slow path (bits of `pageFlags`).
public struct PageFlags: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Decoded instructions from this page are cached: writes must invalidate them.
    public static let code = PageFlags(rawValue: 1)
    /// Some hart holds an LR reservation in this page: stores must break it.
    public static let reserved = PageFlags(rawValue: 2)
    /// The board watches writes here (HTIF `tohost`, debugger watchpoints).
    public static let watched = PageFlags(rawValue: 4)
}

public final class MemorySystem {
    public let ramBase: UInt64
    public let ramSize: UInt64
    /// Host memory backing guest RAM; zero-filled, page aligned.
    public let ram: UnsafeMutableRawPointer
    let pageCount: Int

    /// One byte of `PageFlags` per RAM page. A write TLB entry is only ever
    /// installed for a page whose flags are 0, so the fast store path needs
    /// no check at all.
    let pageFlags: UnsafeMutablePointer<UInt8>
    /// Per RAM page: decoded instructions, or nil.
    let decodedPages: UnsafeMutablePointer<DecodedPage?>
    /// Per RAM page: slow-path writes seen since the page's code was last fetched.
    /// A page written often is being reused as data: its decode is dropped so its
    /// writes become fast again (see `noteCodeWrite`).
    let codeWrites: UnsafeMutablePointer<UInt16>
    private var pagePool: [DecodedPage] = []

    /// Devices; set by the board before any hart runs.
    public unowned(unsafe) var bus: MMIOBus
    /// Harts registered for TLB shootdowns. Unowned: each hart owns its
    /// memory system, not the other way round (no reference cycle).
    private var hartRefs: [Unowned] = []
    struct Unowned { unowned let hart: Hart }
    var harts: [Hart] { hartRefs.map(\.hart) }
    func register(_ hart: Hart) { hartRefs.append(Unowned(hart: hart)) }

    /// Called after a guest write to a `.watched` page (address, width, value).
    public var watchHandler: ((UInt64, Int, UInt64) -> Void)?
    /// Called after every host-side write into RAM (`writeRAM`: device DMA,
    /// loaders, HTIF) with its address and length, when set — the COW lens
    /// watches physical pages through it. Nil costs one test per write.
    public var hostWriteHandler: ((UInt64, Int) -> Void)?
    /// Set by anyone (HTIF exit, debugger, watch handler) to make every hart
    /// leave its run loop at the next block boundary.
    public var stopRequested = false

    public init(ramBase: UInt64 = 0x8000_0000, ramSize: UInt64, bus: MMIOBus) {
        precondition(ramSize % 4096 == 0 && ramSize > 0)
        self.ramBase = ramBase
        self.ramSize = ramSize
        self.bus = bus
        pageCount = Int(ramSize / 4096)
        // Anonymous mmap: zero-filled by the kernel, page by page, on first
        // touch — a 128 MiB guest costs nothing until it uses its memory.
        guard let p = mmap(nil, Int(ramSize), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              p != MAP_FAILED else {
            fatalError("cannot reserve \(ramSize) bytes of host memory for guest RAM")
        }
        ram = p
        pageFlags = .allocate(capacity: pageCount)
        pageFlags.initialize(repeating: 0, count: pageCount)
        decodedPages = .allocate(capacity: pageCount)
        decodedPages.initialize(repeating: nil, count: pageCount)
        codeWrites = .allocate(capacity: pageCount)
        codeWrites.initialize(repeating: 0, count: pageCount)
    }

    deinit {
        munmap(ram, Int(ramSize))
        pageFlags.deallocate()
        decodedPages.deinitialize(count: pageCount)
        decodedPages.deallocate()
        codeWrites.deallocate()
    }

    /// True when `[address, address+length)` lies inside RAM.
    @inline(__always)
    public func isRAM(_ address: UInt64, length: UInt64 = 1) -> Bool {
        address >= ramBase && address &- ramBase < ramSize && length <= ramSize &- (address &- ramBase)
    }

    @inline(__always)
    func pageIndex(_ address: UInt64) -> Int { Int(truncatingIfNeeded: (address &- ramBase) >> 12) }

    // MARK: Host-side access (loaders, DMA, debugger)

    /// Copies bytes into RAM, invalidating any decoded code they overwrite
    /// (a device DMA or a loader must never leave stale instructions behind).
    /// Returns false if the range is not entirely RAM.
    @discardableResult
    public func writeRAM(_ address: UInt64, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard isRAM(address, length: UInt64(bytes.count)) else { return false }
        guard bytes.count > 0 else { return true }
        (ram + Int(address - ramBase)).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        invalidateCode(address, length: bytes.count)
        hostWriteHandler?(address, bytes.count)
        return true
    }

    @discardableResult
    public func writeRAM(_ address: UInt64, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { writeRAM(address, $0) }
    }

    /// Copies bytes out of RAM; false if the range is not entirely RAM.
    public func readRAM(_ address: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard isRAM(address, length: UInt64(buffer.count)) else { return false }
        guard buffer.count > 0 else { return true }
        buffer.baseAddress!.copyMemory(from: ram + Int(address - ramBase), byteCount: buffer.count)
        return true
    }

    public func readRAM(_ address: UInt64, count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBytes { readRAM(address, into: $0) }
        return ok ? out : nil
    }

    /// Physical load of RAM or a device, as the debugger and page walker see it.
    public func loadPhysical(_ address: UInt64, width: Int) -> UInt64? {
        if isRAM(address, length: UInt64(width)) {
            return loadLittleEndian(ram + Int(address - ramBase), width: width)
        }
        return bus.load(address, width: width)
    }

    // MARK: Page flags

    /// Sets flags on the RAM page holding `address`, shooting down write TLB
    /// entries for it in every hart so that later writes see the flag.
    public func addFlags(_ flags: PageFlags, page address: UInt64) {
        guard isRAM(address) else { return }
        let i = pageIndex(address)
        let old = pageFlags[i]
        pageFlags[i] = old | flags.rawValue
        if old == 0 {
            let host = ram + (i << 12)
            for hart in harts { hart.tlb.dropWrites(toHostPage: host) }
        }
    }

    public func removeFlags(_ flags: PageFlags, page address: UInt64) {
        guard isRAM(address) else { return }
        let i = pageIndex(address)
        pageFlags[i] &= ~flags.rawValue
    }

    public func flags(page address: UInt64) -> PageFlags {
        guard isRAM(address) else { return [] }
        return PageFlags(rawValue: pageFlags[pageIndex(address)])
    }

    // MARK: Decoded code

    /// The decoded page for the RAM page holding `address` (creating it).
    func decodedPage(forRAM address: UInt64) -> DecodedPage {
        let i = pageIndex(address)
        if let page = decodedPages[i] {
            codeWrites[i] = 0
            return page
        }
        let page = pagePool.popLast() ?? DecodedPage()
        page.clear()
        decodedPages[i] = page
        codeWrites[i] = 0
        addFlags(.code, page: address)
        return page
    }

    /// Forgets decoded instructions overlapping `[address, address+length)`.
    /// An instruction may start up to 2 bytes before the first written byte.
    func invalidateCode(_ address: UInt64, length: Int) {
        var pageAddress = (address &- 2) & ~0xfff
        let end = address &+ UInt64(length)
        while pageAddress < end {
            if isRAM(pageAddress), let page = decodedPages[pageIndex(pageAddress)] {
                let lo = max(address &- 2, pageAddress)
                let hi = min(end, pageAddress &+ 4096)
                page.invalidate(from: Int(lo - pageAddress) >> 1, to: Int(hi &- 1 &- pageAddress) >> 1)
            }
            pageAddress &+= 4096
        }
    }

    /// A guest store reached a `.code` page on the slow path.
    func noteCodeWrite(_ address: UInt64, width: Int) {
        let i = pageIndex(address)
        codeWrites[i] &+= 1
        if codeWrites[i] > 256 {
            // The page is being rewritten as data (a freed user page reused by
            // the kernel, say): stop caching its code so its stores go fast.
            releaseDecodedPage(i)
        } else {
            invalidateCode(address, length: width)
        }
    }

    func releaseDecodedPage(_ i: Int) {
        guard let page = decodedPages[i] else { return }
        decodedPages[i] = nil
        codeWrites[i] = 0
        pageFlags[i] &= ~PageFlags.code.rawValue
        // Fetch TLB entries hold the page's slots; drop them everywhere. A
        // block still running from this page meets undecoded slots next and
        // leaves (Hart.decodeSlot finds no fetch entry).
        for hart in harts { hart.tlb.flushFetch() }
        page.clear()
        pagePool.append(page)
    }

    /// `fence.i`: drop every decoded page.
    func flushAllCode() {
        for i in 0..<pageCount where decodedPages[i] != nil { releaseDecodedPage(i) }
    }

    // MARK: LR/SC reservations

    /// Breaks every reservation covering `address` (a store by anyone).
    func breakReservations(_ address: UInt64, width: Int) {
        var stillReserved = false
        let page = address & ~0xfff
        for hart in harts where hart.reservationValid {
            let r = hart.reservation
            if r < address &+ UInt64(width) && address < r &+ 8 {
                hart.reservationValid = false
            } else if r & ~0xfff == page {
                stillReserved = true
            }
        }
        if !stillReserved { removeFlags(.reserved, page: address) }
    }
}

/// Loads `width` little-endian bytes from host memory (any alignment).
@inline(__always)
func loadLittleEndian(_ p: UnsafeRawPointer, width: Int) -> UInt64 {
    switch width {
    case 1: return UInt64(p.load(as: UInt8.self))
    case 2: return UInt64(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)))
    case 4: return UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
    default: return UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
    }
}

@inline(__always)
func storeLittleEndian(_ p: UnsafeMutableRawPointer, width: Int, _ v: UInt64) {
    switch width {
    case 1: p.storeBytes(of: UInt8(truncatingIfNeeded: v), as: UInt8.self)
    case 2: p.storeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian, toByteOffset: 0, as: UInt16.self)
    case 4: p.storeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian, toByteOffset: 0, as: UInt32.self)
    default: p.storeBytes(of: v.littleEndian, toByteOffset: 0, as: UInt64.self)
    }
}
