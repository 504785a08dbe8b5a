// Settings.swift — parsed options → what to build and how to run it.
// Validates every value and names the option in each error; nothing a user
// passes is silently ignored.

import Machine

public struct Settings: Sendable {
    public var machine = MachineConfiguration()
    public var showHelp = false
    public var showVersion = false
    /// `-S`: halt before the first instruction.
    public var haltAtStart = false
    /// `-gdb`/`-s`: where the debugger listens.
    public var gdbHost: String?
    public var gdbPort: Int?
    public var snapshot = false
    public var forceLegacyVirtio = true
    public var drives: [String: String] = [:]        // id → file
    public var diskPath: String?
    public var pmp = true
    /// Whether `-smp` was given (the bundled kernel defaults to 3 harts).
    public var hartCountGiven = false
    /// `-d profile`: print where the guest spent its time at exit.
    var profile = false
    /// `-d stats`: print statistics at exit.
    public var statistics = false
    /// `-lens`: the COW lens from the first instruction (kalloc shadow).
    public var lens = false
    /// `-cow-bit N`: the PTE bit the kernel uses for COW (8 or 9).
    public var cowBit: Int?

    public init() {}

    public static func from(_ options: [ParsedOption]) throws(OptionError) -> Settings {
        var s = Settings()
        var pendingDevices: [String] = []
        for o in options {
            let v = o.value ?? ""
            switch o.name {
            case "machine", "M":
                let kv = OptionParser.keyValues(v)
                guard kv.first?.value == "virt" || kv.first?.key == "type" && kv.first?.value == "virt" else {
                    throw OptionError("-machine \(v): only the 'virt' machine is emulated")
                }
                if let extra = kv.dropFirst().first {
                    throw OptionError("-machine \(v): property '\(extra.key)' is not supported")
                }
            case "bios":
                guard v == "none" else { throw OptionError("-bios \(v): only '-bios none' is supported (no firmware is emulated)") }
            case "kernel":
                s.machine.kernelPath = v
            case "m":
                guard let size = OptionParser.size(v) else { throw OptionError("-m \(v): not a memory size (e.g. 128M, 1G)") }
                guard size >= 1 << 20 && size <= 16 << 30 else {
                    throw OptionError("-m \(v): RAM must be between 1M and 16G")
                }
                s.machine.ramSize = (size + 4095) & ~4095
            case "smp":
                let kv = OptionParser.keyValues(v)
                let text = kv.first { $0.key == "" || $0.key == "cpus" }?.value ?? ""
                guard let n = Int(text), (1...8).contains(n), kv.count == 1 else {
                    throw OptionError("-smp \(v): the number of harts must be 1 to 8")
                }
                s.machine.hartCount = n
                s.hartCountGiven = true
            case "cpu":
                let kv = OptionParser.keyValues(v)
                guard let model = kv.first?.value, ["rv64", "max", "any"].contains(model) else {
                    throw OptionError("-cpu \(v): only the rv64 cpu model is emulated")
                }
                for p in kv.dropFirst() {
                    switch (p.key, p.value) {
                    case ("pmp", "on"), ("pmp", "true"): s.pmp = true
                    case ("pmp", "off"), ("pmp", "false"): s.pmp = false
                    default: throw OptionError("-cpu \(v): property '\(p.key)=\(p.value)' is not supported (only pmp=on|off)")
                    }
                }
            case "nographic":
                break  // the console is always stdin/stdout
            case "global":
                switch v {
                case "virtio-mmio.force-legacy=false", "virtio-mmio.force-legacy=off": s.forceLegacyVirtio = false
                case "virtio-mmio.force-legacy=true", "virtio-mmio.force-legacy=on": s.forceLegacyVirtio = true
                default: throw OptionError("-global \(v): only virtio-mmio.force-legacy=on|off is supported")
                }
            case "drive":
                var file: String?, id: String?
                for p in OptionParser.keyValues(v) {
                    switch (p.key, p.value) {
                    case ("file", let f): file = f
                    case ("id", let i): id = i
                    case ("if", "none"), ("format", "raw"): break
                    case ("if", _): throw OptionError("-drive \(v): only if=none is supported (attach it with -device virtio-blk-device)")
                    case ("format", _): throw OptionError("-drive \(v): only format=raw images are supported")
                    default: throw OptionError("-drive \(v): '\(p.key)' is not supported")
                    }
                }
                guard let file, !file.isEmpty else { throw OptionError("-drive \(v): needs file=PATH") }
                s.drives[id ?? "drive\(s.drives.count)"] = file
            case "device":
                pendingDevices.append(v)
            case "snapshot":
                s.snapshot = true
            case "gdb":
                // tcp::PORT or tcp:HOST:PORT
                let parts = v.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 3, parts[0] == "tcp", let port = Int(parts[2]), (1...65535).contains(port) else {
                    throw OptionError("-gdb \(v): expected tcp::PORT or tcp:HOST:PORT")
                }
                s.gdbHost = parts[1].isEmpty ? "127.0.0.1" : String(parts[1])
                s.gdbPort = port
            case "s":
                s.gdbHost = "127.0.0.1"
                s.gdbPort = 1234
            case "S":
                s.haltAtStart = true
            case "d":
                for item in v.split(separator: ",") {
                    switch item {
                    case "stats": s.statistics = true
                    case "profile": s.profile = true
                    case "noidle": s.machine.detectIdleScheduler = false
                    default:
                        throw OptionError("-d \(v): '\(item)' is not a log item of xv6emu (only 'stats', 'profile' and 'noidle')")
                    }
                }
            case "lens":
                s.lens = true
            case "cow-bit":
                guard let n = Int(v), n == 8 || n == 9 else {
                    throw OptionError("-cow-bit \(v): the COW bit must be one of the PTE's two RSW bits, 8 or 9")
                }
                s.cowBit = n
            case "help", "h":
                s.showHelp = true
            case "version":
                s.showVersion = true
            default:
                throw OptionError("-\(o.name): invalid option")
            }
        }
        for v in pendingDevices {
            let kv = OptionParser.keyValues(v)
            guard kv.first?.value == "virtio-blk-device" else {
                throw OptionError("-device \(v): only virtio-blk-device is emulated")
            }
            var drive: String?
            for p in kv.dropFirst() {
                switch p.key {
                case "drive": drive = p.value
                case "bus":
                    guard p.value == "virtio-mmio-bus.0" else {
                        throw OptionError("-device \(v): only bus=virtio-mmio-bus.0 is emulated")
                    }
                default: throw OptionError("-device \(v): property '\(p.key)' is not supported")
                }
            }
            guard let drive, let file = s.drives[drive] else {
                throw OptionError("-device \(v): no -drive with id=\(drive ?? "?")")
            }
            guard s.diskPath == nil else { throw OptionError("-device \(v): only one virtio block device is emulated") }
            s.diskPath = file
        }
        return s
    }
}
