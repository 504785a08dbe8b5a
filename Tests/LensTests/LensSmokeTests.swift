import Testing
@testable import Monitor

@Suite("lens smoke")
struct LensSmoke {
    @Test func explore() throws {
        let g = try LensGuest(bug: nil)
        try g.boot()
        for c in ["ps", "pagetable pid 2", "cowcheck", "leaks", "freepages", "lens status"] { print("== \(c)\n" + g.monitor(c)) }
        try g.stop(at: "exec", after: "echo hi")
        for c in ["ps", "cowcheck", "backtrace", "pagetable"] { print("== \(c)\n" + g.monitor(c)) }
        print(g.lens.events.joined())
    }
}
