// GraderClientTests.swift — the xv6 lab grader (gradelib.py) does not use
// gdb: it speaks the remote protocol itself, minimally — `$packet#cs`
// framing, `+` acknowledgements in both directions, `Z1` breakpoints with
// kind 1, `c`. This test talks to xv6emu exactly that way.

import Foundation
import Testing
import TestSupport

/// A client as small as the grader's: blocking socket, acks, no features.
final class GraderClient {
    let fd: Int32
    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var connected = false
        for _ in 0..<50 where !connected {
            connected = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            } == 0
            if !connected { usleep(100_000) }
        }
        guard connected else { throw CrossCompiler.Failure(description: "cannot connect to port \(port)") }
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
    deinit { close(fd) }

    func send(_ command: String) {
        let sum = command.utf8.reduce(UInt8(0)) { $0 &+ $1 }
        let packet = "$\(command)#\(String(format: "%02x", sum))"
        _ = packet.withCString { write(fd, $0, strlen($0)) }
    }

    /// The next packet's payload (acking it), skipping `+` acks; nil on timeout.
    func receive() -> String? {
        var payload = ""
        var inPacket = false
        var checksumLeft = -1
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 {
            if checksumLeft > 0 {
                checksumLeft -= 1
                if checksumLeft == 0 {
                    _ = write(fd, "+", 1)
                    return payload
                }
            } else if byte == UInt8(ascii: "$") {
                inPacket = true
                payload = ""
            } else if byte == UInt8(ascii: "#") && inPacket {
                checksumLeft = 2
            } else if inPacket {
                payload.append(Character(UnicodeScalar(byte)))
            }
        }
        return nil
    }
}

func symbolAddress(_ name: String, in elf: String) throws -> UInt64 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["riscv64-unknown-elf-nm", elf]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    for line in text.split(separator: "\n") {
        let f = line.split(separator: " ")
        if f.count == 3 && f[2] == name, let a = UInt64(f[0], radix: 16) { return a }
    }
    throw CrossCompiler.Failure(description: "no symbol \(name) in \(elf)")
}

@Suite("the lab grader's own GDB client")
struct GraderClientTests {
    @Test("Z1 breakpoint, c, stop reply, continue, console still works")
    func graderSession() throws {
        let port = 40000 + Int(getpid() % 20000)
        let (guest, kernel, _) = try GuestConsole.haltedForDebugger(port: port)
        let client = try GraderClient(port: port)
        let uvmcopy = try symbolAddress("uvmcopy", in: kernel)
        client.send("Z1,\(String(uvmcopy, radix: 16)),1")
        #expect(client.receive() == "OK")
        client.send("c")
        // init forks the shell: the breakpoint is hit on the way to a prompt.
        let stop = client.receive()
        #expect(stop?.hasPrefix("T05") == true, "stop reply: \(stop ?? "none")")
        client.send("z1,\(String(uvmcopy, radix: 16)),1")
        #expect(client.receive() == "OK")
        client.send("c")
        #expect(guest.wait(for: ["$ "], timeout: 30) != nil, "\(guest.transcript)")
        guest.type("echo graded")
        #expect(guest.wait(for: ["graded"], timeout: 20) != nil, "\(guest.transcript)")
        #expect(guest.halt() == 0)
    }
}
