// Machine+Board.swift — puts QEMU's virt devices on the bus and wires their
// interrupt lines: CLINT → MSIP/MTIP of each hart; UART and virtio → PLIC
// sources 10 and 1; PLIC → MEIP/SEIP; the test finisher → power off.

extension Machine {
    func attachDevices() throws(MachineError) {
        let clint = CLINT(harts: harts, clock: clock)
        let plic = PLIC(harts: harts)
        let uart = UART16550(irq: plic) { [unowned self] in self.consoleSink($0) }
        let finisher = TestFinisher { [unowned self] request in
            switch request {
            case .powerOff(let status): self.powerOff(status: status)
            case .reset: self.powerOff(status: 0)   // see ARCHITECTURE.md: reset ends the run
            }
        }
        bus.map(finisher, at: VirtMap.testFinisher.base, size: VirtMap.testFinisher.size, name: "test finisher")
        bus.map(clint, at: VirtMap.clint.base, size: VirtMap.clint.size, name: "clint")
        bus.map(plic, at: VirtMap.plic.base, size: VirtMap.plic.size, name: "plic")
        bus.map(uart, at: VirtMap.uart.base, size: VirtMap.uart.size, name: "uart")
        timedDevices.append(clint)
        self.clint = clint
        self.plic = plic
        self.uart = uart
        if let path = configuration.diskPath {
            do throws(DiskError) {
                disk = try DiskImage(path: path, snapshot: configuration.snapshot)
            } catch {
                throw MachineError(error.description)
            }
        }
        // Slot 0 carries the disk (or reports device id 0, "no device", as
        // QEMU's empty slots do); the other slots are empty.
        let virtio = VirtioBlock(memory: memory, disk: disk, legacy: configuration.legacyVirtio, irq: plic)
        bus.map(virtio, at: VirtMap.virtio.base, size: VirtMap.virtio.size, name: "virtio-mmio.0")
        self.virtio = virtio
        for slot in 1..<VirtMap.virtio.slots {
            bus.map(VirtioBlock(memory: memory, disk: nil, legacy: configuration.legacyVirtio, irq: nil),
                    at: VirtMap.virtio.base + UInt64(slot) * VirtMap.virtio.size, size: VirtMap.virtio.size,
                    name: "virtio-mmio.\(slot)")
        }
    }
}
