// SymbolTable.swift — name → address and address → nearest symbol, for
// HTIF's `tohost`, the debugger's and monitor's symbolized output.

public struct ELFSymbol: Sendable, Equatable {
    public let name: String
    public let address: UInt64
    public let size: UInt64
    public let isFunction: Bool
    public let isGlobal: Bool
    public init(name: String, address: UInt64, size: UInt64, isFunction: Bool, isGlobal: Bool = true) {
        self.name = name
        self.address = address
        self.size = size
        self.isFunction = isFunction
        self.isGlobal = isGlobal
    }
}

public struct SymbolTable: Sendable {
    /// Sorted by address.
    public let symbols: [ELFSymbol]
    private let byName: [String: Int]

    public init(_ symbols: [ELFSymbol]) {
        // RISC-V mapping symbols (`$x`, `$d`, `$xrv64i2p1_m2p0…`) mark where
        // code and data start; they name nothing and would shadow the
        // function around them in `symbolize`.
        let symbols = symbols.filter { !$0.name.hasPrefix("$") }
        self.symbols = symbols.sorted { ($0.address, $0.isFunction ? 0 : 1) < ($1.address, $1.isFunction ? 0 : 1) }
        var names: [String: Int] = [:]
        for (i, s) in self.symbols.enumerated() {
            // Prefer global, then function symbols when a name repeats.
            if let j = names[s.name] {
                let old = self.symbols[j]
                if (s.isGlobal && !old.isGlobal) || (s.isGlobal == old.isGlobal && s.isFunction && !old.isFunction) {
                    names[s.name] = i
                }
            } else {
                names[s.name] = i
            }
        }
        byName = names
    }

    public static let empty = SymbolTable([])

    public func address(of name: String) -> UInt64? { byName[name].map { symbols[$0].address } }

    public func symbol(named name: String) -> ELFSymbol? { byName[name].map { symbols[$0] } }

    /// The symbol containing `address` (within its size, or within 64 KiB
    /// of a sizeless one), and the offset into it.
    public func symbolize(_ address: UInt64) -> (name: String, offset: UInt64)? {
        var lo = 0, hi = symbols.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if symbols[mid].address <= address { lo = mid + 1 } else { hi = mid }
        }
        var i = lo - 1
        while i >= 0 {
            let s = symbols[i]
            let offset = address - s.address
            if s.size > 0 ? offset < s.size : offset < 0x10000 { return (s.name, offset) }
            // A sized symbol that doesn't reach: an earlier one (a function
            // containing a local label) might.
            if offset > 1 << 20 { break }
            i -= 1
        }
        return nil
    }
}
