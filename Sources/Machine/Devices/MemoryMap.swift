// MemoryMap.swift — QEMU's `virt` board layout (hw/riscv/virt.c), in one
// place: where each device lives and which PLIC source it drives.

public enum VirtMap {
    public static let testFinisher: (base: UInt64, size: UInt64) = (0x0010_0000, 0x1000)
    public static let clint: (base: UInt64, size: UInt64) = (0x0200_0000, 0x1_0000)
    public static let plic: (base: UInt64, size: UInt64) = (0x0c00_0000, 0x60_0000)
    public static let uart: (base: UInt64, size: UInt64, irq: Int) = (0x1000_0000, 0x100, 10)
    /// virtio-mmio slot N: base + N·0x1000, IRQ 1 + N.
    public static let virtio: (base: UInt64, size: UInt64, irq: Int, slots: Int) = (0x1000_1000, 0x1000, 1, 8)
    public static let ram: UInt64 = 0x8000_0000
    /// PLIC interrupt sources on QEMU's virt board (1…95).
    public static let plicSources = 96
    /// CLINT/`mtime` frequency.
    public static let timebaseHz: UInt64 = 10_000_000
}
