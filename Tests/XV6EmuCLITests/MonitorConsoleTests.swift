// MonitorConsoleTests.swift — the console's Ctrl-A c monitor prompt: the
// escape state machine byte by byte, then the real executable on a
// pseudo-terminal (escapes are only honoured on a terminal), booting the
// bundled kernel with -lens and asking `ps` while the guest runs.

import Foundation
import Testing
import TestSupport
@testable import XV6EmuCLI

@Suite("Ctrl-A c: the monitor on the console")
struct MonitorConsoleTests {
    @Test("escapes: Ctrl-A c enters and leaves the monitor; lines, echo and backspace")
    func escapes() {
        var e = ConsoleEscapes()
        let (guest, cmds) = e.feed([1, UInt8(ascii: "c")] + Array("pz".utf8) + [127] + Array("s\r".utf8)
            + [1, UInt8(ascii: "c")] + Array("ls".utf8))
        #expect(guest == Array("ls".utf8))
        #expect(cmds == [.monitor(true), .echo([UInt8(ascii: "p")]), .echo([UInt8(ascii: "z")]), .echo([8, 32, 8]),
                         .echo([UInt8(ascii: "s")]), .echo([13, 10]), .monitorLine("ps"), .monitor(false)])
        // Ctrl-A Ctrl-A is how a guest gets a Ctrl-A (escapes work on pipes
        // too, as with QEMU's -nographic).
        var twice = ConsoleEscapes()
        let (passed, none) = twice.feed([1, 1, UInt8(ascii: "x")])
        #expect(passed == [1, UInt8(ascii: "x")] && none.isEmpty)
    }

    @Test("on a terminal: boot with -lens, Ctrl-A c, ps, back to the shell, Ctrl-A x")
    func onTerminal() throws {
        let script = """
            import os, pty, select, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], [sys.argv[1], "-lens"])
            buf = b""
            def until(needle, timeout=120):
                global buf
                end = time.time() + timeout
                while needle not in buf:
                    if time.time() > end:
                        print(buf.decode(errors="replace")); print("TIMEOUT waiting for", needle); sys.exit(1)
                    r, _, _ = select.select([fd], [], [], 0.5)
                    if r:
                        try: buf += os.read(fd, 65536)
                        except OSError: break
                i = buf.index(needle) + len(needle)
                seen, buf = buf[:i], buf[i:]
                sys.stdout.write(seen.decode(errors="replace"))
            until(b"$ ")
            os.write(fd, b"\\x01c"); until(b"(xv6emu) ")
            os.write(fd, b"ps\\r"); until(b"(xv6emu) ")
            os.write(fd, b"\\x01c"); os.write(fd, b"echo back in the shell\\r"); until(b"back in the shell\\r\\n")
            os.write(fd, b"\\x01x"); until(b"terminated by Ctrl-A x")
            os.waitpid(pid, 0)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, emulatorURL.path]
        let text = try runCollectingOutput(p)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("lens: on; kalloc shadow from boot"), "\(text)")
        #expect(text.contains("xv6emu monitor: type help"), "\(text)")
        #expect(text.contains("(xv6emu) ps"), "the typed line is echoed:\n\(text)")
        #expect(text.contains("SLEEPING  init") && text.contains("  sh "), "ps output:\n\(text)")
        #expect(text.contains("back in the shell"), "\(text)")
    }
}
