// LibELF.swift — every call into the C library libelf (elfutils), behind
// Swift wrappers that turn failures into `ELFError` problems.
//
// Nothing else in the module imports CLibELF. The image is parsed from
// memory (`elf_memory`) so that the file's size is known and every offset
// libelf hands back can be checked against it before use.

import CLibELF

/// An open libelf descriptor over an in-memory image; `elf_end` on deinit.
final class ELFHandle {
    let elf: OpaquePointer
    /// The image bytes; libelf reads from this buffer, so it lives as long as the handle.
    private let image: UnsafeMutableRawBufferPointer

    /// Wraps `elf_version` + `elf_memory`.
    init(bytes: [UInt8]) throws(ProblemText) {
        if ELFHandle.versionOK == false { throw ProblemText("libelf is too old (elf_version failed)") }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        image = buffer
        guard let e = elf_memory(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count) else {
            buffer.deallocate()
            throw ProblemText("libelf cannot read it: \(ELFHandle.lastError)")
        }
        elf = e
    }

    deinit {
        elf_end(elf)
        image.deallocate()
    }

    /// `elf_version(EV_CURRENT)`, once per process.
    static let versionOK: Bool = elf_version(UInt32(EV_CURRENT)) != UInt32(EV_NONE)

    /// `elf_errmsg(-1)`: the last libelf error.
    static var lastError: String {
        guard let m = elf_errmsg(-1) else { return "unknown libelf error" }
        return String(cString: m)
    }

    /// `elf_kind`: is it an ELF object at all?
    var isELF: Bool { elf_kind(elf) == ELF_K_ELF }

    /// `gelf_getclass`: ELFCLASS32 or ELFCLASS64.
    var elfClass: Int32 { gelf_getclass(elf) }

    /// `gelf_getehdr`.
    func header() throws(ProblemText) -> GElf_Ehdr {
        var h = GElf_Ehdr()
        guard gelf_getehdr(elf, &h) != nil else { throw ProblemText("unreadable ELF header: \(ELFHandle.lastError)") }
        return h
    }

    /// `elf_getphdrnum` + `gelf_getphdr` for each.
    func programHeaders() throws(ProblemText) -> [GElf_Phdr] {
        var count = 0
        guard elf_getphdrnum(elf, &count) == 0 else { throw ProblemText("unreadable program headers: \(ELFHandle.lastError)") }
        var out: [GElf_Phdr] = []
        for i in 0..<count {
            var p = GElf_Phdr()
            guard gelf_getphdr(elf, Int32(i), &p) != nil else {
                throw ProblemText("truncated: program header \(i) is unreadable (\(ELFHandle.lastError))")
            }
            out.append(p)
        }
        return out
    }

    /// Symbols of every SHT_SYMTAB section (`elf_nextscn`, `gelf_getshdr`,
    /// `elf_getdata`, `gelf_getsym`, `elf_strptr`). A corrupt table yields
    /// fewer symbols, never an error: symbols are a convenience.
    func symbols() -> [(name: String, sym: GElf_Sym)] {
        var out: [(String, GElf_Sym)] = []
        var scn: OpaquePointer? = nil
        var guardCount = 0
        while let s = elf_nextscn(elf, scn), guardCount < 65536 {
            scn = s
            guardCount += 1
            var sh = GElf_Shdr()
            guard gelf_getshdr(s, &sh) != nil, sh.sh_type == SHT_SYMTAB, sh.sh_entsize > 0 else { continue }
            guard let data = elf_getdata(s, nil) else { continue }
            let n = Int(min(sh.sh_size / sh.sh_entsize, 1 << 22))
            for i in 0..<n {
                var sym = GElf_Sym()
                guard gelf_getsym(data, Int32(i), &sym) != nil else { break }
                guard let cname = elf_strptr(elf, Int(sh.sh_link), Int(sym.st_name)) else { continue }
                out.append((String(cString: cname), sym))
            }
        }
        return out
    }
}

/// A problem description on its way to becoming an `ELFError` (which needs the path).
struct ProblemText: Error {
    let text: String
    init(_ text: String) { self.text = text }
}
