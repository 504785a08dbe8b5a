// MachineConfiguration.swift — everything that shapes a board, as plain values
// (the CLI turns QEMU-style flags into one of these).

public struct MachineConfiguration: Sendable {
    /// Guest RAM size in bytes (QEMU's `-m`, default 128 MiB).
    public var ramSize: UInt64 = 128 << 20
    /// Number of harts (`-smp`).
    public var hartCount = 1
    /// ELF to load (`-kernel`).
    public var kernelPath: String?
    /// Instructions each hart runs before the next hart's turn.
    public var quantum = 10_000
    /// Recognise an xv6 scheduler polling with nothing to run (Hart+Idle.swift).
    public var detectIdleScheduler = true
    /// Guest instructions per 10 MHz `mtime` tick (virtual CPU speed).
    public var instructionsPerTick: UInt64 = 10
    /// Raw disk image for the virtio block device (virtio-mmio slot 0).
    public var diskPath: String?
    /// Never write the disk image (`-snapshot`).
    public var snapshot = false
    /// virtio-mmio version 1 (QEMU's default) or 2 (`force-legacy=false`).
    public var legacyVirtio = true
    /// Attach the virt board's devices (CLINT, PLIC, UART, test finisher).
    /// Off only for RAM-only tests.
    public var devices = true

    public init() {}
}

/// How a run ended.
public enum MachineOutcome: Sendable, Equatable {
    /// The guest powered off or reported through HTIF: the process exit status.
    case exited(status: Int32)
    /// `run(instructionLimit:)` hit its limit first.
    case instructionLimitReached
}

/// Why `Machine.advance(rounds:)` returned.
public enum MachineEvent: Sendable, Equatable {
    /// The guest powered off (or reported through HTIF) with this status.
    case exited(status: Int32)
    /// Every hart sleeps in `wfi`; the next timer fires at this `mtime`.
    case idle(nextDeadline: UInt64?)
    /// A stop was requested (debugger event, host request).
    case stopped
    /// The rounds were used up; call again.
    case running
}

/// Errors that stop a machine before it starts.
public struct MachineError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// `0x`-prefixed lowercase hex, for messages.
public func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
