// SVG.swift — `pagetable --svg FILE [pid N…]`: user address spaces side by
// side, one column each, one box per mapped page (VA, PA, flags; COW pages
// orange, writable red, read-only grey), with a line between the boxes of
// every physical page two address spaces share. Open it in a browser.

#if canImport(Glibc)
import Glibc
#endif
import Machine
import RISCV

extension Lens {
    func writeSVG(_ args: [String], hart: Int, path: String) -> String {
        var spaces = addressSpaces().filter { !$0.isKernel }
        var pids: [Int] = []
        var i = 0
        while i + 1 < args.count {
            if args[i] == "pid", let n = Int(args[i + 1]) { pids.append(n) }
            i += 2
        }
        if !pids.isEmpty { spaces = spaces.filter { s in pids.contains { s.label.hasPrefix("pid \($0) ") } } }
        guard !spaces.isEmpty else { return "pagetable --svg: no user address spaces to draw\n" }
        let colWidth = 260, rowHeight = 22, top = 40
        var boxes: [UInt64: [(x: Int, y: Int)]] = [:]
        var body = ""
        var height = 0
        for (c, s) in spaces.enumerated() {
            let x = 20 + c * (colWidth + 80)
            body += "<text x=\"\(x)\" y=\"24\" font-weight=\"bold\">\(escape(s.label)) root \(hex(s.root))</text>\n"
            var row = 0
            walk(s.root) { va, pa, size, pte in
                guard pte & PTE.u != 0 || va < 1 << 38 && size == 4096 else { return }
                let y = top + row * rowHeight
                let color = cowBit.map({ pte & $0 != 0 }) == true ? "#f6a04d" : pte & PTE.w != 0 ? "#e86b6b" : "#c8c8c8"
                body += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(colWidth)\" height=\"\(rowHeight - 4)\" fill=\"\(color)\" stroke=\"#333\"/>\n"
                body += "<text x=\"\(x + 4)\" y=\"\(y + 13)\" font-size=\"11\">\(hex(va)) → \(hex(pa)) \(escape(flagText(pte)))</text>\n"
                boxes[pa, default: []].append((x, y))
                row += 1
            }
            height = max(height, top + row * rowHeight)
        }
        for (_, list) in boxes where list.count > 1 {
            for (a, b) in zip(list, list.dropFirst()) where a.x != b.x {
                body += "<line x1=\"\(a.x + colWidth)\" y1=\"\(a.y + 9)\" x2=\"\(b.x)\" y2=\"\(b.y + 9)\" stroke=\"#2a62c9\" stroke-width=\"1.5\"/>\n"
            }
        }
        let width = 40 + spaces.count * (colWidth + 80)
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height + 20)\" font-family=\"monospace\" font-size=\"12\">\n"
            + body + "</svg>\n"
        guard let f = fopen(path, "w") else { return "pagetable --svg: cannot write \(path): \(String(cString: strerror(errno)))\n" }
        fputs(svg, f)
        fclose(f)
        return "pagetable --svg: \(spaces.count) address spaces, \(boxes.values.filter { $0.count > 1 }.count) shared pages drawn in \(path)\n"
    }

    func escape(_ s: String) -> String {
        let entities: [Character: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"]
        return s.map { entities[$0] ?? String($0) }.joined()
    }
}
