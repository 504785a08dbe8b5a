// KernelGDBTests.swift — the real gdb-multiarch against the bundled kernel
// started with -S, as a student debugging the COW lab would use it:
// break in uvmcopy while cowtest forks, backtrace through the system call
// and usertrap, CSRs, threads, stepi, finish, a watchpoint on a kernel
// variable, a breakpoint in a user program, interrupting a running guest,
// and detaching with the shell still usable.

import Foundation
import Testing
import TestSupport

@Suite("gdb-multiarch on the bundled kernel")
struct KernelGDBTests {
    @Test("a COW debugging session")
    func session() throws {
        let port = 30000 + Int(getpid() % 20000)
        let (guest, kernel, image) = try GuestConsole.haltedForDebugger(port: port)
        let userProgram = URL(fileURLWithPath: image).deletingLastPathComponent().path + "/user/_cowtest"
        let script = NSTemporaryDirectory() + "xv6emu-gdb-\(getpid()).gdb"
        try """
        set pagination off
        set confirm off
        target remote 127.0.0.1:\(port)
        break uvmcopy if $_streq(cpus[$tp].proc->name, "cowtest")
        continue
        bt
        set $hit = $_thread
        p/x $satp
        p/x $scause
        info registers sstatus stvec
        x/4i $pc
        info threads
        thread 2
        p/x $mhartid
        eval "thread %d", $hit
        stepi
        info symbol $pc
        finish
        delete
        add-symbol-file \(userProgram)
        break three
        continue
        bt 1
        delete
        watch ticks
        continue
        delete
        echo READY-TO-INTERRUPT\\n
        continue
        echo INTERRUPTED\\n
        detach
        """.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }

        let gdb = Process()
        gdb.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Commands as -ex, not a sourced -x file: gdb treats Ctrl-C during a
        // sourced script as "abort the script", not "interrupt the target".
        let commands = try String(contentsOfFile: script, encoding: .utf8).split(separator: "\n")
        gdb.arguments = withDefaultSignals + ["gdb-multiarch", "-q", "-batch", "-nx"] + commands.flatMap { ["-ex", String($0)] } + [kernel]
        let gdbOut = Pipe()
        gdb.standardOutput = gdbOut
        gdb.standardError = gdbOut
        gdb.standardInput = Pipe()
        usleep(200_000)
        try gdb.run()
        defer { if gdb.isRunning { kill(gdb.processIdentifier, SIGKILL) } }

        // The student types cowtest while gdb waits for the breakpoint.
        guest.type("cowtest")
        var text = readUntil(gdbOut, contains: "READY-TO-INTERRUPT", timeout: 120)
        usleep(500_000)
        kill(gdb.processIdentifier, SIGINT)   // Ctrl-C in gdb: 0x03 to the stub
        text += readUntil(gdbOut, contains: "detached]", timeout: 20)
        try? text.write(toFile: NSTemporaryDirectory() + "xv6emu-kernel-gdb-session.txt", atomically: true, encoding: .utf8)
        // gdb ignores SIGTERM while it believes the target is running.
        if gdb.isRunning { kill(gdb.processIdentifier, SIGKILL) }
        gdb.waitUntilExit()

        #expect(text.contains("Breakpoint 1, uvmcopy"), "\(text)")
        for frame in ["uvmcopy", "fork", "sys_fork", "syscall", "usertrap"] {
            #expect(text.contains(" \(frame) (") || text.contains(" in \(frame) ("), "backtrace lacks \(frame):\n\(text)")
        }
        #expect(text.contains("$1 = 0x80000000000"), "kernel satp (Sv39 mode):\n\(text)")
        #expect(text.contains("$2 = 0x8"), "scause = ecall from U:\n\(text)")
        #expect(text.contains("sstatus") && text.contains("stvec"), "CSRs by name:\n\(text)")
        #expect(text.contains("Thread 1.3"), "three harts:\n\(text)")
        #expect(text.contains("$3 = 0x1"), "thread 2 is hart 1:\n\(text)")
        #expect(text.contains("uvmcopy + "), "stepi stays in uvmcopy:\n\(text)")
        #expect(text.contains("Value returned is") && text.contains("in fork ()"), "finish:\n\(text)")
        #expect(text.contains("hit Hardware watchpoint") && text.contains(": ticks") && text.contains("New value"), "watchpoint:\n\(text)")
        #expect(text.contains("hit Breakpoint 2, three ()"), "user breakpoint:\n\(text)")
        #expect(text.contains("SIGINT"), "interrupt:\n\(text)")
        #expect(text.contains("INTERRUPTED"), "\(text)")

        // After detach the guest runs on: cowtest finishes, the shell answers.
        #expect(guest.wait(for: ["ALL COW TESTS PASSED"], timeout: 60) != nil, "\(guest.transcript)")
        guest.type("echo still here")
        #expect(guest.wait(for: ["still here"], timeout: 20) != nil, "\(guest.transcript)")
        #expect(guest.halt() == 0)
    }

    @Test("the top-level gdbinit attaches to `xv6emu -s -S` with the bundled kernel's symbols")
    func gdbinit() throws {
        let emulator = Process()
        emulator.executableURL = releaseEmulatorURL
        emulator.arguments = ["-s", "-S"]   // the bundled kernel, gdb port 1234
        emulator.standardInput = Pipe()
        emulator.standardOutput = Pipe()
        try emulator.run()
        defer { if emulator.isRunning { emulator.terminate() } }
        usleep(300_000)
        let gdb = Process()
        gdb.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gdb.currentDirectoryURL = KernelBuild.root
        gdb.arguments = ["gdb-multiarch", "-q", "-batch", "-x", "gdbinit",
                         "-ex", "break uvmcopy", "-ex", "continue", "-ex", "bt 3", "-ex", "detach"]
        let out = Pipe()
        gdb.standardOutput = out
        gdb.standardError = out
        gdb.standardInput = Pipe()
        try gdb.run()
        let text = readUntil(out, contains: "detached]", timeout: 60)
        if gdb.isRunning { kill(gdb.processIdentifier, SIGKILL) }
        gdb.waitUntilExit()
        #expect(text.contains("hit Breakpoint 1, uvmcopy"), "\(text)")
        #expect(text.contains("at kernel/vm.c:") && text.contains("in fork () at kernel/proc.c:"), "source lines:\n\(text)")
    }
}
