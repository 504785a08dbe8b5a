// BundledKernelTests.swift — the bundled teaching kernel, built from source
// in every variant, runs its own cowtest and usertests under xv6emu and
// under qemu-system-riscv64 (so a failure under xv6emu alone is ours).

import Foundation
import Testing
import TestSupport

struct Variant: CustomTestStringConvertible, Sendable {
    let timer: String      // clint | sstc
    let modernVirtio: Bool
    let harts: Int
    var testDescription: String { "TIMER=\(timer) VIRTIO=\(modernVirtio ? "modern" : "legacy") -smp \(harts)" }

    static let all: [Variant] = ["clint", "sstc"].flatMap { t in
        [false, true].flatMap { m in [1, 3].map { Variant(timer: t, modernVirtio: m, harts: $0) } }
    }
}

/// Boots the variant, runs cowtest then usertests, halts; records what failed.
func runSuites(_ v: Variant, emulator: String, timeout: TimeInterval) throws {
    let build = try KernelBuild.variant(timer: v.timer)
    let guest = try GuestConsole(emulator: emulator, kernel: build.kernel, image: build.image,
                                 harts: v.harts, modernVirtio: v.modernVirtio)
    let boot = guest.wait(for: ["$ "], timeout: 30)
    try #require(boot != nil, "no shell prompt:\n\(guest.transcript)")
    let timerLine = v.timer == "sstc" ? "timer: sstc" : "timer: clint"
    #expect(guest.transcript.contains(timerLine))
    #expect(guest.transcript.contains(v.modernVirtio ? "version 2 (modern)" : "version 1 (legacy)"))
    guest.type("cowtest")
    let cow = guest.wait(for: ["ALL COW TESTS PASSED", "FAILED", "panic"], timeout: timeout)
    #expect(cow == "ALL COW TESTS PASSED", "cowtest:\n\(guest.transcript)")
    let tests = guest.run("usertests", until: ["ALL TESTS PASSED", "FAILED", "panic"], timeout: timeout)
    #expect(tests == "ALL TESTS PASSED", "usertests:\n\(guest.transcript)")
    #expect(guest.halt() == 0, "halt powers off with status 0:\n\(guest.transcript)")
}

@Suite("bundled kernel under xv6emu", .serialized)
struct BundledKernelUnderXV6Emu {
    @Test("cowtest and usertests pass", arguments: Variant.all)
    func suites(_ v: Variant) throws {
        try runSuites(v, emulator: releaseEmulatorURL.path, timeout: 240)
    }

    @Test("no arguments: the committed image boots to a shell and is left untouched")
    func noArguments() throws {
        let image = KernelBuild.root.appendingPathComponent("kernel-images/fs.img").path
        let before = try Data(contentsOf: URL(fileURLWithPath: image))
        let r = try runEmulator([], stdin: "echo made it\nmkdir newdir\nls newdir\nhalt\n", timeout: 60,
                                executable: releaseEmulatorURL)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("made it"))
        #expect(r.out.contains("init: starting sh"))
        let after = try Data(contentsOf: URL(fileURLWithPath: image))
        #expect(before == after, "kernel-images/fs.img was modified")
    }

    @Test("kernel-images/MANIFEST names the committed files' sha256")
    func manifest() throws {
        let dir = KernelBuild.root.appendingPathComponent("kernel-images")
        let text = try String(contentsOf: dir.appendingPathComponent("MANIFEST"), encoding: .utf8)
        for name in ["kernel", "fs.img"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["sha256sum", dir.appendingPathComponent(name).path]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let sum = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
            p.waitUntilExit()
            #expect(text.contains("\(sum)  \(name)"), "\(name): \(sum) not in MANIFEST")
        }
    }
}

@Suite("bundled kernel under qemu-system-riscv64 (the reference)", .serialized)
struct BundledKernelUnderQEMU {
    // Every build variant with 3 harts, and the default variant with 1.
    static let variants = Variant.all.filter { $0.harts == 3 } + [Variant(timer: "clint", modernVirtio: false, harts: 1)]

    @Test("cowtest and usertests pass", arguments: variants)
    func suites(_ v: Variant) throws {
        try runSuites(v, emulator: "qemu-system-riscv64", timeout: 300)
    }
}

/// The suites must be able to fail: each of these one-line COW bugs, compiled
/// into the kernel with -DBUG_..., has to make cowtest or usertests report a
/// failure (or the kernel panic) under xv6emu.
@Suite("the bundled tests catch injected COW bugs", .serialized)
struct InjectedBugTests {
    static let bugs = ["BUG_PARENT_WRITABLE", "BUG_COPYOUT_NO_COW", "BUG_KFREE_IGNORES_COUNT", "BUG_ORPHAN_LEAK"]

    @Test("a kernel with the bug fails its tests", arguments: bugs)
    func caught(_ bug: String) throws {
        let build = try KernelBuild.variant(timer: "clint", extraCFLAGS: "-D\(bug)")
        let guest = try GuestConsole(emulator: releaseEmulatorURL.path, kernel: build.kernel, image: build.image, harts: 3)
        try #require(guest.wait(for: ["$ "], timeout: 30) != nil, "\(guest.transcript)")
        guest.type("cowtest; usertests")
        let outcome = guest.wait(for: ["FAILED", "panic", "ALL TESTS PASSED"], timeout: 240)
        #expect(outcome == "FAILED" || outcome == "panic", "\(bug) went unnoticed:\n\(guest.transcript)")
    }
}
