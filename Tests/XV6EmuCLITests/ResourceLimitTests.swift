// ResourceLimitTests.swift — absurd sizes and broken disks, through the
// real executable: -m and -smp values nobody should pass (a one-line error
// naming the option, a nonzero status), RAM sizes at the edges (1 MiB runs;
// 16 GiB runs without being allocated up front), disk images that are not
// a whole number of sectors or empty (Tests/Programs/disk_limits.c looks at
// them from the guest), and a host disk that fills up under the guest: the
// failed request is an IOERR, stderr says why, every earlier write is in
// the file.

import Foundation
import Testing
import TestSupport

@Suite("Resource limits")
struct ResourceLimitTests {
    @Test("absurd -m and -smp values: one line naming the option, nonzero status", arguments: [
        (["-m", "0"], "-m 0: RAM must be between 1M and 16G"),
        (["-m", "1K"], "-m 1K: RAM must be between 1M and 16G"),
        (["-m", "16T"], "-m 16T: RAM must be between 1M and 16G"),
        (["-m", "99999999999G"], "-m 99999999999G: RAM must be between 1M and 16G"),
        (["-m", "-5"], "-m -5: not a memory size"),
        (["-m", "garbage"], "-m garbage: not a memory size"),
        (["-smp", "0"], "-smp 0: the number of harts must be 1 to 8"),
        (["-smp", "9"], "-smp 9: the number of harts must be 1 to 8"),
        (["-smp", "1000"], "-smp 1000: the number of harts must be 1 to 8"),
        (["-smp", "-1"], "-smp -1: the number of harts must be 1 to 8"),
        (["-smp", "garbage"], "-smp garbage: the number of harts must be 1 to 8"),
    ])
    func absurdValues(_ args: [String], _ message: String) throws {
        let elf = try CrossCompiler.build("hostile_deaf")
        let r = try runEmulator(["-kernel", elf] + args)
        #expect(r.status == 1)
        #expect(r.err == "xv6emu: \(message)\n" || r.err.hasPrefix("xv6emu: \(message)") && r.err.split(separator: "\n").count == 1,
                "stderr: \(r.err)")
    }

    @Test("-m 1 (1 MiB) runs a small guest; -m 16G runs without allocating 16 GiB", arguments: ["1", "16G"])
    func ramEdges(_ size: String) throws {
        let guest = HostileGuest.deaf
        let run = try PipedRun(try guest.build().args.map { $0 == "128M" ? size : $0 }, needles: [guest.marker])
        #expect(run.out.wait(for: guest.marker, timeout: markerTimeout), "stderr: \(run.err.text)")
        let peak = run.peakResidentKiB ?? .max
        #expect(peak < 256 * 1024, "peak resident \(peak) KiB")
        kill(run.process.processIdentifier, SIGTERM)
        #expect(run.secondsToExit(timeout: 30).map { $0 < promptly } == true)
        #expect(run.exitStatus == 128 + SIGTERM)
    }

    /// Runs Tests/Programs/disk_limits.c on `image` (through `wrapper`, a
    /// command prefix); returns the emulator's status and output.
    func runDiskLimits(_ image: String, defines: [String] = [], wrapper: [String] = []) throws
        -> (status: Int32?, out: String, err: String) {
        let elf = try CrossCompiler.build("disk_limits", defines: defines)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = wrapper + [emulatorURL.path, "-kernel", elf, "-drive", "file=\(image),if=none,format=raw,id=x0",
                                 "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = Pipe()
        let outText = OutputCollector(out, needles: [])
        let errText = OutputCollector(err, needles: [])
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        usleep(50_000)   // the collectors read the last bytes
        return (p.terminationReason == .exit ? p.terminationStatus : nil, outText.text, errText.text)
    }

    @Test("an image of 16 sectors and 100 bytes: the guest sees 16, the tail is never touched")
    func partialSector() throws {
        let tail = Data(repeating: 0xee, count: 100)
        let image = scratchFile("partial", bytes: Data(repeating: 0x11, count: 16 * 512) + tail)
        let r = try runDiskLimits(image)
        #expect(r.status == 0, "stdout: \(r.out) stderr: \(r.err)")
        #expect(r.out.contains("capacity 16\n"), "\(r.out)")
        #expect(r.out.contains("last sector: write 0 read 0 same"), "\(r.out)")
        #expect(r.out.contains("past the end: write 1 read 1"), "IOERR past the end:\n\(r.out)")
        #expect(r.err.contains("not a multiple of 512") && r.err.contains("last 100 bytes"), "\(r.err)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: image))
        #expect(bytes.count == 16 * 512 + 100, "the file keeps its size")
        #expect(bytes.suffix(100) == tail, "the tail is untouched")
        #expect((0..<512).allSatisfy { bytes[15 * 512 + $0] == UInt8(truncatingIfNeeded: 15 * 7 + $0) }, "last sector written")
    }

    @Test("an empty image: capacity 0, every request an IOERR, the file stays empty")
    func emptyImage() throws {
        let image = scratchFile("empty", bytes: Data())
        let r = try runDiskLimits(image)
        #expect(r.status == 0, "stdout: \(r.out) stderr: \(r.err)")
        #expect(r.out.contains("capacity 0\n") && r.out.contains("past the end: write 1 read 1"), "\(r.out)")
        #expect((try FileManager.default.attributesOfItem(atPath: image)[.size] as? Int) == 0)
    }

    @Test("the host disk fills up (a file-size limit): IOERR for the guest, a clear error, earlier writes kept")
    func fullHostDisk() throws {
        let image = scratchFile("full", bytes: Data(repeating: 0x11, count: 64 * 512))
        // Writes past 8 KiB fail as on a full disk. SIGXFSZ unblocked and at
        // its default action, as a shell's `ulimit -f` leaves it (the test
        // runner's threads block signals, and children inherit that): it
        // must not kill us.
        let limited = ["python3", "-c",
                       "import os, resource, signal, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192)); "
                           + "signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                           + "signal.signal(signal.SIGXFSZ, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"]
        let r = try runDiskLimits(image, defines: ["FILL"], wrapper: limited)
        #expect(r.status == 0, "not killed (SIGXFSZ); stdout: \(r.out) stderr: \(r.err)")
        #expect(r.out.contains("fill stopped at sector 16 status 1"), "IOERR at the first sector past the limit:\n\(r.out)")
        #expect(r.out.contains("flush 0"), "\(r.out)")
        #expect(r.err.contains("writing 512 bytes at sector 16 failed: File too large"), "\(r.err)")
        #expect(r.err.contains("the guest's request ends with an I/O error"), "\(r.err)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: image))
        #expect(bytes.count == 64 * 512)
        for s in 0..<16 {
            #expect((0..<512).allSatisfy { bytes[s * 512 + $0] == UInt8(truncatingIfNeeded: s * 7 + $0) }, "sector \(s) kept")
        }
        #expect(bytes[(16 * 512)...].allSatisfy { $0 == 0x11 }, "nothing past the limit changed")
    }
}
