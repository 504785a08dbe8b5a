// ELFLoaderTests.swift — a real RISC-V ELF built by the cross compiler, then
// a set of malformed variants made from it: each must be a one-line
// ELFError naming the path and the problem, never a crash.

import Foundation
import Testing
import TestSupport
@testable import ELFLoader

enum Fixture {
    static let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xv6emu-elf-\(getpid())")

    /// A small RISC-V executable: _start, a function `foo`, `tohost`, data and bss.
    static let good: (path: String, bytes: [UInt8]) = {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let src = dir.appendingPathComponent("good.S")
        try? """
            .text
            .globl _start
            _start: call foo
            1: j 1b
            .globl foo
            .type foo, @function
            foo: ret
            .size foo, . - foo
            .data
            .globl tohost
            tohost: .dword 0
            .size tohost, 8
            .bss
            big: .space 8192
            """.write(to: src, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("good.elf").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let linkScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Programs/link.ld").path
        p.arguments = ["riscv64-unknown-elf-gcc", "-nostdlib", "-nostartfiles", "-T", linkScript, src.path, "-o", out]
        try? p.run()
        p.waitUntilExit()
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: out))).map { [UInt8]($0) } ?? []
        return (out, bytes)
    }()

    static func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    static func set16(_ b: inout [UInt8], _ offset: Int, _ v: UInt16) {
        b[offset] = UInt8(v & 0xff)
        b[offset + 1] = UInt8(v >> 8)
    }

    /// Offset of the first PT_LOAD program header.
    static func firstLoad(_ b: [UInt8]) -> Int {
        let phoff = Int(get64(b, 32)), size = Int(b[54]) | Int(b[55]) << 8, count = Int(b[56]) | Int(b[57]) << 8
        for i in 0..<count where b[phoff + i * size] == 1 { return phoff + i * size }
        return phoff
    }

    static func get64(_ b: [UInt8], _ offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(b[offset + $1]) << (8 * UInt64($1)) }
    }

    static func set64(_ b: inout [UInt8], _ offset: Int, _ v: UInt64) {
        for i in 0..<8 { b[offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }
}

@Suite("ELF loader")
struct ELFLoaderTests {
    @Test("a real RISC-V executable: entry, segments, BSS, symbols both ways")
    func good() throws {
        #expect(!Fixture.good.bytes.isEmpty, "riscv64-unknown-elf-gcc must be installed (tools/install-deps.sh)")
        let elf = try ELFFile.load(path: Fixture.good.path)
        #expect(elf.entry == 0x8000_0000)
        #expect(elf.symbols.address(of: "_start") == 0x8000_0000)
        let foo = try #require(elf.symbols.address(of: "foo"))
        #expect(elf.symbols.symbolize(foo)?.name == "foo")
        #expect(elf.symbols.symbolize(foo)?.offset == 0)
        #expect(elf.symbols.symbolize(0x8000_0002)?.name == "_start")
        #expect(elf.symbols.address(of: "tohost") != nil)
        let text = try #require(elf.segments.first { $0.isExecutable })
        #expect(text.physicalAddress == 0x8000_0000)
        #expect(elf.segments.contains { $0.memorySize >= UInt64($0.fileBytes.count) + 8192 }, "BSS is memory, not file")
    }

    /// (name, mutation, a word the problem must contain)
    static let malformed: [(String, @Sendable ([UInt8]) -> [UInt8], String)] = [
        ("empty", { _ in [] }, "empty"),
        ("garbage", { _ in Array("hello, I am not an ELF file at all".utf8) }, "not an ELF"),
        ("truncated header", { Array($0.prefix(40)) }, "truncated"),
        ("truncated program headers", { Array($0.prefix(70)) }, "truncated"),
        ("32-bit", { var b = $0; b[4] = 1; return b }, "32-bit"),
        ("big-endian", { var b = $0; b[5] = 2; return b }, "big-endian"),
        ("x86-64", { var b = $0; Fixture.set16(&b, 18, 62); return b }, "RISC-V"),
        ("relocatable", { var b = $0; Fixture.set16(&b, 16, 1); return b }, "not an executable"),
        ("segment past the end", { b in
            var b = b
            Fixture.set64(&b, Fixture.firstLoad(b) + 8, UInt64(b.count))   // p_offset
            return b
        }, "truncated"),
        ("filesz > memsz", { b in
            var b = b
            Fixture.set64(&b, Fixture.firstLoad(b) + 40, 1)   // p_memsz below p_filesz
            return b
        }, "exceeds"),
        ("file cut in the middle", { Array($0.prefix($0.count / 3)) }, "truncated"),
    ]

    @Test("malformed files give a one-line error naming path and problem", arguments: malformed.indices)
    func bad(_ i: Int) {
        let (name, mutate, word) = Self.malformed[i]
        let path = Fixture.write("bad-\(i).elf", mutate(Fixture.good.bytes))
        do {
            _ = try ELFFile.load(path: path)
            Issue.record("\(name): loaded without error")
        } catch {
            #expect(error.description.hasPrefix(path + ": "), "\(name): \(error.description)")
            #expect(error.description.contains(word), "\(name): \(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("the emulator refuses each malformed file: status 1, one line naming file and problem", arguments: malformed.indices)
    func emulatorRefuses(_ i: Int) throws {
        let (name, mutate, word) = Self.malformed[i]
        let path = Fixture.write("cli-bad-\(i).elf", mutate(Fixture.good.bytes))
        let r = try runEmulator(["-machine", "virt", "-bios", "none", "-kernel", path, "-nographic"])
        #expect(r.status == 1, "\(name)")
        #expect(r.err.hasPrefix("xv6emu: \(path): "), "\(name): \(r.err)")
        #expect(r.err.contains(word) && r.err.split(separator: "\n").count == 1, "\(name): \(r.err)")
    }

    @Test("paths that are not files", arguments: ["/nonexistent/kernel", "/tmp", "/dev/null"])
    func notFiles(_ path: String) {
        #expect(throws: ELFError.self) { try ELFFile.load(path: path) }
    }

    @Test("2,000 random mutations: each loads or throws, none crashes")
    func fuzz() {
        var rng = SplitMix(seed: 42)
        let good = Fixture.good.bytes
        #expect(!good.isEmpty)
        var outcomes = (loaded: 0, rejected: 0)
        for _ in 0..<2000 {
            var b = good
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                let at = Int(rng.next() % UInt64(min(b.count, 512)))
                b[at] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.next() % 4 == 0 { b = Array(b.prefix(Int(rng.next() % UInt64(b.count)))) }
            do {
                _ = try ELFFile.load(bytes: b, path: "mutant")
                outcomes.loaded += 1
            } catch {
                outcomes.rejected += 1
            }
        }
        #expect(outcomes.loaded + outcomes.rejected == 2000)
        #expect(outcomes.rejected > 0)
    }
}

