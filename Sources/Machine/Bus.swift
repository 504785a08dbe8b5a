// Bus.swift — the board's physical address map for everything that is not
// RAM: devices registered at fixed windows, found by a small sorted table.
//
// RAM never comes here: harts reach it through TLB host pointers
// (RISCV/MemorySystem.swift). This is the slow path by design.

import RISCV

/// A memory-mapped device: registers read and written by offset in its window.
public protocol Device: AnyObject {
    /// Reads `width` (1, 2, 4 or 8) bytes at `offset`; nil = access fault.
    func read(_ offset: UInt64, width: Int) -> UInt64?
    /// Writes `width` bytes at `offset`; false = access fault.
    func write(_ offset: UInt64, width: Int, _ value: UInt64) -> Bool
}

/// Receives the level of interrupt source lines (the PLIC implements it).
public protocol InterruptSink: AnyObject {
    func setLevel(source: Int, _ high: Bool)
}

public final class Bus: MMIOBus {
    struct Mapping {
        let base: UInt64
        let size: UInt64
        let name: String
        let device: Device
    }
    private(set) var mappings: [Mapping] = []

    public init() {}

    /// Maps `device` at `[base, base+size)`. Windows must not overlap.
    public func map(_ device: Device, at base: UInt64, size: UInt64, name: String) {
        precondition(!mappings.contains { base < $0.base + $0.size && $0.base < base + size },
                     "device window \(name) overlaps another")
        mappings.append(Mapping(base: base, size: size, name: name, device: device))
        mappings.sort { $0.base < $1.base }
    }

    @inline(__always)
    func find(_ address: UInt64, width: Int) -> Mapping? {
        for m in mappings where address >= m.base && address &- m.base < m.size {
            return address &- m.base &+ UInt64(width) <= m.size ? m : nil
        }
        return nil
    }

    public func load(_ address: UInt64, width: Int) -> UInt64? {
        guard let m = find(address, width: width) else { return nil }
        return m.device.read(address - m.base, width: width)
    }

    public func store(_ address: UInt64, width: Int, value: UInt64) -> Bool {
        guard let m = find(address, width: width) else { return false }
        return m.device.write(address - m.base, width: width, value)
    }

    /// The device window name at an address (for the monitor and errors).
    public func deviceName(at address: UInt64) -> String? { find(address, width: 1)?.name }
}
