// QEMUOptions.swift — QEMU's command-line syntax, table-driven.
//
// Holds the option table (name, whether it takes a value, help text) and the
// parser that turns argv into `ParsedOptions`; nothing here knows what a
// machine is. Why not swift-argument-parser: QEMU spells every option with
// one or two dashes (`-kernel`, `--kernel`), has `-s` and `-S` side by side,
// values like `-drive file=fs.img,if=none,format=raw,id=x0`, and xv6's
// Makefile greps `-help` for a line starting with `-gdb`; a table like
// QEMU's own qemu-options.def models that exactly and keeps `-help` true.

public struct OptionSpec: Sendable {
    public let name: String
    public let argument: String?     // nil: a flag
    public let help: String
}

public enum QEMUOptions {
    /// Every option we accept, in `-help` order.
    public static let table: [OptionSpec] = [
        OptionSpec(name: "machine", argument: "virt", help: "the board (only QEMU's 'virt' is emulated)"),
        OptionSpec(name: "M", argument: "virt", help: "same as -machine"),
        OptionSpec(name: "bios", argument: "none", help: "firmware (only 'none': the kernel starts in M-mode)"),
        OptionSpec(name: "kernel", argument: "file", help: "ELF to load; every hart starts at its entry, a0 = mhartid"),
        OptionSpec(name: "m", argument: "size", help: "RAM size, e.g. 128M or 1G (default 128M)"),
        OptionSpec(name: "smp", argument: "n", help: "number of harts, 1 to 8 (default 1)"),
        OptionSpec(name: "cpu", argument: "rv64[,pmp=on|off]", help: "the hart model; pmp is accepted, PMP is never enforced"),
        OptionSpec(name: "nographic", argument: nil, help: "console on stdin/stdout (always the case; accepted for QEMU compatibility)"),
        OptionSpec(name: "global", argument: "virtio-mmio.force-legacy=on|off", help: "virtio-mmio version: legacy (1, default) or modern (2)"),
        OptionSpec(name: "drive", argument: "file=F,if=none,format=raw,id=ID", help: "a raw disk image (locked while in use)"),
        OptionSpec(name: "device", argument: "virtio-blk-device,drive=ID,bus=virtio-mmio-bus.N", help: "attach a drive as a virtio block device"),
        OptionSpec(name: "snapshot", argument: nil, help: "never write disk images: guest writes stay in memory"),
        OptionSpec(name: "gdb", argument: "tcp:[HOST]:PORT", help: "wait for gdb on HOST:PORT (default host 127.0.0.1)"),
        OptionSpec(name: "s", argument: nil, help: "shorthand for -gdb tcp::1234"),
        OptionSpec(name: "S", argument: nil, help: "halt every hart before the first instruction (until gdb continues)"),
        OptionSpec(name: "d", argument: "item[,...]", help: "stats: print statistics at exit (instructions, traps by cause, spins, MIPS); profile: where busy quanta ended, by kernel function; noidle: no idle-scheduler detection"),
        OptionSpec(name: "lens", argument: nil, help: "xv6emu: the COW lens from boot (kalloc shadow: bad frees, leaks; see monitor help)"),
        OptionSpec(name: "cow-bit", argument: "n", help: "xv6emu: PTE bit 8 or 9 marks COW pages (default 8 when the kernel has uvmcopy)"),
        OptionSpec(name: "help", argument: nil, help: "print this help"),
        OptionSpec(name: "h", argument: nil, help: "same as -help"),
        OptionSpec(name: "version", argument: nil, help: "print the version"),
    ]

    public static func spec(_ name: String) -> OptionSpec? { table.first { $0.name == name } }

    /// `-help` text. Each option starts its line with `-name`, as QEMU's does
    /// (xv6's Makefile runs `$(QEMU) -help | grep -q '^-gdb'`).
    public static func helpText(program: String) -> String {
        var out = "usage: \(program) [options]\n"
        out += "xv6emu emulates QEMU's RISC-V 'virt' board for xv6; with no options it boots its bundled kernel.\n\n"
        for o in table {
            let left = "-" + o.name + (o.argument.map { " " + $0 } ?? "")
            let pad = left.count < 40 ? String(repeating: " ", count: 40 - left.count) : " "
            out += left + pad + o.help + "\n"
        }
        out += "\nDuring emulation: Ctrl-A x quits, Ctrl-A c toggles the monitor, Ctrl-A h shows the other Ctrl-A keys.\n"
        return out
    }
}

/// One option occurrence from the command line.
public struct ParsedOption: Sendable, Equatable {
    public let name: String
    public let value: String?
}

public struct OptionError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum OptionParser {
    /// Splits argv (without the program name) into options, in order.
    public static func parse(_ args: [String]) throws(OptionError) -> [ParsedOption] {
        var result: [ParsedOption] = []
        var i = 0
        while i < args.count {
            let arg = args[i]
            guard arg.hasPrefix("-"), arg.count > 1 else {
                throw OptionError("\(arg): unexpected argument (options start with '-'; see -help)")
            }
            var name = String(arg.dropFirst(arg.hasPrefix("--") ? 2 : 1))
            var inlineValue: String?
            // `--kernel=file` spelling.
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let spec = QEMUOptions.spec(name) else {
                throw OptionError("\(arg): invalid option (see -help for the options xv6emu accepts)")
            }
            if spec.argument != nil {
                if let v = inlineValue {
                    result.append(ParsedOption(name: name, value: v))
                } else {
                    guard i + 1 < args.count else { throw OptionError("\(arg): requires an argument (\(spec.argument!))") }
                    result.append(ParsedOption(name: name, value: args[i + 1]))
                    i += 1
                }
            } else {
                guard inlineValue == nil else { throw OptionError("\(arg): takes no argument") }
                result.append(ParsedOption(name: name, value: nil))
            }
            i += 1
        }
        return result
    }

    /// Parses QEMU's `key=value,key=value` lists; a leading bare word is
    /// returned under the key "" (e.g. `virtio-blk-device,drive=x0`).
    public static func keyValues(_ s: String) -> [(key: String, value: String)] {
        s.split(separator: ",", omittingEmptySubsequences: false).map { part in
            if let eq = part.firstIndex(of: "=") {
                return (String(part[..<eq]), String(part[part.index(after: eq)...]))
            }
            return ("", String(part))
        }
    }

    /// QEMU sizes: a number with an optional K/M/G/T suffix; no suffix means
    /// MiB. Nil when it is not a size at all; a size too large for 64 bits
    /// saturates, so that the caller's range check names the real problem.
    public static func size(_ s: String) -> UInt64? {
        var text = s.hasPrefix("size=") ? String(s.dropFirst(5)) : s
        var multiplier: UInt64 = 1 << 20
        if let last = text.last?.uppercased() {
            switch last {
            case "B": multiplier = 1; text.removeLast()
            case "K": multiplier = 1 << 10; text.removeLast()
            case "M": multiplier = 1 << 20; text.removeLast()
            case "G": multiplier = 1 << 30; text.removeLast()
            case "T": multiplier = 1 << 40; text.removeLast()
            default: break
            }
        }
        guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
        guard let n = UInt64(text) else { return .max }   // more digits than 64 bits hold
        let (v, overflow) = n.multipliedReportingOverflow(by: multiplier)
        return overflow ? .max : v
    }
}
