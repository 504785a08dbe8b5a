// CommandLineTests.swift — the xv6emu executable as a user meets it:
// QEMU-style options, -help that xv6's Makefile greps, one-line errors
// naming the bad option or file, exit statuses.

import Foundation
import Testing
import TestSupport
@testable import XV6EmuCLI

@Suite("Command line")
struct CommandLineTests {
    @Test("-help lists -gdb at the start of a line (xv6's Makefile greps '^-gdb')")
    func help() throws {
        let r = try runEmulator(["-help"])
        #expect(r.status == 0)
        #expect(r.out.split(separator: "\n").contains { $0.hasPrefix("-gdb") })
        #expect(r.out.split(separator: "\n").contains { $0.hasPrefix("-kernel") })
    }

    @Test("--version")
    func version() throws {
        let r = try runEmulator(["--version"])
        #expect(r.status == 0 && r.out.contains("xv6emu"))
    }

    @Test("bad options give one clear line naming the option", arguments: [
        (["-frobnicate"], "-frobnicate"),
        (["-machine", "sifive_u"], "-machine"),
        (["-bios", "default"], "-bios"),
        (["-m", "lots"], "-m"),
        (["-m", "64T"], "-m"),
        (["-smp", "9"], "-smp"),
        (["-smp", "0"], "-smp"),
        (["-cpu", "rv64,zba=true"], "-cpu"),
        (["-global", "virtio-mmio.foo=1"], "-global"),
        (["-drive", "file=x.img,format=qcow2"], "-drive"),
        (["-device", "e1000"], "-device"),
        (["-gdb", "udp::1234"], "-gdb"),
        (["-kernel"], "-kernel"),
        (["-d", "in_asm"], "-d"),
    ])
    func badOptions(_ args: [String], _ named: String) throws {
        let r = try runEmulator(args)
        #expect(r.status != 0)
        #expect(r.err.contains(named), "stderr: \(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "stderr: \(r.err)")
    }

    @Test("a missing or non-ELF kernel is a one-line error naming the file")
    func badKernel() throws {
        for path in ["/nonexistent/kernel", "/etc/hostname"] {
            let r = try runEmulator(["-machine", "virt", "-bios", "none", "-kernel", path, "-nographic"])
            #expect(r.status != 0)
            #expect(r.err.hasPrefix("xv6emu: \(path): "), "stderr: \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1)
        }
    }

    @Test("option parsing: one or two dashes, inline values, key=value lists and sizes")
    func parsing() throws {
        let opts = try OptionParser.parse(["--kernel=k", "-m", "256M", "-smp", "cpus=3", "-S", "-s"])
        #expect(opts.first == ParsedOption(name: "kernel", value: "k"))
        let s = try Settings.from(opts)
        #expect(s.machine.ramSize == 256 << 20 && s.machine.hartCount == 3 && s.haltAtStart && s.gdbPort == 1234)
        #expect(OptionParser.size("1G") == 1 << 30)
        #expect(OptionParser.size("128") == 128 << 20)
        #expect(OptionParser.size("0") == 0, "a size, refused by -m's range check")
        #expect(OptionParser.size("99999999999G") == .max && OptionParser.size("-5") == nil && OptionParser.size("") == nil)
        let d = try Settings.from(OptionParser.parse([
            "-drive", "file=fs.img,if=none,format=raw,id=x0", "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0",
            "-global", "virtio-mmio.force-legacy=false", "-gdb", "tcp:0.0.0.0:26000",
        ]))
        #expect(d.diskPath == "fs.img" && !d.forceLegacyVirtio && d.gdbHost == "0.0.0.0" && d.gdbPort == 26000)
    }
}

@Suite("Running bare-metal programs")
struct RunProgramTests {
    @Test("the exit status is the program's HTIF status: 0 on success")
    func passes() throws {
        let elf = try CrossCompiler.build("amo")
        let r = try runEmulator(["-machine", "virt", "-bios", "none", "-kernel", elf, "-nographic"])
        #expect(r.status == 0, "stderr: \(r.err)")
    }

    @Test("-d stats reports instructions and traps by cause at exit")
    func statistics() throws {
        let elf = try CrossCompiler.build("traps")
        let r = try runEmulator(["-d", "stats", "-kernel", elf])
        #expect(r.status == 0)
        #expect(r.err.contains("hart 0:") && r.err.contains("illegal instruction") && r.err.contains("MIPS"), "\(r.err)")
        #expect(r.err.contains("decode cache:") && r.err.contains("hit rate") && r.err.contains("TLB:"), "\(r.err)")
    }

    @Test("-d profile names the functions where the guest spent its instructions")
    func profile() throws {
        // fpdiff runs a few million instructions, mostly in its operand
        // generators and the FP op table: whole quanta, so samples.
        let elf = try CrossCompiler.build("fpdiff")
        let r = try runEmulator(["-d", "profile", "-kernel", elf])
        #expect(r.status == 0)
        let lines = r.err.split(separator: "\n")
        guard let head = lines.firstIndex(where: { $0.hasPrefix("xv6emu profile:") }) else {
            Issue.record("no profile report: \(r.err)")
            return
        }
        let rows = lines[(head + 1)...].filter { $0.contains("%") }
        #expect(!rows.isEmpty, "\(r.err)")
        // Rows are sorted, and name functions from the ELF's symbol table.
        let counts = rows.compactMap { Int($0.split(separator: " ")[1]) }
        #expect(counts == counts.sorted(by: >), "\(r.err)")
        let names = ["next", "fpoperand", "single", "dbl", "integer", "operand", "main"]
        #expect(rows.contains { row in names.contains { row.hasSuffix(" " + $0) } }, "\(r.err)")
    }

    @Test("a failing check N exits with status N")
    func fails() throws {
        let elf = try CrossCompiler.build("fail3")
        let r = try runEmulator(["-kernel", elf])
        #expect(r.status == 3)
    }
}

@Suite("Console and disk through the executable")
struct ConsoleDiskTests {
    @Test("the console works over pipes: interrupt-driven echo of what stdin sends")
    func echoOverPipes() throws {
        let elf = try CrossCompiler.build("uart_echo")
        let r = try runEmulator(["-machine", "virt", "-bios", "none", "-kernel", elf, "-nographic"], stdin: "hello, world.")
        #expect(r.status == 0, "stderr: \(r.err)")
        #expect(r.out.contains("ready") && r.out.contains("HELLO, WORLD") && r.out.contains("bye"))
    }

    @Test("bad disks are clear errors before the guest starts", arguments: [
        ("file=/nonexistent/fs.img", "no such disk image"),
        ("file=/tmp", "not a regular file"),
    ])
    func badDisk(_ drive: String, _ message: String) throws {
        let elf = try CrossCompiler.build("amo")
        let r = try runEmulator(["-kernel", elf, "-drive", drive + ",if=none,format=raw,id=x0",
                                 "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"])
        #expect(r.status == 1)
        #expect(r.err.contains(message) && r.err.split(separator: "\n").count == 1, "stderr: \(r.err)")
    }

    @Test("an image in use by another emulator is refused")
    func locked() throws {
        let elf = try CrossCompiler.build("uart_echo")
        let image = FileManager.default.temporaryDirectory.appendingPathComponent("xv6emu-lock-\(getpid()).img").path
        FileManager.default.createFile(atPath: image, contents: Data(count: 4096))
        let disk = ["-drive", "file=\(image),if=none,format=raw,id=x0", "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"]
        let first = Process()
        first.executableURL = emulatorURL
        first.arguments = ["-kernel", elf] + disk
        first.standardInput = Pipe()
        first.standardOutput = Pipe()
        try first.run()
        defer { first.terminate() }
        usleep(300_000)
        let r = try runEmulator(["-kernel", elf] + disk)
        #expect(r.status == 1)
        #expect(r.err.contains("locked"), "stderr: \(r.err)")
    }

    @Test("durability: every completed write is in the file after SIGTERM")
    func durability() throws {
        let elf = try CrossCompiler.build("virtio_disk", defines: ["DURABLE"])
        let image = FileManager.default.temporaryDirectory.appendingPathComponent("xv6emu-dur-\(getpid()).img").path
        FileManager.default.createFile(atPath: image, contents: Data(repeating: 0x11, count: 512 * 16))
        let p = Process()
        p.executableURL = emulatorURL
        p.arguments = ["-kernel", elf, "-drive", "file=\(image),if=none,format=raw,id=x0",
                       "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"]
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = Pipe()
        try p.run()
        let seen = readUntil(out, contains: "written", timeout: 20)
        #expect(seen.contains("written"))
        kill(p.processIdentifier, SIGTERM)
        let stop = Date().addingTimeInterval(10)
        while p.isRunning && Date() < stop { usleep(10_000) }
        #expect(!p.isRunning, "SIGTERM ends the emulator")
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image)))
        for s in 2..<10 {
            #expect((0..<512).allSatisfy { bytes[s * 512 + $0] == UInt8(truncatingIfNeeded: s * 7 + $0) }, "sector \(s)")
        }
    }
}
