import Foundation
import Testing
@testable import Monitor

@Suite("lens smoke", .serialized)
struct LensSmoke {
    @Test func parentWritable() throws {
        let g = try LensGuest(bug: "BUG_PARENT_WRITABLE")
        try g.boot()
        try g.stop(at: "exec", after: "echo hi")
        for c in ["cowcheck", "pagetable pid 2"] { print("== \(c)\n" + g.monitor(c)) }
        print(g.lens.events.joined())
    }
    @Test func orphan() throws {
        let g = try LensGuest(bug: "BUG_ORPHAN_LEAK")
        try g.boot()
        try g.shell("(echo a &)")
        _ = g.run(until: "nothing", instructions: 50_000_000)
        for c in ["ps", "leaks"] { print("== \(c)\n" + g.monitor(c)) }
        print(g.lens.events.joined())
    }
    @Test func kfree() throws {
        let g = try LensGuest(bug: "BUG_KFREE_IGNORES_COUNT")
        try g.boot()
        g.type("echo hi")
        let t0 = Date()
        _ = t0
        let ok = g.run(until: "hi", instructions: 200_000_000)
        print("ok \(ok) \(Date().timeIntervalSince(t0)) s \(g.machine.retiredInstructions)")
        print(g.console.suffix(500))
        print(g.lens.events.joined())
    }
    @Test func cowtest() throws {
        let g = try LensGuest(bug: nil)
        try g.boot()
        print(g.monitor("trace cow on"))
        let t1 = Date()
        try g.shell("cowtest", expect: "ALL COW TESTS PASSED")
        print("cowtest took \(Date().timeIntervalSince(t1)) s")
        _ = g.run(until: "$ ")
        print(g.monitor("trace cow off"))
        try g.shell("(echo a &)")
        _ = g.run(until: "nothing", instructions: 5_000_000)
        for c in ["ps", "leaks", "cowcheck", "freepages", "lens status"] { print("== \(c)\n" + g.monitor(c)) }
        print(g.lens.events.prefix(20).joined())
        print(g.lens.events.filter { !$0.hasPrefix("cow:") }.joined())
    }
}
