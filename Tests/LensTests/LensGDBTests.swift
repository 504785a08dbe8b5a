// LensGDBTests.swift — the lens through the real gdb-multiarch's `monitor`
// (qRcmd) on the release emulator started with -lens: the commands a
// student would type, including a bad address.

import Foundation
import Testing
import TestSupport

@Suite("COW lens through gdb's monitor")
struct LensGDBTests {
    @Test("monitor ps, lens, pagetable, pte, bad input, at exec under gdb")
    func monitorThroughGDB() throws {
        let port = 40000 + Int(getpid() % 20000)
        let build = try KernelBuild.variant(timer: "clint")
        let guest = try GuestConsole(emulator: releaseEmulatorURL.path, kernel: build.kernel, image: build.image,
                                     harts: 3, extra: ["-lens", "-S", "-gdb", "tcp::\(port)"])
        let gdb = Process()
        gdb.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // init's exec of /init, then its child's exec of sh: stop in the second.
        gdb.arguments = withDefaultSignals + ["gdb-multiarch", "-q", "-batch", "-nx",
            "-ex", "target remote 127.0.0.1:\(port)", "-ex", "break exec", "-ex", "continue", "-ex", "continue",
            "-ex", "monitor ps", "-ex", "monitor lens", "-ex", "monitor pagetable pid 1", "-ex", "monitor pte 0x0 pid 1",
            "-ex", "monitor refs 0x10", "-ex", "kill", build.kernel]
        let text = try runCollectingOutput(gdb)
        _ = guest
        #expect(text.contains("struct proc layout: xv6-riscv (2021 and later; the bundled kernel)"), "\(text)")
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("1 ") && $0.contains(" init ") }, "pid 1 is init:\n\(text)")
        #expect(lines.contains { $0.hasPrefix("2 ") && $0.contains("RUNNING") && $0.contains("on hart") }, "pid 2 runs exec:\n\(text)")
        #expect(text.contains("kalloc shadow: since boot") && text.contains("0 errors reported"), "\(text)")
        #expect(text.contains("pid 1 (init): root 0x") && text.contains("r-xu"), "\(text)")
        #expect(text.contains("L2[0]") && text.contains("leaf"), "\(text)")
        #expect(text.contains("refs: 0x10 is not in RAM"), "\(text)")
    }
}
