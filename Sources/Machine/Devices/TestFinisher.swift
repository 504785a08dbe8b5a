// TestFinisher.swift — SiFive's test device ("sifive,test1" at 0x100000):
// the guest's power switch. 0x5555 powers off (status 0), (code << 16) |
// 0x3333 fails with `code`, 0x7777 asks for a reset.

public final class TestFinisher: Device {
    public enum Request: Equatable, Sendable {
        case powerOff(status: Int32)
        case reset
    }

    let onRequest: (Request) -> Void

    public init(onRequest: @escaping (Request) -> Void) {
        self.onRequest = onRequest
    }

    public func read(_ offset: UInt64, width: Int) -> UInt64? { 0 }

    public func write(_ offset: UInt64, width: Int, _ value: UInt64) -> Bool {
        guard offset == 0 else { return true }
        let v = UInt32(truncatingIfNeeded: value)
        switch v & 0xffff {
        case 0x5555: onRequest(.powerOff(status: 0))
        case 0x3333: onRequest(.powerOff(status: Int32(v >> 16)))
        case 0x7777: onRequest(.reset)
        default: break
        }
        return true
    }
}
