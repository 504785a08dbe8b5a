// UART16550.swift — the NS16550A serial port as QEMU emulates it
// (hw/char/serial.c): transmit is instant (THR is always empty again at
// once), receive goes through a 16-byte FIFO; interrupts for received data
// (IER bit 0) and for THR empty (IER bit 1), reported through IIR, driven as
// a level on PLIC source 10.

public final class UART16550: Device {
    /// Called with every transmitted byte.
    public var output: (UInt8) -> Void
    weak var irq: InterruptSink?
    let irqSource: Int

    private var rx: [UInt8] = []
    public static let fifoSize = 16
    private var ier: UInt8 = 0
    private var lcr: UInt8 = 0
    private var mcr: UInt8 = 0
    private var scr: UInt8 = 0
    private var fcr: UInt8 = 0
    private var divisor: UInt16 = 0
    /// A THR-empty interrupt is pending (set when THR empties or the
    /// interrupt is enabled while empty; cleared by reading IIR or writing THR).
    private var thrPending = false

    static let ierRx: UInt8 = 0x01, ierTx: UInt8 = 0x02
    static let lsrDataReady: UInt8 = 0x01, lsrTHREmpty: UInt8 = 0x20, lsrTxEmpty: UInt8 = 0x40
    static let iirNone: UInt8 = 0x01, iirTx: UInt8 = 0x02, iirRx: UInt8 = 0x04

    public init(irq: InterruptSink?, source: Int = VirtMap.uart.irq, output: @escaping (UInt8) -> Void = { _ in }) {
        self.irq = irq
        irqSource = source
        self.output = output
    }

    /// Free room in the receive FIFO, or 0 until the guest shows it is ready
    /// for input: a real 16550 would take early bytes and lose them when the
    /// driver resets its FIFO (xv6's uartinit does), so text piped to a
    /// booting guest would vanish. The host keeps it buffered until the
    /// guest enables the receive interrupt or polls RBR/LSR.
    public var receiveRoom: Int { guestListening ? Self.fifoSize - rx.count : 0 }
    private var guestListening = false

    /// Queues received bytes (as many as fit); returns how many were taken.
    @discardableResult
    public func receive<S: Sequence<UInt8>>(_ bytes: S) -> Int {
        var taken = 0
        for b in bytes where rx.count < Self.fifoSize {
            rx.append(b)
            taken += 1
        }
        if taken > 0 { updateIRQ() }
        return taken
    }

    var dlab: Bool { lcr & 0x80 != 0 }

    var iir: UInt8 {
        var v = Self.iirNone
        if ier & Self.ierRx != 0 && !rx.isEmpty {
            v = Self.iirRx
        } else if ier & Self.ierTx != 0 && thrPending {
            v = Self.iirTx
        }
        return fcr & 1 != 0 ? v | 0xc0 : v
    }

    func updateIRQ() {
        irq?.setLevel(source: irqSource, iir & 1 == 0)
    }

    public func read(_ offset: UInt64, width: Int) -> UInt64? {
        let v: UInt8
        switch offset & 7 {
        case 0:
            if dlab {
                v = UInt8(divisor & 0xff)
            } else {
                v = rx.isEmpty ? 0 : rx.removeFirst()
                guestListening = true
                updateIRQ()
            }
        case 1: v = dlab ? UInt8(divisor >> 8) : ier
        case 2:
            v = iir
            if v & 0x0f == Self.iirTx {
                thrPending = false
                updateIRQ()
            }
        case 3: v = lcr
        case 4: v = mcr
        case 5:
            v = (rx.isEmpty ? 0 : Self.lsrDataReady) | Self.lsrTHREmpty | Self.lsrTxEmpty
            // Polling LSR counts as listening only once the FIFO setup is
            // done (FCR written): xv6 polls LSR to print before that.
            if fcr & 0x01 != 0 || ier & Self.ierRx != 0 { guestListening = true }
        case 6: v = 0xb0   // CTS, DSR, DCD asserted
        default: v = scr
        }
        return UInt64(v)
    }

    public func write(_ offset: UInt64, width: Int, _ value: UInt64) -> Bool {
        let b = UInt8(truncatingIfNeeded: value)
        switch offset & 7 {
        case 0:
            if dlab {
                divisor = (divisor & 0xff00) | UInt16(b)
            } else {
                output(b)
                // Transmitted at once: THR is empty again.
                thrPending = true
                updateIRQ()
            }
        case 1:
            if dlab {
                divisor = (divisor & 0x00ff) | UInt16(b) << 8
            } else {
                let enablingTx = b & Self.ierTx != 0 && ier & Self.ierTx == 0
                ier = b & 0x0f
                if ier & Self.ierRx != 0 { guestListening = true }
                if enablingTx { thrPending = true }
                updateIRQ()
            }
        case 2:
            fcr = b & 0xc9
            if b & 0x02 != 0 { rx.removeAll() }   // reset the receive FIFO
            updateIRQ()
        case 3: lcr = b
        case 4: mcr = b & 0x1f
        case 7: scr = b
        default: break
        }
        return true
    }
}
