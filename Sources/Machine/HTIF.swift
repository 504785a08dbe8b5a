// HTIF.swift — the host-target interface of Spike and QEMU's spike machine,
// for bare-metal test programs (riscv-tests among them).
//
// Active when the loaded ELF has a `tohost` symbol. The guest writes a
// command to `tohost`; we act on it and clear `tohost`:
// - device 0, payload odd: exit with status payload >> 1 (0 pass, N failed test N);
// - device 0, payload even: pointer to a `magic_mem` syscall block
//   (sys_write 64 and sys_exit 93 answered);
// - device 1, command 1: console putchar.
// The page holding `tohost` is watched (MemorySystem's `.watched` flag), so
// only stores to that page pay for the check.

import RISCV

final class HTIF {
    let tohost: UInt64
    let fromhost: UInt64?
    unowned let memory: MemorySystem
    let console: (UInt8) -> Void
    let exit: (Int32) -> Void

    init(tohost: UInt64, fromhost: UInt64?, memory: MemorySystem,
         console: @escaping (UInt8) -> Void, exit: @escaping (Int32) -> Void) {
        self.tohost = tohost
        self.fromhost = fromhost
        self.memory = memory
        self.console = console
        self.exit = exit
        memory.addFlags(.watched, page: tohost)
    }

    /// Called for every store to the watched page.
    func observe(_ address: UInt64, width: Int) {
        guard address < tohost + 8 && tohost < address + UInt64(width) else { return }
        guard let value = memory.loadPhysical(tohost, width: 8), value != 0 else { return }
        let device = value >> 56, command = (value >> 48) & 0xff, payload = value & 0xffff_ffff_ffff
        switch (device, command) {
        case (0, 0) where payload & 1 == 1:
            exit(Int32(truncatingIfNeeded: payload >> 1))
            return
        case (0, 0):
            syscall(block: payload)
        case (1, 1):
            console(UInt8(truncatingIfNeeded: payload))
        default:
            break
        }
        clear(response: (device << 56) | (command << 48) | 1)
    }

    private func clear(response: UInt64) {
        memory.writeRAM(tohost, withUnsafeBytes(of: UInt64(0).littleEndian) { Array($0) })
        if let fromhost {
            memory.writeRAM(fromhost, withUnsafeBytes(of: response.littleEndian) { Array($0) })
        }
    }

    /// riscv-tests' benchmark `syscall()`: magic_mem = [number, a0, a1, a2, …].
    private func syscall(block: UInt64) {
        guard let words = memory.readRAM(block, count: 32) else { return }
        func word(_ i: Int) -> UInt64 {
            words[i * 8..<i * 8 + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        var result: UInt64 = 0
        switch word(0) {
        case 64:  // write(fd, buf, len)
            let len = min(word(3), 1 << 20)
            if let bytes = memory.readRAM(word(2), count: Int(len)) {
                bytes.forEach(console)
                result = len
            } else {
                result = UInt64(bitPattern: -14)  // -EFAULT
            }
        case 93:  // exit(code)
            exit(Int32(truncatingIfNeeded: word(1)))
            return
        default:
            result = UInt64(bitPattern: -38)  // -ENOSYS
        }
        memory.writeRAM(block, withUnsafeBytes(of: result.littleEndian) { Array($0) })
    }
}
