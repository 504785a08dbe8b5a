// ELFFile.swift — an executable ELF as the board needs it: loadable
// segments (physical address, bytes, zero-filled size), the entry point and
// the symbol table. Checks that it is a 64-bit little-endian RISC-V
// executable and that every segment lies inside the file; a bad file is an
// `ELFError` naming the path and the problem, never a crash.
// Whether segments fit in guest RAM is the board's question, not this one's.

#if canImport(Glibc)
import Glibc
#endif
import CLibELF

public struct ELFSegment: Sendable {
    public let physicalAddress: UInt64
    public let virtualAddress: UInt64
    /// The p_filesz bytes from the file.
    public let fileBytes: [UInt8]
    /// p_memsz: at least `fileBytes.count`; the rest is zero (BSS).
    public let memorySize: UInt64
    public let isExecutable: Bool, isWritable: Bool, isReadable: Bool
}

public struct ELFError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    /// One line: `path: problem`.
    public var description: String { "\(path): \(problem)" }
}

public struct ELFFile: Sendable {
    public let path: String
    public let entry: UInt64
    public let segments: [ELFSegment]
    public let symbols: SymbolTable

    static let machineRISCV: UInt16 = 243
    /// Larger segments are certainly a corrupt file (guest RAM is at most 16 GiB).
    static let maxSegmentSize: UInt64 = 16 << 30

    /// Reads and checks the ELF at `path`.
    public static func load(path: String) throws(ELFError) -> ELFFile {
        try load(bytes: readFile(path), path: path)
    }

    /// Checks and decodes an ELF image already in memory.
    public static func load(bytes: [UInt8], path: String) throws(ELFError) -> ELFFile {
        func fail(_ problem: String) -> ELFError { ELFError(path: path, problem: problem) }
        guard !bytes.isEmpty else { throw fail("empty file (not an ELF file)") }
        guard bytes.count >= 4, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else {
            throw fail("not an ELF file (no \\x7fELF magic)")
        }
        guard bytes.count >= 64 else { throw fail("truncated: \(bytes.count) bytes is shorter than an ELF header") }
        switch bytes[4] {
        case 2: break
        case 1: throw fail("32-bit ELF (ELFCLASS32); a 64-bit RISC-V executable is needed")
        default: throw fail("unknown ELF class \(bytes[4])")
        }
        guard bytes[5] == 1 else { throw fail("big-endian ELF; RISC-V executables are little-endian") }

        do throws(ProblemText) {
            let handle = try ELFHandle(bytes: bytes)
            guard handle.isELF, handle.elfClass == ELFCLASS64 else { throw ProblemText("not a 64-bit ELF file") }
            let h = try handle.header()
            guard h.e_machine == machineRISCV else {
                throw ProblemText("not a RISC-V ELF (e_machine = \(h.e_machine), RISC-V is 243)")
            }
            guard h.e_type == UInt16(ET_EXEC) else {
                throw ProblemText("not an executable (e_type = \(h.e_type); only ET_EXEC files can be loaded at their addresses)")
            }
            let tableEnd = h.e_phoff.addingReportingOverflow(UInt64(h.e_phnum) * UInt64(h.e_phentsize))
            guard !tableEnd.overflow, tableEnd.partialValue <= UInt64(bytes.count) else {
                throw ProblemText("truncated: the program headers extend past the end of the file")
            }
            var segments: [ELFSegment] = []
            for (i, p) in try handle.programHeaders().enumerated() where p.p_type == PT_LOAD && p.p_memsz > 0 {
                guard p.p_filesz <= p.p_memsz else {
                    throw ProblemText("segment \(i): file size \(p.p_filesz) exceeds memory size \(p.p_memsz)")
                }
                guard p.p_memsz <= maxSegmentSize else {
                    throw ProblemText("segment \(i): memory size \(p.p_memsz) bytes is absurd")
                }
                let (end, overflow) = p.p_offset.addingReportingOverflow(p.p_filesz)
                guard !overflow, end <= UInt64(bytes.count) else {
                    throw ProblemText("truncated: segment \(i) extends past the end of the file")
                }
                segments.append(ELFSegment(
                    physicalAddress: p.p_paddr, virtualAddress: p.p_vaddr,
                    fileBytes: Array(bytes[Int(p.p_offset)..<Int(end)]), memorySize: p.p_memsz,
                    isExecutable: p.p_flags & UInt32(PF_X) != 0, isWritable: p.p_flags & UInt32(PF_W) != 0,
                    isReadable: p.p_flags & UInt32(PF_R) != 0))
            }
            guard !segments.isEmpty else { throw ProblemText("no loadable segments") }
            let symbols = handle.symbols().compactMap { s -> ELFSymbol? in
                let type = Int32(s.sym.st_info & 0xf)
                guard !s.name.isEmpty, type != STT_SECTION, type != STT_FILE, s.sym.st_shndx != UInt16(SHN_UNDEF) else {
                    return nil
                }
                return ELFSymbol(name: s.name, address: s.sym.st_value, size: s.sym.st_size,
                                 isFunction: type == STT_FUNC, isGlobal: Int32(s.sym.st_info >> 4) != STB_LOCAL)
            }
            return ELFFile(path: path, entry: h.e_entry, segments: segments, symbols: SymbolTable(symbols))
        } catch {
            throw fail(error.text)
        }
    }

    /// Reads a whole file, or fails with the OS's reason.
    static func readFile(_ path: String) throws(ELFError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "file not found" : String(cString: strerror(errno))
            throw ELFError(path: path, problem: reason)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ELFError(path: path, problem: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ELFError(path: path, problem: "not a regular file") }
        guard st.st_size <= 1 << 32 else { throw ELFError(path: path, problem: "too large for an ELF executable") }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ELFError(path: path, problem: n == 0 ? "file shrank while reading" : String(cString: strerror(errno))) }
            done += n
        }
        return bytes
    }
}
