// HostileGuestTests.swift — guests that write every address, jump
// anywhere, flood the UART, never read their console, or spin on every
// hart (Tests/Programs/hostile_*.c): the real xv6emu survives each, and
// Ctrl-A x (over a pipe and on a terminal), SIGTERM and gdb's interrupt
// always end or stop it promptly. Also: output nobody reads and input
// nobody takes must neither wedge the emulator nor grow its memory.

import Foundation
import Testing
import TestSupport
@testable import XV6EmuCLI

@Suite("Hostile guests")
struct HostileGuestTests {
    @Test("Ctrl-A x over a pipe quits promptly with status 0", arguments: HostileGuest.allCases)
    func ctrlAOverPipe(_ guest: HostileGuest) throws {
        let run = try PipedRun(try guest.build().args, needles: [guest.marker, "terminated by Ctrl-A x"])
        #expect(run.out.wait(for: guest.marker, timeout: markerTimeout), "no marker; stderr: \(run.err.text)")
        #expect(run.process.isRunning, "the guest ended the run itself; stderr: \(run.err.text)")
        run.send([0x01, UInt8(ascii: "x")])
        let seconds = run.secondsToExit(timeout: 30)
        #expect(seconds.map { $0 < promptly } == true, "took \(String(describing: seconds)) s")
        #expect(run.exitStatus == 0)
        #expect(run.out.wait(for: "terminated by Ctrl-A x", timeout: 2))
    }

    @Test("Ctrl-A x on a terminal quits promptly with status 0", arguments: HostileGuest.allCases)
    func ctrlAOnTerminal(_ guest: HostileGuest) throws {
        let r = try runOnPty(try guest.build().args, marker: guest.marker)
        #expect(r.text.contains("MARKER"), "\(r.text)")
        #expect(r.exitStatus == 0, "\(r.text)")
        #expect(r.seconds.map { $0 < promptly } == true, "\(r.text)")
        #expect(r.text.contains("SAW-TERMINATED True"), "\(r.text)")
    }

    @Test("SIGTERM quits promptly with status 128 + 15", arguments: HostileGuest.allCases)
    func sigterm(_ guest: HostileGuest) throws {
        let run = try PipedRun(try guest.build().args, needles: [guest.marker])
        #expect(run.out.wait(for: guest.marker, timeout: markerTimeout), "no marker; stderr: \(run.err.text)")
        #expect(run.process.isRunning, "stderr: \(run.err.text)")
        kill(run.process.processIdentifier, SIGTERM)
        let seconds = run.secondsToExit(timeout: 30)
        #expect(seconds.map { $0 < promptly } == true, "took \(String(describing: seconds)) s")
        #expect(run.exitStatus == 128 + SIGTERM, "stderr: \(run.err.text)")
    }

    @Test("gdb's interrupt stops the guest, registers read, kill ends the run", arguments: HostileGuest.allCases)
    func gdbInterrupt(_ guest: HostileGuest) throws {
        let port = freePort()
        let (elf, args) = try guest.build()
        let run = try PipedRun(args + ["-gdb", "tcp::\(port)"], needles: [guest.marker])
        #expect(run.out.wait(for: guest.marker, timeout: markerTimeout), "no marker; stderr: \(run.err.text)")
        let (text, seconds) = try interruptWithGDB(port: port, elf: elf)
        #expect(seconds.map { $0 < promptly } == true, "stop after \(String(describing: seconds)) s:\n\(text)")
        #expect(text.contains("SIGINT"), "\(text)")
        #expect(text.contains("pc             0x"), "registers read after the stop:\n\(text)")
        #expect(text.contains("Thread 1.\(guest.harts)"), "every hart a thread:\n\(text)")
        #expect(run.secondsToExit(timeout: 20) != nil, "gdb's kill ends the run; stderr: \(run.err.text)")
    }

    enum Ending: String, CaseIterable { case ctrlA, sigterm, gdb }

    @Test("a UART flood nobody reads wedges nothing and stays small", arguments: Ending.allCases)
    func unreadFlood(_ ending: Ending) throws {
        let port = freePort()
        let (elf, args) = try HostileGuest.flood.build()
        // Nobody reads stdout: the pipe is full within milliseconds.
        let run = try PipedRun(args + ["-gdb", "tcp::\(port)"], needles: [], readOutput: false)
        usleep(1_000_000)
        #expect(run.process.isRunning, "stderr: \(run.err.text)")
        let peak = run.peakResidentKiB ?? .max
        #expect(peak < 100_000, "peak resident \(peak) KiB")
        switch ending {
        case .ctrlA:
            run.send([0x01, UInt8(ascii: "x")])
            let seconds = run.secondsToExit(timeout: 30)
            #expect(seconds.map { $0 < promptly } == true, "took \(String(describing: seconds)) s")
            #expect(run.exitStatus == 0)
        case .sigterm:
            kill(run.process.processIdentifier, SIGTERM)
            let seconds = run.secondsToExit(timeout: 30)
            #expect(seconds.map { $0 < promptly } == true, "took \(String(describing: seconds)) s")
            #expect(run.exitStatus == 128 + SIGTERM)
        case .gdb:
            let (text, seconds) = try interruptWithGDB(port: port, elf: elf)
            #expect(seconds.map { $0 < promptly } == true, "stop after \(String(describing: seconds)) s:\n\(text)")
            #expect(text.contains("pc             0x"), "\(text)")
            #expect(run.secondsToExit(timeout: 20) != nil, "gdb's kill ends the run")
        }
    }

    @Test("a UART flood on a terminal nobody reads: Ctrl-A x still quits promptly")
    func unreadFloodOnTerminal() throws {
        let r = try runOnPty(try HostileGuest.flood.build().args, marker: HostileGuest.flood.marker, stopReading: true)
        #expect(r.exitStatus == 0, "\(r.text)")
        #expect(r.seconds.map { $0 < promptly } == true, "\(r.text)")
    }

    @Test("halted at the first instruction (-S) with no debugger: Ctrl-A x and SIGTERM still work",
          arguments: [Ending.ctrlA, .sigterm])
    func haltedAtStart(_ ending: Ending) throws {
        let run = try PipedRun(try HostileGuest.spin.build().args + ["-S", "-gdb", "tcp::\(freePort())"], needles: [])
        usleep(300_000)
        #expect(run.process.isRunning, "stderr: \(run.err.text)")
        if ending == .ctrlA { run.send([0x01, UInt8(ascii: "x")]) } else { kill(run.process.processIdentifier, SIGTERM) }
        let seconds = run.secondsToExit(timeout: 30)
        #expect(seconds.map { $0 < promptly } == true, "took \(String(describing: seconds)) s")
        #expect(run.exitStatus == (ending == .ctrlA ? 0 : 128 + SIGTERM))
    }

    @Test("megabytes after Ctrl-A c with no newline: the monitor's line stays bounded")
    func endlessMonitorLine() {
        var escapes = ConsoleEscapes()
        _ = escapes.feed([0x01, UInt8(ascii: "c")])
        var echoed = 0
        for _ in 0..<64 {
            let (guest, commands) = escapes.feed([UInt8](repeating: UInt8(ascii: "a"), count: 65536))
            #expect(guest.isEmpty)
            echoed += commands.count
        }
        #expect(escapes.line.count <= ConsoleEscapes.maxLine, "line of \(escapes.line.count) bytes")
        #expect(echoed <= ConsoleEscapes.maxLine, "\(echoed) bytes echoed")
        let (_, commands) = escapes.feed(Array("\r".utf8))
        #expect(commands.last == .monitorLine(String(repeating: "a", count: ConsoleEscapes.maxLine)))
    }

    @Test("megabytes piped to a guest that never reads: memory stays bounded, SIGTERM still works")
    func unreadInputOverPipe() throws {
        let run = try PipedRun(try HostileGuest.deaf.build().args, needles: [HostileGuest.deaf.marker])
        #expect(run.out.wait(for: HostileGuest.deaf.marker, timeout: markerTimeout), "stderr: \(run.err.text)")
        let before = run.peakResidentKiB ?? 0
        // Push for up to three seconds, never blocking: a reader that stops
        // taking input is allowed (the pipe then pushes back).
        let fd = run.input.fileHandleForWriting.fileDescriptor
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let chunk = [UInt8](repeating: UInt8(ascii: "y"), count: 65536)
        var pushed = 0
        var lastTaken = Date()
        // Until 32 MiB went in, or the emulator took nothing for half a second.
        while pushed < 32 << 20 && Date().timeIntervalSince(lastTaken) < 0.5 {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n > 0 { pushed += n; lastTaken = Date() } else { usleep(5_000) }
        }
        let after = run.peakResidentKiB ?? .max
        #expect(after - before < 8 * 1024, "peak resident grew \(before) → \(after) KiB after \(pushed) bytes")
        #expect(run.process.isRunning)
        kill(run.process.processIdentifier, SIGTERM)
        let seconds = run.secondsToExit(timeout: 30)
        #expect(seconds.map { $0 < promptly } == true, "took \(String(describing: seconds)) s")
        #expect(run.exitStatus == 128 + SIGTERM)
    }

    @Test("megabytes typed at a guest that never reads: memory stays bounded, Ctrl-A x still works")
    func unreadInputOnTerminal() throws {
        let r = try runOnPty(try HostileGuest.deaf.build().args, marker: HostileGuest.deaf.marker, floodInput: 8 << 20)
        #expect((r.pushed ?? 0) >= 8 << 20, "a terminal is always read (for Ctrl-A):\n\(r.text)")
        #expect((r.value("HWM0").flatMap { Int($0) }).map { (r.peakKiB ?? .max) - $0 < 8 * 1024 } == true, "\(r.text)")
        #expect(r.exitStatus == 0, "\(r.text)")
        #expect(r.seconds.map { $0 < promptly } == true, "\(r.text)")
    }
}
