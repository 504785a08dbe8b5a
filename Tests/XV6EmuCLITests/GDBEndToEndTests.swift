// GDBEndToEndTests.swift — the real gdb-multiarch, in batch mode, against
// the emulator started with -S: breakpoints, backtrace, threads, registers
// and CSRs, stepi, a watchpoint, a monitor command, detach.

import Foundation
import Testing
import TestSupport

@Suite("gdb-multiarch end to end")
struct GDBEndToEndTests {
    @Test("a debugging session on a 3-hart program")
    func session() throws {
        let elf = try CrossCompiler.build("gdbdemo")
        let port = 20000 + Int(getpid() % 20000)
        let emulator = Process()
        emulator.executableURL = emulatorURL
        emulator.arguments = ["-machine", "virt", "-bios", "none", "-kernel", elf, "-smp", "3", "-nographic",
                              "-S", "-gdb", "tcp::\(port)"]
        let out = Pipe()
        emulator.standardOutput = out
        emulator.standardInput = Pipe()
        try emulator.run()
        defer { if emulator.isRunning { emulator.terminate() } }
        usleep(300_000)
        let gdb = Process()
        gdb.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gdb.arguments = ["gdb-multiarch", "-q", "-batch", "-nx",
                         "-ex", "target remote :\(port)",
                         "-ex", "info threads",
                         "-ex", "break leaf",
                         "-ex", "continue",
                         "-ex", "bt",
                         "-ex", "p/x $mhartid",
                         "-ex", "p $priv",
                         "-ex", "x/2i $pc",
                         "-ex", "stepi",
                         "-ex", "info symbol $pc",
                         "-ex", "delete",
                         "-ex", "watch watched",
                         "-ex", "continue",
                         "-ex", "delete",
                         "-ex", "monitor info registers",
                         "-ex", "detach",
                         elf]
        let gdbOut = Pipe()
        gdb.standardOutput = gdbOut
        gdb.standardError = gdbOut
        do {
            try gdb.run()
        } catch {
            Issue.record("cannot run gdb-multiarch: \(error) — install gdb-multiarch (tools/install-deps.sh)")
            return
        }
        let text = readUntil(gdbOut, contains: "\u{0}never", timeout: 30)
        gdb.waitUntilExit()
        #expect(text.contains("Thread 1.3"), "three harts as threads:\n\(text)")
        #expect(text.contains("Breakpoint 1, leaf"), "\(text)")
        #expect(text.contains("in middle") && text.contains("in main"), "backtrace:\n\(text)")
        #expect(text.contains("$1 = 0x0"), "mhartid of thread 1")
        #expect(text.contains("$2 = 3"), "priv = M")
        #expect(text.contains("leaf + ") || text.contains("leaf in section"), "stepi stays in leaf:\n\(text)")
        #expect(text.contains("Hardware watchpoint") && text.contains("Old value") && text.contains("New value"), "\(text)")
        #expect(text.contains("mstatus"), "monitor output")
        // Detached: the guest runs to the end on its own.
        let console = readUntil(out, contains: "gdbdemo done", timeout: 20)
        #expect(console.contains("gdbdemo done"))
    }
}
