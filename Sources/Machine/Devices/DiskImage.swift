// DiskImage.swift — a raw disk image file behind the block device.
//
// Opened read-write and locked (an OFD byte-range lock over the whole file,
// the mechanism QEMU uses for its image locking) so two emulators — ours or
// QEMU — can never write one image at once. Every write is handed to the
// kernel with pwrite before the guest sees the request complete, so it
// survives the process being killed; FLUSH adds an fsync. With `snapshot`
// the file is opened read-only and writes go to an in-memory overlay.
// Every failure to open is an error naming the file, before the guest
// starts. A failure later (a full host disk, a file-size limit, an I/O
// error) fails that one request — the guest sees IOERR, what it wrote before
// stays written — and is told to `onError` for the user.
//
// A file whose size is not a multiple of 512 shows the guest its whole
// sectors only; the tail is never read or written. (QEMU rounds the capacity
// up instead, and a write of that last sector grows the file to a whole
// sector, overwriting the tail.)

#if canImport(Glibc)
import Glibc
#endif

/// fcntl's open-file-description lock (Linux `F_OFD_SETLK`, not exported
/// by the Glibc module): released when the file is closed, and — unlike
/// classic POSIX locks — held per open file, as QEMU's image locking uses.
let F_OFD_SETLK: Int32 = 37

public struct DiskError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let problem: String
    public var description: String { "\(path): \(problem)" }
}

public final class DiskImage {
    public static let sectorSize = 512
    public let path: String
    public let snapshot: Bool
    let fd: Int32
    /// Size in whole sectors (a partial last sector is ignored, as QEMU does).
    public let sectors: UInt64
    /// Set when the file size is not a multiple of 512.
    public let warning: String?
    /// `snapshot` writes: sector → contents.
    private var overlay: [UInt64: [UInt8]] = [:]
    /// Told of each failed read, write or flush (the guest only sees IOERR).
    public var onError: ((String) -> Void)?
    private var errorsReported = 0
    /// A guest retrying a failing request for ever must not flood stderr.
    static let errorsToReport = 10

    public init(path: String, snapshot: Bool = false) throws(DiskError) {
        self.path = path
        self.snapshot = snapshot
        func fail(_ p: String) -> DiskError { DiskError(path: path, problem: p) }
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw fail(errno == ENOENT ? "no such disk image" : String(cString: strerror(errno)))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw fail("not a regular file") }
        let flags = snapshot ? O_RDONLY : O_RDWR
        let fd = open(path, flags | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if !snapshot && (e == EACCES || e == EROFS || e == EPERM) {
                throw fail("cannot open the disk image read-write (\(String(cString: strerror(e)))); use -snapshot to run without writing it")
            }
            throw fail("cannot open: \(String(cString: strerror(e)))")
        }
        var lock = flock()
        lock.l_type = Int16(snapshot ? F_RDLCK : F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 0
        lock.l_len = 0
        guard fcntl(fd, F_OFD_SETLK, &lock) == 0 else {
            close(fd)
            throw fail("is locked by another process (is another xv6emu or QEMU using it?)")
        }
        self.fd = fd
        let size = UInt64(st.st_size)
        sectors = size / UInt64(Self.sectorSize)
        warning = size % UInt64(Self.sectorSize) == 0 ? nil
            : "\(path): size \(size) is not a multiple of 512 bytes; the last \(size % 512) bytes are not visible to the guest"
    }

    deinit {
        close(fd)   // also drops the OFD lock
    }

    /// Reads `count` bytes at `sector`; nil past the end or on an I/O error.
    public func read(sector: UInt64, count: Int) -> [UInt8]? {
        guard inRange(sector, count) else { return nil }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out[done...].withUnsafeMutableBytes {
                pread(fd, $0.baseAddress, $0.count, off_t(sector) * 512 + off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                failed("reading \(count) bytes at sector \(sector)", n < 0 ? errno : nil)
                return nil
            }
            done += n
        }
        if snapshot && !overlay.isEmpty {
            for i in 0..<(count + 511) / 512 {
                if let s = overlay[sector + UInt64(i)] {
                    let n = min(512, count - i * 512)
                    out.replaceSubrange(i * 512..<i * 512 + n, with: s[0..<n])
                }
            }
        }
        return out
    }

    /// Writes bytes at `sector` (a multiple of 512 or the tail of the
    /// request); true when the data has reached the file (or the overlay).
    public func write(sector: UInt64, _ bytes: [UInt8]) -> Bool {
        guard inRange(sector, bytes.count) else { return false }
        if snapshot {
            for i in 0..<(bytes.count + 511) / 512 {
                let n = min(512, bytes.count - i * 512)
                var s = overlay[sector + UInt64(i)] ?? read(sector: sector + UInt64(i), count: 512) ?? [UInt8](repeating: 0, count: 512)
                s.replaceSubrange(0..<n, with: bytes[i * 512..<i * 512 + n])
                overlay[sector + UInt64(i)] = s
            }
            return true
        }
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes {
                pwrite(fd, $0.baseAddress, $0.count, off_t(sector) * 512 + off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                failed("writing \(bytes.count) bytes at sector \(sector)", n < 0 ? errno : nil)
                return false
            }
            done += n
        }
        return true
    }

    /// VIRTIO_BLK_T_FLUSH: to stable storage.
    public func flush() -> Bool {
        guard !snapshot && fsync(fd) != 0 else { return true }
        failed("flushing to stable storage", errno)
        return false
    }

    /// Reports a failed request (nil errno: the file ended early — it was
    /// truncated under us).
    private func failed(_ what: String, _ code: Int32?) {
        errorsReported += 1
        guard errorsReported <= Self.errorsToReport else { return }
        let why = code.map { String(cString: strerror($0)) } ?? "the file ended early"
        var message = "\(path): \(what) failed: \(why); the guest's request ends with an I/O error"
        if errorsReported == Self.errorsToReport { message += " (further errors are not reported)" }
        onError?(message)
    }

    func inRange(_ sector: UInt64, _ count: Int) -> Bool {
        let (end, overflow) = sector.addingReportingOverflow(UInt64((count + 511) / 512))
        return !overflow && end <= sectors
    }
}
